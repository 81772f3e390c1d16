import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KernelDatapathApplier } from './apply.ts';
import { desiredFor } from './applier.contract.ts';
import type { NetTools } from '../netTools.ts';
import { WeftError, ErrorCode } from '../../errors.ts';

interface Script {
  tools: NetTools;
  calls: string[];
  failBatch: boolean;
}

/** An empty kernel that answers reads and accepts (or fails) batches. */
function scripted(): Script {
  const s: Script = {
    calls: [],
    failBatch: false,
    tools: {
      run(tool, args, input) {
        s.calls.push(`${tool} ${args.join(' ')}${input === undefined ? '' : `\n${input}`}`);
        if (args.includes('-batch')) return s.failBatch ? Promise.reject(new WeftError(ErrorCode.CommandFailed, 'ip -batch failed')) : Promise.resolve('');
        if (args.includes('link')) return Promise.reject(new WeftError(ErrorCode.CommandFailed, 'Device "weft_vxlan" does not exist.'));
        return Promise.resolve('[]');
      },
    },
  };
  return s;
}

void describe('KernelDatapathApplier', () => {
  void it('reads the kernel once, applies one ip batch, and then runs nothing for the same desired state', async () => {
    const s = scripted();
    const applier = new KernelDatapathApplier({ tools: s.tools });
    const first = await applier.sync(desiredFor('native', [2, 3]));
    assert.equal(first.fullResync, true);
    assert.deepEqual(s.calls, [
      'ip -j route show table main proto 157',
      'ip -j -d link show dev weft_vxlan',
      'ip -force -batch -\nroute replace 10.244.2.0/24 via 172.30.0.12 dev eth0 proto 157\nroute replace 10.244.3.0/24 via 172.30.0.13 dev eth0 proto 157\n',
    ]);
    assert.deepEqual(first.commands, ['ip route replace 10.244.2.0/24 via 172.30.0.12 dev eth0 proto 157', 'ip route replace 10.244.3.0/24 via 172.30.0.13 dev eth0 proto 157']);
    s.calls.length = 0;
    const second = await applier.sync(desiredFor('native', [2, 3]));
    assert.deepEqual(s.calls, []);
    assert.equal(second.fullResync, false);
  });

  void it('sends the FDB in one bridge batch after the ip batch', async () => {
    const s = scripted();
    await new KernelDatapathApplier({ tools: s.tools }).sync(desiredFor('tunnel', [2]));
    assert.deepEqual(
      s.calls.filter((c) => c.includes('-batch')).map((c) => c.split('\n')[0]),
      ['ip -force -batch -', 'bridge -force -batch -'],
    );
  });

  void it('re-reads the kernel after a failure', async () => {
    const s = scripted();
    const applier = new KernelDatapathApplier({ tools: s.tools });
    await applier.sync(desiredFor('native', [2]));
    s.failBatch = true;
    await assert.rejects(applier.sync(desiredFor('native', [3])), /ip -batch failed/);
    s.failBatch = false;
    s.calls.length = 0;
    const report = await applier.sync(desiredFor('native', [3]));
    assert.equal(report.fullResync, true);
    assert.equal(s.calls[0], 'ip -j route show table main proto 157');
  });

  void it('re-reads the kernel when the resync interval has passed or when marked dirty', async () => {
    const s = scripted();
    let now = 1000;
    const applier = new KernelDatapathApplier({ tools: s.tools, resyncIntervalMs: 500, now: () => now });
    await applier.sync(desiredFor('native', []));
    now += 499;
    assert.equal((await applier.sync(desiredFor('native', []))).fullResync, false);
    now += 1;
    assert.equal((await applier.sync(desiredFor('native', []))).fullResync, true);
    applier.markDirty();
    assert.equal((await applier.sync(desiredFor('native', []))).fullResync, true);
  });

  void it('runs concurrent syncs one after the other', async () => {
    const s = scripted();
    const applier = new KernelDatapathApplier({ tools: s.tools });
    const [a, b] = await Promise.all([applier.sync(desiredFor('native', [2])), applier.sync(desiredFor('native', [2]))]);
    assert.equal(a.commands.length, 1);
    assert.deepEqual(b.commands, []);
  });
});
