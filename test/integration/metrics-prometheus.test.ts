/**
 * Issue 13 items 2 and 4 for real: two lab clusters meshed, seed 000's
 * echo.yaml applied, a real Prometheus (Debian's) scraping every agent
 * (node IP :9962) and both operators (control-plane IP :9963) through the
 * lab's underlay; every target must be up and the queried metrics must say
 * what the lab holds. Then the status commands that read the same metrics.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runningPods, waitFor, weft, weftOk } from '../support/weft.ts';
import { PROMETHEUS, startPrometheus, type RunningPrometheus, type ScrapeJob } from '../support/prometheus.ts';
import type { LabStatus } from '../../src/lab/status.ts';

const isRoot = process.getuid?.() === 0;
const ECHO = readFileSync(new URL('../../examples/seed-000/echo.yaml', import.meta.url), 'utf8');

interface Cluster {
  readonly name: string;
  readonly id: number;
  readonly nodes: number;
}
const mt1: Cluster = { name: 'mt1', id: 245, nodes: 2 };
const mt2: Cluster = { name: 'mt2', id: 247, nodes: 1 };

describe('Prometheus scrapes every agent and operator of a two-cluster mesh', { concurrency: false, skip: (!isRoot && 'needs root') || (!existsSync(PROMETHEUS) && `${PROMETHEUS} missing (apt-get install prometheus)`) }, () => {
  const home = mkdtempSync(path.join(tmpdir(), 'wf-metrics-'));
  const env = { ...process.env, WEFT_HOME: home };
  let prom: RunningPrometheus | undefined;
  let jobs: ScrapeJob[] = [];

  before(async () => {
    for (const c of [mt1, mt2]) {
      const up = ['lab', 'up', '--name', c.name, '--id', String(c.id), '--nodes', String(c.nodes), '--pod-cidr', `10.${c.id}.0.0/16`, '--service-cidr', `10.${c.id + 1}.0.0/16`];
      const r = await weft(up, env);
      if (r.code !== 0 && /etcd not healthy/.test(r.stderr)) await weftOk(up, env); // load: retry once
      else assert.equal(r.code, 0, r.stderr);
    }
    await weftOk(['clustermesh', 'enable', '--context', mt1.name, '--create-ca'], env);
    await weftOk(['clustermesh', 'enable', '--context', mt2.name, '--inherit-ca', mt1.name], env);
    await weftOk(['clustermesh', 'connect', '--context', mt1.name, '--destination-context', mt2.name], env);
    for (const c of [mt1, mt2]) {
      await weftOk(['--context', c.name, 'apply', '-f', '-'], env, ECHO);
      await runningPods(c.name, env, 'run=echo-1', c.nodes);
    }
    await weftOk(['clustermesh', 'status', '--context', mt1.name, '--wait', '--wait-duration', '90s'], env);
    const lab = JSON.parse(await weftOk(['lab', 'status', '--output', 'json'], env)) as LabStatus;
    jobs = lab.clusters.flatMap((c) => [
      { job: `${c.name}-agents`, targets: c.hosts.filter((h) => h.role === 'node').map((h) => `${h.ip}:9962`), labels: { cluster: c.name, component: 'agent' } },
      { job: `${c.name}-operator`, targets: c.hosts.filter((h) => h.role === 'control-plane').map((h) => `${h.ip}:9963`), labels: { cluster: c.name, component: 'operator' } },
    ]);
    prom = await startPrometheus(jobs);
  });

  after(async () => {
    await prom?.stop();
    const down = await weft(['lab', 'down'], env);
    rmSync(home, { recursive: true, force: true });
    assert.equal(down.code, 0, down.stderr);
  });

  const q = async (promql: string): Promise<{ metric: Record<string, string>; value: number }[]> => {
    assert.ok(prom);
    return prom.query(promql);
  };
  /** Waits until the query's single value satisfies `ok` (Prometheus scrapes every second). */
  const eventually = async (promql: string, ok: (v: number) => boolean): Promise<number> =>
    waitFor(`${promql} to hold`, async () => {
      const r = await q(promql);
      const v = r[0]?.value;
      return r.length === 1 && v !== undefined && ok(v) ? v : undefined;
    }, 30_000, 500);

  test('every target (3 agents, 2 operators) is up', async () => {
    assert.ok(prom);
    const p = prom;
    assert.equal(jobs.flatMap((j) => j.targets).length, 5);
    const targets = await waitFor('every target up', async () => {
      const t = await p.targets();
      return t.length === 5 && t.every((x) => x.health === 'up') ? t : undefined;
    }, 30_000, 500);
    assert.deepEqual(targets.map((t) => t.scrapeUrl).sort(), jobs.flatMap((j) => j.targets.map((x) => `http://${x}/metrics`)).sort());
    assert.equal(await eventually('sum(up)', (v) => v === 5), 5);
  });

  test('agents: one echo endpoint per node, datapath synced without errors, nft elements and identities', async () => {
    assert.equal(await eventually('sum(weft_endpoints{cluster="mt1"})', (v) => v === 2), 2);
    assert.equal(await eventually('sum(weft_endpoints{cluster="mt2"})', (v) => v === 1), 1);
    assert.equal((await q('count(weft_agent_info)'))[0]?.value, 3);
    assert.equal((await q('sum(weft_datapath_sync_errors_total)'))[0]?.value, 0);
    assert.ok(((await q('min(weft_datapath_sync_duration_seconds_count{outcome="success"})'))[0]?.value ?? 0) >= 1);
    const lastSync = (await q('min(weft_datapath_last_sync_timestamp_seconds)'))[0]?.value ?? 0;
    assert.ok(Math.abs(lastSync - Date.now() / 1000) < 120, `last sync ${lastSync}`);
    // echo-1 is global: mt1's frontend balances over 2 local + 1 remote backend.
    assert.ok(((await q('min(weft_nftables_elements{cluster="mt1",kind="services"})'))[0]?.value ?? 0) >= 1, 'the echo-1 frontend');
    assert.ok(((await q('min(weft_nftables_elements{cluster="mt1",kind="backends"})'))[0]?.value ?? 0) >= 3);
    assert.ok(((await q('min(weft_nftables_elements{kind="ipcache"})'))[0]?.value ?? 0) >= 3);
    assert.ok(((await q('min(weft_identities{cluster="mt1",origin="remote"})'))[0]?.value ?? 0) >= 1, 'identities mirrored from mt2');
    assert.ok(((await q('min(process_resident_memory_bytes{component="agent"})'))[0]?.value ?? 0) > 1e6);
  });

  test('DNS queries by rcode: a pod resolving echo-1 and a name that does not exist', async () => {
    const [pod] = await runningPods(mt2.name, env, 'run=echo-1', 1);
    assert.ok(pod);
    await weftOk(['--context', mt2.name, 'exec', pod.metadata.name, '--', 'curl', '-sS', '--max-time', '5', 'http://echo-1.default.svc.cluster.local/'], env);
    await weft(['--context', mt2.name, 'exec', pod.metadata.name, '--', 'curl', '-sS', '--max-time', '5', 'http://nope.default.svc.cluster.local/'], env);
    assert.ok((await eventually('sum(weft_dns_queries_total{cluster="mt2",rcode="NOERROR"})', (v) => v >= 1)) >= 1);
    assert.ok((await eventually('sum(weft_dns_queries_total{cluster="mt2",rcode="NXDOMAIN"})', (v) => v >= 1)) >= 1);
    assert.ok((await eventually('sum(weft_dns_query_duration_seconds_count{cluster="mt2"})', (v) => v >= 2)) >= 2);
  });

  test('operators: mt1 and mt2 connected to each other, the other cluster mirrored, no failures', async () => {
    assert.equal(await eventually('weft_clustermesh_remote_connected{cluster="mt1",remote="mt2"}', (v) => v === 1), 1);
    assert.equal(await eventually('weft_clustermesh_remote_connected{cluster="mt2",remote="mt1"}', (v) => v === 1), 1);
    assert.equal(await eventually('weft_clustermesh_remote_ready{cluster="mt1",remote="mt2"}', (v) => v === 1), 1);
    assert.equal(await eventually('weft_clustermesh_remote_objects{cluster="mt1",remote="mt2",kind="nodes"}', (v) => v === 1), 1);
    assert.equal(await eventually('weft_clustermesh_remote_objects{cluster="mt2",remote="mt1",kind="nodes"}', (v) => v === 2), 2);
    assert.equal(await eventually('weft_clustermesh_remote_objects{cluster="mt2",remote="mt1",kind="endpoints"}', (v) => v === 2), 2);
    assert.equal((await q('sum(weft_clustermesh_remote_failures_total)'))[0]?.value, 0);
    const last = (await q('weft_clustermesh_remote_last_sync_timestamp_seconds{cluster="mt1",remote="mt2"}'))[0]?.value ?? 0;
    assert.ok(Math.abs(last - Date.now() / 1000) < 300, `last sync ${last}`);
    // Live changes (the pods' endpoints, after the first list) went through the reflector.
    assert.ok(((await q('sum(weft_clustermesh_propagation_delay_seconds_count)'))[0]?.value ?? 0) >= 1);
  });

  test("status commands read the same metrics: weft status per agent, clustermesh status per remote, lab status's health", async () => {
    const status = await weftOk(['--context', mt1.name, 'status'], env);
    assert.match(status, /Agents:\s+2\/2 healthy/);
    assert.match(status, /n1: ✅ healthy, last datapath sync \d+s ago, 0 sync errors, 1 endpoints/);
    assert.match(status, /n2: ✅ healthy, last datapath sync \d+s ago, 0 sync errors, 1 endpoints/);
    const json = JSON.parse(await weftOk(['--context', mt1.name, 'status', '--output', 'json'], env)) as { agents: { node: string; healthy: boolean; syncErrors: number }[] };
    assert.deepEqual(json.agents.map((a) => [a.node, a.healthy, a.syncErrors]), [['n1', true, 0], ['n2', true, 0]]);
    const mesh = await weftOk(['clustermesh', 'status', '--context', mt1.name], env);
    assert.match(mesh, /- mt2: 2\/2 configured, 2\/2 connected\n {2}└ operator metrics: connected, ready, last sync \d+[sm].* ago, 0 failures/);
    const meshJson = JSON.parse(await weftOk(['clustermesh', 'status', '--context', mt2.name, '--output', 'json'], env)) as { ok: boolean; operatorMetrics: { reachable: boolean; remotes: Record<string, { connected: boolean; failures: number }> } };
    assert.equal(meshJson.ok, true);
    assert.deepEqual(meshJson.operatorMetrics.remotes['mt1'], { ...meshJson.operatorMetrics.remotes['mt1'], connected: true, failures: 0 });
    const lab = await weftOk(['lab', 'status'], env);
    assert.match(lab, /HEALTH/);
    assert.match(lab, /mt1.*cp.*etcd ✅ operator ✅ mesh-proxy -/);
    assert.match(lab, /mt2.*n1.*agent ✅/);
    const labJson = JSON.parse(await weftOk(['lab', 'status', '--output', 'json'], env)) as LabStatus;
    const states = labJson.clusters.flatMap((c) => c.hosts.flatMap((h) => h.processes.map((p) => `${c.name}/${h.name}/${p.name}:${p.health.state}`)));
    assert.equal(states.filter((x) => x.endsWith(':ok')).length, 7, states.join(' '));
    assert.ok(states.every((x) => x.endsWith(':ok') || x.endsWith('mesh-proxy:none')), states.join(' '));
  });
});
