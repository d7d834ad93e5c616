/**
 * A command's options that do not go together (or one that is missing where
 * another needs it): bad input like a bad file, reported as one line
 * `df2: <command>: <option>: expected ..., found ...` and exit code 1.
 */
import { InputError } from '../util/errors.js';

export class UsageError extends InputError {
  /**
   * @example
   * throw new UsageError('report', '--gt', 'a COCO ground-truth file for the --results', 'none');
   * // printed by the CLI as: df2: report: --gt: expected a COCO ground-truth file for the --results, found none
   */
  constructor(command: string, option: string, expected: string, found?: string) {
    super(command, option, expected, found);
    this.name = 'UsageError';
  }
}
