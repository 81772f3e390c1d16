/**
 * The responder's address on the node's loopback. 169.254.1.1 sits on every
 * host-side pod veth, but a node with no pod yet (agent start) has it nowhere
 * and bind() fails with EADDRNOTAVAIL. Holding it on `lo` as well makes the
 * bind work at any time; packets from pods keep arriving through the veths.
 *
 * `scope host` matters: a global-scope address on `lo` (the first device)
 * becomes the source the kernel picks for node-originated traffic leaving
 * through a device without an address of its own (weft_vxlan), which would
 * break that traffic; a host-scope address is never picked as a source for
 * other hosts. Idempotent (`ip addr replace`).
 */
import { exec } from '../util/exec.ts';

/** Adds `<address>/32 scope host` to `lo` in this process's network namespace, or in `netns` when given. */
export async function claimLoopbackAddress(address: string, netns?: string): Promise<void> {
  const where = netns === undefined ? [] : ['-n', netns];
  await exec('ip', [...where, 'addr', 'replace', `${address}/32`, 'dev', 'lo', 'scope', 'host']);
}
