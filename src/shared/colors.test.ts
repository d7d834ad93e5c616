/**
 * The verdict colours against the category palette and against each other,
 * as people with normal vision, protanopia and deuteranopia see them
 * (CIE76 distances in CIELAB; dichromacy simulated with the linear-RGB
 * projections of Viénot, Brettel and Mollon 1999).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CATEGORY_COLORS, LANDMARK_KIND_COLORS, VERDICT_COLORS } from './colors.js';

type Vec = [number, number, number];

const linear = (c: number): number => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const linearRgb = (hex: string): Vec => [1, 3, 5].map((i) => linear(Number.parseInt(hex.slice(i, i + 2), 16) / 255)) as Vec;

/** Linear sRGB -> CIELAB (D65). */
function lab([r, g, b]: Vec): Vec {
  const f = (t: number): number => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  const x = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
  const y = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
  const z = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}

const SIMULATIONS: Record<string, Vec[]> = {
  normal: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
  protanopia: [
    [0.11238, 0.88762, 0],
    [0.11238, 0.88762, 0],
    [0.00401, -0.00401, 1],
  ],
  deuteranopia: [
    [0.29275, 0.70725, 0],
    [0.29275, 0.70725, 0],
    [-0.02234, 0.02234, 1],
  ],
};

function seenAs(hex: string, vision: string): Vec {
  const c = linearRgb(hex);
  const clamp = (v: number): number => Math.min(1, Math.max(0, v));
  return lab(SIMULATIONS[vision]!.map((row) => clamp(row[0] * c[0] + row[1] * c[1] + row[2] * c[2])) as Vec);
}

const distance = (a: string, b: string, vision = 'normal'): number => {
  const [p, q] = [seenAs(a, vision), seenAs(b, vision)];
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
};

const SHOWN = ['matched', 'false-positive', 'missed'] as const;

test('no category colour comes near a verdict colour', () => {
  for (const verdict of SHOWN)
    for (const [k, category] of CATEGORY_COLORS.entries()) {
      const d = distance(VERDICT_COLORS[verdict], category);
      assert.ok(d >= 20, `${verdict} ${VERDICT_COLORS[verdict]} and category ${k + 1} ${category}: distance ${d.toFixed(1)}`);
    }
});

test('matched, false positive and missed stay apart with normal vision, protanopia and deuteranopia', () => {
  for (const vision of Object.keys(SIMULATIONS))
    for (const [i, a] of SHOWN.entries())
      for (const b of SHOWN.slice(i + 1)) {
        const d = distance(VERDICT_COLORS[a], VERDICT_COLORS[b], vision);
        assert.ok(d >= 25, `${a} and ${b} with ${vision}: distance ${d.toFixed(1)}`);
      }
});

test('the landmark kinds stay apart with normal vision, protanopia and deuteranopia', () => {
  const kinds = Object.keys(LANDMARK_KIND_COLORS) as (keyof typeof LANDMARK_KIND_COLORS)[];
  for (const vision of Object.keys(SIMULATIONS))
    for (const [i, a] of kinds.entries())
      for (const b of kinds.slice(i + 1)) {
        const d = distance(LANDMARK_KIND_COLORS[a], LANDMARK_KIND_COLORS[b], vision);
        assert.ok(d >= 30, `${a} and ${b} with ${vision}: distance ${d.toFixed(1)}`);
      }
});

test('the distance is the CIE76 one (white to black is 100)', () => {
  assert.ok(Math.abs(distance('#ffffff', '#000000') - 100) < 0.01);
  // Simulated dichromacy keeps greys grey.
  assert.ok(distance('#7f7f7f', '#7f7f7f', 'deuteranopia') < 1e-9 && Math.abs(seenAs('#7f7f7f', 'protanopia')[1]) < 0.5);
});
