import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWeftError } from '../errors.ts';
import { compileSelector, LabelSelectorInput, plainSelectorKey, selectorHasKey, selectorMatches, selectorSummary } from './selector.ts';

const labels = { app: 'db', tier: 'gold', 'io.kubernetes.pod.namespace': 'default' };

test('matchLabels and matchExpressions against plain labels', () => {
  const sel = (input: LabelSelectorInput) => selectorMatches(compileSelector(input), labels);
  assert.equal(sel({}), true);
  assert.equal(sel({ matchLabels: { app: 'db' } }), true);
  assert.equal(sel({ matchLabels: { app: 'db', tier: 'silver' } }), false);
  assert.equal(sel({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold', 'silver'] }] }), true);
  assert.equal(sel({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['gold'] }] }), false);
  assert.equal(sel({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }), true);
  assert.equal(sel({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }), true);
  assert.equal(sel({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }), false);
  assert.equal(sel({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }), true);
});

test('k8s: and any: prefixes are stripped; other prefixes are rejected naming them', () => {
  const sel = compileSelector({ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'default', 'any:app': 'db' } });
  assert.equal(selectorMatches(sel, labels), true);
  assert.equal(selectorHasKey(sel, 'io.kubernetes.pod.namespace'), true);
  assert.deepEqual(plainSelectorKey('k8s:app'), { key: 'app' });
  const bad = plainSelectorKey('reserved:host');
  assert.ok('problem' in bad && bad.problem.includes('"reserved:"'));
  assert.throws(() => compileSelector({ matchLabels: { 'cidr:10.0.0.0/8': '' } }), (e) => isWeftError(e, 'InvalidManifest') && e.message.includes('"cidr:"'));
  const parsed = LabelSelectorInput.safeParse({ matchLabels: { 'reserved:host': '' } });
  assert.equal(parsed.success, false);
});

test('validation: operator values, In without values, Exists with values', () => {
  assert.equal(LabelSelectorInput.safeParse({ matchExpressions: [{ key: 'a', operator: 'Foo' }] }).success, false);
  assert.equal(LabelSelectorInput.safeParse({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }).success, false);
  assert.equal(LabelSelectorInput.safeParse({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }).success, false);
  assert.equal(LabelSelectorInput.safeParse({ matchLabels: { a: 'b' }, other: 1 }).success, false);
});

test('equal selectors have equal text; summary', () => {
  const a = compileSelector({ matchLabels: { b: '2', a: '1' } });
  const b = compileSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1'] }], matchLabels: { 'k8s:b': '2' } });
  assert.equal(a.text, b.text);
  assert.equal(selectorSummary(a), 'a=1,b=2');
  assert.equal(selectorSummary(compileSelector({})), '(all)');
  assert.equal(selectorSummary(compileSelector({ matchExpressions: [{ key: 't', operator: 'NotIn', values: ['y', 'x'] }, { key: 'z', operator: 'DoesNotExist' }] })), '!z,t notin (x,y)');
});
