import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EtcdPermissionDeniedError, GRPCDeadlineExceededError, GRPCUnavailableError, EtcdError } from 'etcd3';
import { ErrorCode } from '../errors.ts';
import { classifyEtcdFailure, etcdCallError } from './etcdErrors.ts';

/** Shaped like cockatiel's (etcd3's circuit breaker), which is not a direct dependency. */
class BrokenCircuitError extends Error {
  constructor() {
    super('Execution prevented because the circuit breaker is open');
  }
}

const site = { where: 'https://10.0.0.1:2379', what: 'list weft/resources/pods/default/', timeoutMs: 10_000 };

void describe('classifyEtcdFailure', () => {
  void it("tells etcd3's error classes apart", () => {
    assert.equal(classifyEtcdFailure(new EtcdPermissionDeniedError('7 PERMISSION_DENIED: etcdserver: permission denied')), 'permission');
    assert.equal(classifyEtcdFailure(new GRPCDeadlineExceededError('4 DEADLINE_EXCEEDED: Deadline exceeded after 4.998s')), 'deadline');
    assert.equal(classifyEtcdFailure(new GRPCUnavailableError('14 UNAVAILABLE: No connection established')), 'unavailable');
    assert.equal(classifyEtcdFailure(new EtcdError('etcdserver: request is too large')), 'failed');
  });

  void it('reads raw gRPC errors by status code and text', () => {
    assert.equal(classifyEtcdFailure(Object.assign(new Error('x'), { code: 7 })), 'permission');
    assert.equal(classifyEtcdFailure(Object.assign(new Error('x'), { code: 4 })), 'deadline');
    assert.equal(classifyEtcdFailure(new Error('Execution prevented because the circuit breaker is open')), 'breaker');
    assert.equal(classifyEtcdFailure(new Error('connect ECONNREFUSED 127.0.0.1:2379')), 'unavailable');
    assert.equal(classifyEtcdFailure('etcdserver: too many operations in txn request'), 'failed');
  });
});

void describe('etcdCallError', () => {
  void it('a deadline names the endpoint, the limit and the operation', () => {
    const e = etcdCallError(new GRPCDeadlineExceededError('4 DEADLINE_EXCEEDED: Deadline exceeded after 9.998s'), site);
    assert.equal(e.code, ErrorCode.KvUnavailable);
    assert.equal(e.message, 'etcd at https://10.0.0.1:2379 did not answer within 10s (list weft/resources/pods/default/: 4 DEADLINE_EXCEEDED: Deadline exceeded after 9.998s)');
    assert.deepEqual(e.details, { endpoints: site.where, operation: site.what });
  });

  void it('an RBAC denial is a permission error naming the operation, the key and the certificate', () => {
    const e = etcdCallError(new EtcdPermissionDeniedError('7 PERMISSION_DENIED: etcdserver: permission denied'), {
      ...site,
      what: 'put weft/mesh/remotes/c2',
      certFile: '/var/lib/weft/pki/c1/node.crt',
    });
    assert.equal(e.code, ErrorCode.PermissionDenied);
    assert.equal(e.message, 'etcd at https://10.0.0.1:2379 refused put weft/mesh/remotes/c2: permission denied by etcd RBAC to the user of certificate /var/lib/weft/pki/c1/node.crt');
    assert.doesNotMatch(e.message, /unavailable/);
  });

  void it("a refusal by a cluster's mesh proxy says what the proxy said", () => {
    const e = etcdCallError(new EtcdPermissionDeniedError('7 PERMISSION_DENIED: weft mesh proxy: remote clusters are read-only; KV.Compact is refused (cluster c2 may only Range, Watch and Status)'), {
      ...site,
      where: 'https://172.30.1.10:32379',
      what: 'compact',
      certFile: '/var/lib/weft/pki/c2/remote.crt',
    });
    assert.equal(e.code, ErrorCode.PermissionDenied);
    assert.equal(e.message, 'etcd at https://172.30.1.10:32379 refused compact: weft mesh proxy: remote clusters are read-only; KV.Compact is refused (cluster c2 may only Range, Watch and Status)');
  });

  void it('connection refused says unavailable, with the cause', () => {
    const e = etcdCallError(new GRPCUnavailableError('14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:2379. Resolution note: '), site);
    assert.equal(e.code, ErrorCode.KvUnavailable);
    assert.equal(e.message, 'etcd at https://10.0.0.1:2379 is unavailable (list weft/resources/pods/default/: 14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:2379)');
  });

  void it('an open circuit breaker repeats the last real failure', () => {
    const e = etcdCallError(new BrokenCircuitError(), { ...site, lastFailure: 'connect ECONNREFUSED 127.0.0.1:2379' });
    assert.match(e.message, /^etcd at https:\/\/10\.0\.0\.1:2379 is unavailable \(list weft\/resources\/pods\/default\/: not tried again .*last failure: connect ECONNREFUSED/);
  });

  void it("etcd's own refusals are not called unavailable", () => {
    const e = etcdCallError(new EtcdError('etcdserver: request is too large'), { ...site, what: 'put weft/resources/configmaps/default/big' });
    assert.equal(e.message, 'etcd at https://10.0.0.1:2379: put weft/resources/configmaps/default/big failed: etcdserver: request is too large');
  });
});
