/**
 * A lab cluster's Kubernetes PKI: its own CA (never the etcd cluster CA or the
 * mesh CA), the API server's serving certificate, the client certificates of
 * every Kubernetes identity (CN = user, O = group), each node's kubelet
 * serving certificate, and the service-account key pair. The specs are pure;
 * writeKubePki creates the files (keys 0600, folder 0700).
 */
import { generateKeyPairSync } from 'node:crypto';
import { createCa } from '../pki/ca.ts';
import { ensurePkiDir, writeCa, writePemPair, KEY_MODE, CERT_MODE } from '../pki/files.ts';
import { issueCertificate } from '../pki/issue.ts';
import type { CertSpec } from '../pki/issue.ts';
import { writeFileAtomic } from '../util/atomicFile.ts';
import { kubernetesServiceIp } from './argv.ts';
import type { KubeLayout } from './layout.ts';
import type { PemPair } from '../pki/files.ts';
import type { CertificateAuthority } from '../pki/ca.ts';

export const OPERATOR_USER = 'weft-operator';
export const ADMIN_USER = 'kubernetes-admin';
export const MASTERS_GROUP = 'system:masters';
export const NODES_GROUP = 'system:nodes';

export function nodeUser(node: string): string {
  return `system:node:${node}`;
}

export interface KubePkiInput {
  cluster: string;
  cpIp: string;
  serviceCIDR: string;
  nodes: readonly { name: string; ip: string }[];
}

export interface KubeCertSpec {
  /** Which file pair of the layout. */
  files: PemPair;
  spec: CertSpec;
}

export const APISERVER_DNS_NAMES = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'] as const;

/** Every leaf certificate of the cluster's Kubernetes PKI (pure). */
export function kubeCertSpecs(i: KubePkiInput, l: KubeLayout): KubeCertSpec[] {
  const client = (files: PemPair, commonName: string, organization?: string): KubeCertSpec => ({
    files,
    spec: { commonName, usages: ['clientAuth'], ...(organization === undefined ? {} : { organization }) },
  });
  const specs: KubeCertSpec[] = [
    {
      files: l.apiserver,
      spec: { commonName: 'kube-apiserver', usages: ['serverAuth'], ipAddresses: [i.cpIp, '127.0.0.1', kubernetesServiceIp(i.serviceCIDR)], dnsNames: [...APISERVER_DNS_NAMES] },
    },
    client(l.apiserverKubeletClient, 'kube-apiserver-kubelet-client', MASTERS_GROUP),
    client(l.admin, ADMIN_USER, MASTERS_GROUP),
    client(l.controllerManager, 'system:kube-controller-manager'),
    client(l.scheduler, 'system:kube-scheduler'),
    client(l.operator, OPERATOR_USER),
  ];
  for (const n of i.nodes) {
    const f = l.nodes[n.name];
    if (f === undefined) continue;
    specs.push(client(f.client, nodeUser(n.name), NODES_GROUP));
    specs.push({ files: f.serving, spec: { commonName: nodeUser(n.name), organization: NODES_GROUP, usages: ['serverAuth'], ipAddresses: [n.ip], dnsNames: [n.name] } });
  }
  return specs;
}

function nameOf(files: PemPair): string {
  return files.certFile.replace(/^.*\//, '').replace(/\.crt$/, '');
}

/** Creates the CA, every certificate and the service-account keys; returns the CA. */
export async function writeKubePki(i: KubePkiInput, l: KubeLayout): Promise<CertificateAuthority> {
  ensurePkiDir(l.pkiDir);
  const ca = await createCa({ commonName: `weft-kube-ca-${i.cluster}` });
  writeCa(l.pkiDir, ca, nameOf(l.ca));
  for (const s of kubeCertSpecs(i, l)) writePemPair(l.pkiDir, nameOf(s.files), await issueCertificate(ca, s.spec));
  const sa = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  writeFileAtomic(l.saKey, sa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), KEY_MODE);
  writeFileAtomic(l.saPub, sa.publicKey.export({ type: 'spki', format: 'pem' }).toString(), CERT_MODE);
  return ca;
}
