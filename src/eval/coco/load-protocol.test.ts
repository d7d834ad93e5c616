import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../util/errors.js';
import { errorFromMessage, errorToMessage } from './load-protocol.js';

test('errors cross threads: an InputError comes back as one, with the same line', () => {
  const original = new InputError('gt.json', 'annotations[3].bbox', '4 finite numbers', 'an array of 3');
  // structuredClone is what postMessage does to the message.
  const back = errorFromMessage(structuredClone(errorToMessage(original)));
  assert.ok(back instanceof InputError);
  assert.equal(back.message, original.message);
  assert.equal(back.found, 'an array of 3');
});

test('errors cross threads: other errors keep their message and stack, not the InputError class', () => {
  const original = new RangeError('unknown attribute colour');
  const back = errorFromMessage(structuredClone(errorToMessage(original)));
  assert.ok(!(back instanceof InputError));
  assert.equal(back.message, 'unknown attribute colour');
  assert.equal(back.stack, original.stack);
  assert.equal(errorFromMessage(errorToMessage('a thrown string')).message, 'a thrown string');
});
