import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWeftError } from '../../errors.ts';
import { keys } from '../../kvstore/keys.ts';
import { checkMirrorValue, mirrorKindOf, statusKindOfCacheKey } from './mirrorKeys.ts';
import { clusterConfig, endpointState, nodeState } from './testFixtures.ts';

test('only the remote\'s own cluster segment and its cluster config are mirrored', () => {
  assert.deepEqual(mirrorKindOf('c2', keys.node('c2', 'n1')), { type: 'state', kind: 'nodes' });
  assert.deepEqual(mirrorKindOf('c2', keys.endpoint('c2', 'ns', 'p')), { type: 'state', kind: 'endpoints' });
  assert.deepEqual(mirrorKindOf('c2', 'weft/state/widgets/v3/c2/x'), { type: 'state', kind: 'widgets' });
  assert.deepEqual(mirrorKindOf('c2', keys.clusterConfig('c2')), { type: 'cluster-config' });
  assert.equal(mirrorKindOf('c2', keys.node('c3', 'n1')), undefined);
  assert.equal(mirrorKindOf('c2', keys.node('c22', 'n1')), undefined);
  assert.equal(mirrorKindOf('c2', keys.clusterConfig('c3')), undefined);
  assert.equal(mirrorKindOf('c2', 'weft/state/nodes/v1/c2'), undefined);
  assert.equal(mirrorKindOf('c2', 'weft/state/nodes/v1/c2/'), undefined);
  assert.equal(mirrorKindOf('c2', 'weft/resources/pods/default/p'), undefined);
  assert.equal(mirrorKindOf('c2', keys.synced('c2', 'state')), undefined);
});

test('values are validated per kind and must name the remote', () => {
  const bad = (kind: Parameters<typeof checkMirrorValue>[1], key: string, value: string, text: RegExp): void => {
    assert.throws(() => checkMirrorValue('c2', kind, key, value), (e: unknown) => isWeftError(e, 'KvInvalidValue') && text.test(e.message) && e.message.includes(key));
  };
  const nodes = { type: 'state', kind: 'nodes' } as const;
  checkMirrorValue('c2', nodes, keys.node('c2', 'n1'), JSON.stringify(nodeState('c2', 'n1')));
  bad(nodes, keys.node('c2', 'n1'), JSON.stringify(nodeState('c3', 'n1')), /names cluster "c3", expected "c2"/);
  bad(nodes, keys.node('c2', 'n1'), '{', /not JSON/);
  const eps = { type: 'state', kind: 'endpoints' } as const;
  checkMirrorValue('c2', eps, keys.endpoint('c2', 'd', 'p'), JSON.stringify(endpointState('10.2.0.1')));
  bad(eps, keys.endpoint('c2', 'd', 'p'), '{"ip":"x"}', /invalid/);
  const cfg = { type: 'cluster-config' } as const;
  checkMirrorValue('c2', cfg, keys.clusterConfig('c2'), JSON.stringify(clusterConfig('c2')));
  bad(cfg, keys.clusterConfig('c2'), JSON.stringify(clusterConfig('c3')), /names "c3"/);
  const other = { type: 'state', kind: 'identities' } as const;
  checkMirrorValue('c2', other, 'weft/state/identities/v1/c2/5', '{"labels":{}}');
  bad(other, 'weft/state/identities/v1/c2/5', '[]', /not a JSON object/);
  bad(other, 'weft/state/identities/v1/c2/5', 'null', /not a JSON object/);
});

test('cache keys are counted by kind', () => {
  assert.equal(statusKindOfCacheKey('c2', keys.cacheOf('c2', keys.node('c2', 'n1'))), 'nodes');
  assert.equal(statusKindOfCacheKey('c2', keys.cacheOf('c2', 'weft/state/services/v1/c2/ns/s')), 'services');
  assert.equal(statusKindOfCacheKey('c2', keys.cacheOf('c2', 'weft/state/widgets/v1/c2/w')), undefined);
  assert.equal(statusKindOfCacheKey('c2', keys.cacheOf('c2', keys.clusterConfig('c2'))), undefined);
});
