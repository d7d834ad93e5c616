# Sourced by .ci/run (and usable by hand): starts a local PostgreSQL cluster and exports DF2_TEST_PG_URL
# to a database the tests may create and drop tables in. The role's password is a test-only value.
pg_version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$pg_version main"; then
  pg_createcluster "$pg_version" main >/dev/null
fi
pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 && break
  sleep 1
done
pg_port=$(pg_lsclusters -h | awk -v v="$pg_version" '$1 == v && $2 == "main" { print $3 }')
su postgres -c "psql -q -p $pg_port -tc \"SELECT 1 FROM pg_roles WHERE rolname = 'df2test'\"" | grep -q 1 ||
  su postgres -c "psql -q -p $pg_port -c \"CREATE ROLE df2test LOGIN PASSWORD 'df2test' CREATEDB\""
su postgres -c "psql -q -p $pg_port -tc \"SELECT 1 FROM pg_database WHERE datname = 'df2test'\"" | grep -q 1 ||
  su postgres -c "psql -q -p $pg_port -c \"CREATE DATABASE df2test OWNER df2test\""
export DF2_TEST_PG_URL="postgres://df2test:df2test@127.0.0.1:$pg_port/df2test"
