/**
 * Private keys of the PKI: generated with Node's WebCrypto (ECDSA P-256),
 * written as PKCS#8 PEM, read back from PKCS#8 or SEC1 PEM (node:crypto
 * converts), imported for signing.
 */
import { createPrivateKey, webcrypto } from 'node:crypto';
import { x509 } from './x509.ts';
import { WeftError, ErrorCode, errorMessage } from '../errors.ts';

export { webcrypto };
export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;
type EcKeyGenParams = webcrypto.EcKeyGenParams;
type EcdsaParams = webcrypto.EcdsaParams;
type RsaHashedImportParams = webcrypto.RsaHashedImportParams;

/** The algorithm of every key Weft generates. */
export const EC_KEY_ALGORITHM: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
/** Signatures made with a P-256 key. */
export const EC_SIGNING_ALGORITHM: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_KEY_ALGORITHM, true, ['sign', 'verify']);
}

export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return `${x509.PemConverter.encode(der, 'PRIVATE KEY')}\n`;
}

export interface SigningKey {
  key: CryptoKey;
  algorithm: EcdsaParams | RsaHashedImportParams;
}

const EC_CURVES: Record<string, { curve: string; hash: string }> = {
  prime256v1: { curve: 'P-256', hash: 'SHA-256' },
  secp384r1: { curve: 'P-384', hash: 'SHA-384' },
};

/** Imports a PEM private key (EC P-256/P-384 or RSA) for signing; `where` names it in errors. */
export async function importSigningKey(pem: string, where: string): Promise<SigningKey> {
  let keyObject;
  try {
    keyObject = createPrivateKey(pem);
  } catch (err) {
    throw new WeftError(ErrorCode.InvalidInput, `${where} is not a PEM private key: ${errorMessage(err)}`, { cause: err });
  }
  const der = keyObject.export({ format: 'der', type: 'pkcs8' });
  const type = keyObject.asymmetricKeyType;
  if (type === 'ec') {
    const named = keyObject.asymmetricKeyDetails?.namedCurve ?? '';
    const ec = EC_CURVES[named];
    if (ec === undefined) throw new WeftError(ErrorCode.InvalidInput, `${where} is an EC key on curve ${named}; supported: P-256, P-384`);
    const key = await webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: ec.curve }, true, ['sign']);
    return { key, algorithm: { name: 'ECDSA', hash: ec.hash } };
  }
  if (type === 'rsa') {
    const algorithm: RsaHashedImportParams = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const key = await webcrypto.subtle.importKey('pkcs8', der, algorithm, true, ['sign']);
    return { key, algorithm };
  }
  throw new WeftError(ErrorCode.InvalidInput, `${where} is a ${type ?? 'unknown'} key; supported: EC (P-256, P-384) and RSA`);
}
