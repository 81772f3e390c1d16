/**
 * RESP (the Redis serialization protocol), the subset a Redis client sends:
 * arrays of bulk strings, and inline commands (`PING\r\n`). Pure: bytes in,
 * commands out; replies encoded the way redis-server writes them.
 */

export type RespReply =
  | { readonly type: 'simple'; readonly value: string }
  | { readonly type: 'error'; readonly value: string }
  | { readonly type: 'integer'; readonly value: number }
  | { readonly type: 'bulk'; readonly value: string | null };

export class RespProtocolError extends Error {}

/** Parse as many complete commands as `buf` holds; returns them and the bytes consumed. */
export function parseCommands(buf: Buffer): { commands: string[][]; consumed: number } {
  const commands: string[][] = [];
  let pos = 0;
  for (;;) {
    const parsed = buf[pos] === 0x2a /* '*' */ ? parseArray(buf, pos) : parseInline(buf, pos);
    if (parsed === undefined) break;
    pos = parsed.next;
    if (parsed.command.length > 0) commands.push(parsed.command);
  }
  return { commands, consumed: pos };
}

function lineEnd(buf: Buffer, from: number): number {
  const i = buf.indexOf('\r\n', from);
  return i;
}

function parseInline(buf: Buffer, pos: number): { command: string[]; next: number } | undefined {
  if (pos >= buf.length) return undefined;
  const nl = buf.indexOf('\n', pos);
  if (nl < 0) return undefined;
  const line = buf.toString('utf8', pos, nl).replace(/\r$/, '');
  return { command: line.split(/\s+/).filter((w) => w !== ''), next: nl + 1 };
}

function parseArray(buf: Buffer, pos: number): { command: string[]; next: number } | undefined {
  const end = lineEnd(buf, pos);
  if (end < 0) return undefined;
  const count = Number(buf.toString('ascii', pos + 1, end));
  if (!Number.isInteger(count) || count < 0 || count > 1024 * 1024) throw new RespProtocolError(`invalid multibulk length "${buf.toString('ascii', pos + 1, end)}"`);
  let p = end + 2;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    if (p >= buf.length) return undefined;
    if (buf[p] !== 0x24 /* '$' */) throw new RespProtocolError(`expected '$', got '${String.fromCharCode(buf[p] ?? 0)}'`);
    const e = lineEnd(buf, p);
    if (e < 0) return undefined;
    const len = Number(buf.toString('ascii', p + 1, e));
    if (!Number.isInteger(len) || len < 0 || len > 512 * 1024 * 1024) throw new RespProtocolError(`invalid bulk length "${buf.toString('ascii', p + 1, e)}"`);
    if (e + 2 + len + 2 > buf.length) return undefined;
    out.push(buf.toString('utf8', e + 2, e + 2 + len));
    p = e + 2 + len + 2;
  }
  return { command: out, next: p };
}

export function encodeReply(r: RespReply): string {
  switch (r.type) {
    case 'simple':
      return `+${r.value}\r\n`;
    case 'error':
      return `-${r.value}\r\n`;
    case 'integer':
      return `:${r.value}\r\n`;
    case 'bulk':
      return r.value === null ? '$-1\r\n' : `$${Buffer.byteLength(r.value)}\r\n${r.value}\r\n`;
  }
}

/** The tiny in-memory keyspace the stand-in keeps (strings only). */
export function execute(store: Map<string, string>, command: readonly string[], serverName: string): RespReply {
  const [name = '', ...args] = command;
  const wrongArgs = (): RespReply => ({ type: 'error', value: `ERR wrong number of arguments for '${name.toLowerCase()}' command` });
  switch (name.toUpperCase()) {
    case 'PING':
      if (args.length > 1) return wrongArgs();
      return args[0] === undefined ? { type: 'simple', value: 'PONG' } : { type: 'bulk', value: args[0] };
    case 'ECHO':
      return args.length === 1 ? { type: 'bulk', value: args[0] ?? '' } : wrongArgs();
    case 'SET':
      if (args.length < 2) return wrongArgs();
      store.set(args[0] ?? '', args[1] ?? '');
      return { type: 'simple', value: 'OK' };
    case 'GET':
      return args.length === 1 ? { type: 'bulk', value: store.get(args[0] ?? '') ?? null } : wrongArgs();
    case 'DEL':
      if (args.length < 1) return wrongArgs();
      return { type: 'integer', value: args.filter((k) => store.delete(k)).length };
    case 'EXISTS':
      if (args.length < 1) return wrongArgs();
      return { type: 'integer', value: args.filter((k) => store.has(k)).length };
    case 'DBSIZE':
      return { type: 'integer', value: store.size };
    case 'INFO':
      return { type: 'bulk', value: `# Server\r\nredis_version:6.0.5\r\nredis_mode:standalone\r\nweft_stand_in:${serverName}\r\n` };
    case 'SELECT':
      return args[0] === '0' ? { type: 'simple', value: 'OK' } : { type: 'error', value: 'ERR DB index is out of range' };
    case 'QUIT':
      return { type: 'simple', value: 'OK' };
    default:
      return {
        type: 'error',
        value: `ERR unknown command '${name}', with args beginning with: ${args.map((a) => `'${a}' `).join('')}`,
      };
  }
}
