import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatContextsTable } from './config.ts';

void test('contexts table marks the current one', () => {
  const text = formatContextsTable('c2', [
    { name: 'c1', cluster: 'c1', endpoints: ['http://172.30.1.10:2379'] },
    { name: 'c2', cluster: 'c2', endpoints: ['http://172.30.2.10:2379'] },
  ]);
  assert.match(text, /CURRENT.*NAME.*CLUSTER.*ENDPOINTS/);
  assert.match(text, /│\s+│ c1 /);
  assert.match(text, /│ \* +│ c2 /);
});
