/**
 * Policy compiler benchmark (pure, no kernel): 1k policies over 10k local
 * endpoints and 10k identities (half remote), full compile, then one
 * endpoint's churn (new pod, new identity) on a warm PolicyCompiler.
 * Prints one JSON line. Run: node bench/policyCompile.ts
 */
import { compilePolicies, PolicyCompiler } from '../src/policy/compile.ts';
import type { LocalEndpoint, PolicyCompileInput } from '../src/policy/compile.ts';
import { policiesOf, identity, endpointOf } from '../src/policy/testFixtures.ts';
import type { IdentityInfo } from '../src/policy/types.ts';

const NAMESPACES = 100;
const APPS = 50;
const N = 10_000;

const identities: IdentityInfo[] = [];
const endpoints: LocalEndpoint[] = [];
for (let i = 0; i < N; i++) {
  const cluster = i % 2 === 0 ? 'cluster1' : 'cluster2';
  const ns = `ns-${i % NAMESPACES}`;
  const info = identity(cluster, 256 + i, ns, { app: `app-${i % APPS}`, pod: `p${i}` }, { team: `t${i % 10}` });
  identities.push(info);
  endpoints.push(endpointOf(info, `pod-${i}`, `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`));
}
// endpoints are local: relabel half of them into cluster1 so that 10k local endpoints exist
for (let i = 0; i < N; i++) {
  const e = endpoints[i];
  if (e !== undefined && i % 2 === 1) endpoints[i] = { ...e, labels: { ...e.labels, 'io.cilium.k8s.policy.cluster': 'cluster1' } };
}

const docs: string[] = [];
for (let p = 0; p < 1000; p++) {
  const ns = `ns-${p % NAMESPACES}`;
  if (p % 3 === 2) {
    docs.push(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np-${p}, namespace: ${ns}}
spec:
  podSelector: {matchLabels: {app: app-${p % APPS}}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {team: t${p % 10}}}, podSelector: {matchLabels: {app: app-${(p + 3) % APPS}}}}]
    ports: [{port: ${1000 + (p % 100)}}]
`);
  } else {
    docs.push(`apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: cnp-${p}, namespace: ${ns}}
spec:
  endpointSelector: {matchLabels: {app: app-${p % APPS}}}
  ingress:
  - fromEndpoints:
    - matchLabels: {app: app-${(p + 1) % APPS}}
    - matchLabels: {app: app-${(p + 2) % APPS}, io.cilium.k8s.policy.cluster: cluster2, k8s:io.kubernetes.pod.namespace: ns-${(p + 7) % NAMESPACES}}
    toPorts: [{ports: [{port: "${8000 + (p % 50)}", protocol: TCP}]}]
  egress:
  - toEndpoints: [{matchExpressions: [{key: app, operator: In, values: [app-${p % APPS}, app-${(p + 5) % APPS}]}]}]
  - toEntities: [world]
    toPorts: [{ports: [{port: "443"}]}]
`);
  }
}
const policies = policiesOf(docs.join('---\n'));
const base: PolicyCompileInput = { cluster: 'cluster1', defaultLocalCluster: false, policies, endpoints, identities };

function time<T>(fn: () => T): { ms: number; value: T } {
  const t = performance.now();
  const value = fn();
  return { ms: Math.round((performance.now() - t) * 100) / 100, value };
}

const oneShot = time(() => compilePolicies(base));
const compiler = new PolicyCompiler();
const full = time(() => compiler.compile(base));
const unchanged = time(() => compiler.compile({ ...base }));
// churn: pod-42 is deleted and replaced by pod-42b with a new identity
const churned = identity('cluster1', 256 + N, 'ns-42', { app: 'app-42', pod: 'p42b' }, { team: 't2' });
const eps2 = endpoints.map((e) => (e.pod === 'pod-42' ? endpointOf(churned, 'pod-42b', '10.9.9.9') : e));
const ids2 = [...identities.filter((i) => i.labels['pod'] !== 'p42'), churned];
const churn = time(() => compiler.compile({ ...base, endpoints: eps2, identities: ids2 }));
const churnStats = { ...compiler.stats };
const enforced = full.value.filter((e) => e.ingress.enforced).length;
const l4 = full.value.reduce((n, e) => n + e.ingress.l4.length + e.egress.l4.length, 0);
process.stdout.write(
  `${JSON.stringify({
    bench: 'policy-compile',
    policies: policies.length,
    endpoints: endpoints.length,
    identities: identities.length,
    fullCompileMs: full.ms,
    oneShotCompileMs: oneShot.ms,
    unchangedRecompileMs: unchanged.ms,
    endpointChurnMs: churn.ms,
    churnStats,
    ingressEnforcedEndpoints: enforced,
    l4Entries: l4,
    targets: { fullCompileAndApplyMs: 2000, churnMs: 50 },
  })}\n`,
);
if (process.env['POLICY_BENCH_REPEAT'] !== undefined) {
  for (let r = 0; r < 5; r++) {
    const u = time(() => compiler.compile({ ...base, endpoints: eps2, identities: ids2 }));
    const c = time(() => compiler.compile({ ...base, endpoints: [...endpoints], identities: [...identities] }));
    process.stderr.write(`unchanged ${u.ms} churn-back ${c.ms} ${JSON.stringify(compiler.stats)}\n`);
  }
}
