import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDiff, diffElements, elementCommands } from './nftElements.ts';

test('only changed elements are touched; a changed value is delete + add', () => {
  const shadow = new Map([['10.1.0.2', '0x10001'], ['10.1.0.3', '0x10001'], ['10.1.0.4', '0x10002']]);
  const desired = new Map([['10.1.0.2', '0x10001'], ['10.1.0.4', '0x10003'], ['10.2.0.2', '0x20001']]);
  const diff = diffElements(shadow, desired);
  assert.deepEqual([...diff.remove].sort(), ['10.1.0.3', '10.1.0.4']);
  assert.deepEqual(diff.add, [['10.1.0.4', '0x10003'], ['10.2.0.2', '0x20001']]);
  assert.deepEqual(elementCommands('inet weft', 'ipcache', diff), [
    'delete element inet weft ipcache { 10.1.0.3, 10.1.0.4 }',
    'add element inet weft ipcache { 10.1.0.4 : 0x10003, 10.2.0.2 : 0x20001 }',
  ]);
  applyDiff(shadow, diff);
  assert.deepEqual(shadow, desired);
  assert.deepEqual(elementCommands('inet weft', 'ipcache', diffElements(shadow, desired)), []);
});

test('large diffs are chunked', () => {
  const desired = new Map(Array.from({ length: 1100 }, (_, i) => [`10.9.${i >> 8}.${i & 255}`, '0x1'] as [string, string]));
  assert.equal(elementCommands('inet weft', 'ipcache', diffElements(new Map(), desired)).length, 3);
});
