import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from './duration.ts';

test('durations', () => {
  assert.equal(parseDuration('2m'), 120_000);
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('3'), 3000);
  assert.throws(() => parseDuration('soon'), /"soon" is not a duration/);
});
