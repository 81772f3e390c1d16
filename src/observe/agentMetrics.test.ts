import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createAgentMetrics, nftElementCounts } from './agentMetrics.ts';
import { parseExposition, sumOf, valueOf } from './exposition.ts';
import { compileServices } from '../datapath/services/servicesCompile.ts';
import type { DnsServerStats } from '../dns/server.ts';

const be = (ip: string) => ({ ip, port: 8080, cluster: 'c1', preferred: true, ready: true });

void describe('nftElementCounts', () => {
  void it('counts frontends, their backends, ipcache entries and policy set elements', () => {
    const services = compileServices([
      { namespace: 'default', name: 'web', clusterIP: '10.96.0.10', port: 80, protocol: 'TCP', backends: [be('10.244.2.7'), be('10.244.2.8')], allBackends: [] },
      { namespace: 'default', name: 'dns', clusterIP: '10.96.0.11', port: 53, protocol: 'UDP', backends: [], allBackends: [] },
    ]);
    const policy = new Map([['10.244.1.5', { ip: '10.244.1.5', sets: new Map([['pol-in-l3', ['a', 'b']], ['pol-in-enforced', ['c']]]), signature: 'x' }]]);
    assert.deepEqual(nftElementCounts({ services, ipcache: new Map([['10.244.2.7', '0x1'], ['10.244.2.8', '0x1']]), policy }), { services: 2, backends: 2, ipcache: 2, policy: 3 });
  });
});

void describe('createAgentMetrics', () => {
  const dnsStats = (): DnsServerStats => ({ queries: 5, rcodes: { NOERROR: 3, NXDOMAIN: 2 }, dropped: 1, names: 4, tcp: { open: 0, refused: 0, timedOut: 0 } as unknown as DnsServerStats['tcp'] });

  void it('serves the datapath, DNS, identity and drop metrics by Prometheus conventions, one registry per instance', async () => {
    const errors: string[] = [];
    const m = createAgentMetrics({
      cluster: 'c1',
      node: 'n1',
      processMetrics: false,
      dns: dnsStats,
      identities: () => ({ local: 3, remote: 2 }),
      dropRecords: () =>
        Promise.resolve({
          counters: new Map([['forwarded', { packets: 100, bytes: 1 }], ['policy-drops-ingress', { packets: 7, bytes: 1 }]]),
          flows: [{ direction: 'ingress' as const, saddr: 'a', daddr: 'b', proto: 'tcp', port: 80, peerIdentity: 2, packets: 7, bytes: 1, expiresS: undefined }],
        }),
      onCollectError: (s) => void errors.push(s),
    });
    const other = createAgentMetrics({ cluster: 'c1', node: 'n2', processMetrics: false });
    m.datapath.synced(0.004, { services: 2, backends: 3, ipcache: 9, policy: 4 }, 2);
    m.datapath.failed(0.2);
    m.dnsQuery(0.0002);
    const answer = await m.scrape();
    assert.equal(answer.status, 200);
    assert.match(answer.contentType, /^text\/plain; version=0\.0\.4/);
    const s = parseExposition(answer.body);
    assert.equal(valueOf(s, 'weft_agent_info', { cluster: 'c1', node: 'n1' }), 1);
    assert.equal(valueOf(s, 'weft_datapath_sync_duration_seconds_count', { outcome: 'success' }), 1);
    assert.equal(valueOf(s, 'weft_datapath_sync_duration_seconds_bucket', { outcome: 'success', le: '0.005' }), 1);
    assert.equal(valueOf(s, 'weft_datapath_sync_errors_total'), 1);
    const last = valueOf(s, 'weft_datapath_last_sync_timestamp_seconds') ?? 0;
    assert.ok(Math.abs(last - Date.now() / 1000) < 5, String(last));
    assert.equal(valueOf(s, 'weft_nftables_elements', { kind: 'backends' }), 3);
    assert.equal(valueOf(s, 'weft_nftables_elements', { kind: 'ipcache' }), 9);
    assert.equal(valueOf(s, 'weft_endpoints'), 2);
    assert.equal(valueOf(s, 'weft_identities', { origin: 'remote' }), 2);
    assert.equal(valueOf(s, 'weft_dns_queries_total', { rcode: 'NXDOMAIN' }), 2);
    assert.equal(sumOf(s, 'weft_dns_queries_total'), 5);
    assert.equal(valueOf(s, 'weft_dns_dropped_messages_total'), 1);
    assert.equal(valueOf(s, 'weft_dns_query_duration_seconds_count'), 1);
    assert.equal(valueOf(s, 'weft_forwarded_packets_total'), 100);
    assert.equal(valueOf(s, 'weft_drops_total', { reason: 'policy_denied', direction: 'ingress' }), 7);
    assert.equal(valueOf(s, 'weft_drops_total', { reason: 'policy_denied', direction: 'egress' }), 0);
    assert.equal(valueOf(s, 'weft_policy_denied_flows', { direction: 'ingress' }), 1);
    assert.deepEqual(errors, []);
    // A second scrape does not double the exposed counts (they are the sources' values, not added again).
    const again = parseExposition((await m.scrape()).body);
    assert.equal(sumOf(again, 'weft_dns_queries_total'), 5);
    assert.equal(valueOf(again, 'weft_drops_total', { direction: 'ingress' }), 7);
    // The other instance has its own registry.
    const o = parseExposition((await other.scrape()).body);
    assert.equal(valueOf(o, 'weft_datapath_sync_errors_total'), 0);
    assert.equal(valueOf(o, 'weft_agent_info', { node: 'n2' }), 1);
  });

  void it('a failing source is counted and reported; the scrape still answers; process metrics are on by default', async () => {
    const errors: string[] = [];
    const m = createAgentMetrics({ cluster: 'c1', node: 'n1', dropRecords: () => Promise.reject(new Error('nft gone')), onCollectError: (s) => void errors.push(s) });
    const s = parseExposition((await m.scrape()).body);
    assert.equal(valueOf(s, 'weft_metrics_collect_errors_total', { source: 'nft' }), 1);
    assert.equal(valueOf(s, 'weft_drops_total', { direction: 'ingress' }), 0);
    assert.deepEqual(errors, ['nft']);
    assert.ok((valueOf(s, 'process_cpu_user_seconds_total') ?? -1) >= 0);
  });
});

void describe('weft_flows_total', () => {
  void it('counts the recorded flows by verdict and drop reason (the policy verdicts)', async () => {
    const m = createAgentMetrics({
      cluster: 'c1',
      node: 'n1',
      processMetrics: false,
      flows: () => [
        { verdict: 'FORWARDED', reason: '', count: 12 },
        { verdict: 'DROPPED', reason: 'POLICY_DENIED', count: 3 },
      ],
    });
    const text = (await m.scrape()).body;
    assert.match(text, /# TYPE weft_flows_total counter/);
    assert.match(text, /weft_flows_total\{verdict="FORWARDED",reason=""\} 12/);
    assert.match(text, /weft_flows_total\{verdict="DROPPED",reason="POLICY_DENIED"\} 3/);
  });
});
