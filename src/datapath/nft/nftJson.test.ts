import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nftJsonItems } from './nftJson.ts';

test('nftJsonItems: the nftables array, empty for other shapes, an error naming the text for non-JSON', () => {
  assert.deepEqual(nftJsonItems('{"nftables":[{"metainfo":{}},{"set":{"name":"s"}}]}'), [{ metainfo: {} }, { set: { name: 's' } }]);
  assert.deepEqual(nftJsonItems('{"other":1}'), []);
  assert.throws(() => nftJsonItems('Error: oops'), /cannot parse nft -j output: Error: oops/);
  assert.throws(() => nftJsonItems('x', 'nft -j set output'), /cannot parse nft -j set output: x/);
});
