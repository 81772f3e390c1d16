import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keys } from '../kvstore/keys.ts';
import { identityInfoOf, identityKeyOf, sortIdentities } from './identityInfo.ts';

test('identityKeyOf reads local and mirrored identity keys', () => {
  assert.deepEqual(identityKeyOf(keys.identity('c1', 65537)), { cluster: 'c1', id: 65537 });
  assert.deepEqual(identityKeyOf(keys.cacheOf('c2', keys.identity('c2', 131073))), { cluster: 'c2', id: 131073 });
});

test('identityKeyOf gives undefined for any other key', () => {
  for (const key of [
    keys.node('c1', 'n1'),
    keys.identitiesPrefix('c1'),
    'weft/state/identities/v1/c1/abc',
    'weft/state/identities/v1/c1/0042',
    'weft/state/identities/v1/c1/5/x',
    keys.cacheOf('c2', keys.identity('c3', 5)),
    keys.identityIndex('c1', 'ab'),
  ]) {
    assert.equal(identityKeyOf(key), undefined, key);
  }
});

test('identityInfoOf sorts the labels; sortIdentities keeps the first of each id', () => {
  const a = identityInfoOf(keys.identity('c1', 7), { labels: { b: '2', a: '1' } });
  assert.deepEqual(a, { id: 7, cluster: 'c1', labels: { a: '1', b: '2' } });
  assert.deepEqual(Object.keys(a?.labels ?? {}), ['a', 'b']);
  assert.equal(identityInfoOf(keys.node('c1', 'n1'), { labels: {} }), undefined);
  const list = sortIdentities([{ id: 9, cluster: 'c1', labels: {} }, { id: 3, cluster: 'c1', labels: {} }, { id: 9, cluster: 'c2', labels: {} }]);
  assert.deepEqual(list.map((i) => `${i.cluster}/${i.id}`), ['c1/3', 'c1/9']);
});
