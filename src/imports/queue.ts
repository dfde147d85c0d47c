// Runs imports in the background of the server process, one at a time (each already batches its own
// writes), and picks up imports that a killed process left unfinished.
import type { Db } from '../db/db.js';
import { runImport } from './run.js';
import { stalledImports } from './imports.js';

export class ImportQueue {
  private tail: Promise<void> = Promise.resolve();
  private readonly queued = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly onError: (err: unknown, importId: string) => void,
  ) {}

  enqueue(shopId: string, importId: string): void {
    if (this.queued.has(importId)) return;
    this.queued.add(importId);
    this.tail = this.tail
      .then(() => runImport(this.db, shopId, importId))
      .then(
        () => undefined,
        (err: unknown) => this.onError(err, importId),
      )
      .finally(() => this.queued.delete(importId));
  }

  /** Queues every import that is waiting or whose runner went silent; answers how many. */
  async resumeStalled(): Promise<number> {
    const stalled = await stalledImports(this.db);
    for (const s of stalled) this.enqueue(s.shopId, s.importId);
    return stalled.length;
  }

  /** Resolves when everything queued so far has finished. */
  idle(): Promise<void> {
    return this.tail;
  }
}
