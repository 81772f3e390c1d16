import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActionRecord, CheckResult } from './report.ts';
import { distinctFailures, formatCheck, jsonReport, recordAction, summarize, summaryLine } from './report.ts';

const action = (ok: boolean, output: string): ActionRecord => ({ description: 'client (10.0.0.2) → echo (10.0.0.3:8080)', command: 'weft --context c1 exec -n weft-test client -- curl http://10.0.0.3:8080/', ok, output, attempts: 1 });
const result = (name: CheckResult['name'], status: CheckResult['status'], extra: Partial<CheckResult> = {}): CheckResult => ({ name, description: 'what it checks', status, durationMs: 1234, actions: [], ...extra });

test('a passed check is one line with its time', () => {
  assert.deepEqual(formatCheck(result('dns/local', 'passed')), ['✅ dns/local (1.2s): what it checks']);
});

test('a skipped check says why', () => {
  assert.deepEqual(formatCheck(result('dns/global', 'skipped', { reason: 'needs a second cluster' })), ['⏭️  dns/global: skipped, needs a second cluster']);
});

test('a failed check shows the reason, what was tried and what came back', () => {
  const lines = formatCheck(result('policy/deny', 'failed', { reason: 'client2 denied: not seen within 20s', actions: [{ ...action(false, 'exit 0: served by echo'), attempts: 40 }, action(true, 'exit 0')] }));
  assert.equal(lines[0], '❌ policy/deny (1.2s): what it checks');
  assert.equal(lines[1], '     reason: client2 denied: not seen within 20s');
  assert.match(lines[2] ?? '', /tried: {2}client \(10\.0\.0\.2\) → echo \(10\.0\.0\.3:8080\) \(40 attempts\): weft --context c1 exec/);
  assert.equal(lines[3], '     got:    exit 0: served by echo');
  assert.equal(lines.length, 4);
});

test('repeated attempts fold into one record; different answers do not', () => {
  const actions: ActionRecord[] = [];
  recordAction(actions, action(false, 'exit 7'));
  recordAction(actions, action(false, 'exit 7'));
  recordAction(actions, action(false, 'exit 28'));
  recordAction(actions, action(true, 'exit 0'));
  assert.deepEqual(actions.map((a) => [a.output, a.attempts]), [['exit 7', 2], ['exit 28', 1], ['exit 0', 1]]);
  assert.deepEqual(distinctFailures(actions).map((f) => [f.action.output, f.times]), [['exit 7', 2], ['exit 28', 1]]);
});

test('summary line and counts', () => {
  const ok = [result('dns/local', 'passed'), result('dns/global', 'skipped', { reason: 'x' })];
  assert.equal(summaryLine(ok), '✅ All 1 checks passed, 1 skipped');
  const bad = [...ok, result('policy/deny', 'failed'), result('policy/allow', 'passed')];
  assert.deepEqual(summarize(bad), { passed: 2, failed: 1, skipped: 1 });
  assert.equal(summaryLine(bad), '❌ 1/3 checks failed: policy/deny, 1 skipped');
});

test('the JSON report lists every result with status and reason', () => {
  const doc = jsonReport({ context: 'c1', multiCluster: undefined, namespace: 'weft-test' }, [result('dns/local', 'passed')]) as Record<string, unknown>;
  assert.deepEqual(doc, {
    context: 'c1',
    multiCluster: null,
    namespace: 'weft-test',
    summary: { passed: 1, failed: 0, skipped: 0 },
    results: [{ name: 'dns/local', status: 'passed', description: 'what it checks', durationMs: 1234, reason: null, actions: [] }],
  });
});
