import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { endpointDropCounts, parseDropFlows, parseEndpointDrops, parseNamedCounters, readEndpointDropCounts } from './policyDrops.ts';
import { WeftError, ErrorCode } from '../../errors.ts';

/** Captured from nft 1.0.6 after a pod with egress default-deny tried TCP to two pods and sent one ICMP echo. */
const fixture = JSON.parse(readFileSync(new URL('./policyKernel.fixture.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const captured = (name: string): string => JSON.stringify(fixture[name]);

void describe('policy drop records', () => {
  void it('parses the flow set: addresses, protocol, port (0 for ICMP), peer identity, counter', () => {
    assert.deepEqual(parseDropFlows(captured('pol-drops-out-flows'), 'egress'), [
      { direction: 'egress', saddr: '10.1.0.7', daddr: '10.1.0.5', proto: 'tcp', port: 6379, peerIdentity: 2, packets: 2, bytes: 120, expiresS: 596 },
      { direction: 'egress', saddr: '10.1.0.7', daddr: '10.1.0.6', proto: 'icmp', port: 0, peerIdentity: 65792, packets: 1, bytes: 28, expiresS: 599 },
      { direction: 'egress', saddr: '10.1.0.7', daddr: '10.1.0.6', proto: 'tcp', port: 80, peerIdentity: 65792, packets: 2, bytes: 120, expiresS: 598 },
    ]);
  });
  void it('parses an empty flow set (no elem) as no flow', () => {
    assert.deepEqual(parseDropFlows(captured('pol-drops-in-flows'), 'ingress'), []);
  });
  void it('counts drops per endpoint and direction', () => {
    const eps = parseEndpointDrops(captured('pol-drops-out-ep'), 'egress');
    assert.deepEqual(eps, [{ direction: 'egress', ip: '10.1.0.7', packets: 5, bytes: 268 }]);
    const counts = endpointDropCounts([...eps, { direction: 'ingress', ip: '10.1.0.7', packets: 3, bytes: 1 }]);
    assert.deepEqual([...counts], [['10.1.0.7', { ingress: 3, egress: 5 }]]);
  });
  void it('reads both directions; a node without the table has no drops, other failures throw', async () => {
    const counts = await readEndpointDropCounts({
      run: (_t, args) => Promise.resolve(args.includes('pol-drops-out-ep') ? captured('pol-drops-out-ep') : captured('pol-drops-in-flows').replace('pol-drops-in-flows', 'pol-drops-in-ep')),
    });
    assert.deepEqual([...counts], [['10.1.0.7', { ingress: 0, egress: 5 }]]);
    const missing = await readEndpointDropCounts({ run: () => Promise.reject(new WeftError(ErrorCode.CommandFailed, 'Error: No such file or directory')) });
    assert.equal(missing.size, 0);
    await assert.rejects(readEndpointDropCounts({ run: () => Promise.reject(new WeftError(ErrorCode.CommandFailed, 'Operation not permitted')) }), /not permitted/);
  });
});

void describe('parseNamedCounters', () => {
  void it('reads `nft -j list counters` (nft 1.0.6) into name → packets and bytes', () => {
    const json =
      '{"nftables": [{"metainfo": {"version": "1.0.6", "json_schema_version": 1}}, {"counter": {"family": "inet", "name": "forwarded", "table": "weft", "handle": 1, "packets": 12, "bytes": 900}}, {"counter": {"family": "inet", "name": "policy-drops-ingress", "table": "weft", "handle": 2, "packets": 3, "bytes": 180}}]}';
    assert.deepEqual(Object.fromEntries(parseNamedCounters(json)), { forwarded: { packets: 12, bytes: 900 }, 'policy-drops-ingress': { packets: 3, bytes: 180 } });
    assert.equal(parseNamedCounters('{"nftables": []}').size, 0);
  });
});
