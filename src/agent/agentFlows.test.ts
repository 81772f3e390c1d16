import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keys } from '../kvstore/keys.ts';
import { namedLocalEndpoints } from './agentFlows.ts';

test('namedLocalEndpoints: names each endpoint from its key, skips other keys', () => {
  const value = { ip: '10.1.0.5', node: 'n1', hostIP: '', identity: 7, labels: {}, namedPorts: [], ready: true };
  assert.deepEqual(namedLocalEndpoints([[keys.endpoint('c1', 'default', 'client'), value], ['weft/other', value]]), [{ cluster: 'c1', namespace: 'default', pod: 'client', value }]);
});
