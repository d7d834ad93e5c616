/** Ground-truth items of one annotation record as drawable items. */
import type { ImageAnnotation } from '../../schema/index.js';
import type { MatchState } from './colors.js';
import { cornersToXywh, type DrawnItem } from './drawn-item.js';

/** What the evaluation says of one item: its state and a note such as "IoU 0.82". */
export interface Verdict {
  state: MatchState;
  note?: string;
}

/**
 * One DrawnItem per item, in the file's key order. `verdicts[i]`, when given,
 * marks item i (e.g. matched / missed) and adds its note to the label.
 */
export function groundTruthItems(record: ImageAnnotation, verdicts?: readonly (Verdict | undefined)[]): DrawnItem[] {
  return record.items.map((item, i) => {
    const verdict = verdicts?.[i];
    const parts = [item.categoryName, `style ${item.style}`, `pair ${record.pairId}`, record.source];
    if (verdict?.note) parts.push(verdict.note);
    return {
      categoryId: item.categoryId,
      box: cornersToXywh(item.boundingBox),
      polygons: item.segmentation,
      landmarks: item.landmarks,
      landmarkKind: 'annotated',
      label: parts.join(' · '),
      ...(verdict ? { state: verdict.state } : {}),
    };
  });
}
