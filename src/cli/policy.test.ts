import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryKv } from '../kvstore/memory.ts';
import { parseManifests } from '../model/manifest.ts';
import { applyDocuments } from '../model/resourceStore.ts';
import { SEED_003_CNP } from '../policy/testFixtures.ts';
import { formatColumns } from './output.ts';
import { listPolicies, POLICY_HEADER, policyRow } from './policy.ts';

const NP = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress, namespace: team-a}
spec:
  podSelector: {}
  policyTypes: [Egress]
`;

test('policy table: namespace, name, kind, selector summary, rule counts', async () => {
  const kv = new MemoryKv();
  await applyDocuments(kv, parseManifests(`apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n---\n${SEED_003_CNP}---\n${NP}`));
  const all = await listPolicies(kv, undefined, undefined);
  const text = formatColumns(POLICY_HEADER, all.map((p) => policyRow(p).slice(0, 6).concat('1m')));
  assert.equal(
    text,
    [
      'NAMESPACE   NAME                            KIND                  SELECTS                                                  INGRESS   EGRESS   AGE',
      'default     clustermesh-ingress-l4-policy   CiliumNetworkPolicy   app=protected-db,io.cilium.k8s.policy.cluster=cluster1   1         -        1m',
      'team-a      deny-egress                     NetworkPolicy         (all)                                                    -         0        1m',
    ].join('\n'),
  );
  assert.equal((await listPolicies(kv, 'team-a', undefined)).length, 1);
  assert.equal((await listPolicies(kv, 'default', 'nope')).length, 0);
});
