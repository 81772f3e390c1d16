/**
 * The seed walkthroughs in docs/ run end to end, as a user would type them
 * (test/support/walkthrough.ts), each with a WEFT_HOME of its own; the checks
 * are on outcomes — which cluster or pod answered, what was refused, which
 * routes and endpoints exist — never on the captured text.
 *
 * These pages also carry what used to be separate e2e tests: seed 000's
 * global echo-1 answered from both clusters and the remote ClusterIP not
 * answering (services-e2e), seed 002's rebel-base in two clusters
 * (services-e2e), and the two-cluster tunnel mesh: a second CA refused with
 * nothing changed, pod-to-pod over VXLAN (mesh-e2e). Seed 003's page is
 * the cross-cluster policy end to end: employees of both clusters answered,
 * the stranger dropped and shown by `weft monitor --type drop`.
 *
 * The `-kubernetes` pages do seeds 000, 002, 003 and 004 on `weft lab up
 * --kubernetes` clusters with kubectl as the seeds write it (skipped without
 * the Kubernetes binaries); kubectl reads a kubeconfig inside the run's
 * WEFT_HOME only. On seed 003's, the policy is a cilium.io/v2 custom resource
 * of the API server, enforced and its drops shown as in standalone mode.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/util/paths.ts';
import { netnsWithPrefix } from '../support/fixtures.ts';
import { describeFailure, runWalkthrough, walkKubeconfig } from '../support/walkthrough.ts';
import type { WalkthroughRun } from '../support/walkthrough.ts';
import { parseWalkthrough, withOutputs } from '../support/walkthroughPage.ts';
import { weft } from '../support/weft.ts';
import { kubeApiAvailable } from '../support/kubeApiRestartable.ts';
import { KUBE_DEMO_CLUSTERS } from '../../src/cli/demo.ts';

const PAGES = ['docs/seed-000.md', 'docs/seed-002.md', 'docs/seed-003.md', 'docs/seed-004.md', 'docs/seed-000-kubernetes.md', 'docs/seed-002-kubernetes.md', 'docs/seed-003-kubernetes.md', 'docs/seed-004-kubernetes.md'];

/** Kubernetes-mode pages need the control-plane binaries (scripts/kube-bins.sh). */
const KUBE_SKIP = kubeApiAvailable() ? false : 'no Kubernetes binaries (scripts/kube-bins.sh)';

/**
 * Cluster ids and names other labs use: weft demo (c1/c2, 1/2), weft demo --kubernetes and the other e2e tests
 * (the integration files run two at a time, and a lab id is machine-wide: its underlay /24 and veths u<id>-*).
 */
const TAKEN_IDS = new Set([
  1, 2, 181, 182, 201, 202, 213, 215, 221, 222, 223, 230, 231, 232, 233, 235, 238, 239, 240, 241, 242, 243, 245, 247, 249, 251, 252, 253,
  ...KUBE_DEMO_CLUSTERS.map((c) => c.id),
]);
const TAKEN_NAMES = new Set(['c1', 'c2', ...KUBE_DEMO_CLUSTERS.map((c) => c.name)]);

/** The rows of `weft identity list` output that name a cluster: [id, cluster, label…]. */
function identityRows(output: string): string[][] {
  return output
    .split('\n')
    .filter((l) => /^\d+\s+cluster\d/.test(l))
    .map((l) => l.split(/\s+/));
}

interface PageLab {
  readonly name: string;
  readonly id: number;
}

function labsOf(page: string): PageLab[] {
  const text = readFileSync(path.join(PROJECT_ROOT, page), 'utf8');
  return [...text.matchAll(/^weft lab up (?:--kubernetes )?--name (\S+) --id (\d+)/gm)].map((m) => ({ name: m[1] ?? '', id: Number(m[2]) }));
}

/** The first column of a `weft get pods` table's rows whose name starts with prefix. */
function podNames(table: string, prefix: string): string[] {
  return table
    .split('\n')
    .map((l) => l.split(/\s+/)[0] ?? '')
    .filter((n) => n.startsWith(prefix));
}

/** Run a page in a home of its own; whatever happens, its labs are taken down and the home removed afterwards. */
type Check = (output: string, earlier: ReadonlyMap<string, string>) => boolean;

function walk(page: string, until: Record<string, Check> = {}): () => Promise<WalkthroughRun> {
  let home: string | undefined;
  let run: Promise<WalkthroughRun> | undefined;
  after(async () => {
    if (home === undefined) return;
    for (const lab of labsOf(page)) await weft(['lab', 'down', '--name', lab.name], { ...process.env, WEFT_HOME: home, KUBECONFIG: walkKubeconfig(home) });
    rmSync(home, { recursive: true, force: true });
    for (const lab of labsOf(page)) assert.deepEqual(await netnsWithPrefix(`wf-${lab.name}_`), [], `${page} left ${lab.name}'s namespaces behind`);
  });
  return () => {
    home ??= mkdtempSync(path.join(tmpdir(), 'weft-it-walk-'));
    run ??= runWalkthrough(page, { home, until });
    return run;
  };
}

test('the page format: steps, flags, output blocks replaced or inserted', () => {
  const page = ['# t', '```sh step=a', 'echo a', '```', '', '```output', 'old', '```', '```yaml', 'x: 1', '```', '```sh step=b fails', 'false', '```', '```sh', 'not a step', '```', '```sh step=c teardown', 'echo c', '```', ''].join('\n');
  const steps = parseWalkthrough(page);
  assert.deepEqual(steps.map((s) => [s.id, s.script, s.fails, s.teardown, s.output !== undefined]), [
    ['a', 'echo a', false, false, true],
    ['b', 'false', true, false, false],
    ['c', 'echo c', false, true, false],
  ]);
  const next = withOutputs(page, new Map([['a', 'new\n'], ['b', 'has ``` inside'], ['c', '']]));
  assert.deepEqual(parseWalkthrough(next).map((s) => s.output !== undefined), [true, true, true]);
  assert.match(next, /```output\nnew\n```/);
  assert.match(next, /````output\nhas ``` inside\n````/);
  assert.match(next, /```output\n\(no output\)\n```/);
  assert.doesNotMatch(next, /old/);
  assert.equal(withOutputs(next, new Map([['a', 'new'], ['b', 'has ``` inside'], ['c', '']])), next, 'capturing the same outputs again changes nothing');
  assert.throws(() => parseWalkthrough('```sh step=a\n```\n```sh step=a\n```\n'), /step id "a" is used twice/);
});

test('every page: its own cluster names and ids, an output block per step, teardown last', () => {
  const ids = new Set<number>();
  for (const page of PAGES) {
    const labs = labsOf(page);
    assert.ok(labs.length >= 2, `${page}: two lab clusters`);
    for (const lab of labs) {
      assert.ok(!TAKEN_IDS.has(lab.id) && !ids.has(lab.id), `${page}: cluster id ${lab.id} is used elsewhere`);
      assert.ok(!TAKEN_NAMES.has(lab.name), `${page}: cluster name ${lab.name} is the demo's`);
      ids.add(lab.id);
    }
    const steps = parseWalkthrough(readFileSync(path.join(PROJECT_ROOT, page), 'utf8'));
    assert.ok(steps.every((s) => s.output !== undefined), `${page}: every step has its captured output block (npm run docs:capture -- ${page})`);
    const last = steps.at(-1);
    assert.ok(last?.teardown === true && labs.every((l) => last.script.includes(`weft lab down --name ${l.name}`)), `${page}: ends with the teardown of its clusters`);
  }
});

describe('docs/seed-000.md: two clusters, global echo-1 (tunnel routing)', () => {
  const served = (out: string): string[] => [...out.matchAll(/Request served by (\S+)/g)].map((m) => m[1] ?? '');
  const bothClusters: Check = (out, earlier) =>
    ['get-c1', 'get-c2'].every((id) => served(out).some((p) => podNames(earlier.get(id) ?? '', 'echo-1-').includes(p)));
  const page = walk('docs/seed-000.md', { 'global-service': bothClusters });

  test('every step ran as the page says', async () => {
    const run = await page();
    assert.equal(run.failed, undefined, describeFailure(run));
  });

  test('clustermesh status: every node of each cluster connected to the other', async () => {
    const out = (await page()).output('status');
    assert.equal(out.match(/All 2 nodes are connected to all clusters/g)?.length, 2, out);
    assert.match(out, /- kind-c2: 2\/2 configured, 2\/2 connected/);
    assert.match(out, /- kind-c1: 2\/2 configured, 2\/2 connected/);
  });

  test('pod-to-pod: the curl pod of kind-c2 is answered by an echo pod of kind-c1, by IP', async () => {
    const run = await page();
    const c1 = podNames(run.output('get-c1'), 'echo-1-');
    assert.equal(c1.length, 2, 'one echo pod per node');
    const served = /Request served by (\S+)/.exec(run.output('pod-to-pod'))?.[1];
    assert.ok(served !== undefined && c1.includes(served), `served by ${served}, kind-c1 has ${c1.join(', ')}`);
    assert.match(run.output('pod-to-pod'), /Cluster: kind-c1/);
  });

  test("kind-c1's ClusterIP does not answer from kind-c2; the global echo-1 is answered by pods of both clusters", async () => {
    const run = await page();
    assert.doesNotMatch(run.output('remote-clusterip'), /Request served by/);
    const c1 = podNames(run.output('get-c1'), 'echo-1-');
    const c2 = podNames(run.output('get-c2'), 'echo-1-');
    const pods = served(run.output('global-service'));
    assert.equal(pods.length, 10, run.output('global-service'));
    assert.ok(pods.every((p) => c1.includes(p) || c2.includes(p)), `only echo-1 pods answer: ${pods.join(', ')}`);
    assert.ok(pods.some((p) => c1.includes(p)) && pods.some((p) => c2.includes(p)), `both clusters answer: ${pods.join(', ')}`);
  });

  test("the datapath: kind-c2's frontend has kind-c1's backends, its ipcache kind-c1's pod IPs", async () => {
    const run = await page();
    const out = run.output('datapath');
    assert.match(out, /=> 10\.111\.\d+\.\d+:8080\/TCP \(kind-c1\) \(active\)/);
    assert.match(out, /=> 10\.222\.\d+\.\d+:8080\/TCP \(kind-c2\) \(active\)/);
    const c1Ips = [...run.output('get-c1').matchAll(/\s(10\.111\.\d+\.\d+)\s/g)].map((m) => m[1] ?? '');
    assert.equal(c1Ips.length, 2);
    for (const ip of c1Ips) assert.ok(out.includes(`${ip} :`), `ipcache holds ${ip}`);
  });
});

/** Seed 002 on either page: the same steps, with weft (standalone) or kubectl (Kubernetes mode). */
function seed002(file: string, title: string, kube: boolean): void {
  describe(`${file}: ${title}`, { skip: kube ? KUBE_SKIP : false }, () => {
    const msg = (cluster: string): string => `{"Galaxy": "Alderaan", "Cluster": "${cluster}"}`;
    const page = walk(file, { service: (out) => out.includes(msg('cluster01')) && out.includes(msg('cluster02')) });

    test('every step ran as the page says', async () => {
      const run = await page();
      assert.equal(run.failed, undefined, describeFailure(run));
    });

    test('two CAs: connect refused naming the rule, nothing connected; allowed explicitly, connected', async () => {
      const run = await page();
      assert.match(run.output('connect-refused'), /\[same-ca\]/);
      assert.match(run.output('nothing-connected'), /"connections": \[\]/);
      assert.match(run.output('connect'), /- cluster02: 1\/1 configured, 1\/1 connected/);
    });

    test("pod-to-pod: a pod of cluster01 gets cluster02's message from a cluster02 pod IP", async () => {
      assert.equal((await page()).output('pod-to-pod').trim(), msg('cluster02'));
    });

    test('the global service answers with both clusters\' messages and nothing else', async () => {
      const lines = (await page()).output('service').trim().split('\n');
      assert.equal(lines.length, 10);
      assert.ok(lines.every((l) => l === msg('cluster01') || l === msg('cluster02')), lines.join('\n'));
      assert.ok(lines.includes(msg('cluster01')) && lines.includes(msg('cluster02')), lines.join('\n'));
    });

    if (kube) {
      test('kubectl: the contexts cluster01 and cluster02 in the run\'s kubeconfig; both Deployments of the seed available', async () => {
        const run = await page();
        for (const c of ['cluster01', 'cluster02']) assert.match(run.output('lab-up'), new RegExp(`^\\*?\\s+${c}\\s+${c}\\s+${c}-admin`, 'm'));
        assert.match(run.output('get'), /^deployment\.apps\/rebel-base\s+2\/2\s/m);
        assert.match(run.output('get'), /^deployment\.apps\/x-wing\s+2\/2\s/m);
        assert.match(run.output('get'), /^service\/rebel-base\s+ClusterIP\s+10\.73\./m, "the ClusterIP from cluster01's --service-cidr");
      });
    }
  });
}

seed002('docs/seed-002.md', 'rebel-base in two clusters behind one global service (tunnel routing)', false);
seed002('docs/seed-002-kubernetes.md', 'rebel-base and x-wing through kubectl on Kubernetes-mode clusters', true);

describe("docs/seed-003.md: seed 003's L4 policy across two clusters (native routing)", () => {
  const page = walk('docs/seed-003.md');

  test('every step ran as the page says', async () => {
    const run = await page();
    assert.equal(run.failed, undefined, describeFailure(run));
  });

  test('status --verbose: cluster2 ready; node list: the nodes of both clusters', async () => {
    const out = (await page()).output('verify');
    assert.match(out, /ClusterMesh:\s+1\/1 clusters ready/);
    for (const n of ['cluster1/n1', 'cluster1/n2', 'cluster2/n1']) assert.match(out, new RegExp(`^${n}\\s`, 'm'));
  });

  test('without a policy: both employees and the stranger get PONG', async () => {
    assert.deepEqual((await page()).output('no-policy').trim().split('\n'), ['PONG', 'PONG', 'PONG']);
  });

  test('the policy selects protected-db only, for ingress; its drops are counted on it', async () => {
    const rows = (await page())
      .output('drops')
      .split('\n')
      .filter((l) => l.startsWith('default/'))
      .map((l) => l.split(/\s+/));
    const cells = new Map(rows.map((r) => [r[0], `${r[5]}/${r[6]} drops ${r[7]}`]));
    assert.equal(cells.get('default/employee-0'), 'Disabled/Disabled drops 0/0');
    assert.equal(cells.get('default/stranger-0'), 'Disabled/Disabled drops 0/0');
    assert.match(cells.get('default/protected-db-0') ?? '', /^Enabled\/Disabled drops [1-9]\d*\/0$/);
  });

  test('with the policy: the employees of both clusters get PONG, the stranger no answer', async () => {
    assert.deepEqual((await page()).output('with-policy').trim().split('\n'), ['PONG', 'stranger: no answer (exit 124)', 'PONG']);
  });

  test("the stranger's SYNs are recorded as drops on protected-db's node, the employees' never", async () => {
    const out = (await page()).output('drops').split('\nENDPOINT')[0] ?? '';
    assert.match(out, /DROP ingress on n\d: default\/stranger-0 \(10\.31\.\d+\.\d+, cluster1\) identity \d+ → default\/protected-db-0 \(10\.31\.\d+\.\d+, cluster1\) identity \d+ tcp\/6379/);
    assert.doesNotMatch(out, /employee/);
  });

  test('identities carry their cluster id in the upper bits (101, 102) and their cluster label', async () => {
    const rows = identityRows((await page()).output('identities'));
    assert.equal(rows.length, 4, 'protected-db, stranger, employee in cluster1; employee in cluster2');
    for (const [id, cluster, label] of rows) {
      assert.equal(Number(id) >>> 16, cluster === 'cluster1' ? 101 : 102, `identity ${id} of ${cluster}`);
      assert.match(label ?? '', /^k8s:app=/);
    }
  });
});

/** Seed 004 on either page: the same outcomes, with weft (standalone, ids 95/96) or kubectl (Kubernetes mode, ids 77/78). */
function seed004(file: string, title: string, kube: boolean): void {
  const [id1, id2] = kube ? [77, 78] : [95, 96];
  describe(`${file}: ${title}`, { skip: kube ? KUBE_SKIP : false }, () => {
    const bothVersions = (out: string): boolean => out.includes('Hello version: v1') && out.includes('Hello version: v2');
    const page = walk(file, { 'curl-from-cluster1': bothVersions, 'curl-from-cluster2': bothVersions });

    test('every step ran as the page says', async () => {
      const run = await page();
      assert.equal(run.failed, undefined, describeFailure(run));
    });

    test("each node routes the other cluster's PodCIDR via the other node (the seed's static routes)", async () => {
      const out = (await page()).output('routes');
      assert.match(out, new RegExp(`^10\\.244\\.0\\.0/24 via 172\\.30\\.${id2}\\.11 `, 'm'));
      assert.match(out, new RegExp(`^10\\.241\\.0\\.0/24 via 172\\.30\\.${id1}\\.11 `, 'm'));
    });

    test('from the sleep pod of either cluster, helloworld.sample:5000/hello is answered by v1 (cluster1) and v2 (cluster2)', async () => {
      const run = await page();
      const pods = run.output('sleep');
      const v1 = podNames(pods, 'helloworld-v1-');
      const v2 = podNames(pods, 'helloworld-v2-');
      assert.equal(v1.length + v2.length, 2, pods);
      for (const step of ['curl-from-cluster1', 'curl-from-cluster2']) {
        const lines = run.output(step).trim().split('\n');
        assert.equal(lines.length, 10, run.output(step));
        assert.ok(lines.every((l) => l === `Hello version: v1, instance: ${v1[0]}` || l === `Hello version: v2, instance: ${v2[0]}`), lines.join('\n'));
        assert.ok(bothVersions(run.output(step)), `${step}: ${lines.join(' | ')}`);
      }
    });

    test("service endpoints lists both clusters' helloworld pods, healthy, from either cluster", async () => {
      const run = await page();
      const rows = run
        .output('endpoints')
        .split('\n')
        .filter((l) => /^\d/.test(l))
        .map((l) => l.split(/\s+/));
      assert.equal(rows.length, 4, run.output('endpoints'));
      for (const [endpoint, status, cluster, node, pod] of rows) {
        assert.equal(status, 'HEALTHY');
        assert.equal(node, 'n1');
        assert.match(`${cluster} ${endpoint} ${pod}`, /^(cluster1 10\.241\.0\.\d+:5000 helloworld-v1-[\w-]+|cluster2 10\.244\.0\.\d+:5000 helloworld-v2-[\w-]+)$/);
      }
    });

    if (kube) {
      test("kubectl: the contexts cluster1 and cluster2 merged and removed; cluster1's API server knows only its own helloworld pod", async () => {
        const run = await page();
        for (const c of ['cluster1', 'cluster2']) assert.match(run.output('lab-up'), new RegExp(`^\\*?\\s+${c}\\s+${c}\\s+${c}-admin`, 'm'));
        const contextsAfter = run.output('teardown').split(/^CURRENT\s+NAME.*$/m)[1];
        assert.ok(contextsAfter !== undefined && !contextsAfter.includes('cluster'), `kubectl config get-contexts after lab down:${contextsAfter}`);
        const slices = run
          .output('endpoints')
          .split('\n')
          .filter((l) => l.startsWith('helloworld-'));
        assert.equal(slices.length, 1, run.output('endpoints'));
        assert.match(slices[0] ?? '', /^helloworld-\w+\s+IPv4\s+5000\s+10\.241\.0\.\d+\s/);
      });
    }
  });
}

seed004('docs/seed-004.md', 'helloworld v1 and v2 on one flat network (native routing)', false);
seed004('docs/seed-004-kubernetes.md', 'helloworld with kubectl as the seed writes it on Kubernetes-mode clusters', true);

describe("docs/seed-003-kubernetes.md: seed 003's L4 policy as a cilium.io/v2 custom resource, with kubectl", { skip: KUBE_SKIP }, () => {
  const page = walk('docs/seed-003-kubernetes.md');

  test('every step ran as the page says', async () => {
    const run = await page();
    assert.equal(run.failed, undefined, describeFailure(run));
  });

  test("kubectl: the contexts cluster1 and cluster2 merged, cluster1's node Ready, the CRD served; lab down removed the contexts", async () => {
    const run = await page();
    for (const c of ['cluster1', 'cluster2']) assert.match(run.output('lab-up'), new RegExp(`^\\*?\\s+${c}\\s+${c}\\s+${c}-admin`, 'm'));
    assert.match(run.output('lab-up'), /^n1\s+Ready\s.*\s172\.30\.75\.11\s/m);
    assert.match(run.output('lab-up'), /^ciliumnetworkpolicies\.cilium\.io\s/m);
    const contextsAfter = run.output('teardown').split(/^CURRENT\s+NAME.*$/m)[1];
    assert.ok(contextsAfter !== undefined && !contextsAfter.includes('cluster'), `kubectl config get-contexts after lab down:${contextsAfter}`);
  });

  test("cluster2's global protected-db has cluster1's pod as its backend; without a policy everyone gets PONG", async () => {
    const run = await page();
    assert.match(run.output('global-service'), /^10\.31\.0\.\d+:6379\s+HEALTHY\s+cluster1\s+n1\s+protected-db-0$/m);
    assert.deepEqual(run.output('no-policy').trim().split('\n'), ['PONG', 'PONG', 'PONG']);
  });

  test("the seed's policy: refused by kubectl's schema check for metadata.description; applied without it, the API server keeps port \"6379\" and Weft mirrors the policy", async () => {
    const run = await page();
    assert.match(run.output('policy-refused'), /unknown field "description" in io\.k8s\.apimachinery\.pkg\.apis\.meta\.v1\.ObjectMeta/);
    const out = run.output('policy');
    assert.match(out, /^ciliumnetworkpolicy\.cilium\.io\/clustermesh-ingress-l4-policy created$/m);
    assert.match(out, /^\[\{"ports":\[\{"port":"6379","protocol":"TCP"\}\]\}\]$/m);
    assert.match(out, /^default\s+clustermesh-ingress-l4-policy\s+CiliumNetworkPolicy\s+app=protected-db,io\.cilium\.k8s\.policy\.cluster=cluster1\s+1\s+-\s/m);
  });

  test('enforcement: ingress on protected-db only', async () => {
    const rows = (await page())
      .output('enforced')
      .split('\n')
      .filter((l) => l.startsWith('default/'))
      .map((l) => l.split(/\s+/));
    const cells = new Map(rows.map((r) => [r[0], `${r[5]}/${r[6]}`]));
    assert.deepEqual(Object.fromEntries(cells), { 'default/employee-0': 'Disabled/Disabled', 'default/protected-db-0': 'Enabled/Disabled', 'default/stranger-0': 'Disabled/Disabled' });
  });

  test('with the policy: the employees of both clusters get PONG, the stranger no answer', async () => {
    assert.deepEqual((await page()).output('with-policy').trim().split('\n'), ['PONG', 'stranger: no answer (exit 124)', 'PONG']);
  });

  test("the stranger's SYNs: drops on protected-db's node (weft monitor) and DROPPED flows (weft observe), never an employee's", async () => {
    const out = (await page()).output('drops');
    assert.match(out, /DROP ingress on n1: default\/stranger-0 \(10\.31\.\d+\.\d+, cluster1\) identity \d+ → default\/protected-db-0 \(10\.31\.\d+\.\d+, cluster1\) identity \d+ tcp\/6379/);
    const flows = out.split('\n').filter((l) => l.includes('DROPPED'));
    assert.ok(flows.length > 0, out);
    assert.ok(flows.every((l) => /default\/stranger-0 \(ID:\d+\) -> default\/protected-db-0:6379 .*INGRESS DENIED DROPPED/.test(l)), flows.join('\n'));
    assert.doesNotMatch(out, /employee/);
  });

  test('identities carry their cluster id in the upper bits (75, 76) and their cluster label', async () => {
    const rows = identityRows((await page()).output('identities'));
    assert.equal(rows.length, 4, 'protected-db, stranger, employee in cluster1; employee in cluster2');
    for (const [id, cluster] of rows) assert.equal(Number(id) >>> 16, cluster === 'cluster1' ? 75 : 76, `identity ${id} of ${cluster}`);
  });
});

describe('docs/seed-000-kubernetes.md: seed 000 with kubectl on Kubernetes-mode clusters', { skip: KUBE_SKIP }, () => {
  const served = (out: string): string[] => [...out.matchAll(/Request served by (\S+)/g)].map((m) => m[1] ?? '');
  /** The echo pods of a `kubectl get all -l run=echo-1` table (`pod/echo-1-xxxxx` rows). */
  const echoPods = (table: string): string[] => podNames(table, 'pod/echo-1-').map((n) => n.slice('pod/'.length));
  const bothClusters: Check = (out, earlier) => ['get-c1', 'get-c2'].every((id) => served(out).some((p) => echoPods(earlier.get(id) ?? '').includes(p)));
  const page = walk('docs/seed-000-kubernetes.md', { 'global-service': bothClusters });

  test('every step ran as the page says', async () => {
    const run = await page();
    assert.equal(run.failed, undefined, describeFailure(run));
  });

  test("lab up merged the contexts kind-c1 and kind-c2 (kubectl sees them and kind-c1's node Ready); lab down removed them", async () => {
    const run = await page();
    for (const c of ['kind-c1', 'kind-c2']) assert.match(run.output('lab-up'), new RegExp(`^\\*?\\s+${c}\\s+${c}\\s+${c}-admin`, 'm'));
    assert.match(run.output('lab-up'), /^n1\s+Ready\s.*\s172\.30\.71\.11\s/m);
    const contextsAfter = run.output('teardown').split(/^CURRENT\s+NAME.*$/m)[1];
    assert.ok(contextsAfter !== undefined && !contextsAfter.includes('kind-c'), `kubectl config get-contexts after lab down:${contextsAfter}`);
  });

  test('clustermesh status: the node of each cluster connected to the other', async () => {
    const out = (await page()).output('status');
    assert.equal(out.match(/All 1 nodes are connected to all clusters/g)?.length, 2, out);
    assert.match(out, /- kind-c2: 1\/1 configured, 1\/1 connected/);
    assert.match(out, /- kind-c1: 1\/1 configured, 1\/1 connected/);
  });

  test('pod-to-pod: the curl pod of kind-c2 is answered by the echo pod of kind-c1, by IP', async () => {
    const run = await page();
    const c1 = echoPods(run.output('get-c1'));
    assert.equal(c1.length, 1, 'one echo pod per node');
    const by = served(run.output('pod-to-pod'))[0];
    assert.ok(by !== undefined && c1.includes(by), `served by ${by}, kind-c1 has ${c1.join(', ')}`);
    assert.match(run.output('pod-to-pod'), /Cluster: kind-c1/);
  });

  test("kind-c1's ClusterIP (from its API server) does not answer from kind-c2; the global echo-1 is answered by pods of both clusters", async () => {
    const run = await page();
    assert.match(run.output('get-c1'), /^service\/echo-1\s+ClusterIP\s+10\.11\.\d+\.\d+\s/m);
    assert.doesNotMatch(run.output('remote-clusterip'), /Request served by/);
    const c1 = echoPods(run.output('get-c1'));
    const c2 = echoPods(run.output('get-c2'));
    const pods = served(run.output('global-service'));
    assert.equal(pods.length, 10, run.output('global-service'));
    assert.ok(pods.every((p) => c1.includes(p) || c2.includes(p)), `only echo-1 pods answer: ${pods.join(', ')}`);
    assert.ok(pods.some((p) => c1.includes(p)) && pods.some((p) => c2.includes(p)), `both clusters answer: ${pods.join(', ')}`);
  });

  test("the datapath: kind-c2's EndpointSlice, its frontend with kind-c1's backend, its ipcache with kind-c1's pod IP", async () => {
    const run = await page();
    const out = run.output('datapath');
    assert.match(out, /^echo-1-\S+\s+IPv4\s+8080\s+10\.222\.\d+\.\d+\s/m);
    assert.match(out, /=> 10\.111\.\d+\.\d+:8080\/TCP \(kind-c1\) \(active\)/);
    assert.match(out, /=> 10\.222\.\d+\.\d+:8080\/TCP \(kind-c2\) \(active\)/);
    const c1Ips = [...run.output('get-c1').matchAll(/\s(10\.111\.\d+\.\d+)\s/g)].map((m) => m[1] ?? '');
    assert.equal(c1Ips.length, 1);
    for (const ip of c1Ips) assert.ok(out.includes(`${ip} :`), `ipcache holds ${ip}`);
  });
});
