/**
 * Issue 13 item 1 end to end on two meshed lab clusters (one lab for every
 * case): seed 000's echo DaemonSet and global service echo-1 curled from a
 * client pod in fl2 → `weft observe --all-clusters -o json` shows FORWARDED
 * flows from the client to an echo pod in each cluster via default/echo-1;
 * a CiliumNetworkPolicy that admits only other clients → DROPPED
 * POLICY_DENIED; a service without backends → REJECTED NO_SERVICE_BACKENDS.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/util/paths.ts';
import { Flow } from '../../src/model/flow.ts';
import { upMeshedPair } from '../support/meshLab.ts';
import { runningPods, waitFor, weft, weftOk } from '../support/weft.ts';

const ECHO = readFileSync(path.join(PROJECT_ROOT, 'examples/seed-000/echo.yaml'), 'utf8');
const CLIENT = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: client }
spec:
  replicas: 1
  selector: { matchLabels: { app: client } }
  template:
    metadata: { labels: { app: client } }
    spec:
      containers: [{ name: client, image: echo, ports: [{ containerPort: 9000 }] }]
---
apiVersion: v1
kind: Service
metadata: { name: nobody }
spec:
  ports: [{ port: 80, targetPort: 8080 }]
  selector: { app: nobody-has-this-label }
`;
const DENY_CLIENT = `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: echo-friends-only }
spec:
  endpointSelector: { matchLabels: { run: echo-1 } }
  ingress:
    - fromEndpoints: [{ matchLabels: { app: friend } }]
`;

describe('flows: weft observe across two clusters', { concurrency: false }, () => {
  const home = mkdtempSync(path.join(tmpdir(), 'wf-flows-it-'));
  const env = { ...process.env, WEFT_HOME: home };
  const FL1 = 'fl1';
  const FL2 = 'fl2';
  let client = '';

  const observe = async (args: readonly string[]): Promise<Flow[]> =>
    (await weftOk(['--context', FL2, 'observe', '--all-clusters', '-o', 'json', '--last', '1000', ...args], env))
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => Flow.parse(JSON.parse(l)));

  before(async () => {
    await upMeshedPair(
      env,
      { name: FL1, id: 241, nodes: 2, podCidr: '10.241.0.0/16', serviceCidr: '10.242.0.0/16' },
      { name: FL2, id: 243, nodes: 1, podCidr: '10.243.0.0/16', serviceCidr: '10.244.0.0/16' },
    );
    for (const c of [FL1, FL2]) await weftOk(['--context', c, 'apply', '-f', '-'], env, ECHO);
    await weftOk(['--context', FL2, 'apply', '-f', '-'], env, CLIENT);
    await runningPods(FL1, env, 'run=echo-1', 2);
    await runningPods(FL2, env, 'run=echo-1', 1);
    client = (await runningPods(FL2, env, 'app=client', 1))[0]?.metadata.name ?? '';
  });

  after(async () => {
    const down = await weft(['lab', 'down'], env);
    rmSync(home, { recursive: true, force: true });
    assert.equal(down.code, 0, down.stderr);
  });

  test('curl echo-1 from fl2: FORWARDED flows from the client to an echo pod in each cluster, via service default/echo-1', async () => {
    const loop = 'for i in $(seq 16); do curl -sS --max-time 3 http://echo-1/ >/dev/null || true; done';
    const seen = await waitFor('forwarded flows to both clusters', async () => {
      await weft(['--context', FL2, 'exec', client, '--', 'sh', '-c', loop], env);
      const flows = (await observe(['--verdict', 'FORWARDED', '--from-pod', `default/${client}`])).filter((f) => f.service?.name === 'echo-1');
      const clusters = new Set(flows.map((f) => f.destination.cluster));
      return clusters.has(FL1) && clusters.has(FL2) ? flows : undefined;
    }, 60_000, 1000);
    const f = seen.find((x) => x.destination.cluster === FL1);
    assert.ok(f);
    assert.equal(f.cluster, FL2, 'seen by the client node');
    assert.deepEqual([f.protocol, f.source.pod, f.source.namespace, f.source.cluster, f.destination.port, f.service?.namespace, f.service?.port], ['TCP', client, 'default', FL2, 8080, 'default', 80]);
    assert.match(f.destination.pod ?? '', /^echo-1-/);
    assert.ok((f.source.identity ?? 0) > 0 && (f.destination.identity ?? 0) > 0, 'identities resolved');
    // The backend's node in fl1 saw the same connection arrive (pod to pod, no service there).
    const arrived = await observe(['--cluster', FL1, '--from-pod', client, '--verdict', 'FORWARDED']);
    assert.ok(arrived.some((x) => x.cluster === FL1 && x.destination.cluster === FL1), 'fl1 agents record the arriving connection');
    // compact output, hubble's shape.
    const compact = await weftOk(['--context', FL2, 'observe', '--all-clusters', '--from-pod', client, '--to-pod', 'echo-1', '--last', '1'], env);
    assert.match(compact, /^\w{3} [ \d]\d \d\d:\d\d:\d\d\.\d{3} \[fl[12]\/\S+\]: default\/client-\S+:\d+ \(ID:\d+\) -> default\/echo-1-\S+:8080 \(ID:\d+\) to-endpoint FORWARDED \(TCP\)/m);
  });

  test('a service without backends: REJECTED NO_SERVICE_BACKENDS', async () => {
    const r = await weft(['--context', FL2, 'exec', client, '--', 'curl', '-sS', '--max-time', '3', 'http://nobody/'], env);
    assert.notEqual(r.code, 0);
    const flows = await waitFor('a rejected flow', async () => {
      const f = await observe(['--verdict', 'REJECTED']);
      return f.length > 0 ? f : undefined;
    }, 15_000, 500);
    assert.deepEqual([flows[0]?.dropReason, flows[0]?.source.pod, flows[0]?.service?.name, flows[0]?.destination.port], ['NO_SERVICE_BACKENDS', client, 'nobody', 80]);
  });

  test('a CiliumNetworkPolicy admitting only friends: the client is DROPPED POLICY_DENIED', async () => {
    for (const c of [FL1, FL2]) await weftOk(['--context', c, 'apply', '-f', '-'], env, DENY_CLIENT);
    const flows = await waitFor('dropped flows', async () => {
      await weft(['--context', FL2, 'exec', client, '--', 'curl', '-sS', '--max-time', '2', 'http://echo-1/'], env);
      const f = await observe(['--verdict', 'DROPPED', '--from-pod', client]);
      return f.length > 0 ? f : undefined;
    }, 60_000, 1000);
    const d = flows[0];
    assert.ok(d);
    assert.deepEqual([d.dropReason, d.direction, d.protocol, d.destination.port], ['POLICY_DENIED', 'ingress', 'TCP', 8080]);
    assert.match(d.destination.pod ?? '', /^echo-1-/);
    // monitor --type drop still reads the same records.
    const mon = await weftOk(['--context', d.cluster, 'monitor', '--once'], env);
    assert.match(mon, new RegExp(client));
  });
});
