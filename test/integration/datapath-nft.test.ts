/**
 * Weft's nftables table on the kernel: applied in one transaction (twice
 * gives the same table), its forward counter counts pod traffic across
 * nodes and survives a re-apply, and it is deleted cleanly.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildBase, syncWeft } from '../../bench/handbuilt.ts';
import type { BaseTopology, TopoNode } from '../../bench/handbuilt.ts';
import { measureRtt, startEchoServer } from '../../bench/podTraffic.ts';
import type { RunningServer } from '../../bench/podTraffic.ts';
import { applyNftTable, deleteNftTable, listNftTable } from '../../src/datapath/nft/nft.ts';
import { compileNftTable, SVC_STATIC_CHAINS } from '../../src/datapath/nft/nftTable.ts';
import { netnsNetTools } from '../../src/datapath/netTools.ts';

let topo: BaseTopology;
let server: RunningServer;
let node1: TopoNode;

before(async () => {
  topo = await buildBase({ prefix: 'wf-it-dp-f', nodeCount: 2, cniWiring: true });
  await syncWeft(topo, 'native', new Map());
  const [n1] = topo.nodes;
  const podB = topo.pods[1];
  if (n1 === undefined || podB === undefined) throw new Error('topology incomplete');
  node1 = n1;
  server = await startEchoServer(podB.netns, podB.ip, 7001);
});

after(async () => {
  await server.stop();
  await topo.cleanup();
});

void describe('nft table inet weft', () => {
  void it('applies in one transaction, idempotently', async () => {
    const tools = netnsNetTools(node1.netns);
    assert.equal(await listNftTable('weft', tools), undefined);
    await applyNftTable(compileNftTable(), tools);
    await applyNftTable(compileNftTable(), tools);
    const table = await listNftTable('weft', tools);
    assert.deepEqual(table?.chains, ['pol-in', 'pol-out', 'forward', ...SVC_STATIC_CHAINS]);
    assert.equal(table?.rules['forward'], 6);
  });

  void it('counts forwarded pod traffic, and the counter survives a re-apply', async () => {
    const tools = netnsNetTools(node1.netns);
    const [podA, podB] = topo.pods;
    assert.ok(podA && podB);
    const rtt = await measureRtt(podA.netns, podB.ip, 7001, { count: 10, timeoutMs: 3000 });
    assert.ok(rtt.ok, rtt.error);
    const before = (await listNftTable('weft', tools))?.counters['forwarded']?.packets ?? 0;
    assert.ok(before >= 20, `forwarded counter ${before} < 20 after 10 round trips`);
    await applyNftTable(compileNftTable(), tools);
    const after = (await listNftTable('weft', tools))?.counters['forwarded']?.packets ?? 0;
    assert.ok(after >= before, `counter went from ${before} to ${after} on re-apply`);
  });

  void it('is deleted, and deleting it again reports false', async () => {
    const tools = netnsNetTools(node1.netns);
    assert.equal(await deleteNftTable('weft', tools), true);
    assert.equal(await deleteNftTable('weft', tools), false);
    assert.equal(await listNftTable('weft', tools), undefined);
  });
});
