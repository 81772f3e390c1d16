import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { WeftError, ErrorCode } from '../../errors.ts';
import { parseServiceRejects, readServiceRejects } from './serviceRejects.ts';

// Captured from nft 1.0.6: `nft -j list set inet weft svc-rejects` after a TCP and a UDP connection to frontends without backends.
const captured = readFileSync(new URL('./svcRejects.fixture.json', import.meta.url), 'utf8');

test('parses the captured reject records: client, frontend, protocol, packets', () => {
  assert.deepEqual(parseServiceRejects(captured), [
    { saddr: '127.0.0.1', sport: 40000, daddr: '127.0.0.5', dport: 53, proto: 'udp', packets: 1 },
    { saddr: '127.0.0.1', sport: 46390, daddr: '127.0.0.5', dport: 80, proto: 'tcp', packets: 1 },
  ]);
});

test('reads through nft; a missing set is no records', async () => {
  const args: (readonly string[])[] = [];
  assert.equal((await readServiceRejects({ run: (_t, a) => (args.push(a), Promise.resolve(captured)) })).length, 2);
  assert.deepEqual(args[0], ['-j', 'list', 'set', 'inet', 'weft', 'svc-rejects']);
  const missing = await readServiceRejects({ run: () => Promise.reject(new WeftError(ErrorCode.CommandFailed, 'nft failed: Error: No such file or directory; did you mean table ‘weft’ in family inet?')) });
  assert.deepEqual(missing, []);
});
