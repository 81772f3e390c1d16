/**
 * The certificates of one cluster (docs/security.md › PKI). Two issuers:
 *
 * - the cluster CA (`cluster-ca`, never shared) signs what only this cluster
 *   uses: the etcd server certificate and the client certificates of its own
 *   identities (admin, operator, node, mesh-proxy). etcd trusts this CA alone,
 *   so no certificate of another cluster completes a TLS handshake with it.
 * - the mesh CA (`ca`, shared by the mesh: created or inherited) signs what
 *   crosses clusters: this cluster's remote identity (CN `remote-<cluster>`,
 *   used by its operator to read other clusters) and the mesh proxy's server
 *   certificate (what other clusters' operators dial).
 *
 * Every client CN names the cluster (`admin-c1`), so it is the etcd user of
 * exactly that cluster. Existing files are kept while they still fit (same
 * issuer, same names, not about to expire).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { CertificateAuthority } from './ca.ts';
import { pemPair, readPemPair, writePemPair } from './files.ts';
import type { PemPair } from './files.ts';
import { issueCertificate } from './issue.ts';
import type { CertSpec, IssuedCert } from './issue.ts';

/** A cluster's own identities on its own etcd (client certificates of the cluster CA). */
export const LOCAL_IDENTITIES = ['admin', 'operator', 'node', 'mesh-proxy'] as const;
export type LocalIdentity = (typeof LOCAL_IDENTITIES)[number];

export const ETCD_SERVER_CERT = 'etcd-server';
export const REMOTE_CERT = 'remote';
export const MESH_PROXY_SERVER_CERT = 'mesh-proxy-server';
export type ClusterCertName = typeof ETCD_SERVER_CERT | LocalIdentity | typeof REMOTE_CERT | typeof MESH_PROXY_SERVER_CERT;

/** Which CA signs a certificate. */
export type Issuer = 'cluster' | 'mesh';

/** Renew a certificate that expires within this long. */
export const RENEW_BEFORE_MS = 30 * 86_400_000;

/** The etcd user (and certificate CN) of a cluster's own identity: `admin-c1`. */
export function localUser(identity: LocalIdentity, cluster: string): string {
  return `${identity}-${cluster}`;
}

/** The identity a cluster presents to other clusters' mesh proxies: `remote-c1`. */
export function remoteUser(cluster: string): string {
  return `remote-${cluster}`;
}

/** The cluster a remote identity's CN names, or undefined when the CN is not `remote-<cluster>`. */
export function clusterOfRemoteUser(cn: string): string | undefined {
  const m = /^remote-([a-z0-9]([a-z0-9-]*[a-z0-9])?)$/.exec(cn);
  return m?.[1];
}

export interface NamedCertSpec {
  name: ClusterCertName;
  issuer: Issuer;
  spec: CertSpec;
}

/** Pure: what cluster `cluster`, whose control plane is at cpIp, needs. */
export function clusterCertSpecs(cluster: string, cpIp: string): NamedCertSpec[] {
  return [
    {
      name: ETCD_SERVER_CERT,
      issuer: 'cluster',
      // clientAuth too: etcd's gRPC gateway dials its own server with this certificate.
      spec: { commonName: ETCD_SERVER_CERT, usages: ['serverAuth', 'clientAuth'], ipAddresses: [cpIp, '127.0.0.1'], dnsNames: ['localhost'] },
    },
    ...LOCAL_IDENTITIES.map((id) => ({ name: id, issuer: 'cluster' as const, spec: { commonName: localUser(id, cluster), usages: ['clientAuth' as const] } })),
    { name: REMOTE_CERT, issuer: 'mesh', spec: { commonName: remoteUser(cluster), usages: ['clientAuth'] } },
    { name: MESH_PROXY_SERVER_CERT, issuer: 'mesh', spec: { commonName: `mesh-proxy.${cluster}`, usages: ['serverAuth'], ipAddresses: [cpIp, '127.0.0.1'] } },
  ];
}

function sanList(spec: CertSpec): string[] {
  return [...(spec.dnsNames ?? []).map((d) => `DNS:${d}`), ...(spec.ipAddresses ?? []).map((ip) => `IP Address:${ip}`)].sort();
}

function certSanList(cert: X509Certificate): string[] {
  const san = cert.subjectAltName;
  return san === undefined ? [] : san.split(', ').map((s) => s.trim()).sort();
}

function keyMatches(cert: X509Certificate, keyPem: string): boolean {
  try {
    return cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/** The CN of a certificate's subject. */
export function commonName(cert: X509Certificate): string | undefined {
  return /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
}

/** True when certPem was signed by the CA certificate caPem. */
export function issuedBy(cert: X509Certificate, caPem: string): boolean {
  try {
    const ca = new X509Certificate(caPem);
    return cert.checkIssued(ca) && cert.verify(ca.publicKey);
  } catch {
    return false;
  }
}

/** Why an existing certificate and key do not fit the spec and CA ('' when they fit). */
export function certMismatch(pair: IssuedCert, spec: CertSpec, caPem: string, now = new Date(), caName = 'the mesh CA'): string {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pair.certPem);
  } catch {
    return 'not a PEM certificate';
  }
  if (!keyMatches(cert, pair.keyPem)) return 'the key does not belong to the certificate';
  if (!issuedBy(cert, caPem)) return `not issued by ${caName}`;
  const cn = commonName(cert);
  if (cn !== spec.commonName) return `CN is ${cn ?? 'missing'}, not ${spec.commonName}`;
  const want = sanList(spec).join(', ');
  const have = certSanList(cert).join(', ');
  if (want !== have) return `SANs are [${have}], not [${want}]`;
  if (new Date(cert.validTo).getTime() - now.getTime() < RENEW_BEFORE_MS) return `expires ${cert.validTo}`;
  return '';
}

export interface EnsuredCert {
  name: ClusterCertName;
  files: PemPair;
  /** 'issued' (new), 'kept' (existing fits) or 'reissued' (existing did not fit: why). */
  action: 'issued' | 'kept' | 'reissued';
  reason: string;
}

export interface ClusterCas {
  mesh: CertificateAuthority;
  cluster: CertificateAuthority;
}

/** Issues every certificate the cluster needs into dir, keeping the ones that still fit. */
export async function ensureClusterCerts(dir: string, cas: ClusterCas, cluster: string, cpIp: string, now = new Date()): Promise<EnsuredCert[]> {
  const out: EnsuredCert[] = [];
  for (const { name, issuer, spec } of clusterCertSpecs(cluster, cpIp)) {
    const ca = issuer === 'mesh' ? cas.mesh : cas.cluster;
    const existing = readPemPair(dir, name);
    const why = existing === undefined ? 'missing' : certMismatch(existing, spec, ca.certPem, now, issuer === 'mesh' ? 'the mesh CA' : 'the cluster CA');
    if (why === '') {
      out.push({ name, files: pemPair(dir, name), action: 'kept', reason: '' });
      continue;
    }
    const files = writePemPair(dir, name, await issueCertificate(ca, spec, now));
    out.push({ name, files, action: existing === undefined ? 'issued' : 'reissued', reason: why });
  }
  return out;
}
