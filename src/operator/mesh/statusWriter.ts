/**
 * Writes a remote's RemoteStatus to the local etcd: only when it changed
 * (updatedAt aside), at most once per minIntervalMs, the latest state wins.
 * A failed write is retried after retryMs.
 */
import { errorMessage } from '../../errors.ts';
import type { KvBackend } from '../../kvstore/backend.ts';
import type { Logger } from '../../util/log.ts';
import type { RemoteStatus } from '../../model/remoteStatus.ts';

export interface StatusWriterOptions {
  readonly kv: KvBackend;
  readonly key: string;
  readonly logger: Logger;
  readonly minIntervalMs?: number;
  readonly retryMs?: number;
  readonly now?: () => Date;
}

export class StatusWriter {
  readonly #opts: StatusWriterOptions;
  readonly #minMs: number;
  #latest: Omit<RemoteStatus, 'updatedAt'> | undefined;
  #written = '';
  #lastAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;
  #closed = false;

  constructor(opts: StatusWriterOptions) {
    this.#opts = opts;
    this.#minMs = opts.minIntervalMs ?? 250;
  }

  update(status: Omit<RemoteStatus, 'updatedAt'>): void {
    if (this.#closed) return;
    this.#latest = status;
    this.#schedule(Math.max(0, this.#lastAt + this.#minMs - Date.now()));
  }

  /** Write what is pending now (tests, shutdown). */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#writing;
    await this.#write();
  }

  /** Stop writing; resolves once a write in progress is done. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#writing;
  }

  /** Stop and delete the status key. */
  async remove(): Promise<void> {
    await this.close();
    await this.#opts.kv.delete(this.#opts.key);
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== undefined || this.#writing !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#write();
    }, delayMs);
  }

  #write(): Promise<void> {
    const status = this.#latest;
    if (status === undefined || this.#closed || this.#writing !== undefined) return this.#writing ?? Promise.resolve();
    const sig = JSON.stringify(status);
    if (sig === this.#written) return Promise.resolve();
    const now = (this.#opts.now ?? (() => new Date()))();
    let retry = false;
    this.#writing = this.#opts.kv
      .put(this.#opts.key, JSON.stringify({ ...status, updatedAt: now.toISOString() }))
      .then(
        () => {
          this.#written = sig;
        },
        (err: unknown) => {
          retry = true;
          this.#opts.logger.warn('writing the remote cluster status failed; retrying', { key: this.#opts.key, error: errorMessage(err) });
        },
      )
      .finally(() => {
        this.#writing = undefined;
        this.#lastAt = Date.now();
        if (retry) this.#schedule(this.#opts.retryMs ?? 1000);
        else if (this.#latest !== undefined && JSON.stringify(this.#latest) !== this.#written) this.#schedule(this.#minMs);
      });
    return this.#writing;
  }
}
