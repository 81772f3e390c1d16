import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAge, formatColumns } from './output.ts';

test('columns line up like kubectl', () => {
  assert.equal(formatColumns(['NAME', 'IP'], [['echo-1-abcde', '10.1.0.5'], ['x', '']]), 'NAME           IP\necho-1-abcde   10.1.0.5\nx');
});

test('ages', () => {
  const now = Date.parse('2026-01-03T13:00:00Z');
  assert.equal(formatAge('2026-01-03T12:59:30Z', now), '30s');
  assert.equal(formatAge('2026-01-03T12:30:00Z', now), '30m');
  assert.equal(formatAge('2026-01-01T00:00:00Z', now), '2d13h');
});
