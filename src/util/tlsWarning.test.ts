import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silenceTlsIpServerNameWarning } from './tlsWarning.ts';

test('drops DEP0123 only', async () => {
  silenceTlsIpServerNameWarning();
  const seen: string[] = [];
  const onWarning = (w: Error & { code?: string }): void => {
    seen.push(w.code ?? w.name);
  };
  process.on('warning', onWarning);
  try {
    process.emitWarning('ip as servername', 'DeprecationWarning', 'DEP0123');
    process.emitWarning('ip as servername', { type: 'DeprecationWarning', code: 'DEP0123' });
    process.emitWarning('something else', 'DeprecationWarning', 'DEP0999');
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(seen, ['DEP0999']);
});
