/**
 * The redis image stand-in: a TCP server speaking enough RESP for
 * `redis-cli ping` (and GET/SET/DEL/EXISTS/ECHO/INFO) — what seed 003's
 * protected-db is probed with. One in-memory keyspace per server.
 */
import net from 'node:net';
import { encodeReply, execute, parseCommands, RespProtocolError } from './resp.ts';

export interface RunningRedisServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startRedisServer(opts: { port: number; host?: string; name: string }): Promise<RunningRedisServer> {
  const store = new Map<string, string>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      try {
        const { commands, consumed } = parseCommands(pending);
        pending = pending.subarray(consumed);
        for (const c of commands) {
          socket.write(encodeReply(execute(store, c, opts.name)));
          if (c[0]?.toUpperCase() === 'QUIT') socket.end();
        }
      } catch (err) {
        if (!(err instanceof RespProtocolError)) throw err;
        socket.end(encodeReply({ type: 'error', value: `ERR Protocol error: ${err.message}` }));
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr !== null ? addr.port : opts.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
