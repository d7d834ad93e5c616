/**
 * The progress of a command with stages (`df2 eval`, `df2 compare`): one
 * bar at a time, files read concurrently summed in one "reading" bar.
 */
import { type Progress, startProgress } from '../util/progress.js';

/**
 * One bar at a time: "reading" (both files, in bytes, as they are read
 * concurrently), then "evaluating".
 */
export class StageBars {
  private bar: Progress | null = null;
  private stage = '';
  private readonly reading = new Map<string, [number, number]>();

  constructor(private readonly quiet: boolean) {}

  update(stage: string, done: number, total: number): void {
    const isReading = stage.startsWith('reading');
    const label = isReading ? 'reading' : stage;
    if (label !== this.stage) {
      this.bar?.stop();
      this.stage = label;
      this.bar = startProgress({ label, total, quiet: this.quiet, unit: isReading ? 'bytes' : 'items' });
    }
    if (isReading) {
      this.reading.set(stage, [done, total]);
      let sumDone = 0;
      let sumTotal = 0;
      for (const [d, t] of this.reading.values()) {
        sumDone += d;
        sumTotal += t;
      }
      this.bar!.setTotal(sumTotal);
      this.bar!.update(sumDone);
    } else {
      this.bar!.setTotal(total);
      this.bar!.update(done);
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
