import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { datapathApplierContract, desiredFor } from './applier.contract.ts';
import { FakeDatapathApplier, FakeKernel } from './fake.ts';

datapathApplierContract('FakeDatapathApplier', () => {
  const kernel = new FakeKernel();
  return Promise.resolve({
    newApplier: () => new FakeDatapathApplier(kernel),
    readState: () => Promise.resolve(structuredClone(kernel.state)),
    cleanup: () => Promise.resolve(),
  });
});

void describe('FakeDatapathApplier', () => {
  void it('records every desired state, a copy the caller cannot change afterwards', async () => {
    const fake = new FakeDatapathApplier();
    const desired = desiredFor('native', [2]);
    await fake.sync(desired);
    desired.routes.length = 0;
    assert.equal(fake.history.length, 1);
    assert.equal(fake.last?.routes.length, 1);
  });

  void it('fails on demand, leaves the kernel alone and re-reads on the next sync', async () => {
    const fake = new FakeDatapathApplier();
    await fake.sync(desiredFor('native', [2]));
    fake.failNext(new Error('boom'));
    await assert.rejects(fake.sync(desiredFor('native', [3])), /boom/);
    assert.equal(fake.kernel.state.routes[0]?.dst, '10.244.2.0/24');
    const report = await fake.sync(desiredFor('native', [3]));
    assert.equal(report.fullResync, true);
    assert.deepEqual(report.changes, { add: 1, replace: 0, delete: 1 });
  });
});
