/**
 * A real kube-apiserver for integration tests (the operator's and the
 * kubelet API's), which can be stopped and started again (by its recorded
 * PID) over the same etcd, data and port: the binary from
 * /var/cache/weft/kube/bin (or WEFT_KUBE_BIN), a test etcd, a client CA of
 * its own (Weft's pki), the Node and RBAC authorizers and NodeRestriction, as
 * in the lab. Hands out kubeconfigs for users of that CA.
 */
import { kubeBinDir } from '../../src/kube/bins.ts';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCa } from '../../src/pki/ca.ts';
import { issueCertificate } from '../../src/pki/issue.ts';
import { isAlive, recordProcess, stopProcess, type ProcessRecord } from '../../src/util/proc.ts';
import { freePort, startTestEtcd } from './etcd.ts';

/** The binary the lab uses (src/kube/bins.ts: WEFT_KUBE_BIN, else the build cache). */
export const KUBE_BIN = path.join(kubeBinDir(process.env), 'kube-apiserver');
export const kubeApiAvailable = (): boolean => existsSync(KUBE_BIN);

export interface RestartableKubeApi {
  readonly url: string;
  /** The etcd holding Kubernetes' state (for deleting behind the API server's back). */
  readonly etcdEndpoint: string;
  pid(): number;
  /** Everything the API server wrote to stderr (all its runs). */
  log(): string;
  kubeconfig(name: string, commonName: string, organization?: string): Promise<string>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

function ready(url: string, cert: string, key: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(`${url}/readyz`, { cert, key, rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

/** `extraArgs`: more kube-apiserver flags (e.g. --watch-cache=false). */
export async function startRestartableKubeApi(serviceCidr: string, extraArgs: readonly string[] = []): Promise<RestartableKubeApi> {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-test-kubeapi-'));
  const etcd = await startTestEtcd();
  const ca = await createCa({ commonName: 'weft-test-kube-ca' });
  writeFileSync(path.join(dir, 'ca.crt'), ca.certPem);
  const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(path.join(dir, 'sa.key'), sa.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(path.join(dir, 'sa.pub'), sa.publicKey.export({ type: 'spki', format: 'pem' }));
  const port = await freePort();
  const url = `https://127.0.0.1:${port}`;
  const admin = await issueCertificate(ca, { commonName: 'test-admin', organization: 'system:masters', usages: ['clientAuth'] });
  const args = [
    `--etcd-servers=${etcd.endpoint}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${path.join(dir, 'serving')}`,
    `--client-ca-file=${path.join(dir, 'ca.crt')}`,
    '--authorization-mode=Node,RBAC',
    '--enable-admission-plugins=NodeRestriction',
    '--disable-admission-plugins=ServiceAccount',
    `--service-cluster-ip-range=${serviceCidr}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${path.join(dir, 'sa.pub')}`,
    `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
    '--kubelet-preferred-address-types=InternalIP',
    ...extraArgs,
  ];
  let rec: ProcessRecord | undefined;
  const logFile = path.join(dir, 'kube-apiserver.log');
  const tail = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '');
  const launch = async (): Promise<void> => {
    const out = openSync(logFile, 'a');
    const child = spawn(KUBE_BIN, args, { stdio: ['ignore', 'ignore', out] });
    closeSync(out);
    if (child.pid === undefined) throw new Error(`${KUBE_BIN} did not start`);
    const r = recordProcess(child.pid);
    rec = r;
    const deadline = Date.now() + 120_000;
    while (!(await ready(url, admin.certPem, admin.keyPem))) {
      if (!isAlive(r)) throw new Error(`kube-apiserver exited: ${tail()}`);
      if (Date.now() > deadline) throw new Error(`kube-apiserver not ready after 120 s: ${tail()}`);
      await sleep(500);
    }
  };
  const halt = async (): Promise<void> => {
    if (rec !== undefined) await stopProcess(rec, 10_000);
    rec = undefined;
  };
  try {
    await launch();
  } catch (err) {
    await halt();
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url,
    etcdEndpoint: etcd.endpoint,
    pid: () => rec?.pid ?? 0,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    kubeconfig: async (name, commonName, organization) => {
      const cert = await issueCertificate(ca, { commonName, ...(organization === undefined ? {} : { organization }), usages: ['clientAuth'] });
      const b64 = (s: string): string => Buffer.from(s).toString('base64');
      const file = path.join(dir, `${name}.kubeconfig`);
      const config = {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'ko', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
        users: [{ name, user: { 'client-certificate-data': b64(cert.certPem), 'client-key-data': b64(cert.keyPem) } }],
        contexts: [{ name: 'ko', context: { cluster: 'ko', user: name } }],
        'current-context': 'ko',
      };
      writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
      return file;
    },
    pause: halt,
    resume: launch,
    stop: async () => {
      await halt();
      await etcd.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
