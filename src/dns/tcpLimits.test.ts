import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TCP_LIMITS, TcpAdmission, validateTcpLimits } from './tcpLimits.ts';

void describe('TcpAdmission', () => {
  void it('admits up to perClient per source, and other sources still get in', () => {
    const a = new TcpAdmission({ perClient: 2, total: 10, queryTimeoutMs: 1000 });
    assert.deepEqual(['10.0.0.1', '10.0.0.1', '10.0.0.1'].map((c) => a.admit(c)), ['admitted', 'admitted', 'client-limit']);
    assert.equal(a.admit('10.0.0.2'), 'admitted');
    assert.equal(a.held('10.0.0.1'), 2);
    assert.equal(a.held(), 3);
  });

  void it('stops at the total, and frees slots on release', () => {
    const a = new TcpAdmission({ perClient: 5, total: 2, queryTimeoutMs: 1000 });
    assert.equal(a.admit('a'), 'admitted');
    assert.equal(a.admit('b'), 'admitted');
    assert.equal(a.admit('c'), 'total-limit');
    a.release('a');
    assert.equal(a.admit('c'), 'admitted');
    a.release('nobody'); // releasing what was never admitted changes nothing
    assert.equal(a.held(), 2);
  });

  void it('validates limits, naming the field and the value', () => {
    assert.deepEqual(validateTcpLimits({ ...DEFAULT_TCP_LIMITS }), DEFAULT_TCP_LIMITS);
    assert.throws(() => validateTcpLimits({ ...DEFAULT_TCP_LIMITS, perClient: 0 }), /perClient 0/);
    assert.throws(() => validateTcpLimits({ ...DEFAULT_TCP_LIMITS, queryTimeoutMs: Number.NaN }), /queryTimeoutMs NaN/);
  });
});
