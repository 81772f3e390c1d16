import assert from 'node:assert/strict';
import { isWeftError } from '../errors.ts';
import { parseManifests } from './manifest.ts';

/** The InvalidManifest message parseManifests throws for text (fails the test when it does not). */
export function manifestFailure(text: string): string {
  try {
    parseManifests(text);
  } catch (err) {
    assert.ok(isWeftError(err, 'InvalidManifest'), String(err));
    return err.message;
  }
  assert.fail('expected a validation error');
}

/** Manifests used by the model and operator unit tests. */
export const DEPLOYMENT_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: team-a
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web, tier: front}
    spec:
      containers:
      - name: echo
        image: jmalloc/echo-server
        ports: [{containerPort: 8080, name: http}]
`;

export const NAMESPACE_YAML = `apiVersion: v1
kind: Namespace
metadata:
  name: team-a
`;

export const POD_YAML = `apiVersion: v1
kind: Pod
metadata:
  name: client
  labels: {app: client}
spec:
  containers:
  - name: sh
    image: busybox
    command: [sleep, infinity]
`;
