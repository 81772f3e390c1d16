import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildDnsTable, DNS_TTL_SECONDS, normalizeName } from './records.ts';
import type { DnsTable } from './records.ts';
import { POD_NDOTS, podSearchDomains } from './resolvConf.ts';

const table = buildDnsTable({
  cluster: 'c1',
  services: [
    { namespace: 'default', name: 'echo-1', clusterIP: '10.101.0.10', global: false },
    { namespace: 'default', name: 'rebel-base', clusterIP: '10.101.0.20', global: true },
    { namespace: 'other', name: 'echo-1', clusterIP: '10.101.0.30', global: true },
    { namespace: 'default', name: 'pending', clusterIP: '', global: true },
  ],
});

function ipOf(t: DnsTable, name: string, type = 'A'): string | undefined {
  const r = t.answer({ name, type });
  return r.answers[0]?.data;
}

void describe('buildDnsTable / answer', () => {
  void it('answers <svc>.<ns>.svc.cluster.local with the ClusterIP, TTL 5 s, authoritative', () => {
    const r = table.answer({ name: 'echo-1.default.svc.cluster.local', type: 'A' });
    assert.equal(r.rcode, 'NOERROR');
    assert.equal(r.authoritative, true);
    assert.deepEqual(r.answers, [{ name: 'echo-1.default.svc.cluster.local', type: 'A', ttl: DNS_TTL_SECONDS, data: '10.101.0.10' }]);
    assert.equal(ipOf(table, 'echo-1.other.svc.cluster.local'), '10.101.0.30');
  });

  void it('answers clusterset.local only for global services', () => {
    assert.equal(ipOf(table, 'rebel-base.default.svc.clusterset.local'), '10.101.0.20');
    assert.equal(ipOf(table, 'echo-1.other.svc.clusterset.local'), '10.101.0.30');
    const r = table.answer({ name: 'echo-1.default.svc.clusterset.local', type: 'A' });
    assert.equal(r.rcode, 'NXDOMAIN');
    assert.equal(r.authorities[0]?.type, 'SOA');
    assert.equal(r.authorities[0]?.name, 'clusterset.local');
  });

  void it('is case-insensitive, accepts a trailing dot and echoes the name as asked', () => {
    const r = table.answer({ name: 'Echo-1.DEFAULT.svc.Cluster.Local.', type: 'A' });
    assert.equal(r.answers[0]?.data, '10.101.0.10');
    assert.equal(r.answers[0]?.name, 'Echo-1.DEFAULT.svc.Cluster.Local');
    assert.equal(normalizeName('A.B.'), 'a.b');
  });

  void it('gives NOERROR without answers for AAAA (and other types) of a known name', () => {
    for (const type of ['AAAA', 'MX', 'TXT', 'SRV']) {
      const r = table.answer({ name: 'echo-1.default.svc.cluster.local', type });
      assert.equal(r.rcode, 'NOERROR', type);
      assert.deepEqual(r.answers, [], type);
      assert.equal(r.authorities[0]?.data.minimum, DNS_TTL_SECONDS);
    }
    assert.equal(ipOf(table, 'echo-1.default.svc.cluster.local', 'ANY'), '10.101.0.10');
  });

  void it('treats the names above a service as existing but empty (NOERROR, no answers)', () => {
    for (const name of ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'clusterset.local', 'default.svc.clusterset.local']) {
      const r = table.answer({ name, type: 'A' });
      assert.equal(r.rcode, 'NOERROR', name);
      assert.deepEqual(r.answers, [], name);
    }
  });

  void it('answers NXDOMAIN with the SOA for unknown names inside the zones', () => {
    for (const name of ['nope.default.svc.cluster.local', 'echo-1.nope.svc.cluster.local', 'x.echo-1.default.svc.cluster.local', 'pending.default.svc.cluster.local', 'kube-dns.cluster.local']) {
      const r = table.answer({ name, type: 'A' });
      assert.equal(r.rcode, 'NXDOMAIN', name);
      assert.equal(r.authoritative, true, name);
      assert.equal(r.authorities.length, 1, name);
    }
  });

  void it('answers REFUSED, not authoritative, for every name outside the zones (nothing is forwarded)', () => {
    for (const name of ['example.com', 'echo-1', 'local', 'notcluster.local', 'echo-1.default.svc.cluster.local.example.com', '']) {
      const r = table.answer({ name, type: 'A' });
      assert.deepEqual(r, { rcode: 'REFUSED', answers: [], authorities: [], authoritative: false }, name);
    }
  });

  void it('skips services without a valid ClusterIP and counts names', () => {
    const t = buildDnsTable({ cluster: 'c', services: [{ namespace: 'a', name: 'b', clusterIP: 'None', global: false }] });
    assert.equal(t.size, 0);
    assert.equal(table.size, 5); // 3 cluster.local + 2 clusterset.local
    assert.equal(table.cluster, 'c1');
  });
});

/** What glibc's res_search tries, in order, for a name (resolv.conf search + ndots). */
function resolverCandidates(name: string, search: readonly string[], ndots: number): string[] {
  if (name.endsWith('.')) return [name];
  const dots = name.split('.').length - 1;
  const searched = search.map((d) => `${name}.${d}`);
  return dots >= ndots ? [name, ...searched] : [...searched, name];
}

/** The first candidate with an A answer, as a pod's resolver would return it. */
function resolve(t: DnsTable, name: string, namespace: string): { tried: string[]; ip: string | undefined } {
  const tried: string[] = [];
  for (const candidate of resolverCandidates(name, podSearchDomains(namespace), POD_NDOTS)) {
    tried.push(candidate);
    const ip = ipOf(t, candidate);
    if (ip !== undefined) return { tried, ip };
  }
  return { tried, ip: undefined };
}

void describe('names as a pod resolver expands them (search path + ndots:5)', () => {
  void it('tries a short name as <name>.<ns>.svc.cluster.local first', () => {
    assert.deepEqual(resolve(table, 'echo-1', 'default'), { tried: ['echo-1.default.svc.cluster.local'], ip: '10.101.0.10' });
    assert.deepEqual(resolve(table, 'echo-1', 'other'), { tried: ['echo-1.other.svc.cluster.local'], ip: '10.101.0.30' });
  });

  void it('resolves <svc>.<ns> and <svc>.<ns>.svc through the later search domains', () => {
    assert.equal(resolve(table, 'rebel-base.default', 'other').ip, '10.101.0.20');
    assert.deepEqual(resolve(table, 'echo-1.other', 'default').tried, ['echo-1.other.default.svc.cluster.local', 'echo-1.other.svc.cluster.local']);
    assert.equal(resolve(table, 'echo-1.default.svc', 'other').ip, '10.101.0.10');
  });

  void it('resolves full names (4 dots < ndots: after the search domains fail) and clusterset names', () => {
    const full = resolve(table, 'echo-1.default.svc.cluster.local', 'default');
    assert.equal(full.ip, '10.101.0.10');
    assert.equal(full.tried.length, 4);
    assert.equal(resolve(table, 'rebel-base.default.svc.clusterset.local', 'default').ip, '10.101.0.20');
    assert.equal(resolve(table, 'echo-1.default.svc.clusterset.local', 'default').ip, undefined);
  });

  void it('finds nothing for a name from another namespace or outside the cluster', () => {
    assert.equal(resolve(table, 'rebel-base', 'other').ip, undefined);
    assert.equal(resolve(table, 'example.com', 'default').ip, undefined);
  });
});
