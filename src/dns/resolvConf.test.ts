import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { podResolvConfText, podSearchDomains, removePodResolvConf, writePodResolvConf } from './resolvConf.ts';

void describe('pod resolv.conf', () => {
  let etc: string;
  before(() => {
    etc = mkdtempSync(path.join(tmpdir(), 'weft-dns-resolv-'));
  });
  after(() => {
    rmSync(etc, { recursive: true, force: true });
  });

  void it('points at 169.254.1.1 with the namespace search path and ndots:5', () => {
    assert.equal(
      podResolvConfText('default'),
      'nameserver 169.254.1.1\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n',
    );
    assert.deepEqual(podSearchDomains('kube-system'), ['kube-system.svc.cluster.local', 'svc.cluster.local', 'cluster.local']);
  });

  void it('writes /etc/netns/<netns>/resolv.conf and removes the folder', () => {
    const file = writePodResolvConf('wf-c1_n1_pabc', 'team-a', etc);
    assert.equal(file, path.join(etc, 'wf-c1_n1_pabc', 'resolv.conf'));
    assert.match(readFileSync(file, 'utf8'), /^search team-a\.svc\.cluster\.local /m);
    writePodResolvConf('wf-c1_n1_pabc', 'team-b', etc);
    assert.match(readFileSync(file, 'utf8'), /^search team-b\./m);
    writeFileSync(path.join(etc, 'wf-c1_n1_pabc', 'hosts'), '');
    removePodResolvConf('wf-c1_n1_pabc', etc);
    assert.equal(existsSync(path.join(etc, 'wf-c1_n1_pabc')), false);
    assert.doesNotThrow(() => removePodResolvConf('wf-c1_n1_pabc', etc));
  });

  void it('rejects a bad namespace or a netns name that is not a plain file name', () => {
    assert.throws(() => writePodResolvConf('ok', 'Not_A_Label', etc), /namespace "Not_A_Label"/);
    for (const bad of ['..', 'a/b', '', 'x y']) {
      assert.throws(() => writePodResolvConf(bad, 'default', etc), /network namespace name/);
      assert.throws(() => removePodResolvConf(bad, etc), /network namespace name/);
    }
  });
});
