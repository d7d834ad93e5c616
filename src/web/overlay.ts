/**
 * Annotations drawn over an image as SVG in image coordinates: masks
 * (polygons), boxes, landmarks joined by the category's skeleton, labels.
 * Each item is a <g data-item="item1"> so pages can highlight it.
 */
import type { Category, ImageJson, ItemJson } from './api.js';
import { categoryColor, textColorOn } from '../shared/colors.js';
import { s } from './dom.js';

export { categoryColor };

export interface OverlayOptions {
  boxes: boolean;
  masks: boolean;
  landmarks: boolean;
  labels: boolean;
}

export const DEFAULT_OVERLAY: OverlayOptions = { boxes: true, masks: true, landmarks: true, labels: true };

function drawItem(item: ItemJson, category: Category | undefined, options: OverlayOptions, unit: number): SVGGElement {
  const color = categoryColor(item.category_id);
  const g = s('g', { 'data-item': item.key, 'data-category': item.category_id, class: 'item' });
  if (options.masks) {
    for (const poly of item.segmentation) {
      if (poly.length < 6) continue;
      const points = [];
      for (let k = 0; k + 1 < poly.length; k += 2) points.push(`${poly[k]},${poly[k + 1]}`);
      g.append(s('polygon', { points: points.join(' '), fill: color, 'fill-opacity': 0.28, stroke: color, 'stroke-width': unit * 0.8, class: 'mask' }));
    }
  }
  const [x1, y1, x2, y2] = item.bounding_box;
  if (options.boxes) {
    g.append(s('rect', { x: x1, y: y1, width: x2 - x1, height: y2 - y1, fill: 'none', stroke: color, 'stroke-width': unit * 2, class: 'box' }));
  }
  if (options.landmarks) {
    const lm = item.landmarks;
    const point = (n: number): [number, number, number] => [lm[(n - 1) * 3] ?? 0, lm[(n - 1) * 3 + 1] ?? 0, lm[(n - 1) * 3 + 2] ?? 0];
    for (const [a, b] of category?.skeleton ?? []) {
      const pa = point(a),
        pb = point(b);
      if (pa[2] > 0 && pb[2] > 0) {
        g.append(s('line', { x1: pa[0], y1: pa[1], x2: pb[0], y2: pb[1], stroke: color, 'stroke-width': unit * 1.2, 'stroke-opacity': 0.9 }));
      }
    }
    for (let n = 1; n * 3 <= lm.length; n++) {
      const [x, y, v] = point(n);
      if (v === 0) continue;
      // Visible landmarks filled, occluded ones hollow.
      g.append(
        s(
          'circle',
          {
            cx: x,
            cy: y,
            r: unit * 2.6,
            class: v === 2 ? 'lm visible' : 'lm occluded',
            fill: v === 2 ? color : 'white',
            stroke: v === 2 ? 'white' : color,
            'stroke-width': unit * 1.1,
          },
          s('title', null, `${item.key} landmark ${n} (${v === 2 ? 'visible' : 'occluded'})`),
        ),
      );
    }
  }
  if (options.labels) {
    const size = unit * 13;
    const label = `${item.key} · ${item.category_name}`;
    g.append(
      s('rect', { x: x1, y: Math.max(0, y1 - size * 1.3), width: label.length * size * 0.56 + size * 0.6, height: size * 1.3, fill: color, class: 'label-bg' }),
    );
    g.append(s('text', { x: x1 + size * 0.3, y: Math.max(size, y1 - size * 0.3), 'font-size': size, fill: textColorOn(color), class: 'label' }, label));
  }
  return g;
}

/** An <svg> to lay over the <img> (same box; viewBox in image pixels). */
export function overlay(image: ImageJson, categories: Category[], options: OverlayOptions): SVGSVGElement {
  const width = image.width || 1,
    height = image.height || 1;
  // Strokes and text scale with the image so that thumbnails and full views read alike.
  const unit = Math.max(1, Math.max(width, height) / 600);
  // Hidden from assistive technology: the item panels and the link names say what it shows; its titles are tooltips for the mouse.
  const svg = s('svg', {
    class: 'overlay',
    viewBox: `0 0 ${width} ${height}`,
    preserveAspectRatio: 'none',
    'data-items': image.items.length,
    'aria-hidden': 'true',
  });
  for (const item of image.items) svg.append(drawItem(item, categories[item.category_id - 1], options, unit));
  return svg;
}

/** Highlights one item (others dimmed), or none with key undefined. */
export function highlight(svg: SVGSVGElement, key: string | undefined): void {
  svg.classList.toggle('has-highlight', key !== undefined);
  for (const g of svg.querySelectorAll<SVGGElement>('g.item')) g.classList.toggle('highlight', g.dataset.item === key);
}
