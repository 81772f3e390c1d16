import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planCluster, planUnderlay } from '../lab/plan.ts';
import { isWeftError } from '../errors.ts';
import { etcdClientUrl, etcdServesMtls, flagValue, httpsUrl, tlsClientArgv, tlsEtcdArgv, withoutFlag } from './enablePlan.ts';

const plan = planCluster(
  { name: 'c7', id: 7, nodes: 1, podCIDRs: ['10.7.0.0/16'], serviceCIDR: '10.107.0.0/16', routing: 'native', nodeCidrMaskSize: 24 },
  planUnderlay('172.30.0.0/16'),
  { labDir: '/lab', nodeBin: '/node', cliEntry: '/main.ts', etcdBin: '/usr/bin/etcd' },
);
const argvOf = (host: string, proc: string): string[] => plan.hosts.find((h) => h.name === host)?.processes.find((p) => p.name === proc)?.argv ?? [];
const pki = (name: string): { caFile: string; certFile: string; keyFile: string } => ({ caFile: '/pki/c7/ca.crt', certFile: `/pki/c7/${name}.crt`, keyFile: `/pki/c7/${name}.key` });

test('flag helpers read and drop both --flag=value and --flag value', () => {
  assert.equal(flagValue(['a', '--x=1'], '--x'), '1');
  assert.equal(flagValue(['a', '--x', '2'], '--x'), '2');
  assert.equal(flagValue(['--xy=1'], '--x'), undefined);
  assert.deepEqual(withoutFlag(['a', '--x=1', '--x', '2', '--xy', '3', '--b'], '--x', true), ['a', '--xy', '3', '--b']);
  assert.deepEqual(withoutFlag(['a', '--b', 'c'], '--b', false), ['a', 'c']);
  assert.equal(httpsUrl('http://1.2.3.4:2379'), 'https://1.2.3.4:2379');
  assert.equal(httpsUrl('https://1.2.3.4:2379'), 'https://1.2.3.4:2379');
  assert.throws(() => httpsUrl('unix:///x'), (e) => isWeftError(e) && /unix:\/\/\/x/.test(e.message));
});

test('etcd: https on the cp IP and loopback, client-certificate auth, mesh CA, server cert; the rest kept', () => {
  const before = argvOf('cp', 'etcd');
  assert.equal(etcdServesMtls(before), false);
  const after = tlsEtcdArgv(before, pki('etcd-server'));
  assert.deepEqual(after.slice(0, 4), ['nsenter', '--net=/run/netns/wf-c7_cp', '--', '/usr/bin/etcd']);
  assert.equal(flagValue(after, '--listen-client-urls'), 'https://172.30.7.10:2379,https://127.0.0.1:2379');
  assert.equal(flagValue(after, '--advertise-client-urls'), 'https://172.30.7.10:2379');
  assert.equal(flagValue(after, '--trusted-ca-file'), '/pki/c7/ca.crt');
  assert.equal(flagValue(after, '--cert-file'), '/pki/c7/etcd-server.crt');
  assert.equal(flagValue(after, '--key-file'), '/pki/c7/etcd-server.key');
  assert.ok(after.includes('--client-cert-auth'));
  assert.equal(flagValue(after, '--data-dir'), flagValue(before, '--data-dir'));
  assert.equal(flagValue(after, '--listen-peer-urls'), 'http://127.0.0.1:2380');
  assert.equal(after.filter((a) => a.startsWith('--listen-client-urls')).length, 1);
  assert.equal(etcdServesMtls(after), true);
  assert.equal(etcdClientUrl(after), 'https://172.30.7.10:2379');
  // Applying it twice changes nothing.
  assert.deepEqual(tlsEtcdArgv(after, pki('etcd-server')), after);
});

test('operator: https://127.0.0.1:2379 with the operator certificate; agents: the cp IP with the node certificate', () => {
  const op = tlsClientArgv(argvOf('cp', 'operator'), pki('operator'));
  assert.equal(flagValue(op, '--etcd'), 'https://127.0.0.1:2379');
  assert.equal(flagValue(op, '--etcd-ca'), '/pki/c7/ca.crt');
  assert.equal(flagValue(op, '--etcd-cert'), '/pki/c7/operator.crt');
  assert.equal(flagValue(op, '--etcd-key'), '/pki/c7/operator.key');
  assert.equal(flagValue(op, '--cluster'), 'c7');
  assert.equal(flagValue(op, '--state-dir'), '/lab/c7/cp');
  assert.ok(op.includes('operator'));
  assert.deepEqual(tlsClientArgv(op, pki('operator')), op);

  const agent = tlsClientArgv(argvOf('n1', 'agent'), pki('node'));
  assert.equal(flagValue(agent, '--etcd'), 'https://172.30.7.10:2379');
  assert.equal(flagValue(agent, '--etcd-cert'), '/pki/c7/node.crt');
  assert.equal(flagValue(agent, '--node'), 'n1');
  assert.equal(flagValue(agent, '--node-ip'), '172.30.7.11');
  assert.equal(agent.filter((a) => a === '--etcd').length, 1);
});

test('an argv without the flags enable needs is refused, naming the flag', () => {
  assert.throws(() => tlsEtcdArgv(['/usr/bin/etcd'], pki('etcd-server')), (e) => isWeftError(e, 'LabState') && /--listen-client-urls/.test(e.message));
  assert.throws(() => tlsClientArgv(['weft', 'agent'], pki('node')), (e) => isWeftError(e, 'LabState') && /--etcd/.test(e.message));
});
