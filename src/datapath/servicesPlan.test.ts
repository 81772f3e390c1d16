import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileServices } from './servicesCompile.ts';
import { emptyServiceState } from './servicesKernel.ts';
import { planServiceSync, serviceStateAfter } from './servicesPlan.ts';
import type { Frontend, FrontendBackend } from './serviceTypes.ts';

const be = (ip: string, port: number): FrontendBackend => ({ ip, port, cluster: 'c1', preferred: true });
const fe = (name: string, clusterIP: string, port: number, protocol: 'TCP' | 'UDP', backends: FrontendBackend[]): Frontend => ({
  namespace: 'default',
  name,
  clusterIP,
  port,
  protocol,
  backends,
  allBackends: backends,
});
const WEB = fe('web', '10.96.0.10', 80, 'TCP', [be('10.244.1.5', 8080), be('10.244.2.7', 8080)]);
const DNS = fe('dns', '10.96.0.20', 53, 'UDP', [be('10.244.1.5', 5353)]);
const EMPTY = fe('empty', '10.96.0.30', 80, 'TCP', []);

void describe('planServiceSync', () => {
  void it('from an empty kernel: chains, then elements (golden)', () => {
    const plan = planServiceSync(compileServices([WEB, DNS, EMPTY]), emptyServiceState());
    assert.deepEqual(plan.lines, [
      'add chain inet weft svc-lb-1',
      'add chain inet weft svc-lb-2',
      'add rule inet weft svc-lb-1 dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 1 map @svc-eps comment "weft: services with 1 backend"',
      'add rule inet weft svc-lb-2 dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 2 map @svc-eps comment "weft: services with 2 backends"',
      'add element inet weft svc-ips { 10.96.0.20 . udp . 53 : goto svc-lb-1, 10.96.0.10 . tcp . 80 : goto svc-lb-2 }',
      'add element inet weft svc-eps { 10.96.0.20 . udp . 53 . 0 : 10.244.1.5 . 5353, 10.96.0.10 . tcp . 80 . 0 : 10.244.1.5 . 8080, 10.96.0.10 . tcp . 80 . 1 : 10.244.2.7 . 8080 }',
      'add element inet weft svc-nobackend { 10.96.0.30 . tcp . 80 }',
      'add element inet weft svc-hairpin { 10.244.1.5 . 10.244.1.5, 10.244.2.7 . 10.244.2.7 }',
    ]);
    assert.deepEqual(plan.changes, { chainsAdded: 2, chainsRewritten: 0, chainsDeleted: 0, elementsAdded: 8, elementsDeleted: 0 });
  });

  void it('the same state again: no line at all', () => {
    const d = compileServices([WEB, DNS, EMPTY]);
    assert.deepEqual(planServiceSync(d, serviceStateAfter(d)).lines, []);
  });

  void it('removing one backend touches only that frontend: its svc-ips element and its svc-eps elements', () => {
    const before = serviceStateAfter(compileServices([WEB, DNS, EMPTY]));
    const plan = planServiceSync(compileServices([{ ...WEB, backends: [be('10.244.1.5', 8080)] }, DNS, EMPTY]), before);
    assert.deepEqual(plan.lines, [
      'delete element inet weft svc-ips { 10.96.0.10 . tcp . 80 }',
      'add element inet weft svc-ips { 10.96.0.10 . tcp . 80 : goto svc-lb-1 }',
      'delete element inet weft svc-eps { 10.96.0.10 . tcp . 80 . 1 }',
      'delete element inet weft svc-hairpin { 10.244.2.7 . 10.244.2.7 }',
      'flush chain inet weft svc-lb-2',
      'delete chain inet weft svc-lb-2',
    ]);
  });

  void it('a backend that goes away and comes back moves a frontend between svc-ips and svc-nobackend', () => {
    const before = serviceStateAfter(compileServices([WEB, DNS]));
    const none = planServiceSync(compileServices([WEB, { ...DNS, backends: [] }]), before);
    assert.deepEqual(none.lines, [
      'delete element inet weft svc-ips { 10.96.0.20 . udp . 53 }',
      'delete element inet weft svc-eps { 10.96.0.20 . udp . 53 . 0 }',
      'add element inet weft svc-nobackend { 10.96.0.20 . udp . 53 }',
      'flush chain inet weft svc-lb-1',
      'delete chain inet weft svc-lb-1',
    ]);
  });

  void it('deleting a frontend removes its elements and, when unused, its svc-lb chain', () => {
    const before = serviceStateAfter(compileServices([WEB, DNS, EMPTY]));
    const plan = planServiceSync(compileServices([DNS]), before);
    assert.deepEqual(plan.lines, [
      'delete element inet weft svc-ips { 10.96.0.10 . tcp . 80 }',
      'delete element inet weft svc-eps { 10.96.0.10 . tcp . 80 . 0, 10.96.0.10 . tcp . 80 . 1 }',
      'delete element inet weft svc-nobackend { 10.96.0.30 . tcp . 80 }',
      'delete element inet weft svc-hairpin { 10.244.2.7 . 10.244.2.7 }',
      'flush chain inet weft svc-lb-2',
      'delete chain inet weft svc-lb-2',
    ]);
    const last = planServiceSync(compileServices([]), serviceStateAfter(compileServices([DNS])));
    assert.equal(last.lines.at(-1), 'delete chain inet weft svc-lb-1');
    assert.deepEqual(last.changes, { chainsAdded: 0, chainsRewritten: 0, chainsDeleted: 1, elementsAdded: 0, elementsDeleted: 3 });
  });

  void it('a kernel chain with unexpected rules is flushed and rewritten; unknown svc chains are deleted after their jumps', () => {
    const d = compileServices([DNS]);
    const kernel = serviceStateAfter(d);
    kernel.chains.set('svc-lb-1', 'lb:1;other');
    kernel.chains.set('svc-0123abcd', 'other');
    kernel.ips.set('10.96.9.9 . tcp . 80', 'goto svc-0123abcd');
    assert.deepEqual(planServiceSync(d, kernel).lines, [
      'flush chain inet weft svc-lb-1',
      'add rule inet weft svc-lb-1 dnat ip to ip daddr . meta l4proto . th dport . numgen random mod 1 map @svc-eps comment "weft: services with 1 backend"',
      'delete element inet weft svc-ips { 10.96.9.9 . tcp . 80 }',
      'flush chain inet weft svc-0123abcd',
      'delete chain inet weft svc-0123abcd',
    ]);
  });

  void it('never flushes or deletes the table, the maps or the sets', () => {
    const plan = planServiceSync(compileServices([]), serviceStateAfter(compileServices([WEB, DNS, EMPTY])));
    assert.doesNotMatch(plan.lines.join('\n'), /(flush|delete) (table|map|set)/);
  });

  void it('chunks large element lists (512 per line)', () => {
    const many = Array.from({ length: 600 }, (_, i) => fe(`s${i}`, `10.96.${i >> 8}.${i & 255}`, 80, 'TCP', [be('10.0.0.1', 80)]));
    const plan = planServiceSync(compileServices(many), emptyServiceState());
    assert.equal(plan.lines.filter((l) => l.startsWith('add element inet weft svc-ips')).length, 2);
  });
});
