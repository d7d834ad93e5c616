import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError, oneLine } from './errors.js';

test('a name from the input cannot split the one line of a message or drive the terminal', () => {
  const err = new InputError('data\nset.zip', 'images/a\r\nb\u001b[31m.jpg', 'the right password', 'a wrong one\u2028');
  assert.equal(err.message.split(/[\n\r\u2028\u2029]/).length, 1);
  assert.ok(!err.message.includes('\u001b'));
  assert.equal(err.message, 'data\\nset.zip: images/a\\r\\nb\\u001b[31m.jpg: expected the right password, found a wrong one\\u2028');
});

test('oneLine leaves printable text as it is', () => {
  const text = 'annotations[3].keypoints: "ä" ✓ 0.5';
  assert.equal(oneLine(text), text);
  assert.equal(oneLine('\t\u0000\u007f'), '\\t\\u0000\\u007f');
});
