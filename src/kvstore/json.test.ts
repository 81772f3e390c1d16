import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { MemoryKv } from './memory.ts';
import { jsonParser, getJson, tryParseJson } from './json.ts';
import { isWeftError, ErrorCode } from '../errors.ts';

const schema = z.object({ name: z.string(), n: z.number().int() });

void describe('jsonParser', () => {
  const parse = jsonParser(schema);
  void it('parses a valid value', () => {
    assert.deepEqual(parse('k', '{"name":"a","n":1}'), { name: 'a', n: 1 });
  });
  void it('rejects non-JSON naming the key', () => {
    assert.throws(() => parse('weft/x', '{nope'), (e) => isWeftError(e, ErrorCode.KvInvalidValue) && e.message.includes('weft/x'));
  });
  void it('rejects a schema mismatch naming the key and field', () => {
    assert.throws(() => parse('weft/y', '{"name":"a","n":"1"}'), (e) => isWeftError(e, ErrorCode.KvInvalidValue) && /weft\/y.*n:/.test(e.message));
  });
});

void describe('getJson', () => {
  void it('returns undefined for an absent key and the parsed value otherwise', async () => {
    const kv = new MemoryKv();
    assert.equal(await getJson(kv, 'k', schema), undefined);
    await kv.put('k', JSON.stringify({ name: 'b', n: 2 }));
    assert.deepEqual(await getJson(kv, 'k', schema), { name: 'b', n: 2 });
    await kv.put('k', '[]');
    await assert.rejects(getJson(kv, 'k', schema), /value of key k is invalid/);
  });
});

describe('tryParseJson', () => {
  const S = z.object({ id: z.number().int() });
  it('returns the value when valid, undefined when not JSON or not valid', () => {
    assert.deepEqual(tryParseJson(S, '{"id":7}'), { id: 7 });
    assert.equal(tryParseJson(S, 'not json'), undefined);
    assert.equal(tryParseJson(S, '{"id":"7"}'), undefined);
  });
});
