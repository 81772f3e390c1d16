import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { groupPolicyElements, parsePolicySetElements } from './policyKernel.ts';
import { compilePolicySets } from './policyCompile.ts';

/** Captured from nft 1.0.6 (`nft -j list set inet weft <set>`). */
const fixture = JSON.parse(readFileSync(new URL('./policyKernel.fixture.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const captured = (name: string): string => JSON.stringify(fixture[name]);

void describe('policy sets read from the kernel', () => {
  void it('renders elements in the compiled text form (marks in hex, protocols by name)', () => {
    assert.deepEqual(parsePolicySetElements(captured('pol-in-l4')), ['10.1.0.5 . 0x20101 . sctp . 9', '10.1.0.5 . 0x10100 . tcp . 6379']);
    assert.deepEqual(parsePolicySetElements(captured('pol-in-enforced')), ['10.1.0.5']);
    assert.deepEqual(parsePolicySetElements(captured('pol-in-l3')), ['10.1.0.5 . 0x1']);
    assert.deepEqual(parsePolicySetElements(captured('pol-in-l4any')), ['10.1.0.5 . udp . 53']);
    assert.deepEqual(parsePolicySetElements(captured('pol-out-l4')), []);
  });
  void it('groups per endpoint with the signature the compiler gives the same verdicts', () => {
    const sets = new Map(['pol-in-enforced', 'pol-in-l3', 'pol-in-l4', 'pol-in-l4any', 'pol-out-l4'].map((s) => [s, parsePolicySetElements(captured(s))]));
    const kernel = groupPolicyElements(sets);
    const compiled = compilePolicySets([
      {
        namespace: 'default',
        pod: 'db',
        ip: '10.1.0.5',
        identity: 0x10105,
        ingress: { enforced: true, allowAll: false, l3: [1], l4: [{ identity: 0x10100, proto: 'tcp', port: 6379 }, { identity: 0x20101, proto: 'sctp', port: 9 }], l4Any: [{ proto: 'udp', port: 53 }] },
        egress: { enforced: false, allowAll: true, l3: [], l4: [], l4Any: [] },
      },
    ]);
    assert.equal(kernel.get('10.1.0.5')?.signature, compiled.endpoints.get('10.1.0.5')?.signature);
  });
  void it('rejects output without a set', () => {
    assert.throws(() => parsePolicySetElements('{"nftables":[]}'), /holds no set/);
    assert.throws(() => parsePolicySetElements('nope'), /cannot parse/);
  });
});
