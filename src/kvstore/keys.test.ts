import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isKnownStateKey, keys, ROOT, parseCacheKey, parseExportedOf, parseKey, parseKeyOf, parseStateKey, type ParsedKey } from './keys.ts';

/**
 * Every builder of `keys` (the type makes a new builder fail here until it is
 * listed): the keys it builds and what parseKey gives back, the builder's
 * arguments; `prefix` for builders of prefixes, which are not keys.
 */
const BUILT: Record<keyof typeof keys, readonly (readonly [string, ParsedKey | 'prefix'])[]> = {
  clusterConfig: [[keys.clusterConfig('c1'), { kind: 'cluster-config', cluster: 'c1' }]],
  nodesPrefix: [[keys.nodesPrefix('c1'), 'prefix']],
  node: [[keys.node('c1', 'n1'), { kind: 'node', cluster: 'c1', node: 'n1' }]],
  endpointsPrefix: [[keys.endpointsPrefix('c1'), 'prefix']],
  endpoint: [[keys.endpoint('c1', 'default', 'web-1'), { kind: 'endpoint', cluster: 'c1', ns: 'default', pod: 'web-1' }]],
  identitiesPrefix: [[keys.identitiesPrefix('c1'), 'prefix']],
  identity: [
    [keys.identity('c1', 131328), { kind: 'identity', cluster: 'c1', id: 131328 }],
    [keys.identity('c1', 0), { kind: 'identity', cluster: 'c1', id: 0 }],
  ],
  servicesPrefix: [[keys.servicesPrefix('c1'), 'prefix']],
  service: [[keys.service('c1', 'kube-system', 'dns'), { kind: 'service', cluster: 'c1', ns: 'kube-system', name: 'dns' }]],
  synced: [[keys.synced('c1', 'state'), { kind: 'synced', cluster: 'c1', prefix: 'state' }]],
  statePrefix: [[keys.statePrefix(), 'prefix']],
  syncedPrefix: [[keys.syncedPrefix('c1'), 'prefix']],
  cacheRoot: [[keys.cacheRoot(), 'prefix']],
  cachePrefix: [[keys.cachePrefix('c2'), 'prefix']],
  cacheOf: [
    // What a cache holds: a remote's own config and state, mirrored.
    [keys.cacheOf('c2', keys.clusterConfig('c2')), { kind: 'cache', remote: 'c2', inner: { kind: 'cluster-config', cluster: 'c2' } }],
    [keys.cacheOf('c2', keys.node('c2', 'n1')), { kind: 'cache', remote: 'c2', inner: { kind: 'node', cluster: 'c2', node: 'n1' } }],
    [keys.cacheOf('c2', keys.endpoint('c2', 'ns', 'p')), { kind: 'cache', remote: 'c2', inner: { kind: 'endpoint', cluster: 'c2', ns: 'ns', pod: 'p' } }],
    [keys.cacheOf('c2', keys.identity('c2', 131329)), { kind: 'cache', remote: 'c2', inner: { kind: 'identity', cluster: 'c2', id: 131329 } }],
    [keys.cacheOf('c2', keys.service('c2', 'ns', 's')), { kind: 'cache', remote: 'c2', inner: { kind: 'service', cluster: 'c2', ns: 'ns', name: 's' } }],
    [keys.cacheOf('c2', keys.endpointsPrefix('c2')), 'prefix'],
  ],
  meshStatusPrefix: [[keys.meshStatusPrefix(), 'prefix']],
  meshStatus: [[keys.meshStatus('c2'), { kind: 'mesh-status', remote: 'c2' }]],
  agentMeshStatusPrefix: [[keys.agentMeshStatusPrefix(), 'prefix']],
  agentMeshStatus: [[keys.agentMeshStatus('n1'), { kind: 'agent-mesh-status', node: 'n1' }]],
  resourcesPrefix: [[keys.resourcesPrefix('pods'), 'prefix']],
  resource: [[keys.resource('pods', 'default', 'web'), { kind: 'resource', resource: 'pods', ns: 'default', name: 'web' }]],
  clusterResource: [[keys.clusterResource('namespaces', 'team-a'), { kind: 'cluster-resource', resource: 'namespaces', name: 'team-a' }]],
  podStatusPrefix: [[keys.podStatusPrefix(), 'prefix']],
  podStatus: [[keys.podStatus('default', 'web'), { kind: 'pod-status', ns: 'default', pod: 'web' }]],
  nodeCidrAllocationsPrefix: [[keys.nodeCidrAllocationsPrefix(), 'prefix']],
  nodeCidrAllocation: [[keys.nodeCidrAllocation('10.1.2.0/24'), { kind: 'podcidr-allocation', cidr: '10.1.2.0/24' }]],
  clusterIpAllocationsPrefix: [[keys.clusterIpAllocationsPrefix(), 'prefix']],
  clusterIpAllocation: [[keys.clusterIpAllocation('10.96.0.10'), { kind: 'clusterip-allocation', ip: '10.96.0.10' }]],
  identityIndexPrefix: [[keys.identityIndexPrefix('c1'), 'prefix']],
  identityIndex: [[keys.identityIndex('c1', 'ab12'.repeat(16)), { kind: 'identity-index', cluster: 'c1', hash: 'ab12'.repeat(16) }]],
  clusterConfigPrefix: [[keys.clusterConfigPrefix(), 'prefix']],
  statusPrefix: [[keys.statusPrefix(), 'prefix']],
  allocPrefix: [[keys.allocPrefix(), 'prefix']],
  resourcesRoot: [[keys.resourcesRoot(), 'prefix']],
  meshPrefix: [[keys.meshPrefix(), 'prefix']],
  syncedRoot: [[keys.syncedRoot(), 'prefix']],
  meshRemotesPrefix: [[keys.meshRemotesPrefix(), 'prefix']],
  meshRemote: [[keys.meshRemote('c2'), { kind: 'mesh-remote', remote: 'c2' }]],
};

const MALFORMED = [
  // wrong prefix
  'state/nodes/v1/c1/n1',
  'weftx/state/nodes/v1/c1/n1',
  '/weft/state/nodes/v1/c1/n1',
  'other/cluster-config/c1',
  'weft/unknown/c1',
  '',
  // missing segments
  'weft/cluster-config',
  'weft/state/nodes/v1/c1',
  'weft/state/endpoints/v1/c1/ns',
  'weft/state/services/v1/c1/ns',
  'weft/state/identities/v1/c1',
  'weft/synced/c1',
  'weft/mesh/status',
  'weft/mesh/remotes',
  'weft/status/agents',
  'weft/status/pods/default',
  'weft/resources/pods/default',
  'weft/alloc/podcidr',
  'weft/alloc/identities/c1',
  'weft/cache/c2',
  'weft/cache/c2/state/nodes/v1/c2',
  // extra segments
  'weft/cluster-config/c1/x',
  'weft/state/nodes/v1/c1/n1/x',
  'weft/state/endpoints/v1/c1/ns/p/x',
  'weft/state/services/v1/c1/ns/s/x',
  'weft/state/identities/v1/c1/5/x',
  'weft/mesh/remotes/c2/x',
  'weft/mesh/status/c2/x',
  'weft/status/agents/n1/x',
  'weft/status/pods/default/web/x',
  'weft/resources/pods/default/web/x',
  'weft/alloc/clusterip/10.96.0.1/x',
  'weft/alloc/podcidr/10.1.0.0_24/x',
  'weft/alloc/identities/c1/ab/x',
  // empty segments
  'weft/cluster-config/',
  'weft//cluster-config/c1',
  'weft/state/nodes/v1//n1',
  'weft/state/endpoints/v1/c1//p',
  'weft/state/endpoints/v1/c1/ns/',
  'weft/resources/pods//web',
  'weft/cache//state/nodes/v1/c2/n1',
  // unknown kind, version or family member
  'weft/state/widgets/v1/c1/w',
  'weft/state/nodes/v2/c1/n1',
  'weft/mesh/other/c2',
  'weft/status/other/n1',
  'weft/alloc/other/x',
  // identities that keys.identity never writes
  'weft/state/identities/v1/c1/abc',
  'weft/state/identities/v1/c1/-1',
  'weft/state/identities/v1/c1/1.5',
  'weft/state/identities/v1/c1/007',
  'weft/state/identities/v1/c1/99999999999999999999',
  // caches of what a remote does not export of itself
  keys.cacheOf('c2', keys.node('c3', 'n1')),
  keys.cacheOf('c2', keys.clusterConfig('c3')),
  keys.cacheOf('c2', keys.meshRemote('c1')),
  keys.cacheOf('c2', keys.cacheOf('c2', keys.node('c2', 'n1'))),
  'weft/cache/c2/state/nodes/v1/c2/n1/x',
  'weft/cache/c2/state/widgets/v1/c2/w',
];

void describe('parseKey', () => {
  void test('reads back every key a builder writes; a prefix is not a key', () => {
    for (const [builder, cases] of Object.entries(BUILT)) {
      for (const [key, parsed] of cases) assert.deepEqual(parseKey(key), parsed === 'prefix' ? undefined : parsed, `${builder}: ${key}`);
    }
    assert.equal(parseKey(ROOT), undefined);
  });

  void test('malformed and unknown keys give undefined', () => {
    for (const key of MALFORMED) assert.equal(parseKey(key), undefined, key);
  });

  void test('parseKeyOf narrows to one kind', () => {
    assert.equal(parseKeyOf('endpoint', keys.endpoint('c1', 'ns', 'p'))?.pod, 'p');
    assert.equal(parseKeyOf('node', keys.endpoint('c1', 'ns', 'p')), undefined);
    assert.equal(parseKeyOf('mesh-remote', keys.meshRemote('c2'))?.remote, 'c2');
    assert.equal(parseKeyOf('mesh-remote', 'weft/mesh/remotes/c2/x'), undefined);
  });
});

void test('parseExportedOf reads a kind of exported key, local or mirrored by its own cluster', () => {
  assert.deepEqual(parseExportedOf('identity', keys.identity('c1', 5)), { kind: 'identity', cluster: 'c1', id: 5 });
  assert.deepEqual(parseExportedOf('endpoint', keys.cacheOf('c2', keys.endpoint('c2', 'ns', 'p'))), { kind: 'endpoint', cluster: 'c2', ns: 'ns', pod: 'p' });
  assert.equal(parseExportedOf('endpoint', keys.cacheOf('c2', keys.endpoint('c3', 'ns', 'p'))), undefined);
  assert.equal(parseExportedOf('endpoint', keys.node('c1', 'n1')), undefined);
  assert.equal(parseExportedOf('node', keys.podStatus('ns', 'p')), undefined);
});

void describe('parseStateKey', () => {
  void test('reads any exported state key, known kind or not', () => {
    assert.deepEqual(parseStateKey(keys.node('c2', 'n1')), { type: 'nodes', version: 'v1', cluster: 'c2', name: ['n1'] });
    assert.deepEqual(parseStateKey(keys.endpoint('c2', 'ns', 'p')), { type: 'endpoints', version: 'v1', cluster: 'c2', name: ['ns', 'p'] });
    assert.deepEqual(parseStateKey('weft/state/widgets/v3/c2/x/y/z'), { type: 'widgets', version: 'v3', cluster: 'c2', name: ['x', 'y', 'z'] });
  });

  void test('isKnownStateKey: the types and version parseKey reads', () => {
    const known = (key: string): boolean | undefined => {
      const s = parseStateKey(key);
      return s === undefined ? undefined : isKnownStateKey(s);
    };
    assert.equal(known(keys.node('c1', 'n1')), true);
    assert.equal(known('weft/state/identities/v1/c1/abc'), true);
    assert.equal(known('weft/state/nodes/v2/c1/n1'), false);
    assert.equal(known('weft/state/widgets/v1/c1/w'), false);
  });

  void test('gives undefined outside weft/state/ and for a key without a name', () => {
    for (const key of [keys.clusterConfig('c2'), keys.synced('c2', 'state'), 'weft/state/nodes/v1/c2', 'weft/state/nodes/v1/c2/', 'weft/state//v1/c2/n1', keys.cacheOf('c2', keys.node('c2', 'n1'))]) {
      assert.equal(parseStateKey(key), undefined, key);
    }
  });
});

void describe('parseCacheKey', () => {
  void test('is the inverse of keys.cacheOf', () => {
    for (const key of [keys.node('c2', 'n1'), keys.clusterConfig('c2'), 'weft/state/widgets/v3/c2/x', keys.node('c3', 'n1')]) {
      assert.deepEqual(parseCacheKey(keys.cacheOf('c2', key)), { remote: 'c2', key }, key);
    }
  });

  void test('gives undefined for anything but a key under a remote', () => {
    for (const key of [keys.cacheRoot(), keys.cachePrefix('c2'), 'weft/cache/c2', 'weft/cache//state/nodes/v1/c2/n1', keys.node('c2', 'n1'), 'cache/c2/state/x']) {
      assert.equal(parseCacheKey(key), undefined, key);
    }
  });
});
