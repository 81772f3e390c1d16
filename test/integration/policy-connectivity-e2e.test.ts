/**
 * Two meshed lab clusters (one lab for the whole file, to keep CI short):
 *
 * - `weft connectivity test` (issue 6): every check, policy allow and deny
 *   included, passes (--output json) and leaves nothing behind; without
 *   --multi-cluster the cross-cluster checks are marked skipped; a --test
 *   matching nothing exits non-zero.
 * - Issue 5 end to end, beyond seed 003's policy (docs/seed-003.md, run by
 *   walkthroughs.test.ts): matchExpressions naming both clusters, a new pod of
 *   the other cluster let in once its identity has propagated, deleting the
 *   policy restoring access, a NetworkPolicy with a namespaceSelector, an
 *   egress policy, and a policy change that keeps an established connection
 *   while refusing new ones.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getPods, runningPods, waitFor, weft, weftOk } from '../support/weft.ts';
import type { PodJson } from '../support/weft.ts';
import { netnsWithPrefix } from '../support/fixtures.ts';
import { upMeshedPair } from '../support/meshLab.ts';
import { CHECK_NAMES } from '../../src/connectivity/catalogue.ts';

const A = 'pol-a';
const B = 'pol-b';

/** A pod running the redis stand-in on 6379 and the echo server on 8080. */
const pod = (name: string, labels: Record<string, string>, namespace = 'default'): string => `
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${namespace}, labels: ${JSON.stringify(labels)} }
spec:
  containers:
    - { name: redis, image: "redis:6.0.5-alpine" }
    - { name: web, image: echo, ports: [{ containerPort: 8080 }] }
`;

const NAMESPACES = `
apiVersion: v1
kind: Namespace
metadata: { name: blue, labels: { team: blue } }
---
apiVersion: v1
kind: Namespace
metadata: { name: red }
`;

const CLUSTER_A = [
  NAMESPACES,
  pod('db', { app: 'db' }),
  pod('admin', { app: 'admin' }),
  pod('employee', { app: 'employee' }),
  pod('guest', { app: 'guest' }),
  pod('blue-client', { app: 'client' }, 'blue'),
  pod('red-client', { app: 'client' }, 'red'),
].join('\n---\n');

const CLUSTER_B = [NAMESPACES, pod('employee', { app: 'employee' }), pod('blue-client', { app: 'client' }, 'blue')].join('\n---\n');

const MATCH_EXPRESSIONS_CNP = `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: db-staff }
spec:
  endpointSelector: { matchLabels: { app: db } }
  ingress:
    - fromEndpoints:
        - matchExpressions:
            - { key: app, operator: In, values: [employee, admin] }
            - { key: io.cilium.k8s.policy.cluster, operator: In, values: [${A}, ${B}] }
      toPorts:
        - ports: [{ port: "6379", protocol: TCP }]
`;

const NAMESPACE_NP = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db-from-blue }
spec:
  podSelector: { matchLabels: { app: db } }
  policyTypes: [Ingress]
  ingress:
    - from:
        - namespaceSelector: { matchLabels: { team: blue } }
      ports:
        - { port: 6379, protocol: TCP }
`;

const EGRESS_CNP = `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: guest-web-only }
spec:
  endpointSelector: { matchLabels: { app: guest } }
  egress:
    - toEndpoints:
        - matchLabels: { app: db }
      toPorts:
        - ports: [{ port: "8080", protocol: TCP }]
`;

const home = mkdtempSync(path.join(tmpdir(), 'weft-it-pol-'));
const env = { ...process.env, WEFT_HOME: home };

before(() =>
  upMeshedPair(
    env,
    { name: A, id: 181, nodes: 2, podCidr: '10.181.0.0/16', serviceCidr: '10.81.0.0/16' },
    { name: B, id: 182, nodes: 1, podCidr: '10.182.0.0/16', serviceCidr: '10.82.0.0/16' },
  ),
);

after(async () => {
  const down = await weft(['lab', 'down'], env);
  rmSync(home, { recursive: true, force: true });
  assert.equal(down.code, 0, down.stderr);
  for (const c of [A, B]) assert.deepEqual(await netnsWithPrefix(`wf-${c}_`), []);
});

interface Report {
  summary: { passed: number; failed: number; skipped: number };
  results: { name: string; status: string; reason: string | null; actions: { ok: boolean }[] }[];
}

describe('weft connectivity test', { concurrency: false }, () => {
  async function leftovers(ctx: string): Promise<string> {
    const pods = await weft(['--context', ctx, 'get', 'pods', '-n', 'weft-test'], env);
    const ns = await weftOk(['--context', ctx, 'get', 'namespaces'], env);
    return `${pods.stdout}${ns.includes('weft-test') ? 'namespace weft-test left' : ''}`;
  }

  test('two clusters: every check passes, as JSON; nothing is left behind', async () => {
    const r = await weft(['connectivity', 'test', '--context', A, '--multi-cluster', B, '--output', 'json'], env);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const report = JSON.parse(r.stdout) as Report;
    assert.deepEqual(
      report.results.map((x) => `${x.name} ${x.status}`),
      CHECK_NAMES.map((n) => `${n} passed`),
    );
    assert.deepEqual(report.summary, { passed: CHECK_NAMES.length, failed: 0, skipped: 0 });
    assert.ok(report.results.every((x) => x.actions.some((a) => a.ok)), 'each check records what it tried');
    assert.match(r.stderr, /Creating namespace weft-test/, 'progress goes to stderr with --output json');
    assert.match(r.stderr, new RegExp(`✅ All ${CHECK_NAMES.length} checks passed`));
    assert.equal(await leftovers(A), '');
    assert.equal(await leftovers(B), '');
  });

  test('without --multi-cluster the cross-cluster checks are marked skipped; a selection of nothing fails', async () => {
    const r = await weft(['connectivity', 'test', '--context', A, '--test', '^pod-to-pod/'], env);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /✅ pod-to-pod\/same-node/);
    assert.match(r.stdout, /✅ pod-to-pod\/other-node/);
    assert.match(r.stdout, /⏭️ {2}pod-to-pod\/other-cluster: skipped, needs a second cluster/);
    assert.match(r.stdout, /✅ All 2 checks passed, 1 skipped/);
    const none = await weft(['connectivity', 'test', '--context', A, '--test', 'no-such-check'], env);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /--test "no-such-check" matches no check/);
  });
});

describe('network policy across two clusters', { concurrency: false }, () => {
  let dbIp = '';

  async function allRunning(ctx: string, count: number): Promise<void> {
    await waitFor(`${count} pods Running in ${ctx}`, async () => {
      const pods = await getPods(ctx, env, ['-A']);
      return pods.filter((p) => p.status?.phase === 'Running').length === count ? true : undefined;
    }, 90_000);
  }

  /** redis-cli PING from a pod to db: true when PONG came back within 2 s. */
  async function pong(ctx: string, ns: string, name: string): Promise<boolean> {
    const r = await weft(['--context', ctx, 'exec', '-n', ns, name, '--', 'timeout', '2', 'redis-cli', '-h', dbIp, '-p', '6379', 'ping'], env);
    return r.code === 0 && r.stdout.trim() === 'PONG';
  }

  /** Wait until every client's answer is what `want` says (policy changes propagate through watches). */
  async function expectAccess(want: Readonly<Record<string, boolean>>): Promise<void> {
    let last: Record<string, boolean> = {};
    await waitFor(
      `access ${JSON.stringify(want)}`,
      async () => {
        const got: Record<string, boolean> = {};
        await Promise.all(
          Object.keys(want).map(async (who) => {
            const [ctx = '', ns = '', name = ''] = who.split('/');
            got[who] = await pong(ctx, ns, name);
          }),
        );
        last = got;
        return Object.entries(want).every(([k, v]) => got[k] === v) ? true : undefined;
      },
      30_000,
      500,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\nlast seen: ${JSON.stringify(last)}`);
    });
  }

  before(async () => {
    await weftOk(['--context', A, 'apply', '-f', '-'], env, CLUSTER_A);
    await weftOk(['--context', B, 'apply', '-f', '-'], env, CLUSTER_B);
    await allRunning(A, 6);
    await allRunning(B, 2);
    const [db] = await runningPods(A, env, 'app=db', 1);
    dbIp = (db as PodJson).status?.podIP ?? '';
    assert.match(dbIp, /^10\.181\./);
    // Without a policy every pod of both clusters is answered.
    await expectAccess({ [`${A}/default/guest`]: true, [`${A}/red/red-client`]: true, [`${B}/default/employee`]: true });
  });

  test('matchExpressions naming both clusters: staff of both clusters in, the guest out and counted', async () => {
    await weftOk(['--context', A, 'apply', '-f', '-'], env, MATCH_EXPRESSIONS_CNP);
    await expectAccess({
      [`${A}/default/admin`]: true,
      [`${A}/default/employee`]: true,
      [`${B}/default/employee`]: true,
      [`${A}/default/guest`]: false,
      [`${A}/blue/blue-client`]: false,
      [`${B}/blue/blue-client`]: false,
    });
    const drops = await weftOk(['--context', A, 'monitor', '--type', 'drop', '--once', '--output', 'json'], env);
    interface Side { name: string; cluster: string; identity: number }
    const flows = drops
      .trim()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { direction: string; proto: string; port: number; source: Side & { ip: string }; destination: Side & { ip: string } })
      // Only db's: the connectivity test's own policy/deny drops are recorded on this cluster too.
      .filter((f) => f.destination.ip === dbIp);
    const sources = new Set(flows.map((f) => `${f.source.cluster}/${f.source.name}`));
    for (const denied of [`${A}/default/guest`, `${A}/blue/blue-client`, `${B}/blue/blue-client`]) assert.ok(sources.has(denied), `${denied} dropped: ${[...sources].join(', ')}`);
    for (const staff of [`${A}/default/admin`, `${A}/default/employee`, `${B}/default/employee`]) assert.ok(!sources.has(staff), `${staff} never dropped`);
    for (const f of flows) {
      assert.deepEqual([f.direction, f.proto, f.port, f.destination.name, f.destination.cluster], ['ingress', 'tcp', 6379, 'default/db', A]);
      assert.ok(f.source.identity >>> 16 === (f.source.cluster === A ? 181 : 182), `identity ${f.source.identity} of ${f.source.cluster}`);
    }
  });

  test("a new pod of the other cluster is let in once its identity has reached this cluster's nodes", async () => {
    await weftOk(['--context', B, 'apply', '-f', '-'], env, pod('admin', { app: 'admin' }));
    await runningPods(B, env, 'app=admin', 1);
    await expectAccess({ [`${B}/default/admin`]: true });
  });

  test('deleting the policy restores access', async () => {
    await weftOk(['--context', A, 'delete', 'ciliumnetworkpolicy', 'db-staff'], env);
    await expectAccess({ [`${A}/default/guest`]: true, [`${A}/blue/blue-client`]: true });
  });

  test('NetworkPolicy with a namespaceSelector: pods of the labelled namespace of this cluster only', async () => {
    await weftOk(['--context', A, 'apply', '-f', '-'], env, NAMESPACE_NP);
    await expectAccess({
      [`${A}/blue/blue-client`]: true,
      [`${A}/red/red-client`]: false,
      [`${A}/default/employee`]: false,
      // A peer without a cluster label matches this cluster only (policyDefaultLocalCluster, the default).
      [`${B}/blue/blue-client`]: false,
    });
    await weftOk(['--context', A, 'delete', 'networkpolicy', 'db-from-blue'], env);
    await expectAccess({ [`${A}/red/red-client`]: true });
  });

  test('egress: the guest may reach db on 8080 only; an established connection outlives the policy that allowed it', async () => {
    // A connection opened before the policy (bash's /dev/tcp): PING, then — once the policy that no longer
    // allows it is in place — ECHO on the same connection.
    const flag = path.join(home, 'policy-applied');
    const script = [
      `exec 3<>/dev/tcp/${dbIp}/6379`,
      `printf 'PING\\r\\n' >&3; read -r l <&3; echo "first:$l"`,
      `for i in $(seq 200); do [ -e ${flag} ] && break; sleep 0.1; done`,
      `printf 'ECHO still-here\\r\\n' >&3; read -r n <&3; read -r v <&3; echo "second:$v"`,
    ].join('\n');
    const held = spawn('bin/weft', ['--context', A, 'exec', 'guest', '--', 'timeout', '30', 'bash', '-c', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    held.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const done = new Promise<void>((resolve) => held.on('close', () => resolve()));
    await waitFor('the held connection answers', () => Promise.resolve(out.includes('first:+PONG') ? true : undefined), 10_000);
    await weftOk(['--context', A, 'apply', '-f', '-'], env, EGRESS_CNP);
    await expectAccess({ [`${A}/default/guest`]: false, [`${A}/default/admin`]: true });
    const web = await weft(['--context', A, 'exec', 'guest', '--', 'curl', '-sS', '--max-time', '3', `http://${dbIp}:8080/`], env);
    assert.match(web.stdout, /Request served by db/, web.stderr);
    writeFileSync(flag, '');
    await done;
    assert.match(out, /second:still-here/, `the established connection still answers: ${out}`);
    await weftOk(['--context', A, 'delete', 'ciliumnetworkpolicy', 'guest-web-only'], env);
    await expectAccess({ [`${A}/default/guest`]: true });
  });
});
