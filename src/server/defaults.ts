/** Server settings' defaults, in a module light enough for the CLI's option parsing. */

/** Accepted submissions per user, task and UTC day. */
export const DEFAULT_QUOTA = 5;
