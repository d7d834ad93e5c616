/**
 * One image of a split for drawing: its checked annotation record and its
 * decoded pixels. Bad annotations stop with the first error's one-line message.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { loadImage, type Image } from '@napi-rs/canvas';
import type { ImageRecord } from '../../schema/index.js';
import { problemError } from '../../schema/index.js';
import { checkAnnotationFile } from '../../dataset/index.js';
import { InputError } from '../../util/errors.js';
import { imageName } from '../../schema/index.js';

/** "000123" for image id 123. */

/** Reads and checks DIR/annos/NNNNNN.json and the header of DIR/image/NNNNNN.jpg. */
export async function readImageRecord(dir: string, imageId: number): Promise<ImageRecord> {
  const name = imageName(imageId);
  const annoPath = join(dir, 'annos', `${name}.json`);
  const imagePath = join(dir, 'image', `${name}.jpg`);
  try {
    await access(annoPath);
  } catch {
    throw new InputError(join(dir, 'annos'), `${name}.json`, `an annotation file for image ${imageId}`, 'no such file');
  }
  const checked = await checkAnnotationFile(annoPath, imagePath);
  const error = checked.problems.find((p) => p.severity === 'error');
  if (error) throw problemError(error);
  return checked.record!;
}

/** Decodes the record's image (JPEG or PNG). */
export async function decodeImage(record: ImageRecord): Promise<Image> {
  if (!record.imagePath) throw new InputError(record.annoPath, '', 'an image beside the annotation', 'none');
  try {
    return await loadImage(record.imagePath);
  } catch (err) {
    throw new InputError(record.imagePath, '', 'a decodable JPEG or PNG image', (err as Error).message);
  }
}
