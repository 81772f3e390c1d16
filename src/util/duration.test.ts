import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from './duration.ts';

test('durations with units and sums', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('1.5s'), 1500);
});

test('bad durations name the text', () => {
  for (const bad of ['', '10', 'abc', '5 m', '0s', '-1s', '3d']) assert.throws(() => parseDuration(bad), new RegExp(`duration "${bad}" is not`));
});
