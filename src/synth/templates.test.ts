import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CATEGORIES } from '../schema/index.js';
import { doubleArea } from './geometry.js';
import { templateFor } from './templates.js';

test('every category has a template with its landmark count, mirrored through its flip pairs', () => {
  for (const category of CATEGORIES) {
    const template = templateFor(category.id);
    assert.equal(template.landmarks.length, category.landmarks, category.annotationName);
    for (const [a, b] of category.flipPairs) {
      const [pa, pb] = [template.landmarks[a - 1]!, template.landmarks[b - 1]!];
      assert.ok(Math.abs(pa[0] + pb[0]) < 1e-12 && pa[1] === pb[1], `${category.annotationName}: ${a} mirrors ${b}`);
    }
    const [x1, y1, x2, y2] = template.bounds;
    assert.ok(x2 > x1 && y2 > y1);
  }
});

test('template polygons use every outline landmark once, stay simple and have area', () => {
  for (const category of CATEGORIES) {
    const template = templateFor(category.id);
    assert.ok(template.pieces.length >= 1);
    for (const ids of [...template.pieces, ...template.parts]) {
      assert.ok(
        ids.every((k) => Number.isInteger(k) && k >= 1 && k <= category.landmarks),
        category.annotationName,
      );
      assert.equal(new Set(ids).size, ids.length, `${category.annotationName}: no landmark twice in one polygon`);
      const flat = ids.flatMap((k) => [...template.landmarks[k - 1]!]);
      assert.ok(Math.abs(doubleArea(flat)) > 1e-3, `${category.annotationName}: polygon ${ids.join(',')} has area`);
    }
    // Landmarks on no outline are allowed only for the neck's back centre (landmark 1).
    const onOutline = new Set(template.pieces.flat());
    const off = Array.from({ length: category.landmarks }, (_, i) => i + 1).filter((k) => !onOutline.has(k));
    assert.ok(
      off.every((k) => k === 1),
      `${category.annotationName}: off the outline ${off.join(',')}`,
    );
  }
});
