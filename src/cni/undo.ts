/**
 * ADD's rollback bookkeeping: each step records what it created, right after
 * creating it, and a failed ADD undoes exactly those records, newest first.
 * Nothing the ADD did not create (an address another ADD holds, a veth that
 * was already there) is ever recorded, so nothing of the kind is ever undone.
 * An undo that fails is reported and the rest still run: a leftover is better
 * than stopping halfway, and the runtime's DEL after a failed ADD cleans it.
 */
import { errorMessage } from '../errors.ts';

interface UndoStep {
  /** What was created, as the warning names it, e.g. "address 10.1.0.2 of c1 eth0". */
  what: string;
  undo(): Promise<unknown>;
}

export class UndoLog {
  readonly #steps: UndoStep[] = [];

  /** Record something this ADD created and how to remove it. */
  created(what: string, undo: () => Promise<unknown>): void {
    this.#steps.push({ what, undo });
  }

  /** What is recorded, oldest first (tests, diagnostics). */
  get recorded(): string[] {
    return this.#steps.map((s) => s.what);
  }

  /** Undo every record, newest first; each failure goes to warn and the others still run. Empties the log. */
  async rollback(warn: (msg: string) => void): Promise<void> {
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step.undo();
      } catch (err) {
        warn(`undo: cannot remove ${step.what}: ${errorMessage(err)}`);
      }
    }
  }
}
