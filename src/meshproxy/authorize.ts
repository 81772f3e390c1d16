/**
 * Who may call the mesh proxy, pure: a client certificate whose CN is
 * `remote-<cluster>`, for a cluster this one is connected to (a record under
 * weft/mesh/remotes/), never this cluster itself, signed by the CA that the
 * record names. `clustermesh disconnect` deletes the record, and with it the
 * access of exactly that cluster.
 */
import { X509Certificate } from 'node:crypto';
import { clusterOfRemoteUser, commonName, issuedBy } from '../pki/clusterCerts.ts';

export type Admission = { ok: true; remote: string } | { ok: false; reason: string };

/** The connected remotes: cluster name → its mesh CA (PEM). */
export type ConnectedRemotes = ReadonlyMap<string, string>;

export function admit(certDer: Buffer | undefined, self: string, connected: ConnectedRemotes): Admission {
  if (certDer === undefined || certDer.length === 0) return { ok: false, reason: 'no client certificate' };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certDer);
  } catch {
    return { ok: false, reason: 'the client certificate does not parse' };
  }
  const cn = commonName(cert) ?? '';
  const remote = clusterOfRemoteUser(cn);
  if (remote === undefined) return { ok: false, reason: `certificate CN "${cn}" is not a remote identity (remote-<cluster>)` };
  if (remote === self) return { ok: false, reason: `certificate CN "${cn}" is this cluster's own remote identity` };
  const caPem = connected.get(remote);
  if (caPem === undefined) return { ok: false, reason: notConnectedReason(remote, self) };
  if (!issuedBy(cert, caPem)) return { ok: false, reason: `certificate CN "${cn}" is not signed by the CA recorded for cluster ${remote}` };
  return { ok: true, remote };
}

/** Why the proxy of `self` refuses `remote` that it holds no record of (the text the caller reads). */
export function notConnectedReason(remote: string, self: string): string {
  return `cluster ${remote} is not connected to ${self}`;
}

/**
 * True when an error a remote's operator got is that refusal: the proxy it
 * called has no record of it yet. `clustermesh connect` writes the two
 * records one after the other, so the side written first usually calls the
 * other proxy before that proxy has its record: the caller waits, it has
 * not failed.
 */
export function isNotAdmittedYet(message: string, remote: string, self: string): boolean {
  return message.includes(`weft mesh proxy: ${notConnectedReason(remote, self)}`);
}

/** The CAs the proxy's TLS layer accepts client certificates from: its own mesh CA and every connected remote's. */
export function trustBundle(ownCaPem: string, connected: ConnectedRemotes): string {
  const pems = new Set([ownCaPem.trim(), ...[...connected.values()].map((p) => p.trim())].filter((p) => p !== ''));
  return `${[...pems].sort().join('\n')}\n`;
}
