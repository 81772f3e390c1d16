import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicySets, POLICY_SETS } from './policyCompile.ts';
import { UNENFORCED } from '../../policy/types.ts';
import type { DirectionVerdict, EndpointPolicy } from '../../policy/types.ts';

const deny: DirectionVerdict = { enforced: true, allowAll: false, l3: [], l4: [], l4Any: [] };
const ep = (ip: string, ingress: DirectionVerdict, egress: DirectionVerdict = UNENFORCED): EndpointPolicy => ({ namespace: 'default', pod: `p-${ip}`, ip, identity: 0x10100, ingress, egress });

const plain = (d: ReturnType<typeof compilePolicySets>): Record<string, Record<string, readonly string[]>> =>
  Object.fromEntries([...d.endpoints].map(([ip, e]) => [ip, Object.fromEntries(e.sets)]));

void describe('compilePolicySets', () => {
  void it('names the 8 sets', () => {
    assert.deepEqual(POLICY_SETS, ['pol-in-enforced', 'pol-in-l3', 'pol-in-l4', 'pol-in-l4any', 'pol-out-enforced', 'pol-out-l3', 'pol-out-l4', 'pol-out-l4any']);
  });
  void it('gives every element the endpoint IP in front (golden: seed 003 protected-db + an egress policy)', () => {
    const d = compilePolicySets([
      ep('10.1.0.5', { enforced: true, allowAll: false, l3: [1], l4: [{ identity: 0x20101, proto: 'tcp', port: 6379 }, { identity: 0x10102, proto: 'tcp', port: 6379 }], l4Any: [{ proto: 'udp', port: 53 }] }),
      ep('10.1.0.6', UNENFORCED, { enforced: true, allowAll: false, l3: [0x10100], l4: [], l4Any: [] }),
    ]);
    assert.deepEqual(plain(d), {
      '10.1.0.5': {
        'pol-in-enforced': ['10.1.0.5'],
        'pol-in-l3': ['10.1.0.5 . 0x1'],
        'pol-in-l4': ['10.1.0.5 . 0x10102 . tcp . 6379', '10.1.0.5 . 0x20101 . tcp . 6379'],
        'pol-in-l4any': ['10.1.0.5 . udp . 53'],
      },
      '10.1.0.6': { 'pol-out-enforced': ['10.1.0.6'], 'pol-out-l3': ['10.1.0.6 . 0x10100'] },
    });
    assert.deepEqual(d.warnings, []);
  });
  void it('default deny: only the enforced element; unenforced or allowAll: nothing', () => {
    const d = compilePolicySets([ep('10.1.0.5', deny), ep('10.1.0.6', UNENFORCED), ep('10.1.0.7', { ...deny, allowAll: true, l3: [5] })]);
    assert.deepEqual(plain(d), { '10.1.0.5': { 'pol-in-enforced': ['10.1.0.5'] } });
  });
  void it('same verdicts give the same signature; a change changes it', () => {
    const a = compilePolicySets([ep('10.1.0.5', { ...deny, l3: [7, 3] })]).endpoints.get('10.1.0.5');
    const b = compilePolicySets([ep('10.1.0.5', { ...deny, l3: [3, 7, 7] })]).endpoints.get('10.1.0.5');
    const c = compilePolicySets([ep('10.1.0.5', { ...deny, l3: [3] })]).endpoints.get('10.1.0.5');
    assert.equal(a?.signature, b?.signature);
    assert.notEqual(a?.signature, c?.signature);
  });
  void it('skips invalid IPs, identities and ports with a warning naming the value', () => {
    const d = compilePolicySets([
      ep('', deny),
      ep('10.1.0.5', { ...deny, l3: [0], l4: [{ identity: 5, proto: 'tcp', port: 70000 }], l4Any: [{ proto: 'udp', port: 0 }] }),
    ]);
    assert.deepEqual(plain(d), { '10.1.0.5': { 'pol-in-enforced': ['10.1.0.5'] } });
    assert.deepEqual(d.warnings, [
      'endpoint default/p-: ip "" is not an IPv4 address',
      'endpoint default/p-10.1.0.5: ingress l3 identity 0 of 10.1.0.5 is not a valid identity',
      'endpoint default/p-10.1.0.5: ingress rule identity 5 tcp/70000 of 10.1.0.5 is not valid',
      'endpoint default/p-10.1.0.5: ingress port udp/0 of 10.1.0.5 is not valid',
    ]);
  });
});

void describe('compilePolicySets reuse', () => {
  void it('the same EndpointPolicy object gives the same elements object (unchanged endpoints cost a lookup)', () => {
    const p = ep('10.1.0.5', { ...deny, l3: [9] });
    assert.equal(compilePolicySets([p]).endpoints.get('10.1.0.5'), compilePolicySets([p, ep('10.1.0.6', deny)]).endpoints.get('10.1.0.5'));
  });
  void it('two endpoints with one IP: elements merged, with a warning naming both', () => {
    const d = compilePolicySets([ep('10.1.0.5', { ...deny, l3: [9] }), { ...ep('10.1.0.5', UNENFORCED, deny), pod: 'other' }]);
    assert.deepEqual(plain(d), { '10.1.0.5': { 'pol-in-enforced': ['10.1.0.5'], 'pol-in-l3': ['10.1.0.5 . 0x9'], 'pol-out-enforced': ['10.1.0.5'] } });
    assert.deepEqual(d.warnings, ['ip 10.1.0.5 belongs to 2 endpoints (default/p-10.1.0.5, default/other): policies merged']);
  });
});
