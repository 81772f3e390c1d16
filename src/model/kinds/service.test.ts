import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWeftError } from '../../errors.ts';
import { keyOfResource, resolveKindName, displayName } from '../kindRegistry.ts';
import { parseManifests } from '../manifest.ts';
import { ServiceSchema } from './service.ts';

const ECHO = `apiVersion: v1
kind: Service
metadata:
  name: echo-1
  annotations:
    service.cilium.io/global: "true"
  labels:
    run: echo-1
spec:
  ports:
    - port: 80
      targetPort: 8080
      protocol: TCP
  type: ClusterIP
  selector:
    run: echo-1
`;

function rejects(yaml: string, ...patterns: RegExp[]): void {
  assert.throws(
    () => parseManifests(yaml),
    (err) => {
      assert.ok(isWeftError(err, 'InvalidManifest'), String(err));
      for (const p of patterns) assert.match(err.message, p);
      return true;
    },
  );
}

const svc = (spec: string, annotations = '{}'): string => `apiVersion: v1
kind: Service
metadata: {name: web, annotations: ${annotations}}
spec:
${spec}`;

void test("seed 000's global echo service is accepted and normalized", () => {
  const [s] = parseManifests(ECHO);
  assert.ok(s?.kind === 'Service');
  assert.deepEqual(s.spec, { type: 'ClusterIP', ports: [{ name: '', port: 80, targetPort: 8080, protocol: 'TCP' }], selector: { run: 'echo-1' } });
  assert.equal(keyOfResource(s), 'weft/resources/services/default/echo-1');
  assert.equal(displayName(s), 'service/echo-1');
  assert.equal(resolveKindName('svc').plural, 'services');
  // the stored value parses back to itself
  assert.deepEqual(ServiceSchema.parse(JSON.parse(JSON.stringify(s))), s);
});

void test('defaults: targetPort = port, protocol TCP, type ClusterIP; named targetPort kept as a name', () => {
  const [s] = parseManifests(svc('  clusterIP: 10.101.0.20\n  ports: [{name: http, port: 80, targetPort: http-alt}, {name: dns, port: 53, protocol: UDP}]\n  selector: {app: web}'));
  assert.ok(s?.kind === 'Service');
  assert.equal(s.spec.clusterIP, '10.101.0.20');
  assert.deepEqual(s.spec.ports, [
    { name: 'http', port: 80, targetPort: 'http-alt', protocol: 'TCP' },
    { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
  ]);
});

void test('clusterIP "" means allocate one; harmless Kubernetes fields are accepted', () => {
  const [s] = parseManifests(svc('  clusterIP: ""\n  sessionAffinity: None\n  ipFamilies: [IPv4]\n  ipFamilyPolicy: SingleStack\n  ports: [{port: 80}]'));
  assert.ok(s?.kind === 'Service');
  assert.equal(s.spec.clusterIP, undefined);
  assert.deepEqual(s.spec.selector, {});
});

void test('type other than ClusterIP is rejected naming the value', () => {
  rejects(svc('  type: LoadBalancer\n  ports: [{port: 80}]'), /spec\.type: Weft supports only type ClusterIP.*got "LoadBalancer"/);
  rejects(svc('  type: NodePort\n  ports: [{port: 80, nodePort: 30080}]'), /got "NodePort"/, /nodePort: unknown field/);
});

void test('headless and malformed clusterIPs are rejected', () => {
  rejects(svc('  clusterIP: None\n  ports: [{port: 80}]'), /headless services .* got "None"/);
  rejects(svc('  clusterIP: 10.1.2.300\n  ports: [{port: 80}]'), /spec\.clusterIP: must be an IPv4 address, got "10\.1\.2\.300"/);
  rejects(svc('  clusterIP: 10.1.2.3\n  clusterIPs: [10.1.2.4]\n  ports: [{port: 80}]'), /spec\.clusterIPs: must equal \[clusterIP\]/);
});

void test('bad annotation values are rejected naming the annotation and the value', () => {
  rejects(svc('  ports: [{port: 80}]', '{service.cilium.io/affinity: nearest}'), /metadata\.annotations\.service\.cilium\.io\/affinity: must be "local", "remote" or "none", got "nearest"/);
  rejects(svc('  ports: [{port: 80}]', '{service.cilium.io/global: "yes"}'), /service\.cilium\.io\/global: must be "true" or "false", got "yes"/);
  rejects(svc('  ports: [{port: 80}]', '{io.cilium/global-service: "1"}'), /io\.cilium\/global-service: must be "true" or "false", got "1"/);
  rejects(svc('  ports: [{port: 80}]', '{service.cilium.io/shared: "no"}'), /service\.cilium\.io\/shared.*got "no"/);
  rejects(svc('  ports: [{port: 80}]', '{service.cilium.io/global: "true", io.cilium/global-service: "false"}'), /io\.cilium\/global-service: contradicts service\.cilium\.io\/global/);
});

void test('annotation values are case-insensitive, others are ignored', () => {
  const [s] = parseManifests(svc('  ports: [{port: 80}]', '{service.cilium.io/global: "True", service.cilium.io/affinity: Local, example.com/x: anything}'));
  assert.ok(s?.kind === 'Service');
});

void test('bad ports are rejected naming the port', () => {
  rejects(svc('  ports: [{port: 0}]'), /spec\.ports\[0\]\.port: must be >= 1, got 0/);
  rejects(svc('  ports: [{port: 70000}]'), /spec\.ports\[0\]\.port: must be <= 65535, got 70000/);
  rejects(svc('  ports: [{port: 80, targetPort: 0}]'), /spec\.ports\[0\]\.targetPort: must be a port number 1-65535 or a container port name.*got 0/);
  rejects(svc('  ports: [{port: 80, targetPort: "Not_A_Name"}]'), /targetPort.*got "Not_A_Name"/);
  rejects(svc('  ports: [{port: 80, protocol: SCTP}]'), /spec\.ports\[0\]\.protocol: must be one of "TCP", "UDP", got "SCTP"/);
  rejects(svc('  ports: []'), /spec\.ports: must have at least 1 item/);
  rejects(svc('  selector: {app: web}'), /spec\.ports: is required/);
});

void test('port names: required when more than one port, unique; port+protocol unique', () => {
  rejects(svc('  ports: [{port: 80}, {port: 81, name: b}]'), /spec\.ports\[0\]\.name: is required when the service has more than one port/);
  rejects(svc('  ports: [{port: 80, name: web}, {port: 81, name: web}]'), /spec\.ports\[1\]\.name: duplicates ports\[0\]\.name, got "web"/);
  rejects(svc('  ports: [{port: 80, name: a}, {port: 80, name: b}]'), /spec\.ports\[1\]\.port: duplicates ports\[0\] \(same port and protocol\)/);
  rejects(svc('  ports: [{port: 80, name: Web_1}]'), /spec\.ports\[0\]\.name: must be a lowercase RFC 1123 label/);
  // same number, other protocol: fine
  assert.equal(parseManifests(svc('  ports: [{port: 53, name: dns, protocol: UDP}, {port: 53, name: dns-tcp, protocol: TCP}]')).length, 1);
});

void test('service names are RFC 1035 labels', () => {
  rejects(ECHO.replace('name: echo-1\n', 'name: 1echo\n'), /metadata\.name: must be a lowercase RFC 1035 label/);
});
