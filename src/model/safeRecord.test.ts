import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { safeRecord } from './safeRecord.ts';

const lowerKeys = safeRecord(z.string().refine((k) => /^[a-z_]+$/.test(k), { message: 'key must be lowercase' }), z.string());

void test('a key named __proto__ is kept as an own key (z.record drops it)', () => {
  const input = JSON.parse('{"__proto__":"x","a":"b"}') as unknown;
  assert.deepEqual(Object.keys(z.record(z.string(), z.string()).parse(input)), ['a'], 'the zod behaviour this module exists for');
  const out = lowerKeys.parse(input);
  assert.deepEqual(Object.keys(out), ['__proto__', 'a']);
  assert.equal(Object.hasOwn(out, '__proto__'), true);
  assert.equal(Object.getPrototypeOf(out), Object.prototype, 'the prototype is untouched');
  assert.equal(JSON.stringify(out), '{"__proto__":"x","a":"b"}');
});

void test('bad keys and values are issues with z.record codes and paths', () => {
  const res = lowerKeys.safeParse({ A: 'b', c: 3 });
  assert.equal(res.success, false);
  assert.deepEqual(
    res.error?.issues.map((i) => [i.code, i.path]),
    [
      ['invalid_key', ['A']],
      ['invalid_type', ['c']],
    ],
  );
});

void test('a non-mapping is refused; default applies to a missing map', () => {
  for (const bad of [3, 'x', null, ['a']]) assert.equal(lowerKeys.safeParse(bad).success, false, JSON.stringify(bad));
  assert.deepEqual(lowerKeys.default({}).parse(undefined), {});
});
