import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { isWeftError, ErrorCode } from '../errors.ts';
import { acceptRequestTimeoutEverywhere, DEFAULT_REQUEST_TIMEOUT_MS, parseRequestTimeout, requestTimeoutOf, requestTimeoutOption } from './requestTimeout.ts';

void describe('parseRequestTimeout', () => {
  void it('takes durations, bare seconds and 0 as kubectl does', () => {
    assert.equal(parseRequestTimeout('5s'), 5000);
    assert.equal(parseRequestTimeout('500ms'), 500);
    assert.equal(parseRequestTimeout('1m'), 60_000);
    assert.equal(parseRequestTimeout('1m30s'), 90_000);
    assert.equal(parseRequestTimeout('7'), 7000);
    assert.equal(parseRequestTimeout('0'), 0);
    assert.equal(parseRequestTimeout('0s'), 0);
    assert.equal(parseRequestTimeout('0ms'), 0);
  });

  void it('refuses anything else, naming the value', () => {
    for (const bad of ['', 'abc', '-1', '-1s', '5 s', '1d', '1.5']) {
      assert.throws(
        () => parseRequestTimeout(bad),
        (e) => isWeftError(e, ErrorCode.InvalidInput) && e.message.includes(`--request-timeout "${bad}"`),
      );
    }
  });
});

void describe('the --request-timeout flag', () => {
  /** A program shaped like weft's: a global flag, a group and a leaf that reports what it saw. */
  const run = async (argv: string[]): Promise<number> => {
    let seen = -1;
    const program = new Command('weft').addOption(requestTimeoutOption()).enablePositionalOptions().exitOverride();
    program.command('clustermesh').command('status').action((_o: unknown, cmd: Command) => void (seen = requestTimeoutOf(cmd)));
    program.command('get').argument('<type>').action((_t: string, _o: unknown, cmd: Command) => void (seen = requestTimeoutOf(cmd)));
    acceptRequestTimeoutEverywhere(program);
    await program.parseAsync(argv, { from: 'user' });
    return seen;
  };

  void it('defaults to 5s', async () => {
    assert.equal(DEFAULT_REQUEST_TIMEOUT_MS, 5000);
    assert.equal(await run(['get', 'pods']), 5000);
  });

  void it('is read before or after the subcommand, at any depth', async () => {
    assert.equal(await run(['--request-timeout', '2s', 'get', 'pods']), 2000);
    assert.equal(await run(['get', 'pods', '--request-timeout', '250ms']), 250);
    assert.equal(await run(['get', 'pods', '--request-timeout=0']), 0);
    assert.equal(await run(['clustermesh', 'status', '--request-timeout', '1m']), 60_000);
    assert.equal(await run(['--request-timeout', '3', 'clustermesh', 'status']), 3000);
  });

  void it('fails on a bad value before the command runs', async () => {
    await assert.rejects(run(['get', 'pods', '--request-timeout', 'soon']), /--request-timeout "soon"/);
    await assert.rejects(run(['--request-timeout', '-5s', 'get', 'pods']), /--request-timeout "-5s"/);
  });
});
