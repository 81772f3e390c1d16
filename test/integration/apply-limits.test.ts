/**
 * `weft apply -f` / `weft delete -f` of big and hostile files against a real
 * etcd (started with the lab's limits): 1,000 objects all or nothing, the
 * limits refused before anything is written, __proto__ keys kept.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { saveContext } from '../../src/contexts/contexts.ts';
import { createEtcdKv } from '../../src/kvstore/etcd.ts';
import type { KvBackend } from '../../src/kvstore/backend.ts';
import { startTestEtcd, type TestEtcd } from '../support/etcd.ts';
import { weft } from '../support/weft.ts';

let etcd: TestEtcd;
let kv: KvBackend;
let home: string;
let env: NodeJS.ProcessEnv;

before(async () => {
  etcd = await startTestEtcd();
  kv = createEtcdKv({ endpoints: [etcd.endpoint] });
  home = mkdtempSync(path.join(tmpdir(), 'weft-apply-limits-'));
  env = { ...process.env, WEFT_HOME: home };
  const saved = process.env['WEFT_HOME'];
  process.env['WEFT_HOME'] = home;
  saveContext({ name: 'ap1', cluster: 'ap1', endpoints: [etcd.endpoint] }, true);
  if (saved === undefined) delete process.env['WEFT_HOME'];
  else process.env['WEFT_HOME'] = saved;
});

after(async () => {
  await kv.close();
  await etcd.stop();
  rmSync(home, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const f = path.join(home, name);
  writeFileSync(f, text);
  return f;
}

/** A Namespace and `n - 1` objects in it: pods and configmaps alternating. */
function bigFile(ns: string, n: number, mutate: (i: number, doc: string) => string = (_, d) => d): string {
  const docs = [`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}\n`];
  for (let i = 1; i < n; i++) {
    const doc =
      i % 2 === 0
        ? `apiVersion: v1\nkind: Pod\nmetadata: {name: p-${i}, namespace: ${ns}, labels: {app: big}}\nspec: {containers: [{name: c, image: echo, ports: [{containerPort: 8080}]}]}\n`
        : `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-${i}, namespace: ${ns}}\ndata: {k: v${i}}\n`;
    docs.push(mutate(i, doc));
  }
  return docs.join('---\n');
}

async function keysUnder(prefix: string): Promise<number> {
  return (await kv.list(prefix)).entries.length;
}

void test('a file of 1,000 objects applies in one transaction, and deletes in one', { timeout: 120_000 }, async () => {
  const f = file('big.yaml', bigFile('big', 1000));
  const r = await weft(['apply', '-f', f], env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 1000);
  assert.match(r.stdout, /^namespace\/big created$/m);
  const entries = [...(await kv.list('weft/resources/pods/big/')).entries, ...(await kv.list('weft/resources/configmaps/big/')).entries];
  assert.equal(entries.length, 999);
  // one revision: a watcher sees all of it at once or none of it
  assert.equal(new Set(entries.map((e) => e.modRevision)).size, 1);
  const again = await weft(['apply', '-f', f], env);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout.match(/ unchanged$/gm)?.length, 1000);

  const d = await weft(['delete', '-f', f], env);
  assert.equal(d.code, 0, d.stderr);
  assert.equal(await keysUnder('weft/resources/pods/big/'), 0);
  assert.equal(await keysUnder('weft/resources/configmaps/big/'), 0);
});

void test('one bad object among 1,000 writes nothing, naming the object and the field', { timeout: 120_000 }, async () => {
  const invalid = file('invalid.yaml', bigFile('inv', 1000, (i, d) => (i === 617 ? d.replace('name: cm-617', 'name: CM_617') : d)));
  const r = await weft(['apply', '-f', invalid], env);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /invalid\.yaml: document 618 \(ConfigMap "CM_617"\).*metadata\.name: must be a lowercase RFC 1123 subdomain.*got "CM_617"/);
  assert.equal(await keysUnder('weft/resources/'), 0);

  // valid as a document but refused at apply: a pod in a namespace that does not exist
  const orphan = file('orphan.yaml', bigFile('orph', 1000, (i, d) => (i === 998 ? d.replace('namespace: orph', 'namespace: nowhere') : d)));
  const o = await weft(['apply', '-f', orphan], env);
  assert.notEqual(o.code, 0);
  assert.match(o.stderr, /namespace "nowhere" \(needed by pod\/p-998\) not found.*nothing was applied/);
  assert.equal(await keysUnder('weft/resources/'), 0);
});

void test('over a limit: refused before anything is written, naming the limit and the object or file', { timeout: 120_000 }, async () => {
  const big = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: huge\n  namespace: default\n  annotations: {blob: "${'x'.repeat(5 * 1000 * 1000)}"}\nspec: {containers: [{name: c, image: echo}]}\n`;
  const small = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\ndata: {a: b}\n';
  const r = await weft(['apply', '-f', file('huge.yaml', `${small}---\n${big}`)], env);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /pod\/huge in namespace "default" is 500\d{4} bytes \(4\.77 MiB\) as stored, over the limit of 1572864 bytes \(1\.5 MiB\) per object/);
  assert.doesNotMatch(r.stderr, /unavailable/);

  const many = await weft(['apply', '-f', file('many.yaml', bigFile('many', 2001))], env);
  assert.notEqual(many.code, 0);
  assert.match(many.stderr, /many\.yaml: 2001 objects are over the limit of 2000 objects per apply/);

  const total = Array.from({ length: 9 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: t-${i}}\ndata: {v: "${'y'.repeat(1000 * 1000)}"}\n`).join('---\n');
  const t = await weft(['apply', '-f', file('total.yaml', total)], env);
  assert.notEqual(t.code, 0);
  assert.match(t.stderr, /apply writes \d+ bytes \(8\.\d+ MiB\) in one transaction, over the limit of 8388608 bytes \(8 MiB\) per apply/);

  const huge = await weft(['apply', '-f', '-'], env, 'x'.repeat(16 * 1024 * 1024 + 1));
  assert.notEqual(huge.code, 0);
  assert.match(huge.stderr, /standard input is over the limit of 16777216 bytes \(16 MiB\) per manifest/);
  assert.equal(await keysUnder('weft/resources/'), 0);
});

void test('a ConfigMap key __proto__ is stored and read back; a label __proto__ is refused', { timeout: 60_000 }, async () => {
  const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: proto}\ndata:\n  __proto__: kept\n  other: v\n';
  const r = await weft(['apply', '-f', file('proto.yaml', cm)], env);
  assert.equal(r.code, 0, r.stderr);
  const stored = await kv.get('weft/resources/configmaps/default/proto');
  assert.ok(stored !== undefined);
  assert.deepEqual(Object.entries((JSON.parse(stored.value) as { data: Record<string, string> }).data), [
    ['__proto__', 'kept'],
    ['other', 'v'],
  ]);
  const edited = await weft(['apply', '-f', file('proto2.yaml', cm.replace('kept', 'changed'))], env);
  assert.match(edited.stdout, /configmap\/proto configured/, 'a change to that key alone is a change');

  const label = await weft(['apply', '-f', file('label.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: l, labels: {__proto__: x}}\n')], env);
  assert.notEqual(label.code, 0);
  assert.match(label.stderr, /metadata\.labels: label key must be .* got key "__proto__"/);
  assert.equal(await kv.get('weft/resources/configmaps/default/l'), undefined);
  await weft(['delete', 'configmap', 'proto'], env);
});

void test('a YAML bomb fails fast naming the file', { timeout: 60_000 }, async () => {
  let bomb = 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
  for (let i = 1; i < 10; i++) bomb += `a${i}: &a${i} [${Array<string>(9).fill(`*a${i - 1}`).join(', ')}]\n`;
  const f = file('bomb.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n${bomb.replace(/^/gm, '  ')}`);
  const started = Date.now();
  const r = await weft(['apply', '-f', f], env);
  assert.ok(Date.now() - started < 10_000);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /bomb\.yaml: document 1: invalid YAML: more than 100 alias expansions/);
});
