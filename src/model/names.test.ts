import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDns1123Label, isDns1123Subdomain, isLabelValue, isQualifiedName } from './names.ts';

void test('DNS-1123 labels', () => {
  for (const ok of ['a', 'web-1', '0abc', 'a'.repeat(63)]) assert.ok(isDns1123Label(ok), ok);
  for (const bad of ['', 'A', '-a', 'a-', 'a.b', 'a_b', 'a'.repeat(64)]) assert.ok(!isDns1123Label(bad), bad);
});

void test('DNS-1123 subdomains', () => {
  for (const ok of ['a', 'a.b', 'web-1.example.com']) assert.ok(isDns1123Subdomain(ok), ok);
  for (const bad of ['', 'a..b', '.a', 'a.', 'A.b', `${'a'.repeat(250)}.bcd`]) assert.ok(!isDns1123Subdomain(bad), bad);
});

void test('label keys and values', () => {
  for (const ok of ['app', 'io.cilium.k8s.policy.cluster', 'app.kubernetes.io/name', 'A_b.c-d']) assert.ok(isQualifiedName(ok), ok);
  for (const bad of ['', 'a b', '-a', 'Bad_Prefix/x', 'a/', `${'a'.repeat(64)}`]) assert.ok(!isQualifiedName(bad), bad);
  for (const ok of ['', 'v1', 'cluster-1', 'A.b_c']) assert.ok(isLabelValue(ok), ok);
  for (const bad of ['-x', 'a b', 'x'.repeat(64)]) assert.ok(!isLabelValue(bad), bad);
});
