import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createOperatorMetrics } from './operatorMetrics.ts';
import { parseExposition, samplesOf, valueOf } from './exposition.ts';
import type { RemoteView } from '../model/remoteStatus.ts';

const view = (name: string, over: Partial<RemoteView> = {}): RemoteView => ({
  name,
  connected: true,
  listed: true,
  markerSeen: true,
  counts: { nodes: 2, endpoints: 5, identities: 3, services: 1 },
  failures: 0,
  lastFailure: '',
  lastFailureAt: '',
  connectedSince: '2024-01-01T00:00:00.000Z',
  ...over,
});

void describe('createOperatorMetrics', () => {
  void it('per remote: connected, ready, objects by kind, failures from the views; last sync and propagation delay from the reflector', async () => {
    let views = [view('c2'), view('c3', { connected: false, listed: false, failures: 4 })];
    const m = createOperatorMetrics({ cluster: 'c1', remotes: () => views, processMetrics: false, now: () => 1_700_000_000_000 });
    m.mesh.synced('c2');
    m.mesh.propagated('c2', 0.003);
    m.mesh.propagated('c2', 0.2);
    const s = parseExposition((await m.scrape()).body);
    assert.equal(valueOf(s, 'weft_operator_info', { cluster: 'c1' }), 1);
    assert.equal(valueOf(s, 'weft_clustermesh_remote_clusters'), 2);
    assert.equal(valueOf(s, 'weft_clustermesh_remote_connected', { remote: 'c2' }), 1);
    assert.equal(valueOf(s, 'weft_clustermesh_remote_connected', { remote: 'c3' }), 0);
    assert.equal(valueOf(s, 'weft_clustermesh_remote_ready', { remote: 'c2' }), 1);
    assert.equal(valueOf(s, 'weft_clustermesh_remote_ready', { remote: 'c3' }), 0);
    assert.equal(valueOf(s, 'weft_clustermesh_remote_objects', { remote: 'c2', kind: 'endpoints' }), 5);
    assert.equal(valueOf(s, 'weft_clustermesh_remote_failures_total', { remote: 'c3' }), 4);
    assert.equal(valueOf(s, 'weft_clustermesh_remote_last_sync_timestamp_seconds', { remote: 'c2' }), 1_700_000_000);
    assert.equal(valueOf(s, 'weft_clustermesh_propagation_delay_seconds_count', { remote: 'c2' }), 2);
    assert.equal(valueOf(s, 'weft_clustermesh_propagation_delay_seconds_bucket', { remote: 'c2', le: '0.005' }), 1);
    // c3 disconnected: its series go.
    views = [view('c2')];
    m.mesh.forget('c3');
    m.mesh.forget('c2');
    const after = parseExposition((await m.scrape()).body);
    assert.equal(samplesOf(after, 'weft_clustermesh_remote_connected').length, 1);
    assert.equal(valueOf(after, 'weft_clustermesh_remote_failures_total', { remote: 'c3' }), undefined);
    assert.equal(valueOf(after, 'weft_clustermesh_remote_last_sync_timestamp_seconds', { remote: 'c2' }), undefined);
  });

  void it('without a reflector: no remote series, the count is 0; two operators have two registries', async () => {
    const a = createOperatorMetrics({ cluster: 'c1', processMetrics: false });
    const b = createOperatorMetrics({ cluster: 'c2', processMetrics: false });
    const s = parseExposition((await a.scrape()).body);
    assert.equal(valueOf(s, 'weft_clustermesh_remote_clusters'), 0);
    assert.equal(samplesOf(s, 'weft_clustermesh_remote_connected').length, 0);
    assert.equal(valueOf(parseExposition((await b.scrape()).body), 'weft_operator_info', { cluster: 'c2' }), 1);
  });
});
