/**
 * The certificates of one cluster (mesh.md › PKI): the etcd server
 * certificate (SAN: the control-plane IP, 127.0.0.1, localhost) and a client
 * certificate per etcd user, CN = the user. Existing files are kept while
 * they still fit (same CA, same names, not about to expire).
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { CertificateAuthority } from './ca.ts';
import { pemPair, readPemPair, writePemPair } from './files.ts';
import type { PemPair } from './files.ts';
import { issueCertificate } from './issue.ts';
import type { CertSpec, IssuedCert } from './issue.ts';

/** etcd users that authenticate with a client certificate (the CN). */
export const CLIENT_CERT_USERS = ['admin', 'operator', 'node', 'remote'] as const;
export type ClientCertUser = (typeof CLIENT_CERT_USERS)[number];

export const ETCD_SERVER_CERT = 'etcd-server';
export type ClusterCertName = typeof ETCD_SERVER_CERT | ClientCertUser;

/** Renew a certificate that expires within this long. */
export const RENEW_BEFORE_MS = 30 * 86_400_000;

export interface NamedCertSpec {
  name: ClusterCertName;
  spec: CertSpec;
}

/** Pure: what a cluster whose control plane is at cpIp needs. */
export function clusterCertSpecs(cpIp: string): NamedCertSpec[] {
  return [
    {
      name: ETCD_SERVER_CERT,
      // clientAuth too: etcd's gRPC gateway dials its own server with this certificate.
      spec: { commonName: ETCD_SERVER_CERT, usages: ['serverAuth', 'clientAuth'], ipAddresses: [cpIp, '127.0.0.1'], dnsNames: ['localhost'] },
    },
    ...CLIENT_CERT_USERS.map((user) => ({ name: user, spec: { commonName: user, usages: ['clientAuth' as const] } })),
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

/** Why an existing certificate and key do not fit the spec and CA ('' when they fit). */
export function certMismatch(pair: IssuedCert, spec: CertSpec, caPem: string, now = new Date()): string {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pair.certPem);
  } catch {
    return 'not a PEM certificate';
  }
  if (!keyMatches(cert, pair.keyPem)) return 'the key does not belong to the certificate';
  const ca = new X509Certificate(caPem);
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return 'not issued by the mesh CA';
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
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

/** Issues every certificate the cluster needs into dir, keeping the ones that still fit. */
export async function ensureClusterCerts(dir: string, ca: CertificateAuthority, cpIp: string, now = new Date()): Promise<EnsuredCert[]> {
  const out: EnsuredCert[] = [];
  for (const { name, spec } of clusterCertSpecs(cpIp)) {
    const existing = readPemPair(dir, name);
    const why = existing === undefined ? 'missing' : certMismatch(existing, spec, ca.certPem, now);
    if (why === '') {
      out.push({ name, files: pemPair(dir, name), action: 'kept', reason: '' });
      continue;
    }
    const files = writePemPair(dir, name, await issueCertificate(ca, spec, now));
    out.push({ name, files, action: existing === undefined ? 'issued' : 'reissued', reason: why });
  }
  return out;
}
