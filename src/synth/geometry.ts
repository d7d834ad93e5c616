/**
 * Plane geometry for synthetic garments: similarity transforms, clipping a
 * polygon to the image, polygon bounds and point-in-polygon. Polygons are flat
 * [x1, y1, x2, y2, ...] lists, as the release writes them.
 */

/** Where a garment frame lands in the image: scale per axis, rotation, translation. */
export interface Placement {
  /** Template point at the garment frame's centre maps to (cx, cy). */
  cx: number;
  cy: number;
  /** Template frame centre (middle of its bounds). */
  frameX: number;
  frameY: number;
  /** Pixels per template unit, horizontally and vertically. */
  sx: number;
  sy: number;
  /** cos and sin of the rotation. */
  cos: number;
  sin: number;
}

/**
 * cos and sin of a small rotation from t = tan(angle / 2): rational formulas,
 * so no transcendental function (whose last bits may differ between engines)
 * decides an output coordinate.
 */
export function rotationFromHalfTangent(t: number): { cos: number; sin: number } {
  const d = 1 + t * t;
  return { cos: (1 - t * t) / d, sin: (2 * t) / d };
}

export function place(p: Placement, x: number, y: number): [number, number] {
  const lx = (x - p.frameX) * p.sx;
  const ly = (y - p.frameY) * p.sy;
  return [p.cx + p.cos * lx - p.sin * ly, p.cy + p.sin * lx + p.cos * ly];
}

/**
 * Clips a closed polygon to the rectangle [0, maxX] x [0, maxY]
 * (Sutherland-Hodgman: exact for a convex clip region, any subject polygon).
 * Vertices inside stay as they are.
 */
export function clipToRect(polygon: readonly number[], maxX: number, maxY: number): number[] {
  let points = polygon.slice();
  const edges: Array<[axis: 0 | 1, limit: number, keepBelow: boolean]> = [
    [0, 0, false],
    [0, maxX, true],
    [1, 0, false],
    [1, maxY, true],
  ];
  for (const [axis, limit, keepBelow] of edges) {
    if (points.length === 0) break;
    const inside = (i: number): boolean => (keepBelow ? points[i + axis]! <= limit : points[i + axis]! >= limit);
    const out: number[] = [];
    const n = points.length;
    for (let i = 0; i < n; i += 2) {
      const j = (i + 2) % n;
      const iIn = inside(i);
      const jIn = inside(j);
      if (iIn) out.push(points[i]!, points[i + 1]!);
      if (iIn !== jIn) {
        const a = points[i + axis]!;
        const b = points[j + axis]!;
        const t = (limit - a) / (b - a);
        const x = points[i]! + t * (points[j]! - points[i]!);
        const y = points[i + 1]! + t * (points[j + 1]! - points[i + 1]!);
        if (axis === 0) out.push(limit, y);
        else out.push(x, limit);
      }
    }
    points = out;
  }
  return points;
}

/** Rounds to integers and drops consecutive repeats (including last = first). */
export function roundPolygon(polygon: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < polygon.length; i += 2) {
    const x = Math.round(polygon[i]!);
    const y = Math.round(polygon[i + 1]!);
    const n = out.length;
    if (n >= 2 && out[n - 2] === x && out[n - 1] === y) continue;
    out.push(x, y);
  }
  while (out.length >= 4 && out[0] === out[out.length - 2] && out[1] === out[out.length - 1]) out.length -= 2;
  return out;
}

/** Twice the signed area (shoelace). */
export function doubleArea(polygon: readonly number[]): number {
  let sum = 0;
  const n = polygon.length;
  for (let i = 0; i < n; i += 2) {
    const j = (i + 2) % n;
    sum += polygon[i]! * polygon[j + 1]! - polygon[j]! * polygon[i + 1]!;
  }
  return sum;
}

/** [minX, minY, maxX, maxY] over all vertices of all polygons. */
export function polygonBounds(polygons: ReadonlyArray<readonly number[]>): [number, number, number, number] {
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (const polygon of polygons) {
    for (let i = 0; i < polygon.length; i += 2) {
      const x = polygon[i]!;
      const y = polygon[i + 1]!;
      if (x < x1) x1 = x;
      if (x > x2) x2 = x;
      if (y < y1) y1 = y;
      if (y > y2) y2 = y;
    }
  }
  return [x1, y1, x2, y2];
}

/** Even-odd point-in-polygon test. */
export function insidePolygon(polygon: readonly number[], x: number, y: number): boolean {
  let inside = false;
  const n = polygon.length;
  for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
    const xi = polygon[i]!;
    const yi = polygon[i + 1]!;
    const xj = polygon[j]!;
    const yj = polygon[j + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
