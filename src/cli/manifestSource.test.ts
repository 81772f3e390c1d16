import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readManifestSource } from './manifestSource.ts';

void test('a manifest file is read whole up to the limit and refused above it, naming the file and the limit', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-manifest-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'big.yaml');
  writeFileSync(file, 'x'.repeat(3 * 1024 * 1024));
  assert.equal(readManifestSource(file, 3 * 1024 * 1024).length, 3 * 1024 * 1024);
  assert.throws(
    () => readManifestSource(file, 3 * 1024 * 1024 - 1),
    (err: Error) => err.message.includes(`"${file}" is over the limit of 3145727 bytes`) && err.message.includes('nothing was applied'),
  );
});

void test('the default limit is 16 MiB', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-manifest-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'huge.yaml');
  writeFileSync(file, Buffer.alloc(16 * 1024 * 1024 + 1, 0x61));
  assert.throws(() => readManifestSource(file), /is over the limit of 16777216 bytes \(16 MiB\) per manifest/);
});

void test('a missing file is named', () => {
  assert.throws(() => readManifestSource('/nonexistent/x.yaml'), /cannot read "\/nonexistent\/x.yaml"/);
});
