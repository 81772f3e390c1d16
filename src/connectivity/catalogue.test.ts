import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHECK_NAMES, CHECKS, matchesPatterns, planChecks } from './catalogue.ts';
import { isWeftError } from '../errors.ts';

test('every check name has one catalogue entry, in order', () => {
  assert.deepEqual(CHECKS.map((c) => c.name), [...CHECK_NAMES]);
});

test('--test patterns: none selects all, includes match anywhere, ! excludes', () => {
  assert.equal(matchesPatterns('dns/local', []), true);
  assert.equal(matchesPatterns('dns/local', ['^dns/']), true);
  assert.equal(matchesPatterns('pod-to-pod/same-node', ['^dns/']), false);
  assert.equal(matchesPatterns('policy/deny', ['!policy']), false);
  assert.equal(matchesPatterns('dns/global', ['!policy']), true);
  assert.equal(matchesPatterns('pod-to-service/global', ['global', '!^dns']), true);
  assert.equal(matchesPatterns('dns/global', ['global', '!^dns']), false);
});

test('without --multi-cluster the cross-cluster checks are planned as skipped with the reason', () => {
  const plan = planChecks({ patterns: [], multiCluster: false, nodes: 2 });
  assert.equal(plan.length, CHECKS.length);
  const skipped = plan.filter((p) => !p.run);
  assert.deepEqual(skipped.map((p) => p.check.name), ['pod-to-pod/other-cluster', 'pod-to-service/global', 'dns/global', 'affinity/failover']);
  for (const p of skipped) if (!p.run) assert.match(p.reason, /--multi-cluster/);
});

test('a one-node cluster skips pod-to-pod/other-node', () => {
  const plan = planChecks({ patterns: ['pod-to-pod'], multiCluster: true, nodes: 1 });
  assert.deepEqual(plan.map((p) => [p.check.name, p.run]), [['pod-to-pod/same-node', true], ['pod-to-pod/other-node', false], ['pod-to-pod/other-cluster', true]]);
});

test('a selection matching nothing, or a bad regex, is an error naming it', () => {
  assert.throws(() => planChecks({ patterns: ['nothing-like-this'], multiCluster: false, nodes: 2 }), (e) => isWeftError(e, 'InvalidInput') && /nothing-like-this/.test(e.message));
  assert.throws(() => planChecks({ patterns: ['dns/('], multiCluster: false, nodes: 2 }), (e) => isWeftError(e, 'InvalidInput') && /dns\/\(/.test(e.message));
});
