import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseExposition, samplesOf, sumOf, valueOf } from './exposition.ts';

const TEXT = `# HELP weft_drops_total Packets dropped
# TYPE weft_drops_total counter
weft_drops_total{reason="policy_denied",direction="ingress"} 7
weft_drops_total{reason="policy_denied",direction="egress"} 0
weft_endpoints 3
weft_odd{msg="a \\"quoted\\" \\\\ value\\nnext",x="1"} 1.5e3 1700000000000
weft_hist_bucket{le="+Inf"} 4
weft_nan NaN
`;

void describe('parseExposition', () => {
  void it('reads samples with labels (escapes undone), skips comments, tolerates a timestamp', () => {
    const s = parseExposition(TEXT);
    assert.equal(s.length, 6);
    assert.equal(valueOf(s, 'weft_drops_total', { direction: 'ingress' }), 7);
    assert.equal(sumOf(s, 'weft_drops_total', { reason: 'policy_denied' }), 7);
    assert.equal(valueOf(s, 'weft_endpoints'), 3);
    assert.deepEqual(samplesOf(s, 'weft_odd')[0]?.labels, { msg: 'a "quoted" \\ value\nnext', x: '1' });
    assert.equal(valueOf(s, 'weft_odd'), 1500);
    assert.equal(valueOf(s, 'weft_hist_bucket', { le: '+Inf' }), 4);
    assert.ok(Number.isNaN(valueOf(s, 'weft_nan')));
    assert.equal(valueOf(s, 'weft_missing'), undefined);
    assert.equal(sumOf(s, 'weft_missing'), 0);
  });

  void it('a malformed line is an error naming it', () => {
    assert.throws(() => parseExposition('weft_x{a=1} 2'), /weft_x\{a=1\} 2.*malformed labels/);
    assert.throws(() => parseExposition('weft_x abc'), /has no numeric value/);
    assert.throws(() => parseExposition('{a="1"} 2'), /does not start with a metric name/);
    assert.throws(() => parseExposition('weft_x{a="1'), /malformed labels/);
  });
});
