import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Answer } from 'dns-packet';
import { BADVERS, ednsRequest, replyOpt, udpLimit, UDP_MIN_PAYLOAD, UDP_OUR_PAYLOAD } from './edns.ts';

function opt(over: Partial<{ name: string; udpPayloadSize: number; ednsVersion: number }> = {}): Answer {
  return { type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [], ...over };
}

void describe('ednsRequest', () => {
  void it('is none without an OPT, and a clamped payload size with one OPT of version 0', () => {
    assert.deepEqual(ednsRequest([]), { kind: 'none' });
    assert.deepEqual(ednsRequest([opt()]), { kind: 'ok', udpPayloadSize: UDP_OUR_PAYLOAD });
    assert.deepEqual(ednsRequest([opt({ udpPayloadSize: 100 })]), { kind: 'ok', udpPayloadSize: UDP_MIN_PAYLOAD });
  });

  void it('is BADVERS for versions above 0', () => {
    assert.deepEqual(ednsRequest([opt({ ednsVersion: 1 })]), { kind: 'badvers', version: 1 });
    assert.deepEqual(ednsRequest([opt({ ednsVersion: 255 })]), { kind: 'badvers', version: 255 });
  });

  void it('is FORMERR for two OPT records or an OPT not owned by the root', () => {
    const two = ednsRequest([opt(), opt()]);
    assert.equal(two.kind, 'formerr');
    assert.match(two.kind === 'formerr' ? two.reason : '', /2 OPT records/);
    assert.equal(ednsRequest([opt({ name: 'example.com' })]).kind, 'formerr');
  });
});

void describe('replyOpt / udpLimit', () => {
  void it('puts the upper 8 bits of the rcode in our OPT (BADVERS 16 → 1), version 0', () => {
    const [o] = replyOpt({ kind: 'badvers', version: 1 }, BADVERS);
    assert.ok(o && o.type === 'OPT');
    assert.equal(o.extendedRcode, 1);
    assert.equal(o.ednsVersion, 0);
    assert.equal(replyOpt({ kind: 'ok', udpPayloadSize: 1232 }, 3)[0]?.type, 'OPT');
  });

  void it('carries no OPT without a usable one in the query', () => {
    assert.deepEqual(replyOpt({ kind: 'none' }, 0), []);
    assert.deepEqual(replyOpt({ kind: 'formerr', reason: 'x' }, 1), []);
  });

  void it('limits UDP replies to 512 bytes without EDNS', () => {
    assert.equal(udpLimit({ kind: 'none' }), UDP_MIN_PAYLOAD);
    assert.equal(udpLimit({ kind: 'ok', udpPayloadSize: 1000 }), 1000);
  });
});
