import assert from 'node:assert/strict';
import test from 'node:test';
import { encodeReply, execute, parseCommands, RespProtocolError } from './resp.ts';

void test('parses multibulk commands, waits for incomplete ones', () => {
  const whole = Buffer.from('*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n');
  assert.deepEqual(parseCommands(whole), { commands: [['PING'], ['GET', 'k']], consumed: whole.length });
  const partial = Buffer.from('*2\r\n$3\r\nGET\r\n$1\r');
  assert.deepEqual(parseCommands(partial), { commands: [], consumed: 0 });
});

void test('parses inline commands', () => {
  assert.deepEqual(parseCommands(Buffer.from('PING\r\nECHO  hi\n')).commands, [['PING'], ['ECHO', 'hi']]);
});

void test('rejects a malformed length naming it', () => {
  assert.throws(() => parseCommands(Buffer.from('*x\r\n')), (e: unknown) => e instanceof RespProtocolError && e.message.includes('"x"'));
});

void test('answers like redis-server', () => {
  const store = new Map<string, string>();
  assert.equal(encodeReply(execute(store, ['ping'], 'db')), '+PONG\r\n');
  assert.equal(encodeReply(execute(store, ['PING', 'hé'], 'db')), '$3\r\nhé\r\n');
  assert.equal(encodeReply(execute(store, ['SET', 'k', 'v'], 'db')), '+OK\r\n');
  assert.equal(encodeReply(execute(store, ['GET', 'k'], 'db')), '$1\r\nv\r\n');
  assert.equal(encodeReply(execute(store, ['GET', 'nope'], 'db')), '$-1\r\n');
  assert.equal(encodeReply(execute(store, ['DEL', 'k', 'nope'], 'db')), ':1\r\n');
  assert.match(encodeReply(execute(store, ['GET'], 'db')), /^-ERR wrong number of arguments for 'get' command/);
  assert.match(encodeReply(execute(store, ['FLY', 'a'], 'db')), /^-ERR unknown command 'FLY', with args beginning with: 'a' /);
});
