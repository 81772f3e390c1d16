import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicySets } from './policyCompile.ts';
import { planPolicySync } from './policyPlan.ts';
import type { DirectionVerdict, EndpointPolicy } from '../../policy/types.ts';
import { UNENFORCED } from '../../policy/types.ts';

const ingress = (l4: DirectionVerdict['l4']): DirectionVerdict => ({ enforced: true, allowAll: false, l3: [], l4, l4Any: [] });
const ep = (ip: string, v: DirectionVerdict): EndpointPolicy => ({ namespace: 'default', pod: ip, ip, identity: 0x10100, ingress: v, egress: UNENFORCED });
const many = (n: number, extra?: EndpointPolicy): EndpointPolicy[] => {
  const out = Array.from({ length: n }, (_, i) => ep(`10.1.${i >> 8}.${i & 255}`, ingress([{ identity: 0x10100 + i, proto: 'tcp', port: 80 }])));
  return extra === undefined ? out : [...out, extra];
};

void describe('planPolicySync', () => {
  void it('from nothing: every element added, grouped per set, in one transaction', () => {
    const p = planPolicySync(compilePolicySets(many(2)).endpoints, new Map());
    assert.deepEqual(p.lines, [
      'add element inet weft pol-in-enforced { 10.1.0.0, 10.1.0.1 }',
      'add element inet weft pol-in-l4 { 10.1.0.0 . 0x10100 . tcp . 80, 10.1.0.1 . 0x10101 . tcp . 80 }',
    ]);
    assert.deepEqual(p.changes, { endpoints: 2, elementsAdded: 4, elementsRemoved: 0 });
  });
  void it('identical state: nothing', () => {
    const d = compilePolicySets(many(1000)).endpoints;
    assert.deepEqual(planPolicySync(d, compilePolicySets(many(1000)).endpoints), { lines: [], changes: { endpoints: 0, elementsAdded: 0, elementsRemoved: 0 } });
  });
  void it("one endpoint's change among 1000 is a few element commands touching only its elements", () => {
    const before = compilePolicySets(many(1000)).endpoints;
    const after = compilePolicySets(many(1000).map((e, i) => (i === 7 ? ep(e.ip, ingress([{ identity: 0x20001, proto: 'udp', port: 53 }])) : e))).endpoints;
    const p = planPolicySync(after, before);
    assert.deepEqual(p.lines, ['delete element inet weft pol-in-l4 { 10.1.0.7 . 0x10107 . tcp . 80 }', 'add element inet weft pol-in-l4 { 10.1.0.7 . 0x20001 . udp . 53 }']);
  });
  void it('an endpoint gone (or no longer enforced): its elements deleted, the enforced one included', () => {
    const before = compilePolicySets(many(2)).endpoints;
    const after = compilePolicySets([...many(2).slice(0, 1), ep('10.1.0.1', UNENFORCED)]).endpoints;
    assert.deepEqual(planPolicySync(after, before).lines, ['delete element inet weft pol-in-enforced { 10.1.0.1 }', 'delete element inet weft pol-in-l4 { 10.1.0.1 . 0x10101 . tcp . 80 }']);
  });
});
