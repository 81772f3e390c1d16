import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeNftTable, FakeTableApplier } from './fake.ts';
import { tableApplierContract, tableFor } from './tableApplier.contract.ts';

tableApplierContract('FakeTableApplier', () => {
  const table = new FakeNftTable();
  return Promise.resolve({ newApplier: () => new FakeTableApplier(table), readState: () => Promise.resolve(table.state), cleanup: () => Promise.resolve() });
});

void describe('FakeTableApplier', () => {
  void it('records every desired table; a failed sync leaves the table and makes the next one a full resync', async () => {
    const fake = new FakeTableApplier();
    await fake.sync(tableFor(['10.1.1.1']));
    const before = fake.table.state;
    fake.failNext(new Error('nft: boom'));
    await assert.rejects(fake.sync(tableFor(['10.1.1.2'])), /boom/);
    assert.equal(fake.table.state, before);
    assert.equal(fake.history.length, 2);
    const r = await fake.sync(tableFor(['10.1.1.2']));
    assert.equal(r.fullResync, true);
    assert.equal(r.changes.services.frontendsChanged, 1);
    await fake.close();
    assert.equal(fake.closed, true);
  });
});
