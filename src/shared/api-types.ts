/**
 * The JSON shapes of the df2 serve API, declared once for the server
 * (src/server, compiled by tsconfig.json) and the browser app (src/web,
 * compiled by tsconfig.web.json): the routes are type-checked against what
 * the app reads. Types only: nothing here exists at run time, so the browser
 * never loads this module.
 */

export type Task = 'bbox' | 'segm' | 'keypoints' | 'keypoints_visible' | 'retrieval';
export type SubmissionStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface CategoryJson {
  id: number;
  name: string;
  coco_name: string;
  landmarks: number;
  skeleton: readonly (readonly [number, number])[];
}
export interface MetaJson {
  categories: CategoryJson[];
  attributes: Record<string, readonly string[]>;
  tasks: Task[];
  max_upload_bytes: number;
}

export interface IndexingJson {
  state: 'queued' | 'scanning' | 'reading' | 'ready' | 'failed';
  /** Files done and to do in the current phase. */
  done: number;
  total: number;
  /** Files read again in the last run (changed or new). */
  changed: number;
  error?: string;
}
export interface SplitJson {
  name: string;
  images: number;
  items: number;
  bad_files: number;
  indexed_at: string | null;
  indexing: IndexingJson;
}
export interface BadFileJson {
  /** File name relative to the split ("annos/000012.json"). */
  file: string;
  message: string;
}

/** An item as clients see it (fields named as in the release). */
export interface ItemJson {
  key: string;
  category_id: number;
  category_name: string;
  style: number;
  bounding_box: [number, number, number, number];
  landmarks: number[];
  segmentation: number[][];
  scale: number;
  occlusion: number;
  zoom_in: number;
  viewpoint: number;
}
export interface ImageJson {
  id: number;
  name: string;
  source: 'user' | 'shop' | 'unknown';
  pair_id: number;
  width: number;
  height: number;
  has_image: boolean;
  items: ItemJson[];
  /** Set when the annotation file changed since indexing and no longer reads. */
  error?: string;
}
export interface ImagePageJson {
  split: string;
  total: number;
  page: number;
  per_page: number;
  images: ImageJson[];
}
/** Facet -> value -> images. */
export type FacetCountsJson = Record<string, Record<string, number>>;
export interface PairLinkJson {
  style: number;
  user: { image: number; item: string };
  shop: { image: number; item: string };
}
export interface PairJson {
  split: string;
  pair_id: number;
  images: ImageJson[];
  links: PairLinkJson[];
}

/** What the explorer counts in a split (GET /api/stats/SPLIT adds the split's name). */
export interface SplitStats {
  images: { user: number; shop: number };
  items: { user: number; shop: number };
  /** category id -> items (user, shop). */
  categories: Record<string, { user: number; shop: number }>;
  /** attribute -> value -> items. */
  attributes: Record<string, Record<string, number>>;
  /** items with style 0 and > 0. */
  style: { zero: number; positive: number };
  /** number of items in an image -> images. */
  itemsPerImage: Record<string, number>;
  pairIds: number;
  /** Consumer-shop item pairs with the same pair_id and style > 0. */
  positivePairs: number;
  landmarks: { visible: number; occluded: number };
}
export interface StatsJson extends SplitStats {
  split: string;
}

/** AP of one category (IoU .50:.95; -1 = no ground truth): the shape of `df2 eval --json`'s `per_category_ap`. */
export interface CategoryApJson {
  category_id: number;
  ap: number;
}

/** Figures of one evaluation, as stored and shown. */
export interface EvaluationResult {
  task: Task;
  /** COCO tasks: the 12 (bbox, segm) or 10 (keypoints) summarize() figures; retrieval: top-1, 5, 10, 15, 20. */
  stats: number[];
  /** Names of the figures in `stats`, in order. */
  statNames: string[];
  /** COCO tasks: AP per category (-1 = no ground truth). */
  perCategoryAp?: CategoryApJson[];
  /** Retrieval: queries counted and queries without a detection. */
  queries?: number;
  missed?: number;
  /**
   * Per attribute value (the release README's Tables 3, 5, 7, 9), when the
   * ground truth carries attributes: attribute -> value "1".."3" -> figures
   * (AP, AP50, AP75 for COCO tasks; top-1..top-20 for retrieval).
   */
  subsets?: Record<string, Record<string, number[]>>;
  subsetStatNames?: string[];
  /** In a phase with intervals: the bootstrap interval of the leaderboard's figure (see ResultInterval). */
  interval?: ResultInterval;
  /**
   * In a phase with intervals: every figure of `stats` with its bootstrap interval, in the same order, from the same
   * resamples as `interval` (whose bounds the leaderboard's figure repeats here). Absent for submissions evaluated
   * before the phase kept them.
   */
  statIntervals?: FigureBoundsJson[];
  /** In a phase with intervals, COCO tasks: the interval of each AP of `perCategoryAp`, in the same order. */
  perCategoryApIntervals?: FigureBoundsJson[];
  seconds: number;
}

/** A figure's bootstrap interval: its percentile bounds, null when no resample defined it (`defined` 0). */
export interface FigureBoundsJson {
  low: number | null;
  high: number | null;
  /** Resamples in which the figure was defined. */
  defined: number;
}

/**
 * The bootstrap interval over images of a submission's leaderboard figure
 * (AP, or top-20 for retrieval), from the phase's resample lists: every
 * submission of the phase is evaluated on the same lists (the same seed and
 * count), so two of them can be compared resample by resample.
 */
export interface ResultInterval {
  /** The figure's name (the task's primary figure). */
  figure: string;
  /** The (1 - level) / 2 and (1 + level) / 2 percentiles of the figure over the resamples. */
  low: number;
  high: number;
  level: number;
  /** Resamples drawn, and in how many the figure was defined. */
  resamples: number;
  defined: number;
  /** The phase's seed of the draws. */
  seed: number;
}

export interface TaskJson {
  task: Task;
  title: string;
  available: boolean;
  stat_names: string[];
  primary: string;
}

export interface PhaseJson {
  name: string;
  tasks: Task[];
  start: string | null;
  end: string | null;
  /** Where the phase stands at the server's time. */
  state: 'upcoming' | 'open' | 'ended';
  limits: { per_day: number | null; per_month: number | null; total: number | null };
  leaderboard: 'public' | 'private';
  scores: 'shown' | 'after_end';
  rule: 'best' | 'latest';
  /** The phase's leaderboard shows bootstrap intervals (null: plain figures). */
  intervals: { resamples: number; level: number } | null;
}
export interface ChallengeJson {
  title: string;
  /** Markdown. */
  description: string;
  /** The description as HTML (raw HTML in the Markdown escaped, script URLs refused): safe to insert. */
  description_html: string;
  registration: 'open' | 'invite' | 'closed';
  phases: PhaseJson[];
}

export interface SubmissionJson {
  id: number;
  user: string;
  team: string;
  phase: string;
  task: Task;
  name: string;
  description: string;
  paper_url: string | null;
  code_url: string | null;
  public: boolean;
  baseline: boolean;
  hidden: boolean;
  file_name: string;
  file_bytes: number;
  status: SubmissionStatus;
  attempts: number;
  error: string | null;
  /** null while the phase hides its figures from submitters (see figures_hidden_until) or before evaluation. */
  stats: number[] | null;
  stat_names: string[];
  result: EvaluationResult | null;
  /** Set while the figures are withheld: the phase's end. */
  figures_hidden_until: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}
export interface LeaderboardEntryJson {
  /** null for a baseline (shown, outside the ranking). */
  rank: number | null;
  submission_id: number;
  team: string;
  user: string;
  name: string;
  description: string;
  paper_url: string | null;
  code_url: string | null;
  baseline: boolean;
  created_at: string;
  finished_at: string;
  stats: Record<string, number>;
  per_category_ap: CategoryApJson[] | null;
  subsets: Record<string, Record<string, number[]>> | null;
  subset_stat_names: string[] | null;
  queries: number | null;
  missed: number | null;
  /** The viewer's own submission (its details page is open to them). */
  mine: boolean;
  /** In a phase with intervals: the bootstrap interval of the primary figure (null: none, e.g. evaluated before the phase asked). */
  interval: { low: number; high: number; level: number } | null;
  /**
   * In a phase with intervals, sorted by the primary figure: this team against the ranked team just above, paired on the
   * same resamples. `significant` is false when the interval of the difference (above minus this) contains 0 at the
   * phase's level. Null for the first row, baselines, and rows without comparable figures.
   */
  vs_above: { difference: number; low: number; high: number; above_beats: number; significant: boolean } | null;
}
export interface LeaderboardJson {
  phase: string;
  task: Task;
  title: string;
  primary: string;
  order_by: string;
  stat_names: string[];
  rule: 'best' | 'latest';
  entries: LeaderboardEntryJson[];
  /** Rows in all pages (ranked teams and baselines). */
  total: number;
  page: number;
  per_page: number;
  /** Set while the phase hides its figures from all but admins: the phase's end (entries is empty). */
  hidden_until: string | null;
  /** The phase's intervals (of the primary figure), or null when it shows plain figures. */
  intervals: { figure: string; level: number; resamples: number } | null;
}
/** `token` only in the answer to the user's creation or a new token: it is shown once. */
export interface UserJson {
  id: number;
  name: string;
  team: string | null;
  admin: boolean;
  revoked: boolean;
  created_at: string;
  token?: string;
}

/** GET /api/health: the backend, the submissions waiting and running, and the workers seen in the last minute. */
export interface HealthJson {
  /** False (status 503) while the database is unreachable: then queue is null and workers empty. */
  ok: boolean;
  store: 'sqlite' | 'postgres';
  database: 'ok' | 'unreachable';
  /** While unreachable: since when (ISO 8601). */
  unreachable_since?: string;
  queue: { queued: number; running: number } | null;
  workers: { id: string; host: string; pid: number; running: number; started_at: string; seen_at: string }[];
}
