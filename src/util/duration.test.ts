import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, formatDuration } from './duration.ts';

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

test('formatDuration gives text that parses back to the same duration', () => {
  const cases: [number, string][] = [[500, '500ms'], [1000, '1s'], [1500, '1.5s'], [5000, '5s'], [60_000, '1m'], [90_000, '1m30s'], [3_600_000, '1h'], [5_400_000, '1h30m'], [3_600_001, '1h0.001s']];
  for (const [ms, text] of cases) {
    assert.equal(formatDuration(ms), text);
    assert.equal(parseDuration(text), ms);
  }
});
