import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import { presentLabel, readQuestion, typeName } from './question.ts';

function query(name: string, type: 'A' | 'AAAA' = 'A'): Buffer {
  return dnsPacket.encode({ type: 'query', id: 1, questions: [{ type, name, class: 'IN' }] });
}

/** A query whose first label is `echo.1` (one label holding a dot), as `dig 'echo\.1.default…'` sends it. */
function escapedLabelQuery(): Buffer {
  const q = query('echoX1.default.svc.cluster.local');
  q[12 + 1 + 4] = 0x2e; // the 'X' of the first label becomes a literal '.'
  return q;
}

void describe('readQuestion', () => {
  void it('reads name, type and class, and keeps the question bytes as received', () => {
    const q = query('Echo-1.Default.svc.cluster.local', 'AAAA');
    const r = readQuestion(q);
    assert.ok(r);
    assert.equal(r.name, 'Echo-1.Default.svc.cluster.local');
    assert.equal(r.type, 28);
    assert.equal(r.class, 1);
    assert.deepEqual(r.wire, q.subarray(12));
  });

  void it('escapes a dot inside a label, so it never reads as two labels', () => {
    const r = readQuestion(escapedLabelQuery());
    assert.equal(r?.name, 'echo\\.1.default.svc.cluster.local');
    assert.equal(r.wire.length, escapedLabelQuery().length - 12);
  });

  void it('reads the root name as empty', () => {
    assert.equal(readQuestion(query('.'))?.name, '');
  });

  void it('refuses cut-short questions, compression pointers and names over 255 bytes', () => {
    const q = query('echo-1.default.svc.cluster.local');
    assert.equal(readQuestion(q.subarray(0, q.length - 1)), undefined);
    assert.equal(readQuestion(q.subarray(0, 20)), undefined);
    const pointer = Buffer.concat([q.subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]);
    assert.equal(readQuestion(pointer), undefined);
    const long = Buffer.concat([q.subarray(0, 12), ...Array.from({ length: 5 }, () => Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 0x61)])), Buffer.from([0, 0, 1, 0, 1])]);
    assert.equal(readQuestion(long), undefined);
  });
});

void describe('presentLabel / typeName', () => {
  void it('escapes dot, backslash and unprintable bytes (RFC 1035 §5.1)', () => {
    assert.equal(presentLabel(Buffer.from('a.b\\c')), 'a\\.b\\\\c');
    assert.equal(presentLabel(Buffer.from([0x41, 0x00, 0x20, 0xff])), 'A\\000\\032\\255');
  });

  void it('names A, AAAA and ANY, and others by number', () => {
    assert.deepEqual([1, 28, 255, 16].map(typeName), ['A', 'AAAA', 'ANY', 'TYPE16']);
  });
});
