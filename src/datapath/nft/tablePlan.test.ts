import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyTableDesired, emptyTableState, planTableSync, tableStateAfter } from './tablePlan.ts';
import { tableFor } from './tableApplier.contract.ts';

test('an empty table plans nothing; a full table plans every part, services then ipcache then policy', () => {
  assert.deepEqual(planTableSync(emptyTableDesired(), emptyTableState()).lines, []);
  const plan = planTableSync(tableFor(['10.1.1.1']), emptyTableState());
  const kinds = plan.lines.map((l) => (/ svc-/.test(l) ? 'svc' : / ipcache /.test(l) ? 'ipcache' : / pol-/.test(l) ? 'pol' : l));
  assert.deepEqual([...new Set(kinds)], ['svc', 'ipcache', 'pol']);
  assert.deepEqual(plan.changes.ipcache, { added: 5, removed: 0 });
});

test('planned against the state after it, the same desired table plans nothing', () => {
  const desired = tableFor(['10.1.1.1', '10.1.1.2']);
  const after = tableStateAfter(desired);
  assert.deepEqual(planTableSync(tableFor(['10.1.1.2', '10.1.1.1']), after).lines, []);
  const change = planTableSync(tableFor(['10.1.1.1', '10.1.1.2'], { peers: 3 }), after);
  assert.deepEqual(change.lines, ['add element inet weft ipcache { 10.1.1.3 : 0x10102 }']);
});
