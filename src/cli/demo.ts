/**
 * `weft demo`: the README's main job. Builds a lab cluster with two nodes,
 * runs seed 000's echo server as a DaemonSet and shows a pod on one node
 * answered by a pod on the other. Leaves the lab running to explore.
 */
import path from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { PROJECT_ROOT } from '../util/paths.ts';
import { WeftError, ErrorCode } from '../errors.ts';
import { Runbook } from './runbook.ts';

interface PodView {
  metadata: { name: string; namespace: string };
  spec: { nodeName?: string };
  status: { phase: string; podIP: string } | null;
}

export async function runningPods(book: Runbook, context: string, selector: string): Promise<PodView[]> {
  const res = await book.weft(['--context', context, 'get', 'pods', '-l', selector, '-o', 'json'], { quiet: true });
  return (JSON.parse(res.stdout) as PodView[]).filter((p) => p.status?.phase === 'Running');
}

export interface DemoOptions {
  readonly name: string;
  readonly id: string;
  readonly routing: string;
}

export async function runDemo(opts: DemoOptions): Promise<void> {
  const book = new Runbook();
  const ctx = opts.name;
  book.heading(`A lab cluster "${ctx}" with two nodes (${opts.routing} routing)`);
  const status = await book.weft(['lab', 'status', '--output', 'json'], { quiet: true, allowFail: true });
  const exists = status.code === 0 && (JSON.parse(status.stdout || '{}') as { clusters?: { name: string }[] }).clusters?.some((c) => c.name === ctx) === true;
  if (exists) book.say(`cluster ${ctx} is already up: reusing it (tear it down with \`weft lab down --name ${ctx}\`)`);
  else {
    await book.weft(
      ['lab', 'up', '--name', ctx, '--id', opts.id, '--nodes', '2', '--pod-cidr', '10.1.0.0/16', '--service-cidr', '10.101.0.0/16', '--routing', opts.routing],
      { live: true },
    );
  }
  await book.weft(['--context', ctx, 'node', 'list']);

  book.heading("Seed 000's echo server as a DaemonSet (one pod per node)");
  await book.weft(['--context', ctx, 'apply', '-f', path.join(PROJECT_ROOT, 'examples', 'echo-daemonset.yaml')]);
  const pods = await book.waitFor('2 echo-1 pods Running', async () => {
    const running = await runningPods(book, ctx, 'run=echo-1');
    const nodes = new Set(running.map((p) => p.spec.nodeName));
    return running.length >= 2 && nodes.size >= 2 ? running : undefined;
  });
  await book.weft(['--context', ctx, 'get', 'pods', '-o', 'wide']);

  const [from, to] = pods;
  if (from === undefined || to === undefined || to.status === null) throw new WeftError(ErrorCode.Internal, 'expected two running pods');
  book.heading(`Pod-to-pod across nodes: ${from.metadata.name} (${from.spec.nodeName}) → ${to.metadata.name} (${to.spec.nodeName})`);
  const res = await book.weft(['--context', ctx, 'exec', from.metadata.name, '--', 'curl', '-sS', '--max-time', '5', `http://${to.status.podIP}:8080/`]);
  const answered = res.stdout.includes(`Request served by ${to.metadata.name}`);

  book.heading('Summary');
  book.say(`${answered ? pc.green('✅') : pc.red('❌')} a pod on ${ctx}/${from.spec.nodeName} reached ${to.metadata.name} on ${ctx}/${to.spec.nodeName} by its IP ${to.status.podIP}`);
  book.say('\nThe lab keeps running. Explore it:');
  for (const line of [
    `weft lab status`,
    `weft --context ${ctx} get pods -o wide`,
    `weft --context ${ctx} node list`,
    `weft --context ${ctx} exec ${to.metadata.name} -- ip addr`,
    `weft lab down --name ${ctx}        # removes everything the lab created`,
  ]) {
    book.say(`  ${line}`);
  }
  if (!answered) throw new WeftError(ErrorCode.CommandFailed, 'the cross-node request was not answered by the expected pod');
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description("the main walkthrough: a lab cluster, echo pods on two nodes, a cross-node request")
    .option('--name <cluster>', 'lab cluster name', 'c1')
    .option('--id <id>', 'cluster id', '1')
    .option('--routing <mode>', 'native or tunnel', 'native')
    .action(async (opts: DemoOptions) => {
      await runDemo(opts);
    });
}
