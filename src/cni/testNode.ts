/**
 * A throwaway "node" for integration tests and benchmarks of the CNI plugin:
 * a node netns (ip_forward=1, rp_filter=0), an in-process CNI server with a
 * NodeIpam on a temp socket, pod netns on demand, and the plugin executed
 * exactly as a runtime does (`ip netns exec <node> bin/cni/weft`, env +
 * stdin). close() removes everything it created. Needs root.
 * `plugin` picks the executable behind type "weft": the thin client
 * bin/cni/weft (default) or the full Node plugin bin/weft-cni (installed
 * through a symlink named `weft`, as an operator would).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exec } from '../util/exec.ts';
import { CNI_BIN_DIR, PROJECT_ROOT, REFERENCE_CNI_DIR } from '../util/paths.ts';

/** The thin client that forwards invocations to the agent. */
export const THIN_PLUGIN = path.join(CNI_BIN_DIR, 'weft');
/** The full Node plugin that does the invocation itself. */
export const FULL_PLUGIN = path.join(PROJECT_ROOT, 'bin', 'weft-cni');

/** A CNI_PATH folder (created under dir) whose `weft` is a symlink to file. */
export function pluginDirFor(file: string, dir: string): string {
  const bin = path.join(dir, 'cni-bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(file, path.join(bin, 'weft'));
  return bin;
}
import { NodeIpam } from './ipam.ts';
import { startCniServer } from './server.ts';
import type { CniDelEvent, CniEndpoint, CniServer } from './server.ts';
import type { Logger } from '../util/log.ts';

export interface PluginRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed, when it is JSON. */
  json: Record<string, unknown> | undefined;
}

export interface PluginCall {
  containerId: string;
  netns: string;
  ifName?: string;
  args?: Record<string, string>;
  /** Network configuration; default: weftConf(). */
  stdin?: string;
}

export interface CniTestNode {
  readonly netns: string;
  readonly socket: string;
  readonly ipam: NodeIpam;
  readonly added: CniEndpoint[];
  readonly deleted: CniDelEvent[];
  readonly cniPath: string[];
  /** The executable behind type "weft". */
  readonly plugin: string;
  /** The weft netconf pointing at this node's socket. */
  weftConf(extra?: Record<string, unknown>): Record<string, unknown>;
  /** Create a pod netns named `<prefix>-<suffix>`; returns its path. */
  addPod(suffix: string): Promise<string>;
  deletePod(suffix: string): Promise<void>;
  /** Run the weft plugin (the `weft` of cniPath) in the node netns. */
  runWeft(command: string, call: PluginCall): Promise<PluginRun>;
  /** Run a command in the node netns; its stdout. */
  inNode(args: string[]): Promise<string>;
  close(): Promise<void>;
}

export function runIn(netns: string, argv: string[], env: NodeJS.ProcessEnv, stdin: string): Promise<PluginRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', netns, ...argv], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(stdout) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      resolve({ code: code ?? -1, stdout, stderr: Buffer.concat(err).toString('utf8'), json });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin);
  });
}

export async function createCniTestNode(opts: { prefix: string; cidr: string; logger?: Logger; plugin?: string }): Promise<CniTestNode> {
  const netns = `${opts.prefix}-node`;
  const dir = mkdtempSync(path.join(tmpdir(), `${opts.prefix}-`));
  const pods = new Set<string>();
  const added: CniEndpoint[] = [];
  const deleted: CniDelEvent[] = [];
  const socket = path.join(dir, 'cni.sock');
  const ipam = new NodeIpam({ cidr: opts.cidr, stateFile: path.join(dir, 'ipam.json') });
  let server: CniServer | undefined;
  const cleanup = async (): Promise<void> => {
    await server?.close();
    for (const p of pods) await exec('ip', ['netns', 'delete', p], { okCodes: [0, 1] });
    await exec('ip', ['netns', 'delete', netns], { okCodes: [0, 1] });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await exec('ip', ['netns', 'add', netns]);
    await exec('ip', ['netns', 'exec', netns, 'sh', '-c', 'ip link set lo up && sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0']);
    server = await startCniServer({
      socketPath: socket,
      ipam,
      onAdd: (ep) => (added.push(ep), Promise.resolve()),
      onDel: (ev) => (deleted.push(ev), Promise.resolve()),
      ...(opts.logger === undefined ? {} : { logger: opts.logger }),
    });
  } catch (err) {
    await cleanup();
    throw err;
  }
  const weftConf = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ cniVersion: '1.0.0', name: 'weft', type: 'weft', socket, ...extra });
  const plugin = opts.plugin ?? THIN_PLUGIN;
  const weftDir = plugin === THIN_PLUGIN ? CNI_BIN_DIR : pluginDirFor(plugin, dir);
  const cniPath = [weftDir, REFERENCE_CNI_DIR];
  return {
    netns,
    socket,
    ipam,
    added,
    deleted,
    cniPath,
    plugin,
    weftConf,
    async addPod(suffix) {
      const name = `${opts.prefix}-${suffix}`;
      pods.add(name);
      await exec('ip', ['netns', 'add', name]);
      return `/run/netns/${name}`;
    },
    async deletePod(suffix) {
      const name = `${opts.prefix}-${suffix}`;
      await exec('ip', ['netns', 'delete', name], { okCodes: [0, 1] });
      pods.delete(name);
    },
    runWeft(command, call) {
      const args = Object.entries(call.args ?? {}).map(([k, v]) => `${k}=${v}`).join(';');
      const env = {
        PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin',
        CNI_COMMAND: command,
        CNI_CONTAINERID: call.containerId,
        CNI_NETNS: call.netns,
        CNI_IFNAME: call.ifName ?? 'eth0',
        CNI_ARGS: args,
        CNI_PATH: cniPath.join(':'),
      };
      return runIn(netns, [path.join(weftDir, 'weft')], env, call.stdin ?? JSON.stringify(weftConf()));
    },
    inNode(args) {
      return exec('ip', ['netns', 'exec', netns, ...args]);
    },
    close: cleanup,
  };
}
