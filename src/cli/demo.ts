/**
 * `weft demo`: the README's main job — the seeds' scenario with `weft`: two
 * lab clusters with distinct ids and CIDRs, cluster mesh enabled with one CA
 * and connected, `clustermesh status`, seed 000's echo server on every node
 * of both clusters behind a global service, pods answered across nodes and
 * clusters by IP and through the global service, then seed 003's policy
 * letting the employees of both clusters in and dropping the stranger.
 * Leaves the lab running to explore.
 *
 * With --kubernetes the same scenario runs on `weft lab up --kubernetes`
 * clusters (kube-c1/kube-c2, ids 83/84, beside the standalone c1/c2), and
 * what the seeds do with kubectl (apply, get, delete) goes through kubectl;
 * commands inside pods stay `weft exec` (kubectl exec is not served).
 */
import path from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { PROJECT_ROOT, weftHome } from '../util/paths.ts';
import { WeftError, ErrorCode } from '../errors.ts';
import { Runbook } from './runbook.ts';
import { curlCheck, curlRepeatedly } from './demoPods.ts';
import { kubectlClient, weftClient } from './demoClient.ts';
import type { PodView } from './demoPods.ts';
import { runSeed003 } from './demoPolicy.ts';
import type { DemoResult } from './demoPolicy.ts';

export interface DemoCluster {
  readonly name: string;
  readonly id: number;
  readonly podCidr: string;
  readonly serviceCidr: string;
}

async function labClusters(book: Runbook): Promise<Set<string>> {
  const status = await book.weft(['lab', 'status', '--output', 'json'], { quiet: true, allowFail: true });
  if (status.code !== 0) return new Set();
  return new Set(((JSON.parse(status.stdout || '{}') as { clusters?: { name: string }[] }).clusters ?? []).map((c) => c.name));
}

export interface DemoOptions {
  readonly routing: string;
  readonly kubernetes?: boolean;
}

/** The standalone demo's clusters. */
export const DEMO_CLUSTERS: readonly DemoCluster[] = [
  { name: 'c1', id: 1, podCidr: '10.1.0.0/16', serviceCidr: '10.101.0.0/16' },
  { name: 'c2', id: 2, podCidr: '10.2.0.0/16', serviceCidr: '10.102.0.0/16' },
];

/** `weft demo --kubernetes`'s clusters: names, ids and CIDRs of their own, so both demos can be up at once. */
export const KUBE_DEMO_CLUSTERS: readonly DemoCluster[] = [
  { name: 'kube-c1', id: 83, podCidr: '10.83.0.0/16', serviceCidr: '10.183.0.0/16' },
  { name: 'kube-c2', id: 84, podCidr: '10.84.0.0/16', serviceCidr: '10.184.0.0/16' },
];

export async function runDemo(opts: DemoOptions): Promise<void> {
  const book = new Runbook();
  const kube = opts.kubernetes === true;
  const clusters = kube ? KUBE_DEMO_CLUSTERS : DEMO_CLUSTERS;
  const client = kube ? kubectlClient(book) : weftClient(book);
  const [c1, c2] = clusters as [DemoCluster, DemoCluster];
  const results: DemoResult[] = [];

  book.heading(`Two lab clusters with distinct ids and CIDRs (${opts.routing} routing${kube ? ', Kubernetes mode: an API server each, kube contexts merged into your kubeconfig' : ''}), like seed 000's kind clusters`);
  const existing = await labClusters(book);
  for (const c of clusters) {
    if (existing.has(c.name)) {
      book.say(`cluster ${c.name} is already up: reusing it (tear it down with \`weft lab down --name ${c.name}\`)`);
      continue;
    }
    await book.weft(['lab', 'up', ...(kube ? ['--kubernetes'] : []), '--name', c.name, '--id', String(c.id), '--nodes', '2', '--pod-cidr', c.podCidr, '--service-cidr', c.serviceCidr, '--routing', opts.routing], { live: true });
  }

  book.heading('Cluster mesh: enable (one CA for both), connect, status');
  await book.weft(['clustermesh', 'enable', '--context', c1.name, '--create-ca'], { live: true });
  await book.weft(['clustermesh', 'enable', '--context', c2.name, '--inherit-ca', c1.name], { live: true });
  await book.weft(['clustermesh', 'connect', '--context', c1.name, '--destination-context', c2.name]);
  const st = await book.weft(['clustermesh', 'status', '--context', c1.name, '--wait', '--wait-duration', '2m'], { allowFail: true });
  results.push([st.code === 0, 'clustermesh status: every node connected to every cluster']);
  await book.weft(['clustermesh', 'status', '--context', c2.name]);
  await book.weft(['--context', c1.name, 'node', 'list']);

  book.heading(`Seed 000's echo.yaml in both clusters (${client.tool} apply): the echo server on every node behind the global service echo-1`);
  const manifest = path.join(PROJECT_ROOT, 'examples', 'seed-000', 'echo.yaml');
  const pods = new Map<string, PodView[]>();
  for (const c of clusters) {
    await client.apply(c.name, manifest);
    pods.set(
      c.name,
      await book.waitFor(`2 echo-1 pods Running in ${c.name}`, async () => {
        const running = await client.runningPods(c.name, 'run=echo-1');
        return running.length >= 2 && new Set(running.map((p) => p.spec.nodeName)).size >= 2 ? running : undefined;
      }),
    );
    await client.showPods(c.name);
  }
  const [a1, a2] = pods.get(c1.name) ?? [];
  const [b1] = pods.get(c2.name) ?? [];
  if (a1 === undefined || a2 === undefined || b1 === undefined) throw new WeftError(ErrorCode.Internal, 'expected running echo pods in both clusters');

  book.heading(`Pod-to-pod across nodes in ${c1.name}: ${a1.metadata.name} (${a1.spec.nodeName}) → ${a2.metadata.name} (${a2.spec.nodeName})`);
  results.push([await curlCheck(book, c1.name, a1, a2), `a pod on ${c1.name}/${a1.spec.nodeName} reached ${a2.metadata.name} on ${c1.name}/${a2.spec.nodeName} by IP`]);

  book.heading(`Pod-to-pod across clusters (seed 000 §2.1): ${b1.metadata.name} in ${c2.name} → ${a1.metadata.name} in ${c1.name}`);
  results.push([await curlCheck(book, c2.name, b1, a1), `a pod in ${c2.name} reached ${a1.metadata.name} in ${c1.name} by its IP ${a1.status?.podIP}`]);
  results.push([await curlCheck(book, c1.name, a2, b1), `a pod in ${c1.name} reached ${b1.metadata.name} in ${c2.name} by its IP ${b1.status?.podIP}`]);
  await book.weft(['--context', c1.name, 'status', '--verbose']);

  book.heading(`The global service (seed 000 §2.2): \`curl echo-1\` from ${b1.metadata.name} in ${c2.name}, 20 times`);
  await book.weft(['--context', c2.name, 'service', 'list']);
  const clusterOf = new Map<string, string>();
  for (const [name, list] of pods) for (const p of list) clusterOf.set(p.metadata.name, name);
  const served = await book.waitFor(`echo-1 answered by pods of both clusters`, async () => {
    const who = await curlRepeatedly(book, c2.name, b1, 'echo-1', 20);
    return new Set(who.map((p) => clusterOf.get(p))).size === 2 ? who : undefined;
  }, 30_000).catch(() => [] as string[]);
  const counts = new Map<string, number>();
  for (const p of served) counts.set(p, (counts.get(p) ?? 0) + 1);
  for (const [p, n] of counts) book.say(`  ${String(n).padStart(2)} × Request served by ${p} (${clusterOf.get(p) ?? '?'})`);
  results.push([new Set(served.map((p) => clusterOf.get(p))).size === 2, `the global service echo-1 was answered by pods of both ${c1.name} and ${c2.name}`]);

  results.push(...(await runSeed003(book, client, c1.name, c2.name, path.join(weftHome(), kube ? 'demo-kubernetes' : 'demo'))));

  book.heading('Summary');
  for (const [ok, what] of results) book.say(`${ok ? pc.green('✅') : pc.red('❌')} ${what}`);
  book.say('\nThe lab keeps running. Explore it:');
  for (const line of [
    'weft lab status',
    `weft config get-contexts`,
    `weft clustermesh status --context ${c2.name}`,
    `weft --context ${c1.name} node list`,
    kube ? `kubectl --context ${c2.name} get pods -o wide` : `weft --context ${c2.name} get pods -o wide`,
    ...(kube ? [`kubectl --context ${c1.name} get ciliumnetworkpolicies; kubectl --context ${c1.name} logs stranger-0`] : []),
    `weft --context ${c2.name} exec ${b1.metadata.name} -- curl -s echo-1`,
    `weft --context ${c1.name} exec stranger-0 -- timeout 3 redis-cli -h protected-db ping     # denied by the policy`,
    `weft --context ${c1.name} monitor --type drop     # denied flows as they happen`,
    `weft --context ${c1.name} endpoint list; weft --context ${c1.name} identity list`,
    `weft connectivity test --context ${c1.name} --multi-cluster ${c2.name}     # every check, ✅/❌`,
    kube ? `weft lab down --name ${c1.name}; weft lab down --name ${c2.name}     # also removes their kube contexts` : 'weft lab down        # removes everything the lab created',
  ]) {
    book.say(`  ${line}`);
  }
  if (results.some(([ok]) => !ok)) throw new WeftError(ErrorCode.CommandFailed, 'some demo checks failed (see ❌ above)');
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description("the main walkthrough (seeds 000 and 003): two clusters meshed, echo pods, pod-to-pod and a global service across clusters, the cross-cluster policy")
    .option('--routing <mode>', 'native or tunnel', 'native')
    .option('--kubernetes', `on Kubernetes-mode lab clusters (${KUBE_DEMO_CLUSTERS.map((c) => c.name).join(', ')}), with kubectl where the seeds use it`)
    .action(async (opts: DemoOptions) => {
      await runDemo(opts);
    });
}
