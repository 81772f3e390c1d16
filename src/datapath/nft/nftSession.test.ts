import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { NODE_BIN } from '../../util/paths.ts';
import { LazyNftSession, spawnNftSession, transactionError } from './nftSession.ts';

// Behaves like `nft -i` for the framing: a line with "bad" fails with an nft-style error; a bare
// word is a syntax error echoed with a caret; anything else succeeds silently.
const FAKE_NFT = `
import readline from 'node:readline';
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'die') process.exit(3);
  if (/^\\w+$/.test(line)) { process.stderr.write('Error: syntax error, unexpected newline, expecting string\\n' + line + '\\n' + ' '.repeat(line.length) + '^\\n'); return; }
  if (line.includes('bad')) { process.stderr.write('Error: Could not process rule: File exists\\n' + line + '\\n    ^^^^\\n'); return; }
});
`;
const fake = (): ReturnType<typeof spawnNftSession> => spawnNftSession([NODE_BIN, '--input-type=module', '-e', FAKE_NFT, '--'], { timeoutMs: 5000 });

void describe('transactionError', () => {
  void it('is undefined when only the marker was rejected, whatever came before (a caret, a prompt)', () => {
    const out = '         ^\nError: syntax error, unexpected newline, expecting string\nweftsync2\n         ^\n';
    assert.equal(transactionError(out, 2), undefined);
  });
  void it("returns nft's error for the transaction", () => {
    const out = 'Error: Could not process rule: File exists\nadd element inet weft x { 1 }\n    ^^^\nError: syntax error, unexpected newline\nweftsync7\n';
    assert.equal(transactionError(out, 7), 'Error: Could not process rule: File exists\nadd element inet weft x { 1 }\n    ^^^');
  });
});

void describe('spawnNftSession (against a stand-in for nft -i)', () => {
  void it('applies transactions one line each, in order, and reports a failed one with its error', async () => {
    const s = fake();
    try {
      await s.apply(['add element a { 1 }', 'add element b { 2 }']);
      await assert.rejects(s.apply(['add element bad { 3 }']), /failed: Error: Could not process rule: File exists/);
      await Promise.all([s.apply(['one x']), s.apply(['two y'])]);
      await assert.rejects(s.apply(['multi\nline']), /newline/);
    } finally {
      await s.close();
    }
  });

  void it('fails every call once the process is gone', async () => {
    const s = fake();
    await assert.rejects(s.apply(['die']), /exited with 3/);
    await assert.rejects(s.apply(['add element a { 1 }']), /exited with 3/);
    await s.close();
  });
});

void test('LazyNftSession opens on first use, and after a failed transaction opens a fresh session', async () => {
  const opened: string[][][] = [];
  let fail = false;
  const lazy = new LazyNftSession(() => {
    const applied: string[][] = [];
    opened.push(applied);
    return {
      apply: (lines) => {
        applied.push([...lines]);
        return fail ? Promise.reject(new Error('nft: Error: no such set')) : Promise.resolve();
      },
      close: () => Promise.resolve(),
    };
  });
  assert.equal(opened.length, 0, 'nothing opened before the first transaction');
  await lazy.apply(['add element inet weft s { 1 }']);
  await lazy.apply(['add element inet weft s { 2 }']);
  assert.equal(opened.length, 1);
  fail = true;
  await assert.rejects(lazy.apply(['add element inet weft s { 3 }']), /no such set/);
  fail = false;
  await lazy.apply(['add element inet weft s { 4 }']);
  assert.equal(opened.length, 2, 'a fresh session after the failure');
  assert.deepEqual(opened[1], [['add element inet weft s { 4 }']]);
  await lazy.close();
});
