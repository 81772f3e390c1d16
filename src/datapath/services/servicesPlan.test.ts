import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileServices } from './servicesCompile.ts';
import { emptyServiceState } from './servicesKernel.ts';
import { planServiceSync, serviceStateAfter as applied } from './servicesPlan.ts';
import { be, fe } from './testFixtures.ts';

const WEB = fe('web', '10.96.0.10', 80, 'TCP', [be('10.244.1.5', 8080), be('10.244.2.7', 8080)]);
const DNS = fe('dns', '10.96.0.20', 53, 'UDP', [be('10.244.1.5', 5353)]);
const EMPTY = fe('empty', '10.96.0.30', 80, 'TCP', []);

void describe('planServiceSync', () => {
  void it('from an empty kernel: chains, then elements (golden)', () => {
    const plan = planServiceSync(compileServices([WEB, DNS, EMPTY]), emptyServiceState());
    assert.deepEqual(plan.lines, [
      'add chain inet weft svc-lb-tcp-2',
      'add chain inet weft svc-lb-udp-1',
      'add rule inet weft svc-lb-tcp-2 dnat ip to ip daddr . tcp dport . numgen random mod 2 map @svc-eps-tcp comment "weft: tcp services with 2 backends"',
      'add rule inet weft svc-lb-udp-1 dnat ip to ip daddr . udp dport . numgen random mod 1 map @svc-eps-udp comment "weft: udp services with 1 backend"',
      'add element inet weft svc-ips { 10.96.0.10 . tcp . 80 : goto svc-lb-tcp-2, 10.96.0.20 . udp . 53 : goto svc-lb-udp-1 }',
      'add element inet weft svc-eps-tcp { 10.96.0.10 . 80 . 0 : 10.244.1.5 . 8080, 10.96.0.10 . 80 . 1 : 10.244.2.7 . 8080 }',
      'add element inet weft svc-eps-udp { 10.96.0.20 . 53 . 0 : 10.244.1.5 . 5353 }',
      'add element inet weft svc-nobackend { 10.96.0.30 . tcp . 80 }',
      'add element inet weft svc-vips { 10.96.0.10, 10.96.0.20, 10.96.0.30 }',
    ]);
    assert.deepEqual(plan.changes, { frontendsChanged: 3, chainsAdded: 2, chainsRewritten: 0, chainsDeleted: 0, elementsAdded: 9, elementsDeleted: 0 });
  });

  void it('the same state again: no line at all, even from fresh Frontend objects', () => {
    const st = applied(compileServices([WEB, DNS, EMPTY]));
    assert.deepEqual(planServiceSync(compileServices([{ ...EMPTY }, { ...DNS }, { ...WEB }]), st).lines, []);
  });

  void it('removing one backend touches only that frontend', () => {
    const st = applied(compileServices([WEB, DNS, EMPTY]));
    const plan = planServiceSync(compileServices([{ ...WEB, backends: [be('10.244.1.5', 8080)] }, DNS, EMPTY]), st);
    assert.deepEqual(plan.lines, [
      'add chain inet weft svc-lb-tcp-1',
      'add rule inet weft svc-lb-tcp-1 dnat ip to ip daddr . tcp dport . numgen random mod 1 map @svc-eps-tcp comment "weft: tcp services with 1 backend"',
      'delete element inet weft svc-ips { 10.96.0.10 . tcp . 80 }',
      'delete element inet weft svc-eps-tcp { 10.96.0.10 . 80 . 1 }',
      'add element inet weft svc-ips { 10.96.0.10 . tcp . 80 : goto svc-lb-tcp-1 }',
      'flush chain inet weft svc-lb-tcp-2',
      'delete chain inet weft svc-lb-tcp-2',
    ]);
    assert.equal(plan.changes.frontendsChanged, 1);
  });

  void it('a ClusterIP stays in svc-vips while any of its ports is a frontend', () => {
    const twoPorts = [WEB, fe('web', '10.96.0.10', 443, 'TCP', [be('10.244.1.5', 8443)])];
    const st = applied(compileServices(twoPorts));
    assert.doesNotMatch(planServiceSync(compileServices([WEB]), st).lines.join('\n'), /svc-vips/);
    assert.match(planServiceSync(compileServices([]), st).lines.join('\n'), /delete element inet weft svc-vips \{ 10\.96\.0\.10 \}/);
  });

  void it('a backend that goes away and comes back moves a frontend between svc-ips and svc-nobackend', () => {
    const st = applied(compileServices([WEB, DNS]));
    const none = planServiceSync(compileServices([WEB, { ...DNS, backends: [] }]), st);
    assert.deepEqual(none.lines, [
      'delete element inet weft svc-ips { 10.96.0.20 . udp . 53 }',
      'delete element inet weft svc-eps-udp { 10.96.0.20 . 53 . 0 }',
      'add element inet weft svc-nobackend { 10.96.0.20 . udp . 53 }',
      'flush chain inet weft svc-lb-udp-1',
      'delete chain inet weft svc-lb-udp-1',
    ]);
  });

  void it('deleting every frontend removes every element and svc-lb chain, never a map, set or the table', () => {
    const plan = planServiceSync(compileServices([]), applied(compileServices([WEB, DNS, EMPTY])));
    assert.deepEqual(plan.lines, [
      'delete element inet weft svc-ips { 10.96.0.10 . tcp . 80, 10.96.0.20 . udp . 53 }',
      'delete element inet weft svc-eps-tcp { 10.96.0.10 . 80 . 0, 10.96.0.10 . 80 . 1 }',
      'delete element inet weft svc-eps-udp { 10.96.0.20 . 53 . 0 }',
      'delete element inet weft svc-nobackend { 10.96.0.30 . tcp . 80 }',
      'delete element inet weft svc-vips { 10.96.0.10, 10.96.0.20, 10.96.0.30 }',
      'flush chain inet weft svc-lb-tcp-2',
      'flush chain inet weft svc-lb-udp-1',
      'delete chain inet weft svc-lb-tcp-2',
      'delete chain inet weft svc-lb-udp-1',
    ]);
    assert.doesNotMatch(plan.lines.join('\n'), /(flush|delete) (table|map|set)/);
  });

  void it('from a kernel read: rewrites a wrong chain, drops a frontend no longer desired and unknown chains', () => {
    const d = compileServices([DNS]);
    const old = applied(compileServices([DNS, fe('old', '10.96.9.9', 80, 'TCP', [be('10.9.9.9', 80)])]));
    const chains = new Map(old.chains);
    chains.set('svc-lb-udp-1', 'lb:udp:1;other');
    chains.set('svc-0123abcd', 'other');
    assert.deepEqual(planServiceSync(d, { ...old, chains }).lines, [
      'flush chain inet weft svc-lb-udp-1',
      'add rule inet weft svc-lb-udp-1 dnat ip to ip daddr . udp dport . numgen random mod 1 map @svc-eps-udp comment "weft: udp services with 1 backend"',
      'delete element inet weft svc-ips { 10.96.9.9 . tcp . 80 }',
      'delete element inet weft svc-eps-tcp { 10.96.9.9 . 80 . 0 }',
      'delete element inet weft svc-vips { 10.96.9.9 }',
      'flush chain inet weft svc-0123abcd',
      'flush chain inet weft svc-lb-tcp-1',
      'delete chain inet weft svc-0123abcd',
      'delete chain inet weft svc-lb-tcp-1',
    ]);
  });

  void it('a frontend the kernel holds wrongly is fixed element by element', () => {
    const d = compileServices([WEB]);
    const kernel = applied(compileServices([{ ...WEB, backends: [be('10.244.1.5', 8080), be('10.244.9.9', 8080)] }]));
    assert.deepEqual(planServiceSync(d, kernel).lines, [
      'delete element inet weft svc-eps-tcp { 10.96.0.10 . 80 . 1 }',
      'add element inet weft svc-eps-tcp { 10.96.0.10 . 80 . 1 : 10.244.2.7 . 8080 }',
    ]);
  });

  void it('chunks large element lists (512 per line)', () => {
    const many = Array.from({ length: 600 }, (_, i) => fe(`s${i}`, `10.96.${i >> 8}.${i & 255}`, 80, 'TCP', [be('10.0.0.1', 80)]));
    const plan = planServiceSync(compileServices(many), emptyServiceState());
    assert.equal(plan.lines.filter((l) => l.startsWith('add element inet weft svc-ips')).length, 2);
  });
});
