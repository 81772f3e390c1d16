import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicies, PolicyCompiler } from './compile.ts';
import type { LocalEndpoint, PolicyCompileInput } from './compile.ts';
import { endpointOf, identity, policiesOf, SEED_003, SEED_003_CNP } from './testFixtures.ts';
import { RESERVED_IDENTITY, UNENFORCED } from './types.ts';
import type { DirectionVerdict, EndpointPolicy, IdentityInfo } from './types.ts';

const ALL_IDS = Object.values(SEED_003);

/** Whether `v` lets identity `id` through on tcp/port. */
function allows(v: DirectionVerdict, id: number, port: number, proto: 'tcp' | 'udp' | 'sctp' = 'tcp'): boolean {
  if (!v.enforced || v.allowAll) return true;
  return v.l3.includes(id) || v.l4.some((e) => e.identity === id && e.proto === proto && e.port === port) || v.l4Any.some((e) => e.proto === proto && e.port === port);
}

function run(yaml: string, endpoints: LocalEndpoint[], identities: IdentityInfo[] = ALL_IDS, defaultLocalCluster = true, cluster = 'cluster1'): EndpointPolicy[] {
  return compilePolicies({ cluster, defaultLocalCluster, policies: policiesOf(yaml), endpoints, identities });
}

const dbEp = endpointOf(SEED_003.db, 'protected-db-0', '10.1.0.10');

for (const defaultLocalCluster of [true, false]) {
  test(`seed 003: employees of both clusters allowed, stranger denied (policyDefaultLocalCluster ${defaultLocalCluster})`, () => {
    const [db] = run(SEED_003_CNP, [dbEp], ALL_IDS, defaultLocalCluster);
    assert.ok(db);
    assert.equal(db.ingress.enforced, true);
    assert.equal(db.egress, UNENFORCED);
    assert.ok(allows(db.ingress, SEED_003.employee2.id, 6379), 'cluster2/istio-space employee');
    assert.ok(allows(db.ingress, SEED_003.employee1.id, 6379), 'cluster1/default employee');
    assert.ok(!allows(db.ingress, SEED_003.stranger1.id, 6379), 'stranger');
    assert.ok(!allows(db.ingress, SEED_003.employee1.id, 6380), 'other port');
    assert.ok(!allows(db.ingress, SEED_003.employee1.id, 6379, 'udp'), 'udp');
    assert.ok(!allows(db.ingress, RESERVED_IDENTITY.world, 6379), 'world');
    // the selector without a cluster label: cluster2's default employees only when the option is false
    assert.equal(allows(db.ingress, SEED_003.employee2default.id, 6379), !defaultLocalCluster);
    assert.deepEqual(db.ingress.l3, []);
    assert.deepEqual(db.ingress.l4Any, []);
  });
}

test('seed 003: endpoints the policy does not select are unenforced; the policy binds only in cluster1', () => {
  const [emp] = run(SEED_003_CNP, [endpointOf(SEED_003.employee1, 'employee-0', '10.1.0.11')]);
  assert.deepEqual(emp?.ingress, UNENFORCED);
  // applied in cluster2, the endpointSelector (cluster: cluster1) selects none of cluster2's pods
  const db2 = identity('cluster2', 300, 'default', { app: 'protected-db' });
  const [other] = run(SEED_003_CNP, [endpointOf(db2, 'protected-db-0', '10.2.0.10')], [...ALL_IDS, db2], true, 'cluster2');
  assert.deepEqual(other?.ingress, UNENFORCED);
});

test('a policy of another namespace does not select the endpoint', () => {
  const yaml = SEED_003_CNP.replace('description:', 'namespace: other\n  description:');
  const [db] = run(yaml, [dbEp]);
  assert.deepEqual(db?.ingress, UNENFORCED);
});

test('egress policy: toEndpoints with ports; the reply direction is not enforced', () => {
  const yaml = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: employee-egress}
spec:
  endpointSelector: {matchLabels: {app: employee}}
  egress:
  - toEndpoints: [{matchLabels: {app: protected-db}}]
    toPorts: [{ports: [{port: "6379"}]}]
`;
  const [emp] = run(yaml, [endpointOf(SEED_003.employee1, 'employee-0', '10.1.0.11')]);
  assert.ok(emp);
  assert.deepEqual(emp.ingress, UNENFORCED);
  assert.equal(emp.egress.enforced, true);
  // protocol missing = ANY: tcp, udp and sctp
  assert.deepEqual(emp.egress.l4, ['tcp', 'udp', 'sctp'].map((proto) => ({ identity: SEED_003.db.id, proto, port: 6379 })));
  assert.ok(!allows(emp.egress, SEED_003.stranger1.id, 6379));
});

test('matchExpressions In / NotIn / Exists / DoesNotExist select peers', () => {
  const tiered = identity('cluster1', 270, 'default', { app: 'employee', tier: 'gold' });
  const silver = identity('cluster1', 271, 'default', { app: 'employee', tier: 'silver' });
  const ids = [...ALL_IDS, tiered, silver];
  const yaml = (expr: string) => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: expr}
spec:
  endpointSelector: {matchExpressions: [{key: app, operator: In, values: [protected-db, cache]}]}
  ingress:
  - fromEndpoints: [{matchExpressions: [${expr}]}]
`;
  const l3 = (expr: string): readonly number[] => run(yaml(expr), [dbEp], ids)[0]?.ingress.l3 ?? [];
  assert.deepEqual(l3('{key: tier, operator: In, values: [gold]}'), [tiered.id]);
  assert.deepEqual(l3('{key: tier, operator: Exists}'), [tiered.id, silver.id]);
  assert.deepEqual(l3('{key: tier, operator: NotIn, values: [gold]}, {key: app, operator: In, values: [employee]}'), [SEED_003.employee1.id, silver.id]);
  assert.deepEqual(l3('{key: tier, operator: DoesNotExist}'), [SEED_003.db.id, SEED_003.employee1.id, SEED_003.stranger1.id]);
});

test('ingress: [{}] turns default deny on and allows nothing; toPorts without a peer allows anyone (l4Any)', () => {
  const deny = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: deny}
spec:
  endpointSelector: {}
  ingress: [{}]
`;
  const [db] = run(deny, [dbEp]);
  assert.deepEqual(db?.ingress, { enforced: true, allowAll: false, l3: [], l4: [], l4Any: [] });
  const ports = deny.replace('ingress: [{}]', 'ingress: [{toPorts: [{ports: [{port: "80", protocol: TCP}]}]}]');
  assert.deepEqual(run(ports, [dbEp])[0]?.ingress.l4Any, [{ proto: 'tcp', port: 80 }]);
  // port 0 with ANY: every port
  const all = deny.replace('ingress: [{}]', 'ingress: [{toPorts: [{ports: [{port: "0", protocol: ANY}]}]}]');
  assert.equal(run(all, [dbEp])[0]?.ingress.allowAll, true);
});

test('entities: world, host, remote-node, cluster (local identities + host + remote-node), all', () => {
  const yaml = (entities: string) => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: ent}
spec:
  endpointSelector: {matchLabels: {app: protected-db}}
  ingress: [{fromEntities: [${entities}]}]
`;
  const ingress = (e: string): DirectionVerdict | undefined => run(yaml(e), [dbEp])[0]?.ingress;
  assert.deepEqual(ingress('world')?.l3, [2]);
  assert.deepEqual(ingress('host, remote-node')?.l3, [1, 6]);
  const local = ALL_IDS.filter((i) => i.cluster === 'cluster1').map((i) => i.id);
  assert.deepEqual(ingress('cluster')?.l3, [1, 6, ...local].sort((a, b) => a - b));
  assert.equal(ingress('all')?.allowAll, true);
  assert.equal(ingress('all')?.enforced, true);
});

test('named port: resolved against the selected endpoint (ingress)', () => {
  const yaml = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: named}
spec:
  endpointSelector: {matchLabels: {app: protected-db}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: employee}}]
    toPorts: [{ports: [{port: redis}]}]
`;
  const [db] = run(yaml, [endpointOf(SEED_003.db, 'db-0', '10.1.0.10', [{ name: 'redis', port: 6379, protocol: 'TCP' }])]);
  assert.deepEqual(db?.ingress.l4, [{ identity: SEED_003.employee1.id, proto: 'tcp', port: 6379 }]);
  const [noPort] = run(yaml, [dbEp]);
  assert.deepEqual(noPort?.ingress, { enforced: true, allowAll: false, l3: [], l4: [], l4Any: [] });
});

test('NetworkPolicy: namespaceSelector (+ podSelector), policyTypes, rule without from', () => {
  const devA = identity('cluster1', 280, 'team-a', { app: 'employee' }, { env: 'dev' });
  const prodB = identity('cluster1', 281, 'team-b', { app: 'employee' }, { env: 'prod' });
  const devC = identity('cluster2', 282, 'team-c', { app: 'stranger' }, { env: 'dev' });
  const ids = [...ALL_IDS, devA, prodB, devC];
  const np = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-dev}
spec:
  podSelector: {matchLabels: {app: protected-db}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {env: dev}}
    ports: [{port: 6379}]
  - from:
    - namespaceSelector: {matchLabels: {env: prod}}
      podSelector: {matchLabels: {app: employee}}
    - podSelector: {matchLabels: {app: employee}}
`;
  const [db] = run(np, [dbEp], ids);
  assert.ok(db);
  assert.deepEqual(db.ingress.l3, [SEED_003.employee1.id, prodB.id].sort((a, b) => a - b));
  assert.deepEqual(db.ingress.l4, [{ identity: devA.id, proto: 'tcp', port: 6379 }]);
  assert.deepEqual(db.egress, UNENFORCED);
  // every cluster when the option is false: team-c of cluster2 is dev too
  const [wide] = run(np, [dbEp], ids, false);
  assert.deepEqual(wide?.ingress.l4.map((e) => e.identity), [devA.id, devC.id]);
  // policyTypes [Egress] with no egress rule: egress deny-all, ingress unenforced
  const egressOnly = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-egress}
spec:
  podSelector: {}
  policyTypes: [Egress]
`;
  const [e] = run(egressOnly, [dbEp]);
  assert.deepEqual(e?.ingress, UNENFORCED);
  assert.deepEqual(e?.egress, { enforced: true, allowAll: false, l3: [], l4: [], l4Any: [] });
  // a rule without from: anyone (on its ports; allowAll without ports)
  const open = egressOnly.replace('policyTypes: [Egress]', 'ingress: [{ports: [{port: 80}]}, {}]');
  assert.equal(run(open, [dbEp])[0]?.ingress.allowAll, true);
  const open80 = egressOnly.replace('policyTypes: [Egress]', 'ingress: [{ports: [{port: 80, protocol: UDP}]}]');
  assert.deepEqual(run(open80, [dbEp])[0]?.ingress.l4Any, [{ proto: 'udp', port: 80 }]);
});

test('several policies add up; l4 entries covered by l3 are dropped', () => {
  const yaml = `${SEED_003_CNP}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: employee-l3}
spec:
  podSelector: {matchLabels: {app: protected-db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: employee}}}]}]
`;
  const [db] = run(yaml, [dbEp]);
  assert.deepEqual(db?.ingress.l3, [SEED_003.employee1.id]);
  assert.deepEqual(db?.ingress.l4, [{ identity: SEED_003.employee2.id, proto: 'tcp', port: 6379 }]);
});

test('PolicyCompiler: incremental results equal a fresh compile through identity, endpoint and policy changes', () => {
  const compiler = new PolicyCompiler();
  const policies = policiesOf(SEED_003_CNP);
  const eps = [dbEp, endpointOf(SEED_003.employee1, 'employee-0', '10.1.0.11')];
  const check = (input: PolicyCompileInput): EndpointPolicy[] => {
    const got = compiler.compile(input);
    assert.deepEqual(got, compilePolicies(input));
    return got;
  };
  let input: PolicyCompileInput = { cluster: 'cluster1', defaultLocalCluster: true, policies, endpoints: eps, identities: [SEED_003.db, SEED_003.employee1] };
  const first = check(input);
  assert.ok(!allows(first[0]!.ingress, SEED_003.employee2.id, 6379));
  // unchanged input: nothing recomputed, same objects
  assert.equal(check({ ...input })[0], first[0]);
  assert.equal(compiler.stats.endpointsRecomputed, 0);
  // a remote identity arrives: only the selected endpoint is recomputed
  input = { ...input, identities: [...input.identities, SEED_003.employee2] };
  const second = check(input);
  assert.ok(allows(second[0]!.ingress, SEED_003.employee2.id, 6379));
  assert.equal(compiler.stats.endpointsRecomputed, 1);
  assert.equal(compiler.stats.identityRebuild, false);
  // it goes away again
  input = { ...input, identities: [SEED_003.db, SEED_003.employee1] };
  assert.ok(!allows(check(input)[0]!.ingress, SEED_003.employee2.id, 6379));
  // an endpoint changes labels (now an employee: unselected)
  input = { ...input, endpoints: [{ ...dbEp, labels: SEED_003.employee1.labels, identity: SEED_003.employee1.id }, eps[1]!] };
  assert.deepEqual(check(input)[0]?.ingress, UNENFORCED);
  // the policy is deleted, then re-added as a new object
  input = { ...input, endpoints: eps, policies: [] };
  assert.deepEqual(check(input)[0]?.ingress, UNENFORCED);
  input = { ...input, policies: policiesOf(SEED_003_CNP) };
  assert.equal(check(input)[0]?.ingress.enforced, true);
  // the option flips: everything is recomputed with the new scope
  check({ ...input, defaultLocalCluster: false, identities: ALL_IDS });
});
