import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceCidrRouteArgs } from './serviceCidrRoute.ts';

test('the service CIDR becomes a local route owned by Weft', () => {
  assert.deepEqual(serviceCidrRouteArgs('10.101.0.0/16'), ['route', 'replace', 'local', '10.101.0.0/16', 'dev', 'lo', 'table', 'local', 'proto', '157']);
});
