import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import type { Answer, Packet } from 'dns-packet';
import { respond, UDP_OUR_PAYLOAD } from './packet.ts';
import { buildDnsTable } from './records.ts';
import type { DnsTable } from './records.ts';

/** The data of the first answer when it is a string (A records). */
function firstIp(p: { answers?: Answer[] | undefined } | undefined): string | undefined {
  const a = p?.answers?.[0];
  return a !== undefined && 'data' in a && typeof a.data === 'string' ? a.data : undefined;
}

const table = buildDnsTable({
  cluster: 'c1',
  services: [{ namespace: 'default', name: 'echo-1', clusterIP: '10.101.0.10', global: true }],
});

function query(name: string, type: 'A' | 'AAAA' | 'MX' = 'A', extra: Partial<Packet> = {}): Buffer {
  return dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }], ...extra });
}

function ask(buf: Buffer, t: DnsTable = table, udp = true): dnsPacket.DecodedPacket & { rcode?: string } {
  const reply = respond(buf, t, { udp });
  assert.ok(reply, 'expected a reply');
  return dnsPacket.decode(reply.bytes);
}

void describe('respond', () => {
  void it('answers an A query: same id and question, QR, AA, RD echoed, no RA', () => {
    const r = ask(query('echo-1.default.svc.cluster.local'));
    assert.equal(r.id, 4242);
    assert.equal(r.type, 'response');
    assert.equal(r.rcode, 'NOERROR');
    assert.equal(r.flag_aa, true);
    assert.equal(r.flag_rd, true);
    assert.equal(r.flag_ra, false);
    assert.deepEqual(r.questions, [{ name: 'echo-1.default.svc.cluster.local', type: 'A', class: 'IN' }]);
    assert.deepEqual(r.answers, [{ name: 'echo-1.default.svc.cluster.local', type: 'A', class: 'IN', ttl: 5, flush: false, data: '10.101.0.10' }]);
  });

  void it('answers clusterset.local for a global service', () => {
    assert.equal(firstIp(ask(query('echo-1.default.svc.clusterset.local'))), '10.101.0.10');
  });

  void it('answers AAAA of a known name with NOERROR, no answers and the SOA', () => {
    const r = ask(query('echo-1.default.svc.cluster.local', 'AAAA'));
    assert.equal(r.rcode, 'NOERROR');
    assert.deepEqual(r.answers, []);
    assert.equal(r.authorities?.[0]?.type, 'SOA');
  });

  void it('answers unknown names with NXDOMAIN inside the zones (authoritative), REFUSED outside them', () => {
    const inside = ask(query('nope.default.svc.cluster.local'));
    assert.equal(inside.rcode, 'NXDOMAIN');
    assert.equal(inside.flag_aa, true);
    const outside = ask(query('example.com'));
    assert.equal(outside.rcode, 'REFUSED');
    assert.equal(outside.flag_aa, false);
    assert.deepEqual(outside.authorities, []);
  });

  void it('gives FORMERR to an undecodable query with a readable header, keeping its id', () => {
    const bad = query('echo-1.default.svc.cluster.local').subarray(0, 20);
    const reply = respond(bad, table, { udp: true });
    assert.equal(reply?.rcode, 'FORMERR');
    const r: dnsPacket.DecodedPacket & { rcode?: string } = dnsPacket.decode(reply.bytes);
    assert.equal(r.id, 4242);
    assert.equal(r.rcode, 'FORMERR');
    assert.equal(r.type, 'response');
  });

  void it('gives FORMERR to a query without exactly one question', () => {
    const none = dnsPacket.encode({ type: 'query', id: 1, questions: [] });
    assert.equal(respond(none, table, { udp: true })?.rcode, 'FORMERR');
    const two = dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'A', name: 'a.cluster.local' }, { type: 'A', name: 'b.cluster.local' }] });
    assert.equal(respond(two, table, { udp: true })?.rcode, 'FORMERR');
  });

  void it('drops responses, runts and random bytes without throwing', () => {
    const response = dnsPacket.encode({ type: 'response', id: 1, questions: [{ type: 'A', name: 'x.cluster.local' }] });
    assert.equal(respond(response, table, { udp: true }), undefined);
    assert.equal(respond(Buffer.from([1, 2, 3]), table, { udp: true }), undefined);
    assert.equal(respond(Buffer.alloc(0), table, { udp: true }), undefined);
    for (let seed = 1; seed <= 300; seed++) {
      const junk = Buffer.alloc(12 + (seed % 40), 0);
      for (let i = 0; i < junk.length; i++) junk[i] = (seed * 7919 + i * 104729) & 0xff;
      junk[2] = (junk[2] ?? 0) & 0x7f; // a query, so it is not simply dropped
      assert.doesNotThrow(() => respond(junk, table, { udp: true }));
    }
  });

  void it('answers other opcodes with NOTIMP and other classes with REFUSED', () => {
    const notify = query('echo-1.default.svc.cluster.local');
    notify.writeUInt16BE(notify.readUInt16BE(2) | (4 << 11), 2);
    assert.equal(respond(notify, table, { udp: true })?.rcode, 'NOTIMP');
    const chaos = dnsPacket.encode({ type: 'query', id: 7, questions: [{ type: 'TXT', name: 'version.bind', class: 'CH' }] });
    assert.equal(ask(chaos).rcode, 'REFUSED');
  });

  void it('echoes an OPT record when the query had one (EDNS)', () => {
    const q = query('echo-1.default.svc.cluster.local', 'A', {
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
    });
    const r = ask(q);
    const opt = r.additionals?.find((a) => a.type === 'OPT');
    assert.ok(opt && 'udpPayloadSize' in opt);
    assert.equal(opt.udpPayloadSize, UDP_OUR_PAYLOAD);
    assert.equal(ask(query('echo-1.default.svc.cluster.local')).additionals?.length, 0);
  });

  void it('truncates a UDP reply larger than 512 bytes (TC, no answers) but not over TCP', () => {
    const many: DnsTable = {
      cluster: 'c',
      size: 1,
      answer: (q) => ({
        rcode: 'NOERROR',
        authoritative: true,
        authorities: [],
        answers: Array.from({ length: 40 }, (_, i) => ({ name: q.name, type: 'A' as const, ttl: 5, data: `10.0.0.${i}` })),
      }),
    };
    const q = query('big.default.svc.cluster.local');
    const udp = ask(q, many, true);
    assert.equal(udp.flag_tc, true);
    assert.deepEqual(udp.answers, []);
    const tcp = ask(q, many, false);
    assert.equal(tcp.flag_tc, false);
    assert.equal(tcp.answers?.length, 40);
  });
});

/** The query's question section (name, type, class) as bytes. */
function questionBytes(msg: Buffer): Buffer {
  let o = 12;
  while (msg[o] !== 0) o += (msg[o] ?? 0) + 1;
  return msg.subarray(12, o + 5);
}

function opt(ednsVersion = 0): Answer {
  return { type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion, flags: 0, flag_do: false, options: [] };
}

void describe('respond: the question is echoed exactly', () => {
  void it('keeps a label holding a dot (echo\\.1) as one label: NXDOMAIN inside the zone, same question bytes', () => {
    const q = query('echoX1.default.svc.cluster.local');
    q[12 + 1 + 4] = 0x2e;
    const reply = respond(q, table, { udp: true });
    assert.equal(reply?.rcode, 'NXDOMAIN');
    assert.equal(reply.question, 'echo\\.1.default.svc.cluster.local/A');
    assert.deepEqual(questionBytes(reply.bytes), questionBytes(q));
    assert.equal(reply.bytes.readUInt16BE(4), 1);
  });

  void it('never reads one label holding the whole name as the service', () => {
    const name = 'echo-1.default.svc.cluster.local';
    const q = Buffer.concat([query('x').subarray(0, 12), Buffer.from([name.length]), Buffer.from(name), Buffer.from([0, 0, 1, 0, 1])]);
    const reply = respond(q, table, { udp: true });
    assert.equal(reply?.rcode, 'REFUSED');
    assert.deepEqual(questionBytes(reply.bytes), questionBytes(q));
  });

  void it('echoes the bytes whatever the answer: mixed case, non-UTF-8 labels, REFUSED, truncated', () => {
    const mixed = query('ECHO-1.default.SVC.cluster.local');
    assert.deepEqual(questionBytes(respond(mixed, table, { udp: true })?.bytes ?? Buffer.alloc(0)), questionBytes(mixed));
    const binary = query('xx.default.svc.cluster.local');
    binary[13] = 0xff;
    binary[14] = 0x00;
    const reply = respond(binary, table, { udp: true });
    assert.equal(reply?.rcode, 'NXDOMAIN');
    assert.deepEqual(questionBytes(reply.bytes), questionBytes(binary));
    for (const name of ['.', 'example.com']) {
      const r = respond(query(name), table, { udp: true });
      assert.equal(r?.rcode, 'REFUSED', name);
      assert.deepEqual(questionBytes(r.bytes), questionBytes(query(name)), name);
    }
  });
});

void describe('respond: EDNS', () => {
  void it('answers EDNS version 1 with BADVERS: header rcode 0, our OPT with extended rcode 1 and version 0, no answers', () => {
    const q = query('echo-1.default.svc.cluster.local', 'A', { additionals: [opt(1)] });
    const reply = respond(q, table, { udp: true });
    assert.equal(reply?.rcode, 'BADVERS');
    const r = dnsPacket.decode(reply.bytes);
    assert.equal(reply.bytes.readUInt16BE(2) & 0xf, 0);
    assert.deepEqual(r.answers, []);
    const o = r.additionals?.[0];
    assert.ok(o?.type === 'OPT');
    assert.equal(o.extendedRcode, 1);
    assert.equal(o.ednsVersion, 0);
    assert.deepEqual(questionBytes(reply.bytes), questionBytes(q));
  });

  void it('answers two OPT records with FORMERR, echoing the question', () => {
    const q = query('echo-1.default.svc.cluster.local', 'A', { additionals: [opt(), opt()] });
    const reply = respond(q, table, { udp: true });
    assert.equal(reply?.rcode, 'FORMERR');
    const r: dnsPacket.DecodedPacket & { rcode?: string } = dnsPacket.decode(reply.bytes);
    assert.equal(r.rcode, 'FORMERR');
    assert.deepEqual(r.answers, []);
    assert.deepEqual(questionBytes(reply.bytes), questionBytes(q));
  });

  void it('still answers with one OPT of version 0', () => {
    assert.equal(firstIp(ask(query('echo-1.default.svc.cluster.local', 'A', { additionals: [opt()] }))), '10.101.0.10');
  });
});
