import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseServiceState, ruleSignature } from './servicesKernel.ts';
import { compileServices } from './servicesCompile.ts';
import { serviceStateAfter } from './servicesPlan.ts';

// `nft -j list table inet weft` from nftables 1.0.6 after applying the three frontends below.
const FIXTURE = readFileSync(new URL('./servicesKernel.fixture.json', import.meta.url), 'utf8');
const b = (ip: string, port: number) => ({ ip, port, cluster: 'c1', preferred: true });
const DESIRED = compileServices([
  { namespace: 'default', name: 'web', clusterIP: '10.96.0.10', port: 80, protocol: 'TCP', backends: [b('10.244.1.12', 8080), b('10.244.1.11', 8080)], allBackends: [] },
  { namespace: 'kube-system', name: 'dns', clusterIP: '10.96.0.20', port: 53, protocol: 'UDP', backends: [b('10.244.1.11', 5353)], allBackends: [] },
  { namespace: 'default', name: 'empty', clusterIP: '10.96.0.30', port: 80, protocol: 'TCP', backends: [], allBackends: [] },
]);

void describe('parseServiceState', () => {
  void it('reads back exactly what compileServices produced (same text form)', () => {
    const st = parseServiceState(FIXTURE);
    const want = serviceStateAfter(DESIRED);
    assert.deepEqual(new Map([...st.ips].sort()), new Map([...want.ips].sort()));
    assert.deepEqual(new Map([...st.endpoints].sort()), new Map([...want.endpoints].sort()));
    assert.deepEqual(st.noBackend, want.noBackend);
    assert.deepEqual(st.hairpin, want.hairpin);
    assert.deepEqual(new Map([...st.chains].sort()), new Map([...want.chains].sort()));
  });

  void it('ignores the static chains and other objects of the table', () => {
    const st = parseServiceState(FIXTURE);
    assert.deepEqual([...st.chains.keys()].sort(), ['svc-lb-1', 'svc-lb-2']);
  });

  void it('gives an unknown or empty chain a signature that never matches a desired one', () => {
    const json = JSON.stringify({
      nftables: [
        { chain: { name: 'svc-lb-3' } },
        { chain: { name: 'svc-old-frontend' } },
        { rule: { chain: 'svc-old-frontend', expr: [{ jump: { target: 'x' } }] } },
        { chain: { name: 'svc-nat-prerouting' } },
      ],
    });
    const st = parseServiceState(json);
    assert.deepEqual([...st.chains], [['svc-lb-3', ''], ['svc-old-frontend', 'other']]);
  });

  void it('reads elements wrapped with per-element options (comments, counters)', () => {
    const json = JSON.stringify({
      nftables: [
        { map: { name: 'svc-ips', elem: [[{ elem: { val: { concat: ['10.96.0.1', 'tcp', 80] }, comment: 'x' } }, { goto: { target: 'svc-lb-1' } }]] } },
        { set: { name: 'svc-hairpin', elem: [{ elem: { val: { concat: ['10.0.0.1', '10.0.0.1'] } } }] } },
      ],
    });
    const st = parseServiceState(json);
    assert.deepEqual([...st.ips], [['10.96.0.1 . tcp . 80', 'goto svc-lb-1']]);
    assert.deepEqual([...st.hairpin], ['10.0.0.1 . 10.0.0.1']);
  });

  void it('rejects text that is not JSON, naming it', () => {
    assert.throws(() => parseServiceState('Error: oops'), /cannot parse nft -j output for table inet weft: Error: oops/);
  });

  void it('ruleSignature recognises the svc-lb rule and nothing else', () => {
    const lb = [{ dnat: { family: 'ip', addr: { map: { key: { concat: [{ numgen: { mode: 'random', mod: 4, offset: 0 } }] }, data: '@svc-eps' } } } }];
    assert.equal(ruleSignature(lb), 'lb:4');
    assert.equal(ruleSignature([{ dnat: { addr: { map: { key: { numgen: { mode: 'inc', mod: 4 } }, data: '@svc-eps' } } } }]), 'other');
    assert.equal(ruleSignature([{ accept: null }]), 'other');
  });
});
