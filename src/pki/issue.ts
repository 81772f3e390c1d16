/**
 * Leaf certificates signed by the mesh CA: a fresh ECDSA P-256 key, CN, SAN
 * IPs/DNS names, key usage digitalSignature, extended key usages for TLS
 * server and/or client authentication, ~1 year of validity.
 */
import { isIP } from 'node:net';
import { x509 } from './x509.ts';
import { WeftError, ErrorCode } from '../errors.ts';
import { randomSerial, validityWindow } from './ca.ts';
import type { CertificateAuthority } from './ca.ts';
import { generateKeyPair, privateKeyToPem, webcrypto } from './keys.ts';

export type ExtendedUsage = 'serverAuth' | 'clientAuth';

export interface CertSpec {
  commonName: string;
  usages: readonly ExtendedUsage[];
  ipAddresses?: readonly string[];
  dnsNames?: readonly string[];
  validityDays?: number;
  /** The subject's O (default `weft`): Kubernetes reads it as the user's groups (system:masters, system:nodes). */
  organization?: string;
}

export interface IssuedCert {
  certPem: string;
  keyPem: string;
}

export const LEAF_VALIDITY_DAYS = 365;

const EKU_OIDS: Record<ExtendedUsage, string> = {
  serverAuth: x509.ExtendedKeyUsage.serverAuth,
  clientAuth: x509.ExtendedKeyUsage.clientAuth,
};

/** Checks a spec before any key is generated; names the bad value. */
export function validateCertSpec(spec: CertSpec): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(spec.commonName)) {
    throw new WeftError(ErrorCode.InvalidInput, `certificate common name ${JSON.stringify(spec.commonName)} is not 1-64 characters [A-Za-z0-9._:-]`);
  }
  if (spec.organization !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(spec.organization)) {
    throw new WeftError(ErrorCode.InvalidInput, `certificate ${spec.commonName}: organization ${JSON.stringify(spec.organization)} is not 1-64 characters [A-Za-z0-9._:-]`);
  }
  if (spec.usages.length === 0) throw new WeftError(ErrorCode.InvalidInput, `certificate ${spec.commonName} has no extended key usage`);
  for (const ip of spec.ipAddresses ?? []) {
    if (isIP(ip) === 0) throw new WeftError(ErrorCode.InvalidInput, `certificate ${spec.commonName}: SAN IP ${JSON.stringify(ip)} is not an IP address`);
  }
  for (const dns of spec.dnsNames ?? []) {
    if (!/^[A-Za-z0-9*]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(dns)) {
      throw new WeftError(ErrorCode.InvalidInput, `certificate ${spec.commonName}: SAN DNS name ${JSON.stringify(dns)} is not a host name`);
    }
  }
}

function sanExtension(spec: CertSpec): x509.SubjectAlternativeNameExtension | undefined {
  const names = [
    ...(spec.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(spec.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  return names.length === 0 ? undefined : new x509.SubjectAlternativeNameExtension(names, false);
}

export async function issueCertificate(ca: CertificateAuthority, spec: CertSpec, now = new Date()): Promise<IssuedCert> {
  validateCertSpec(spec);
  const keys = await generateKeyPair();
  const caSki = ca.cert.getExtension(x509.SubjectKeyIdentifierExtension);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(spec.usages.map((u) => EKU_OIDS[u]), false),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
  ];
  if (caSki !== null) extensions.push(new x509.AuthorityKeyIdentifierExtension(caSki.keyId, false));
  const san = sanExtension(spec);
  if (san !== undefined) extensions.push(san);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: `CN=${spec.commonName}, O=${spec.organization ?? 'weft'}`,
      issuer: ca.cert.subjectName,
      ...validityWindow(now, spec.validityDays ?? LEAF_VALIDITY_DAYS),
      signingAlgorithm: ca.signing.algorithm,
      publicKey: keys.publicKey,
      signingKey: ca.signing.key,
      extensions,
    },
    webcrypto,
  );
  return { certPem: `${cert.toString('pem')}\n`, keyPem: await privateKeyToPem(keys.privateKey) };
}
