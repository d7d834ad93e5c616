/**
 * Polygons and boxes to RLE exactly as maskApi's rleFrPoly / rleFrBbox do it.
 *
 * The method: scale the vertices by 5 and round each to an integer with the C
 * cast (int)(5*v + .5) (truncation toward zero, so negative coordinates round
 * differently from positive ones); walk every edge on that fine grid one step
 * at a time along its longer axis, rounding the other coordinate the same
 * way; wherever the walk moves to another fine column and that move crosses
 * the centre of an image column, record the crossing (the upper of the two
 * fine rows, mapped back to image rows, clamped to [0, height], rounded up).
 * Each crossing toggles the mask from that pixel on, in column-major order;
 * sorting the crossings and differencing them gives the runs. Two crossings
 * at one pixel cancel: a zero-length run is folded into its neighbour.
 *
 * Every floating-point step (order of operations, truncations, the 0/0 of a
 * zero-length edge) is reproduced, so results are bit-identical.
 *
 * How it is computed differs, with identical results: maskApi visits every
 * fine point (5 per pixel of perimeter) and tests each move. Along an edge
 * the fine column changes monotonically, and only a move onto a column
 * 3 mod 5 (moving right) or 2 mod 5 (moving left) over the image can record
 * a crossing, so only those moves are located (directly for edges walked
 * along x; for steep ones from the real line, then settled exactly on the
 * integer points) and evaluated. That is faster, and the cost is bounded by
 * the image width per edge whatever the coordinates (maskApi's time and
 * memory grow with them, up to a crash).
 */
import { RleFormatError, checkRleSize } from './errors.js';
import type { Rle } from './rle.js';
import { ScratchI32 } from './scratch.js';

const SCALE = 5;
/**
 * A zero-length edge has slope 0/0; maskApi casts that NaN to int, which
 * x86-64 (cvttsd2si) turns into INT_MIN. Such a point never records a
 * crossing inside the image, but the value is kept faithful.
 */
const INT_OF_NAN = -2147483648;
/** Scaled coordinates stay below 2^30 so every int difference of maskApi is exact here too. */
const MAX_SCALED = 2 ** 30;

const vertexX = new ScratchI32();
const vertexY = new ScratchI32();

// Crossings found so far (pixel indices); module state so the helpers need no closures.
let crossings = new Uint32Array(1024);
let crossingCount = 0;
let imageHeight = 0;
let lastColumn = 0;

/** Records the crossing of a move from fine point (pu, pv) to (u, v) if it crosses an image column centre inside the image. */
function addCrossing(u: number, v: number, pu: number, pv: number): void {
  let xd = u < pu ? u : u - 1;
  xd = (xd + 0.5) / SCALE - 0.5;
  if (Math.floor(xd) !== xd || xd < 0 || xd > lastColumn) return;
  let yd = v < pv ? v : pv;
  yd = (yd + 0.5) / SCALE - 0.5;
  if (yd < 0) yd = 0;
  else if (yd > imageHeight) yd = imageHeight;
  yd = Math.ceil(yd);
  if (crossingCount === crossings.length) {
    const grown = new Uint32Array(crossings.length * 2);
    grown.set(crossings);
    crossings = grown;
  }
  crossings[crossingCount++] = xd * imageHeight + yd;
}

/**
 * Whether the point at t of a steep edge has reached column c: its column
 * is >= c (columns increasing in polygon order) or <= c (decreasing).
 */
function reaches(xs: number, slope: number, t: number, c: number, increasing: boolean): boolean {
  const u = Math.trunc(xs + slope * t + 0.5);
  return increasing ? u >= c : u <= c;
}

/** Smallest value >= x that is congruent to r modulo 5. */
function ceilTo5(x: number, r: number): number {
  return x + ((((r - x) % 5) + 5) % 5);
}

/** Largest value <= x that is congruent to r modulo 5. */
function floorTo5(x: number, r: number): number {
  return x - ((((x - r) % 5) + 5) % 5);
}

/**
 * RLE of the polygon xy = [x0, y0, x1, y1, ...] (image coordinates, pixel
 * centres at integers) on a height x width image, as maskApi's rleFrPoly.
 * An odd trailing number is ignored (as pycocotools' len/2); fewer than two
 * points give an empty mask. Coordinates must be finite numbers within
 * +-2^30/5; other values throw RleFormatError.
 */
export function rleFromPolygon(xy: ArrayLike<number>, height: number, width: number): Rle {
  checkRleSize(height, width);
  const area = height * width;
  if (area === 0) return { height, width, counts: new Uint32Array(1) };
  const k = Math.floor(xy.length / 2);
  const vx = vertexX.get(k + 1);
  const vy = vertexY.get(k + 1);
  for (let j = 0; j < k; j++) {
    const x = xy[2 * j];
    const y = xy[2 * j + 1];
    if (typeof x !== 'number' || typeof y !== 'number') throw new RleFormatError(`polygon point ${j} is not two numbers`);
    const sx = SCALE * x + 0.5;
    const sy = SCALE * y + 0.5;
    if (!(Math.abs(sx) < MAX_SCALED && Math.abs(sy) < MAX_SCALED)) {
      throw new RleFormatError(`polygon point ${j} (${x}, ${y}) is not finite or lies beyond +-${MAX_SCALED / SCALE}`);
    }
    vx[j] = Math.trunc(sx);
    vy[j] = Math.trunc(sy);
  }
  vx[k] = vx[0]!;
  vy[k] = vy[0]!;

  crossingCount = 0;
  imageHeight = height;
  lastColumn = width - 1;
  // Only a move whose new fine column lies in [lo, hi] can cross an image
  // column centre inside the image (addCrossing needs xd in [2, 5w-3]).
  const lo = 2;
  const hi = SCALE * width - 2;
  let havePrevious = false;
  let pu = 0;
  let pv = 0;

  for (let j = 0; j < k; j++) {
    let xs = vx[j]!;
    let xe = vx[j + 1]!;
    let ys = vy[j]!;
    let ye = vy[j + 1]!;
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const alongX = dx >= dy;
    // maskApi walks each edge from its lower end along the long axis (so both
    // directions round alike) but emits the points in polygon order: t is
    // the position along the walk, and polygon order runs t backwards when
    // flipped.
    const flip = alongX ? xs > xe : ys > ye;
    if (flip) {
      let t = xs;
      xs = xe;
      xe = t;
      t = ys;
      ys = ye;
      ye = t;
    }
    const length = alongX ? dx : dy;
    const slope = alongX ? (ye - ys) / dx : (xe - xs) / dy;
    const tFirst = flip ? length : 0;
    const tLast = flip ? 0 : length;
    // Fine column and row of the point at t (a zero-length edge: see INT_OF_NAN).
    const uFirst = alongX ? xs + tFirst : Math.trunc(xs + slope * tFirst + 0.5);
    const uLast = alongX ? xs + tLast : Math.trunc(xs + slope * tLast + 0.5);
    const vFirst = alongX ? (length === 0 ? INT_OF_NAN : Math.trunc(ys + slope * tFirst + 0.5)) : ys + tFirst;
    const vLast = alongX ? (length === 0 ? INT_OF_NAN : Math.trunc(ys + slope * tLast + 0.5)) : ys + tLast;

    // The move from the previous edge's last point to this edge's first.
    if (havePrevious && uFirst !== pu) addCrossing(uFirst, vFirst, pu, pv);
    havePrevious = true;
    pu = uLast;
    pv = vLast;
    if (uFirst === uLast) continue; // columns are monotone along an edge: no move changes column

    // Moves inside the edge. A move to a larger column u records a crossing
    // exactly when u is 3 mod 5 (xd = u - 1 is then 2 mod 5), a move to a
    // smaller one when u is 2 mod 5, and only with u in [lo, hi]. Columns are
    // monotone along the edge, so each such column c is entered by exactly
    // one move, the first (in polygon order) whose point reaches c, if it
    // lands on c. Only those moves are evaluated, not every fine point.
    const increasing = uLast > uFirst;
    const dir = flip ? -1 : 1; // step in t between consecutive points in polygon order
    let c = increasing ? ceilTo5(Math.max(uFirst + 1, lo), 3) : floorTo5(Math.min(uFirst - 1, hi), 2);
    const cStep = increasing ? 5 : -5;
    const targets = Math.floor((increasing ? Math.min(uLast, hi) - c : c - Math.max(uLast, lo)) / 5) + 1;
    for (let i = 0; i < targets; i++, c += cStep) {
      if (alongX) {
        // Column = xs + t: c is entered at t = c - xs, from the point before it.
        const t = c - xs;
        const v = Math.trunc(ys + slope * t + 0.5);
        const vPrevious = Math.trunc(ys + slope * (t - dir) + 0.5);
        addCrossing(c, v, c - cStep / 5, vPrevious);
      } else {
        // Column = trunc(xs + slope*t + .5), a steep edge. Guess where it
        // reaches c from the real line, then settle on the exact first point
        // by testing the neighbours (the guess is off by a step at most, in
        // practice; the loops are exact whatever it is).
        const edge = increasing ? c - 0.5 : c + 0.5;
        let t = Math.round((edge - xs) / slope);
        if (!(t >= 0)) t = 0;
        else if (t > length) t = length;
        if (reaches(xs, slope, t, c, increasing)) {
          while (reaches(xs, slope, t - dir, c, increasing)) t -= dir;
        } else {
          do t += dir;
          while (!reaches(xs, slope, t, c, increasing));
        }
        const u = Math.trunc(xs + slope * t + 0.5);
        if (u === c) addCrossing(u, ys + t, Math.trunc(xs + slope * (t - dir) + 0.5), ys + t - dir);
      }
    }
  }

  // Crossings to runs: sort, difference, fold zero-length runs.
  if (crossingCount === crossings.length) {
    const grown = new Uint32Array(crossings.length * 2);
    grown.set(crossings);
    crossings = grown;
  }
  crossings[crossingCount++] = area;
  const n = crossingCount;
  const runs = crossings.subarray(0, n).sort();
  let previous = 0;
  for (let j = 0; j < n; j++) {
    const position = runs[j]!;
    runs[j] = position - previous;
    previous = position;
  }
  // In place: the write index never passes the read index. A zero-length
  // run means two toggles at one pixel; the run after it joins the one before.
  let m = 1;
  let j = 1;
  while (j < n) {
    if (runs[j]! > 0) runs[m++] = runs[j++]!;
    else {
      j++;
      if (j < n) runs[m - 1]! += runs[j++]!;
    }
  }
  return { height, width, counts: runs.slice(0, m) };
}

const boxCorners = new Float64Array(8);

/**
 * RLE of the box [x, y, w, h]: the polygon through (x, y), (x, y+h),
 * (x+w, y+h), (x+w, y), as maskApi's rleFrBbox.
 */
export function rleFromBox(x: number, y: number, w: number, h: number, height: number, width: number): Rle {
  const xe = x + w;
  const ye = y + h;
  boxCorners[0] = x;
  boxCorners[1] = y;
  boxCorners[2] = x;
  boxCorners[3] = ye;
  boxCorners[4] = xe;
  boxCorners[5] = ye;
  boxCorners[6] = xe;
  boxCorners[7] = y;
  return rleFromPolygon(boxCorners, height, width);
}
