/**
 * Pod-to-pod across nodes on a hand-built topology (netns wf-it-dp-*): an
 * underlay bridge, three nodes, one pod per node wired as the CNI does it.
 * Weft's compile + apply runs for each node; traffic is a TCP round trip
 * (the machine has no ping). Native first, then a live switch to tunnel.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildBase, syncWeft } from '../../bench/handbuilt.ts';
import type { BaseTopology, TopoNode, TopoPod } from '../../bench/handbuilt.ts';
import { startEchoServer, tcpReachable } from '../../bench/podTraffic.ts';
import type { RunningServer } from '../../bench/podTraffic.ts';
import type { KernelDatapathApplier } from '../../src/datapath/routes/apply.ts';
import { readKernelState } from '../../src/datapath/routes/kernelState.ts';
import { netnsNetTools } from '../../src/datapath/netTools.ts';
import type { SyncReport } from '../../src/datapath/routes/types.ts';

const PORT = 7000;
let topo: BaseTopology;
const servers: RunningServer[] = [];

function at<T>(xs: readonly T[], i: number): T {
  const x = xs[i];
  if (x === undefined) throw new Error(`no element ${i}`);
  return x;
}

async function reach(from: TopoPod, to: TopoPod): Promise<boolean> {
  return tcpReachable(from.netns, to.ip, PORT, 2000);
}

function allCommands(reports: Map<string, SyncReport>): string[] {
  return [...reports.values()].flatMap((r) => r.commands);
}

async function routesOn(node: TopoNode): Promise<string[]> {
  return (await readKernelState(netnsNetTools(node.netns))).routes.map((r) => r.dst).sort();
}

before(async () => {
  topo = await buildBase({ prefix: 'wf-it-dp-', nodeCount: 3, cniWiring: true });
  for (const pod of topo.pods) servers.push(await startEchoServer(pod.netns, pod.ip, PORT));
});

after(async () => {
  for (const s of servers) await s.stop();
  await topo.cleanup();
});

for (const mode of ['native', 'tunnel'] as const) {
  void describe(`datapath ${mode}`, () => {
    let appliers: Map<string, KernelDatapathApplier>;
    before(() => {
      appliers = new Map();
    });

    void it('pods reach each other across nodes', async () => {
      const [a, b, c] = [at(topo.pods, 0), at(topo.pods, 1), at(topo.pods, 2)];
      await syncWeft(topo, mode, appliers);
      assert.ok(await reach(a, b), 'pod 1 → pod 2');
      assert.ok(await reach(b, a), 'pod 2 → pod 1');
      assert.ok(await reach(c, a), 'pod 3 → pod 1');
      assert.deepEqual(await routesOn(at(topo.nodes, 0)), ['10.244.2.0/24', '10.244.3.0/24']);
    });

    void it('a second sync runs no command; a restarted applier changes nothing', async () => {
      assert.deepEqual(allCommands(await syncWeft(topo, mode, appliers)), []);
      const restarted = await syncWeft(topo, mode, new Map());
      assert.deepEqual(allCommands(restarted), []);
      assert.ok([...restarted.values()].every((r) => r.fullResync));
    });

    void it('removing a node removes its routes and only them', async () => {
      const [a, b, c] = [at(topo.pods, 0), at(topo.pods, 1), at(topo.pods, 2)];
      const reports = await syncWeft(topo, mode, appliers, topo.nodes.slice(0, 2));
      const deletes = mode === 'native' ? 1 : 3;
      assert.deepEqual(reports.get('node1')?.changes, { add: 0, replace: 0, delete: deletes });
      assert.deepEqual(await routesOn(at(topo.nodes, 0)), ['10.244.2.0/24']);
      assert.deepEqual(await routesOn(at(topo.nodes, 1)), ['10.244.1.0/24']);
      assert.ok(await reach(a, b), 'pod 1 → pod 2 still works');
      assert.equal(await reach(a, c), false, 'pod 1 → pod 3 no longer routed');
      assert.deepEqual(allCommands(await syncWeft(topo, mode, appliers, topo.nodes.slice(0, 2))), []);
    });
  });
}

void describe('datapath teardown', () => {
  void it('an empty desired state leaves nothing of Weft on the nodes', async () => {
    const appliers = new Map<string, KernelDatapathApplier>();
    await syncWeft(topo, 'tunnel', appliers);
    for (const node of topo.nodes) {
      const applier = appliers.get(node.name);
      assert.ok(applier);
      await applier.sync({ routes: [], warnings: [] });
      assert.deepEqual(await readKernelState(netnsNetTools(node.netns)), { routes: [], vxlan: undefined, neighbours: [], fdb: [] });
    }
  });
});
