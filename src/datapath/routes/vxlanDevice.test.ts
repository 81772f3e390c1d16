import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deviceAfter, ensureVxlanDevice, planVxlanDevice } from './vxlanDevice.ts';
import { desiredFor } from './applier.contract.ts';
import type { NetTools } from '../netTools.ts';
import { WeftError, ErrorCode } from '../../errors.ts';

const spec = desiredFor('tunnel', [2]).vxlan!;

void describe('planVxlanDevice', () => {
  void it('leaves a matching device alone', () => {
    assert.deepEqual(planVxlanDevice(spec, deviceAfter(spec)), { action: 'unchanged', lines: [] });
    assert.deepEqual(planVxlanDevice(undefined, undefined), { action: 'unchanged', lines: [] });
  });
  void it('updates MAC and link state in place', () => {
    const plan = planVxlanDevice(spec, { ...deviceAfter(spec), mac: 'aa:aa:aa:aa:aa:aa', up: false });
    assert.deepEqual(plan, { action: 'updated', lines: ['link set dev weft_vxlan address 0e:57:ac:1e:00:0b', 'link set dev weft_vxlan up'] });
  });
  void it('recreates a device whose VNI, port, local address, underlay or learning differ', () => {
    for (const change of [{ vni: 2 }, { port: 4789 }, { localIp: '1.2.3.4' }, { underlayDev: 'eth1' }, { learning: true }]) {
      assert.equal(planVxlanDevice(spec, { ...deviceAfter(spec), ...change }).action, 'recreated', JSON.stringify(change));
    }
  });
  void it('deletes a device that is not wanted', () => {
    assert.deepEqual(planVxlanDevice(undefined, deviceAfter(spec)), { action: 'deleted', lines: ['link del dev weft_vxlan'] });
  });
});

void describe('ensureVxlanDevice', () => {
  void it('creates the device in one ip batch when there is none', async () => {
    const batches: string[] = [];
    const tools: NetTools = {
      run(_tool, args, input) {
        if (args.includes('show')) return Promise.reject(new WeftError(ErrorCode.CommandFailed, 'Device "weft_vxlan" does not exist.'));
        batches.push(input ?? '');
        return Promise.resolve('');
      },
    };
    assert.equal(await ensureVxlanDevice(tools, spec), 'created');
    assert.equal(batches.length, 1);
    assert.match(batches[0] ?? '', /^link add weft_vxlan address 0e:57:ac:1e:00:0b type vxlan id 1 local 172\.30\.0\.11 dstport 8472 nolearning dev eth0\nlink set dev weft_vxlan up\n$/);
  });
});
