import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keys } from '../kvstore/keys.ts';
import type { EndpointState } from '../model/state.ts';
import { localPolicyEndpoints } from './policyInputs.ts';

const ep = (node: string, ip: string): EndpointState => ({ ip, node, hostIP: '172.30.1.11', identity: 65537, labels: { app: 'web' }, namedPorts: [], ready: true });

test('localPolicyEndpoints: this node\'s endpoints of this cluster, named by their keys', () => {
  const entries: [string, EndpointState][] = [
    [keys.endpoint('c1', 'default', 'web-1'), ep('n1', '10.1.0.5')],
    [keys.endpoint('c1', 'team-a', 'web-2'), ep('n1', '10.1.0.6')],
    [keys.endpoint('c1', 'default', 'elsewhere'), ep('n2', '10.1.1.5')],
    [keys.endpoint('c1', 'default', 'no-ip'), ep('n1', '')],
    [keys.endpoint('c2', 'default', 'other-cluster'), ep('n1', '10.2.0.5')],
    ['weft/state/endpoints/v1/c1/default/web-3/extra', ep('n1', '10.1.0.7')],
  ];
  assert.deepEqual(
    localPolicyEndpoints(entries, 'c1', 'n1').map((e) => `${e.namespace}/${e.pod} ${e.ip}`),
    ['default/web-1 10.1.0.5', 'team-a/web-2 10.1.0.6'],
  );
});
