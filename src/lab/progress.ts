/**
 * Progress lines of long lab commands: one line per finished step with ✅,
 * ❌ for a failure, plain lines for detail.
 */
import pc from 'picocolors';

export interface Progress {
  ok(message: string): void;
  fail(message: string): void;
  info(message: string): void;
}

export function formatProgressLine(kind: 'ok' | 'fail' | 'info', message: string, color = false): string {
  switch (kind) {
    case 'ok':
      return `✅ ${message}`;
    case 'fail':
      return `❌ ${color ? pc.red(message) : message}`;
    case 'info':
      return `   ${color ? pc.dim(message) : message}`;
  }
}

/** Progress written to a stream (stdout for humans, stderr when stdout carries JSON). */
export function streamProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }): Progress {
  const color = stream.isTTY === true;
  const write = (kind: 'ok' | 'fail' | 'info', m: string): void => {
    stream.write(`${formatProgressLine(kind, m, color)}\n`);
  };
  return { ok: (m) => write('ok', m), fail: (m) => write('fail', m), info: (m) => write('info', m) };
}

/** Progress that remembers its lines (tests). */
export function recordingProgress(): Progress & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    ok: (m) => lines.push(formatProgressLine('ok', m)),
    fail: (m) => lines.push(formatProgressLine('fail', m)),
    info: (m) => lines.push(formatProgressLine('info', m)),
  };
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
