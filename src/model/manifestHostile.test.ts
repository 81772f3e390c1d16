import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWeftError } from '../errors.ts';
import { parseManifests } from './manifest.ts';

function failure(text: string, source = 'hostile.yaml'): string {
  try {
    parseManifests(text, source);
  } catch (err) {
    assert.ok(isWeftError(err, 'InvalidManifest'), String(err));
    return err.message;
  }
  assert.fail('expected parseManifests to throw');
}

const LONG_NS = `ns-${'n'.repeat(60)}`;
const LONG_POD = `${'p'.repeat(63)}.${'q'.repeat(63)}.${'r'.repeat(63)}.${'s'.repeat(61)}`;

function pod(ns: string, name: string, labels = '{app: x}'): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n  labels: ${labels}\nspec:\n  containers:\n  - name: c\n    image: echo\n`;
}

void test('a label key __proto__ is refused naming the field, not dropped', () => {
  const msg = failure(pod('default', 'web', '{__proto__: x, app: web}'));
  assert.match(msg, /^hostile\.yaml: document 1 \(Pod "web"\), line \d+: metadata\.labels: label key must be/);
  assert.match(msg, /got key "__proto__"/);
  assert.match(failure(pod('default', 'web').replace('  labels: {app: x}\n', '  annotations: {__proto__: x}\n')), /metadata\.annotations: annotation key must be .* got key "__proto__"/);
});

void test('a ConfigMap key __proto__ is kept with its value', () => {
  const [cm] = parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata:\n  __proto__: hello\n  ok: v\n');
  assert.ok(cm?.kind === 'ConfigMap');
  assert.deepEqual(Object.entries(cm.data), [
    ['__proto__', 'hello'],
    ['ok', 'v'],
  ]);
  assert.equal(JSON.stringify(cm.data), '{"__proto__":"hello","ok":"v"}');
});

void test('a YAML bomb fails fast with an error naming the file', () => {
  let bomb = 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
  for (let i = 1; i < 10; i++) bomb += `a${i}: &a${i} [${Array<string>(9).fill(`*a${i - 1}`).join(', ')}]\n`;
  const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n${bomb.replace(/^/gm, '  ')}`;
  const started = Date.now();
  const msg = failure(text, 'bomb.yaml');
  assert.ok(Date.now() - started < 2000, 'fails fast');
  assert.match(msg, /^bomb\.yaml: document 1: invalid YAML: more than 100 alias expansions/);
});

void test('the longest names Kubernetes allows are accepted', () => {
  const [p] = parseManifests(pod(LONG_NS, LONG_POD));
  assert.ok(p?.kind === 'Pod');
  assert.equal(p.metadata.name, LONG_POD);
  assert.equal(p.metadata.namespace, LONG_NS);
  const key = `${'k'.repeat(253)}/${'n'.repeat(63)}`;
  const [l] = parseManifests(pod('default', 'web', `{"${key}": "${'v'.repeat(63)}"}`));
  assert.equal(l?.metadata.labels[key], 'v'.repeat(63));
});

void test('names one character over a Kubernetes limit are refused naming the field and the value', () => {
  assert.match(failure(pod(`${LONG_NS}x`, 'web')), /metadata\.namespace: must be a lowercase RFC 1123 label.*got "ns-n+x"/);
  assert.match(failure(pod('default', `${LONG_POD}x`)), /metadata\.name: must be a lowercase RFC 1123 subdomain/);
  assert.match(failure(pod('default', 'Web')), /metadata\.name: .* got "Web"/);
  assert.match(failure(pod('default', 'web', `{"${'k'.repeat(64)}": v}`)), /metadata\.labels: label key must be .* got key "k{64}"/);
  assert.match(failure(pod('default', 'web', `{app: "${'v'.repeat(64)}"}`)), /metadata\.labels\.app: label value must be at most 63 characters/);
});
