import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isIp } from '../../util/cidr.ts';
import { compileServices, isIpv4, lbChainRule } from './servicesCompile.ts';
import { be, fe } from './testFixtures.ts';

const WEB = fe('web', '10.96.0.10', 80, 'TCP', [be('10.244.2.7', 8080), be('10.244.1.5', 8080)]);
const DNS = fe('dns', '10.96.0.20', 53, 'UDP', [be('10.244.1.5', 5353)], 'kube-system');
const EMPTY = fe('empty', '10.96.0.30', 80, 'TCP', []);

void describe('compileServices', () => {
  void it('gives each frontend its key and ordered backends, and lists the svc-lb chains in use (golden)', () => {
    const d = compileServices([WEB, DNS, EMPTY]);
    assert.deepEqual([...d.frontends.values()], [
      {
        key: '10.96.0.10 . tcp . 80',
        vip: '10.96.0.10',
        port: 80,
        proto: 'tcp',
        backends: ['10.244.1.5 . 8080', '10.244.2.7 . 8080'],
        signature: '10.96.0.10 . tcp . 80=10.244.1.5 . 8080,10.244.2.7 . 8080',
      },
      { key: '10.96.0.20 . udp . 53', vip: '10.96.0.20', port: 53, proto: 'udp', backends: ['10.244.1.5 . 5353'], signature: '10.96.0.20 . udp . 53=10.244.1.5 . 5353' },
      { key: '10.96.0.30 . tcp . 80', vip: '10.96.0.30', port: 80, proto: 'tcp', backends: [], signature: '10.96.0.30 . tcp . 80=' },
    ]);
    assert.deepEqual([...d.chains.keys()], ['svc-lb-tcp-2', 'svc-lb-udp-1']);
    assert.equal(d.chains.get('svc-lb-tcp-2')?.rule, 'dnat ip to ip daddr . tcp dport . numgen random mod 2 map @svc-eps-tcp comment "weft: tcp services with 2 backends"');
    assert.equal(d.chains.get('svc-lb-udp-1')?.rule, 'dnat ip to ip daddr . udp dport . numgen random mod 1 map @svc-eps-udp comment "weft: udp services with 1 backend"');
    assert.equal(d.chains.get('svc-lb-udp-1')?.signature, 'lb:udp:1');
    assert.deepEqual(d.warnings, []);
  });

  void it('is deterministic: input order of frontends and backends does not matter', () => {
    const a = compileServices([WEB, DNS, EMPTY]);
    const b = compileServices([EMPTY, { ...DNS }, { ...WEB, backends: [...WEB.backends].reverse() }]);
    assert.deepEqual(new Map([...b.frontends].sort()), new Map([...a.frontends].sort()));
    assert.deepEqual([...b.chains], [...a.chains]);
  });

  void it('orders backends by their text and drops duplicates', () => {
    const d = compileServices([fe('s', '10.96.0.1', 80, 'TCP', [be('10.0.0.10', 80), be('10.0.0.9', 81), be('10.0.0.9', 80), be('10.0.0.10', 80)])]);
    assert.deepEqual(d.frontends.get('10.96.0.1 . tcp . 80')?.backends, ['10.0.0.10 . 80', '10.0.0.9 . 80', '10.0.0.9 . 81']);
    assert.deepEqual([...d.chains.keys()], ['svc-lb-tcp-3']);
  });

  void it('a backend change changes only that frontend', () => {
    const before = compileServices([WEB, DNS]);
    const after = compileServices([{ ...WEB, backends: [be('10.244.1.5', 8080)] }, DNS]);
    assert.equal(after.frontends.get('10.96.0.20 . udp . 53')?.signature, before.frontends.get('10.96.0.20 . udp . 53')?.signature);
    assert.notEqual(after.frontends.get('10.96.0.10 . tcp . 80')?.signature, before.frontends.get('10.96.0.10 . tcp . 80')?.signature);
    assert.deepEqual([...after.chains.keys()], ['svc-lb-tcp-1', 'svc-lb-udp-1']);
  });

  void it('remembers the result per frontend object: the same object gives the same result object', () => {
    const a = compileServices([WEB, DNS]);
    const b = compileServices([DNS, WEB]);
    assert.equal(b.frontends.get('10.96.0.10 . tcp . 80'), a.frontends.get('10.96.0.10 . tcp . 80'));
  });

  void it('skips invalid or duplicate frontends and invalid backends with a warning naming the value', () => {
    const d = compileServices([
      fe('bad-ip', '10.96.0.300', 80, 'TCP', [be('10.0.0.1', 80)]),
      fe('bad-port', '10.96.0.2', 0, 'TCP', [be('10.0.0.1', 80)]),
      fe('b-second', '10.96.0.3', 80, 'TCP', [be('10.0.0.2', 80)]),
      fe('a-first', '10.96.0.3', 80, 'TCP', [be('10.0.0.1', 80)]),
      fe('bad-backend', '10.96.0.4', 80, 'TCP', [be('10.0.0.x', 80), be('10.0.0.5', 70000)]),
      fe('no-ip-yet', '', 80, 'TCP', [be('10.0.0.1', 80)]),
    ]);
    assert.deepEqual([...d.frontends.keys()], ['10.96.0.3 . tcp . 80', '10.96.0.4 . tcp . 80']);
    assert.deepEqual(d.frontends.get('10.96.0.3 . tcp . 80')?.backends, ['10.0.0.1 . 80'], 'the first by namespace/name wins, whatever the order');
    assert.deepEqual(d.frontends.get('10.96.0.4 . tcp . 80')?.backends, [], 'only invalid backends: rejected like no backends');
    const all = d.warnings.join('\n');
    assert.equal(d.warnings.length, 5);
    assert.match(all, /default\/bad-ip: frontend 10\.96\.0\.300:80\/TCP skipped/);
    assert.match(all, /default\/bad-port: frontend 10\.96\.0\.2:0\/TCP skipped/);
    assert.match(all, /default\/b-second: frontend 10\.96\.0\.3:80\/TCP skipped \(already used by default\/a-first\)/);
    assert.match(all, /backend 10\.0\.0\.x:80 skipped/);
    assert.match(all, /backend 10\.0\.0\.5:70000 skipped/);
  });

  void it('TCP and UDP on the same IP and port are distinct frontends', () => {
    const d = compileServices([fe('dns', '10.96.0.10', 53, 'UDP', [be('10.0.0.1', 53)]), fe('dns', '10.96.0.10', 53, 'TCP', [])]);
    assert.deepEqual([...d.frontends.keys()], ['10.96.0.10 . udp . 53', '10.96.0.10 . tcp . 53']);
  });

  void it('nothing in, nothing out', () => {
    const d = compileServices([]);
    assert.equal(d.frontends.size + d.chains.size, 0);
    assert.equal(lbChainRule('tcp', 1), 'dnat ip to ip daddr . tcp dport . numgen random mod 1 map @svc-eps-tcp comment "weft: tcp services with 1 backend"');
  });

  void it('isIpv4 agrees with util/cidr isIp', () => {
    for (const s of ['10.0.0.1', '0.0.0.0', '255.255.255.255', '256.0.0.1', '1.2.3', '1.2.3.4.5', '1..2.3', '', '.1.2.3', '1.2.3.', 'a.b.c.d', '01.2.3.4', '1234.1.1.1', '10.0.0.1 ']) {
      assert.equal(isIpv4(s), isIp(s), s);
    }
  });
});
