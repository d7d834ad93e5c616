/**
 * Progress on a terminal: a bar on stderr when stderr is a TTY and the command
 * was not asked for --json; otherwise nothing at all.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** Sets the total amount of work (e.g. bytes or files), if it becomes known late; cheap when it is unchanged. */
  setTotal(total: number): void;
  /** Sets the amount of work done so far; `detail` is shown after the figures (e.g. "1200/6000 files"). */
  update(done: number, detail?: string): void;
  /** Adds to the amount of work done. */
  increment(by?: number): void;
  stop(): void;
}

const silent: Progress = { setTotal() {}, update() {}, increment() {}, stop() {} };

interface ProgressOptions {
  /** Shown before the bar, e.g. "reading results". */
  label: string;
  total: number;
  /** When true (e.g. --json), never draw. */
  quiet?: boolean;
  /** 'bytes' shows MB figures instead of plain counts. */
  unit?: 'items' | 'bytes';
}

export function startProgress(opts: ProgressOptions): Progress {
  if (opts.quiet || !process.stderr.isTTY || process.env.CI) return silent;
  const bytes = opts.unit === 'bytes';
  const bar = new cliProgress.SingleBar(
    {
      format: `${opts.label.padEnd(22)} {bar} {percentage}% | {shown}{detail} | {eta_formatted} left`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  const shown = (done: number, total: number): string => (bytes ? `${(done / 1e6).toFixed(0)}/${(total / 1e6).toFixed(0)} MB` : `${done}/${total}`);
  let total = Math.max(1, opts.total);
  let done = 0;
  bar.start(total, 0, { shown: shown(0, total), detail: '' });
  return {
    setTotal(t) {
      // Callers pass the total with every update; the bar is touched only when it changes.
      if (Math.max(1, t) === total) return;
      total = Math.max(1, t);
      bar.setTotal(total);
    },
    update(d, detail) {
      done = d;
      bar.update(d, { shown: shown(d, total), detail: detail ? ` | ${detail}` : '' });
    },
    increment(by = 1) {
      done += by;
      bar.update(done, { shown: shown(done, total) });
    },
    stop() {
      bar.stop();
    },
  };
}
