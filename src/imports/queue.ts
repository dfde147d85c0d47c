// Runs imports in the background of the server process, one at a time (each already batches its own
// writes), and picks up imports that a killed process left unfinished. An uploaded file is kept only
// until its import ends: it is every customer's personal data, needed no longer than a resume needs it.
import { rm } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { Db } from '../db/db.js';
import { hasEnded, type ImportRecord } from './imports.js';
import { runImport } from './run.js';
import { stalledImports } from './imports.js';

export class ImportQueue {
  private tail: Promise<void> = Promise.resolve();
  private readonly queued = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly onError: (err: unknown, importId: string) => void,
    /** Where the API saves uploads; files elsewhere (the CLI's own) are the operator's, and stay. */
    private readonly uploadDir: string | null = null,
  ) {}

  enqueue(shopId: string, importId: string): void {
    if (this.queued.has(importId)) return;
    this.queued.add(importId);
    this.tail = this.tail
      .then(() => runImport(this.db, shopId, importId))
      .then(
        (record) => this.discardUpload(record),
        (err: unknown) => this.onError(err, importId),
      )
      .finally(() => this.queued.delete(importId));
  }

  /** Deletes the upload of an import that has ended (the CLI's own files, elsewhere, stay). */
  async discardUpload(record: ImportRecord): Promise<void> {
    if (!this.uploadDir || !hasEnded(record.status)) return;
    if (resolve(record.filePath).startsWith(resolve(this.uploadDir) + sep)) {
      await rm(record.filePath, { force: true });
    }
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
