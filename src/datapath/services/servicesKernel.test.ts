import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { frontendElements, parseServiceState, ruleSignature } from './servicesKernel.ts';
import { compileServices } from './servicesCompile.ts';

// `nft -j list table inet weft` from nftables 1.0.6 after the services applier applied these three frontends.
const FIXTURE = readFileSync(new URL('./servicesKernel.fixture.json', import.meta.url), 'utf8');
const b = (ip: string, port: number) => ({ ip, port, cluster: 'c1', preferred: true });
const DESIRED = compileServices([
  { namespace: 'default', name: 'web', clusterIP: '10.96.0.10', port: 80, protocol: 'TCP', backends: [b('10.244.1.12', 8080), b('10.244.1.11', 8080)], allBackends: [] },
  { namespace: 'kube-system', name: 'dns', clusterIP: '10.96.0.20', port: 53, protocol: 'UDP', backends: [b('10.244.1.11', 5353)], allBackends: [] },
  { namespace: 'default', name: 'empty', clusterIP: '10.96.0.30', port: 80, protocol: 'TCP', backends: [], allBackends: [] },
]);

void describe('parseServiceState', () => {
  void it('reads back every frontend with the signature compileServices gives it', () => {
    const st = parseServiceState(FIXTURE);
    assert.deepEqual(
      new Map([...st.frontends].map(([k, f]) => [k, f.signature])),
      new Map([...DESIRED.frontends].map(([k, f]) => [k, f.signature])),
    );
    const web = st.frontends.get('10.96.0.10 . tcp . 80');
    assert.ok(web);
    assert.deepEqual(frontendElements(web), {
      proto: 'tcp',
      ips: 'goto svc-lb-tcp-2',
      endpoints: new Map([
        ['10.96.0.10 . 80 . 0', '10.244.1.11 . 8080'],
        ['10.96.0.10 . 80 . 1', '10.244.1.12 . 8080'],
      ]),
      noBackend: false,
    });
  });

  void it('reads the svc-lb chains', () => {
    const st = parseServiceState(FIXTURE);
    assert.deepEqual(new Map([...st.chains].sort()), new Map([['svc-lb-tcp-2', 'lb:tcp:2'], ['svc-lb-udp-1', 'lb:udp:1']]));
  });

  void it('a frontend that is not exactly right gets a signature that matches nothing', () => {
    const json = JSON.stringify({
      nftables: [
        // svc-ips says 2 backends, svc-eps-tcp holds index 0 and 2
        { map: { name: 'svc-ips', elem: [[{ concat: ['10.96.0.1', 'tcp', 80] }, { goto: { target: 'svc-lb-tcp-2' } }]] } },
        {
          map: {
            name: 'svc-eps-tcp',
            elem: [
              [{ concat: ['10.96.0.1', 80, 0] }, { concat: ['10.0.0.1', 80] }],
              [{ concat: ['10.96.0.1', 80, 2] }, { concat: ['10.0.0.2', 80] }],
              [{ concat: ['10.96.0.9', 80, 0] }, { concat: ['10.0.0.3', 80] }], // orphan: no svc-ips element
            ],
          },
        },
      ],
    });
    const st = parseServiceState(json);
    assert.equal(st.frontends.get('10.96.0.1 . tcp . 80')?.signature, '!10.96.0.1 . tcp . 80');
    assert.equal(st.frontends.get('10.96.0.9 . tcp . 80')?.signature, '!10.96.0.9 . tcp . 80');
  });

  void it('gives an unknown or empty chain a signature that never matches a desired one; static chains are ignored', () => {
    const json = JSON.stringify({
      nftables: [
        { chain: { name: 'svc-lb-tcp-3' } },
        { chain: { name: 'svc-old-frontend' } },
        { rule: { chain: 'svc-old-frontend', expr: [{ jump: { target: 'x' } }] } },
        { chain: { name: 'svc-nat-prerouting' } },
        { chain: { name: 'forward' } },
      ],
    });
    assert.deepEqual([...parseServiceState(json).chains], [['svc-lb-tcp-3', ''], ['svc-old-frontend', 'other']]);
  });

  void it('reads elements wrapped with per-element options (comments, counters)', () => {
    const json = JSON.stringify({
      nftables: [
        { set: { name: 'svc-nobackend', elem: [{ elem: { val: { concat: ['10.96.0.1', 'udp', 53] }, comment: 'x' } }] } },
      ],
    });
    const st = parseServiceState(json);
    assert.equal(st.frontends.get('10.96.0.1 . udp . 53')?.signature, '10.96.0.1 . udp . 53=');
  });

  void it('rejects text that is not JSON, naming it', () => {
    assert.throws(() => parseServiceState('Error: oops'), /cannot parse nft -j output for table inet weft: Error: oops/);
  });

  void it('ruleSignature recognises the svc-lb rule and nothing else', () => {
    const lb = [{ dnat: { family: 'ip', addr: { map: { key: { concat: [{ numgen: { mode: 'random', mod: 4, offset: 0 } }] }, data: '@svc-eps-udp' } } } }];
    assert.equal(ruleSignature(lb), 'lb:udp:4');
    assert.equal(ruleSignature([{ dnat: { addr: { map: { key: { numgen: { mode: 'inc', mod: 4 } }, data: '@svc-eps-tcp' } } } }]), 'other');
    assert.equal(ruleSignature([{ dnat: { addr: { map: { key: { numgen: { mode: 'random', mod: 4 } }, data: '@svc-eps' } } } }]), 'other');
    assert.equal(ruleSignature([{ accept: null }]), 'other');
  });
});
