import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { configPath, listContexts, removeContext, resolveContext, saveContext, useContext } from './contexts.ts';
import { isWeftError } from '../errors.ts';

let home: string;
const saved = process.env['WEFT_HOME'];
beforeEach(() => {
  home = mkdtempSync(path.join(tmpdir(), 'weft-ctx-'));
  process.env['WEFT_HOME'] = home;
});
afterEach(() => {
  if (saved === undefined) delete process.env['WEFT_HOME'];
  else process.env['WEFT_HOME'] = saved;
  rmSync(home, { recursive: true, force: true });
});

const c1 = { name: 'c1', cluster: 'c1', endpoints: ['http://172.30.1.10:2379'] };
const c2 = { name: 'c2', cluster: 'c2', endpoints: ['http://172.30.2.10:2379'], tls: { caFile: 'ca', certFile: 'crt', keyFile: 'key' } };

void test('no config: no contexts, resolve explains', () => {
  assert.deepEqual(listContexts(), { current: undefined, contexts: [] });
  assert.throws(() => resolveContext(), (e: unknown) => isWeftError(e, 'NotFound') && e.message.includes('weft lab up'));
});

void test('the first saved context becomes current; others only when asked', () => {
  saveContext(c1, false);
  saveContext(c2, false);
  assert.equal(listContexts().current, 'c1');
  assert.deepEqual(resolveContext(), c1);
  assert.deepEqual(resolveContext('c2'), c2);
  assert.equal(statSync(configPath()).mode & 0o777, 0o600);
  useContext('c2');
  assert.equal(resolveContext().name, 'c2');
  assert.throws(() => useContext('c9'), (e: unknown) => isWeftError(e, 'NotFound') && e.message.includes('"c9"') && e.message.includes('c1, c2'));
  saveContext({ ...c1, endpoints: ['http://x:1'] }, true);
  assert.deepEqual(resolveContext(), { ...c1, endpoints: ['http://x:1'] });
});

void test('removing the current context clears it; the last one removes the file', () => {
  saveContext(c1, false);
  saveContext(c2, true);
  removeContext('c2');
  assert.deepEqual(listContexts(), { current: undefined, contexts: [c1] });
  removeContext('c9');
  removeContext('c1');
  assert.equal(existsSync(configPath()), false);
});

void test('a broken config file is reported with its path', () => {
  writeFileSync(configPath(), '{"contexts": 3}');
  assert.throws(() => listContexts(), (e: unknown) => isWeftError(e, 'InvalidInput') && e.message.includes(configPath()));
});
