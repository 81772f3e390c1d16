import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from './canonicalJson.ts';

void test('canonicalJson sorts keys at every level and drops undefined', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[{"y":2,"z":1}]},"b":1}');
  assert.equal(canonicalJson({ x: 1, y: 2 }), canonicalJson({ y: 2, x: 1 }));
});

void test('canonicalJson keeps a key named __proto__', () => {
  const withProto = JSON.parse('{"data":{"__proto__":"x","a":"b"}}') as unknown;
  assert.equal(canonicalJson(withProto), '{"data":{"__proto__":"x","a":"b"}}');
  assert.notEqual(canonicalJson(withProto), canonicalJson({ data: { a: 'b' } }));
});
