/**
 * The mesh certificate authority: a self-signed ECDSA P-256 CA (created with
 * @peculiar/x509 over Node's WebCrypto), loaded back from PEM, identified by
 * its SHA-256 fingerprint (connect's same-CA check).
 */
import { createPrivateKey, randomBytes, X509Certificate as NodeX509 } from 'node:crypto';
import { x509 } from './x509.ts';
import { WeftError, ErrorCode, errorMessage } from '../errors.ts';
import { EC_SIGNING_ALGORITHM, generateKeyPair, importSigningKey, privateKeyToPem, webcrypto } from './keys.ts';
import type { SigningKey } from './keys.ts';

export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
  cert: x509.X509Certificate;
  signing: SigningKey;
}

export interface CreateCaOptions {
  commonName?: string;
  validityDays?: number;
  now?: Date;
}

export const DEFAULT_CA_NAME = 'weft-mesh-ca';
export const CA_VALIDITY_DAYS = 3650;
/** Certificates start a little in the past: clocks of peers may lag. */
export const BACKDATE_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

/** A random positive serial number (16 bytes, hex). */
export function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = (b[0] ?? 0) & 0x7f;
  if (b[0] === 0) b[0] = 1;
  return b.toString('hex');
}

export function validityWindow(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter: new Date(now.getTime() + days * DAY_MS) };
}

export async function createCa(opts: CreateCaOptions = {}): Promise<CertificateAuthority> {
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: `CN=${opts.commonName ?? DEFAULT_CA_NAME}, O=weft`,
      ...validityWindow(opts.now ?? new Date(), opts.validityDays ?? CA_VALIDITY_DAYS),
      signingAlgorithm: EC_SIGNING_ALGORITHM,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto),
      ],
    },
    webcrypto,
  );
  return {
    certPem: `${cert.toString('pem')}\n`,
    keyPem: await privateKeyToPem(keys.privateKey),
    cert,
    signing: { key: keys.privateKey, algorithm: EC_SIGNING_ALGORITHM },
  };
}

/** A CA from its PEMs; checks it is a CA and that the key belongs to the certificate. `where` names the source in errors. */
export async function caFromPem(certPem: string, keyPem: string, where: string): Promise<CertificateAuthority> {
  let cert: x509.X509Certificate;
  let nodeCert: NodeX509;
  try {
    cert = new x509.X509Certificate(certPem);
    nodeCert = new NodeX509(certPem);
  } catch (err) {
    throw new WeftError(ErrorCode.InvalidInput, `CA certificate of ${where} is not a PEM certificate: ${errorMessage(err)}`, { cause: err });
  }
  if (!nodeCert.ca) throw new WeftError(ErrorCode.InvalidInput, `CA certificate of ${where} (${nodeCert.subject}) is not a CA certificate`);
  const signing = await importSigningKey(keyPem, `CA key of ${where}`);
  if (!nodeCert.checkPrivateKey(createPrivateKey(keyPem))) {
    throw new WeftError(ErrorCode.InvalidInput, `CA key of ${where} does not belong to its CA certificate (${nodeCert.subject})`);
  }
  return { certPem, keyPem, cert, signing };
}

/** SHA-256 fingerprint of a PEM certificate, as colon-separated upper-case hex (like openssl). */
export function certFingerprint(certPem: string): string {
  return new NodeX509(certPem).fingerprint256;
}
