import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planIdentityGc } from './identityGcPlan.ts';
import type { AllocatedIdentity } from './identityGcPlan.ts';

const a = (id: number, rev: number): AllocatedIdentity => ({ id, indexKey: `idx/${id}`, indexModRevision: rev, labels: { app: String(id) } });

test('an unused identity becomes a candidate, then is collected after the grace period', () => {
  const p1 = planIdentityGc({ allocated: [a(256, 5)], used: new Set(), candidates: new Map(), now: 1000, graceMs: 500 });
  assert.deepEqual(p1.collect, []);
  assert.deepEqual([...p1.candidates.values()], [{ id: 256, indexModRevision: 5, since: 1000 }]);
  const p2 = planIdentityGc({ allocated: [a(256, 5)], used: new Set(), candidates: p1.candidates, now: 1499, graceMs: 500 });
  assert.deepEqual(p2.collect, []);
  const p3 = planIdentityGc({ allocated: [a(256, 5)], used: new Set(), candidates: p2.candidates, now: 1500, graceMs: 500 });
  assert.deepEqual(p3.collect.map((c) => [c.id, c.unusedForMs]), [[256, 500]]);
  assert.equal(p3.candidates.size, 0);
});

test('a used identity is never a candidate; a touched one restarts its clock', () => {
  const p1 = planIdentityGc({ allocated: [a(256, 5), a(257, 6)], used: new Set([257]), candidates: new Map(), now: 0, graceMs: 100 });
  assert.deepEqual([...p1.candidates.keys()], ['idx/256']);
  const touched = planIdentityGc({ allocated: [a(256, 9)], used: new Set(), candidates: p1.candidates, now: 200, graceMs: 100 });
  assert.deepEqual(touched.collect, []);
  assert.equal(touched.candidates.get('idx/256')?.since, 200);
  const usedAgain = planIdentityGc({ allocated: [a(256, 9)], used: new Set([256]), candidates: touched.candidates, now: 400, graceMs: 100 });
  assert.equal(usedAgain.candidates.size, 0);
});
