/**
 * A thread of the annotation reader (annotation-reader.ts): reads and checks
 * each requested image's annotation file with synchronous calls (they block
 * only this thread) and answers with each image's JSON as text.
 */
import { join } from 'node:path';
import { checkAnnotationFileSync } from '../../dataset/internal.js';
import { imageName } from '../../schema/index.js';
import { serveCalls } from '../../util/worker-serve.js';
import { hasAnnotationFile, imageBase, imageJson } from './image-json.js';
import type { ReadImage, ReaderRequest } from './annotation-reader.js';

serveCalls((request: ReaderRequest) =>
  request.rows.map((row): ReadImage => {
    const json = hasAnnotationFile(row)
      ? imageJson(row, checkAnnotationFileSync(join(request.dir, 'annos', `${imageName(row.imageId)}.json`), undefined, false))
      : imageBase(row);
    return { json: JSON.stringify(json), styles: json.items.map((it) => [it.key, it.style]) };
  }),
);
