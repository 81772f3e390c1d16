/**
 * The demo's seed 003 part: protected-db in the first cluster behind a global
 * service, employees in both clusters and a stranger; seed 003's L4 policy
 * (with this lab's cluster names) lets the employees in and drops the
 * stranger, which `weft monitor --type drop` then shows.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../util/paths.ts';
import type { Runbook } from './runbook.ts';
import type { DemoClient } from './demoClient.ts';

export const SEED003_DIR = path.join(PROJECT_ROOT, 'examples', 'seed-003');
const file = (name: string): string => path.join(SEED003_DIR, name);

export type DemoResult = readonly [ok: boolean, what: string];

/** metadata.name of seed 003's policy (examples/seed-003/l4-policy.yaml). */
const POLICY_NAME = 'clustermesh-ingress-l4-policy';

interface Client {
  readonly context: string;
  readonly namespace: string;
  readonly pod: string;
}

/** Seed 003's policy names its clusters cluster1/cluster2: the same text with this lab's names. */
export function policyForClusters(text: string, first: string, second: string): string {
  return text.replace(/\bcluster1\b/g, first).replace(/\bcluster2\b/g, second);
}

/** `redis-cli -h IP -p 6379 ping` from a client pod: true when protected-db answered PONG within 3 s. */
export async function redisPing(book: Runbook, c: Client, ip: string, quiet = false): Promise<boolean> {
  const res = await book.weft(
    ['--context', c.context, 'exec', '-n', c.namespace, c.pod, '--', 'timeout', '3', 'redis-cli', '-h', ip, '-p', '6379', 'ping'],
    { allowFail: true, quiet },
  );
  if (!quiet && res.code !== 0 && res.stdout === '') book.say('  (no answer: timed out after 3 s)');
  return res.code === 0 && res.stdout.trim() === 'PONG';
}

/** `workDir` holds the policy text with this lab's cluster names (under WEFT_HOME); `client` applies and lists (weft or kubectl). */
export async function runSeed003(book: Runbook, client: DemoClient, first: string, second: string, workDir: string): Promise<DemoResult[]> {
  const results: DemoResult[] = [];
  book.heading(`Seed 003: protected-db in ${first} behind a global service; employees in both clusters, a stranger in ${first}`);
  // A second run starts where the seed does: without the policy.
  await client.deletePolicy(first, POLICY_NAME);
  for (const f of ['protected-db.yaml', 'protected-db-service.yaml', 'clients-cluster1.yaml']) await client.apply(first, file(f));
  for (const f of ['protected-db-service.yaml', 'clients-cluster2.yaml']) await client.apply(second, file(f));
  await book.waitFor(`protected-db-0, employee-0 and stranger-0 Running in ${first}`, async () => {
    for (const app of ['protected-db', 'employee', 'stranger']) if ((await client.runningPods(first, `app=${app}`)).length === 0) return undefined;
    return true;
  });
  await book.waitFor(`employee-0 Running in ${second}/istio-space`, async () =>
    (await client.runningPods(second, 'app=employee', 'istio-space')).length > 0 ? true : undefined,
  );
  const ip1 = await book.waitFor(`protected-db's ClusterIP in ${first}`, () => client.clusterIp(first, 'protected-db'));
  const ip2 = await book.waitFor(`protected-db's ClusterIP in ${second}`, () => client.clusterIp(second, 'protected-db'));

  const employee1: Client = { context: first, namespace: 'default', pod: 'employee-0' };
  const stranger: Client = { context: first, namespace: 'default', pod: 'stranger-0' };
  const employee2: Client = { context: second, namespace: 'istio-space', pod: 'employee-0' };

  book.heading('Seed 003 §4.2: without a policy everyone gets PONG (the global service reaches protected-db from both clusters)');
  await book.waitFor(`${second}'s employee answered through the global service`, async () => ((await redisPing(book, employee2, ip2, true)) ? true : undefined), 30_000);
  const before = [await redisPing(book, employee1, ip1), await redisPing(book, stranger, ip1), await redisPing(book, employee2, ip2)];
  results.push([before.every(Boolean), 'without a policy: both employees and the stranger reached protected-db (PONG)']);

  book.heading("Seed 003 §4.3: the L4 policy — only employees may reach protected-db on 6379");
  mkdirSync(workDir, { recursive: true });
  const policy = path.join(workDir, 'l4-policy.yaml');
  writeFileSync(policy, policyForClusters(readFileSync(file('l4-policy.yaml'), 'utf8'), first, second));
  book.say(`(seed 003's l4-policy.yaml with its cluster names cluster1/cluster2 replaced by ${first}/${second})`);
  await client.apply(first, policy, { lenient: true });
  await client.showPolicies(first);
  await book.waitFor('the policy enforced on protected-db (the stranger gets no answer)', async () => ((await redisPing(book, stranger, ip1, true)) ? undefined : true), 30_000);

  book.heading('Seed 003 §4.4: test and observe');
  const e1 = await redisPing(book, employee1, ip1);
  const s1 = await redisPing(book, stranger, ip1);
  const e2 = await redisPing(book, employee2, ip2);
  results.push([e1, `policy: ${first}'s employee (default) answered PONG`]);
  results.push([e2, `policy: ${second}'s employee (istio-space) answered PONG across clusters`]);
  results.push([!s1, `policy: ${first}'s stranger denied`]);
  const drops = await book.weft(['--context', first, 'monitor', '--type', 'drop', '--once'], { allowFail: true });
  results.push([drops.code === 0 && drops.stdout.includes('stranger-0') && drops.stdout.includes('protected-db-0'), "the stranger's packets counted as policy drops (weft monitor --type drop)"]);
  await book.weft(['--context', first, 'endpoint', 'list']);
  return results;
}
