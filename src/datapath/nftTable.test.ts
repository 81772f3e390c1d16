import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileNftTable } from './nftTable.ts';

void describe('compileNftTable', () => {
  void it('declares the table, flushes and rewrites the forward chain, counting into a named counter (golden)', () => {
    assert.equal(
      compileNftTable(),
      `add table inet weft
add counter inet weft forwarded
add chain inet weft forward { type filter hook forward priority filter; policy accept; }
flush chain inet weft forward
add rule inet weft forward counter name "forwarded" accept comment "weft: forwarded, no policy yet"
`,
    );
  });
  void it('never deletes or flushes the whole table (connections and counters survive a sync)', () => {
    assert.doesNotMatch(compileNftTable(), /^(delete|flush) table/m);
  });
});
