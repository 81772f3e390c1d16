import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { agentHealthOf, ago, formatAgentLine, formatRemoteMetricsLine, operatorMetricsOf, operatorUrlOf } from './statusMetrics.ts';
import { parseExposition } from './exposition.ts';

const NOW = Date.parse('2024-05-01T12:00:10Z');
const AGENT = parseExposition(`weft_datapath_last_sync_timestamp_seconds ${Date.parse('2024-05-01T12:00:07Z') / 1000}\nweft_datapath_sync_errors_total 2\nweft_endpoints 1\n`);
const OPERATOR = parseExposition(
  [
    'weft_clustermesh_remote_connected{remote="c2"} 1',
    'weft_clustermesh_remote_ready{remote="c2"} 1',
    `weft_clustermesh_remote_last_sync_timestamp_seconds{remote="c2"} ${Date.parse('2024-05-01T11:58:00Z') / 1000}`,
    'weft_clustermesh_remote_failures_total{remote="c2"} 0',
    'weft_clustermesh_remote_connected{remote="c3"} 0',
    'weft_clustermesh_remote_ready{remote="c3"} 0',
    'weft_clustermesh_remote_failures_total{remote="c3"} 5',
  ].join('\n'),
);

void describe('status from metrics', () => {
  void it("an agent's line: health, last datapath sync, sync errors, endpoints; unreachable names the URL", () => {
    const a = agentHealthOf('n1', 'http://172.30.1.11:9962', { ok: true, error: '' }, { ok: true, samples: AGENT });
    assert.deepEqual(a, { node: 'n1', url: 'http://172.30.1.11:9962', healthy: true, lastSync: '2024-05-01T12:00:07.000Z', syncErrors: 2, endpoints: 1, error: '' });
    assert.equal(formatAgentLine(a, NOW), 'n1: ✅ healthy, last datapath sync 3s ago, 2 sync errors, 1 endpoints');
    const down = agentHealthOf('n2', 'http://172.30.1.12:9962', { ok: false, error: 'http://172.30.1.12:9962/healthz: fetch failed' }, { ok: false, error: 'http://172.30.1.12:9962/metrics: fetch failed' });
    assert.match(formatAgentLine(down, NOW), /^n2: ❌ unreachable \(http:\/\/172\.30\.1\.12:9962\/healthz: fetch failed; .*metrics: fetch failed\)$/);
  });

  void it("per remote what the operator's metrics say", () => {
    const op = operatorMetricsOf('http://172.30.1.10:9963', { ok: true, samples: OPERATOR });
    assert.deepEqual(op.remotes['c2'], { connected: true, ready: true, lastSync: '2024-05-01T11:58:00.000Z', failures: 0 });
    assert.equal(formatRemoteMetricsLine(op, 'c2', NOW), '  └ operator metrics: connected, ready, last sync 2m10s ago, 0 failures');
    assert.equal(formatRemoteMetricsLine(op, 'c3', NOW), '  └ operator metrics: not connected, not ready, last sync never, 5 failures');
    assert.match(formatRemoteMetricsLine(op, 'c9', NOW), /no series for c9/);
    assert.match(formatRemoteMetricsLine(operatorMetricsOf('http://x:9963', { ok: false, error: 'http://x:9963/metrics: timeout' }), 'c2', NOW), /❌ unreachable \(http:\/\/x:9963\/metrics: timeout\)/);
    assert.match(formatRemoteMetricsLine(undefined, 'c2', NOW), /no operator address/);
  });

  void it('the operator beside etcd: its URL from the first etcd endpoint; ago()', () => {
    assert.equal(operatorUrlOf(['https://172.30.1.10:2379', 'https://x:2379']), 'http://172.30.1.10:9963');
    assert.equal(operatorUrlOf(['10.0.0.1:2379']), 'http://10.0.0.1:9963');
    assert.equal(operatorUrlOf([]), undefined);
    assert.equal(ago('', NOW), 'never');
    assert.equal(ago('2024-05-01T09:30:10Z', NOW), '2h30m ago');
  });
});
