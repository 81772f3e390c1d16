import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { sha1Hex } from './sha1.ts';

test('matches node:crypto sha1 across block boundaries and UTF-8', () => {
  const inputs = ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'x'.repeat(1000), 'containerIdé🚀eth0'];
  for (let i = 0; i < 200; i++) inputs.push(Math.random().toString(36).repeat(i % 7));
  for (const s of inputs) assert.equal(sha1Hex(s), createHash('sha1').update(s).digest('hex'), JSON.stringify(s));
});
