/**
 * A throwaway real kube-apiserver for the kubelet integration test: the
 * binary from /var/cache/weft/kube/bin (scripts/kube-bins.sh, or
 * WEFT_KUBE_BIN) over a test etcd, on 127.0.0.1 with a free port, a client
 * CA of its own (Weft's pki), Node + RBAC authorization and NodeRestriction.
 * Hands out kubeconfigs for an admin and for nodes. Ended by its recorded PID.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCa, type CertificateAuthority } from '../../src/pki/ca.ts';
import { issueCertificate } from '../../src/pki/issue.ts';
import { isAlive, recordProcess, stopProcess } from '../../src/util/proc.ts';
import { freePort, startTestEtcd, type TestEtcd } from './etcd.ts';

export const KUBE_BIN_DIR = process.env['WEFT_KUBE_BIN'] ?? '/var/cache/weft/kube/bin';

export function kubeApiserverAvailable(): boolean {
  return existsSync(path.join(KUBE_BIN_DIR, 'kube-apiserver'));
}

export interface TestKubeApiserver {
  readonly url: string;
  readonly dir: string;
  readonly ca: CertificateAuthority;
  /** A kubeconfig file for a user of the client CA (CN, O). */
  kubeconfig(name: string, commonName: string, organization: string): Promise<string>;
  stop(): Promise<void>;
}

function healthy(url: string, cert: string, key: string): Promise<boolean> {
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

export async function startTestKubeApiserver(serviceCidr = '10.236.0.0/16'): Promise<TestKubeApiserver> {
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-test-kube-'));
  let etcd: TestEtcd | undefined;
  try {
    etcd = await startTestEtcd();
    const ca = await createCa({ commonName: 'weft-test-kube-ca' });
    writeFileSync(path.join(dir, 'ca.crt'), ca.certPem);
    const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(path.join(dir, 'sa.key'), sa.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(path.join(dir, 'sa.pub'), sa.publicKey.export({ type: 'spki', format: 'pem' }));
    const port = await freePort();
    const url = `https://127.0.0.1:${port}`;
    const stderr: string[] = [];
    const child = spawn(
      path.join(KUBE_BIN_DIR, 'kube-apiserver'),
      [
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
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr.on('data', (b: Buffer) => {
      stderr.push(b.toString());
      if (stderr.length > 200) stderr.shift();
    });
    if (child.pid === undefined) throw new Error('kube-apiserver did not start');
    const rec = recordProcess(child.pid);
    const admin = await issueCertificate(ca, { commonName: 'test-admin', organization: 'system:masters', usages: ['clientAuth'] });
    const deadline = Date.now() + 90_000;
    while (!(await healthy(url, admin.certPem, admin.keyPem))) {
      if (!isAlive(rec)) throw new Error(`kube-apiserver exited: ${stderr.join('').slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`kube-apiserver not ready after 90 s: ${stderr.join('').slice(-2000)}`);
      await sleep(500);
    }
    const theEtcd = etcd;
    return {
      url,
      dir,
      ca,
      kubeconfig: async (name, commonName, organization) => {
        const cert = await issueCertificate(ca, { commonName, organization, usages: ['clientAuth'] });
        const file = path.join(dir, `${name}.kubeconfig`);
        const b64 = (s: string): string => Buffer.from(s).toString('base64');
        const config = {
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: 'test', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
          users: [{ name, user: { 'client-certificate-data': b64(cert.certPem), 'client-key-data': b64(cert.keyPem) } }],
          contexts: [{ name: 'test', context: { cluster: 'test', user: name } }],
          'current-context': 'test',
        };
        writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
        return file;
      },
      stop: async () => {
        await stopProcess(rec, 5000);
        await theEtcd.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
