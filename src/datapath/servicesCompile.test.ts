import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileServices, frontendKey, lbChainRule } from './servicesCompile.ts';
import type { Frontend, FrontendBackend } from './serviceTypes.ts';

const be = (ip: string, port: number, cluster = 'c1'): FrontendBackend => ({ ip, port, cluster, preferred: true });
function fe(name: string, clusterIP: string, port: number, protocol: 'TCP' | 'UDP', backends: FrontendBackend[], namespace = 'default'): Frontend {
  return { namespace, name, clusterIP, port, protocol, backends, allBackends: backends };
}

const WEB = fe('web', '10.96.0.10', 80, 'TCP', [be('10.244.2.7', 8080), be('10.244.1.5', 8080)]);
const DNS = fe('dns', '10.96.0.20', 53, 'UDP', [be('10.244.1.5', 5353)], 'kube-system');
const EMPTY = fe('empty', '10.96.0.30', 80, 'TCP', []);

void describe('compileServices', () => {
  void it('turns frontends into map and set elements and the svc-lb chains they use (golden)', () => {
    const d = compileServices([WEB, DNS, EMPTY]);
    assert.deepEqual([...d.ips], [
      ['10.96.0.10 . tcp . 80', 'goto svc-lb-2'],
      ['10.96.0.20 . udp . 53', 'goto svc-lb-1'],
    ]);
    assert.deepEqual([...d.endpoints], [
      ['10.96.0.10 . tcp . 80 . 0', '10.244.1.5 . 8080'],
      ['10.96.0.10 . tcp . 80 . 1', '10.244.2.7 . 8080'],
      ['10.96.0.20 . udp . 53 . 0', '10.244.1.5 . 5353'],
    ]);
    assert.deepEqual([...d.noBackend], ['10.96.0.30 . tcp . 80']);
    assert.deepEqual([...d.hairpin], ['10.244.1.5 . 10.244.1.5', '10.244.2.7 . 10.244.2.7']);
    assert.deepEqual([...d.chains.keys()], ['svc-lb-1', 'svc-lb-2']);
    assert.equal(
      d.chains.get('svc-lb-2')?.rule,
      'dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 2 map @svc-eps comment "weft: services with 2 backends"',
    );
    assert.equal(d.chains.get('svc-lb-1')?.signature, 'lb:1');
    assert.deepEqual(d.warnings, []);
  });

  void it('is deterministic: input order of frontends and backends does not matter', () => {
    const a = compileServices([WEB, DNS, EMPTY]);
    const b = compileServices([EMPTY, { ...DNS }, { ...WEB, backends: [...WEB.backends].reverse() }]);
    assert.deepEqual([...b.ips], [...a.ips]);
    assert.deepEqual([...b.endpoints], [...a.endpoints]);
    assert.deepEqual([...b.chains], [...a.chains]);
  });

  void it('orders backends by numeric IP then port, and drops duplicates', () => {
    const d = compileServices([fe('s', '10.96.0.1', 80, 'TCP', [be('10.0.0.10', 80), be('10.0.0.9', 81), be('10.0.0.9', 80), be('10.0.0.10', 80)])]);
    assert.deepEqual([...d.endpoints.values()], ['10.0.0.9 . 80', '10.0.0.9 . 81', '10.0.0.10 . 80']);
    assert.equal(d.ips.get('10.96.0.1 . tcp . 80'), 'goto svc-lb-3');
    assert.deepEqual([...d.hairpin], ['10.0.0.9 . 10.0.0.9', '10.0.0.10 . 10.0.0.10']);
  });

  void it('a backend change changes only that frontend and keeps the others byte for byte', () => {
    const before = compileServices([WEB, DNS]);
    const after = compileServices([{ ...WEB, backends: [be('10.244.1.5', 8080)] }, DNS]);
    assert.equal(after.ips.get(frontendKey('10.96.0.20', 'UDP', 53)), before.ips.get(frontendKey('10.96.0.20', 'UDP', 53)));
    assert.equal(after.ips.get('10.96.0.10 . tcp . 80'), 'goto svc-lb-1');
    assert.deepEqual([...after.endpoints.keys()], ['10.96.0.10 . tcp . 80 . 0', '10.96.0.20 . udp . 53 . 0']);
    assert.deepEqual([...after.chains.keys()], ['svc-lb-1']);
  });

  void it('skips invalid or duplicate frontends and invalid backends with a warning naming the value', () => {
    const d = compileServices([
      fe('bad-ip', '10.96.0.300', 80, 'TCP', [be('10.0.0.1', 80)]),
      fe('bad-port', '10.96.0.2', 0, 'TCP', [be('10.0.0.1', 80)]),
      fe('a-first', '10.96.0.3', 80, 'TCP', [be('10.0.0.1', 80)]),
      fe('b-second', '10.96.0.3', 80, 'TCP', [be('10.0.0.2', 80)]),
      fe('bad-backend', '10.96.0.4', 80, 'TCP', [be('10.0.0.x', 80), be('10.0.0.5', 70000)]),
      fe('no-ip-yet', '', 80, 'TCP', [be('10.0.0.1', 80)]),
    ]);
    assert.deepEqual([...d.ips.keys()], ['10.96.0.3 . tcp . 80']);
    assert.equal(d.endpoints.get('10.96.0.3 . tcp . 80 . 0'), '10.0.0.1 . 80');
    assert.deepEqual([...d.noBackend], ['10.96.0.4 . tcp . 80'], 'only invalid backends: rejected like no backends');
    assert.equal(d.warnings.length, 5);
    assert.match(d.warnings.join('\n'), /default\/bad-ip: frontend 10\.96\.0\.300:80\/TCP skipped/);
    assert.match(d.warnings.join('\n'), /default\/bad-port: frontend 10\.96\.0\.2:0\/TCP skipped/);
    assert.match(d.warnings.join('\n'), /default\/b-second: frontend 10\.96\.0\.3:80\/TCP skipped \(already used by default\/a-first\)/);
    assert.match(d.warnings.join('\n'), /backend 10\.0\.0\.x:80 skipped/);
    assert.match(d.warnings.join('\n'), /backend 10\.0\.0\.5:70000 skipped/);
  });

  void it('TCP and UDP on the same IP and port are distinct frontends', () => {
    const d = compileServices([fe('dns', '10.96.0.10', 53, 'UDP', [be('10.0.0.1', 53)]), fe('dns', '10.96.0.10', 53, 'TCP', [])]);
    assert.deepEqual([...d.ips.keys()], ['10.96.0.10 . udp . 53']);
    assert.deepEqual([...d.noBackend], ['10.96.0.10 . tcp . 53']);
  });

  void it('nothing in, nothing out', () => {
    const d = compileServices([]);
    assert.equal(d.ips.size + d.endpoints.size + d.noBackend.size + d.hairpin.size + d.chains.size, 0);
    assert.equal(lbChainRule(1), 'dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 1 map @svc-eps comment "weft: services with 1 backend"');
  });
});
