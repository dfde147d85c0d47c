// The embedded database's settings (db.ts): what the environment asks for is what PGlite runs with,
// including on a data directory written before these settings existed.
import { PGlite } from '@electric-sql/pglite';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { defaultPgliteBuffersMb, type Db } from '../src/db/db.js';
import { openDatabase } from '../src/db/open.js';

const settings = async (db: Db) => {
  const read = async (name: string) =>
    ((await db.query<Record<string, string>>(`show ${name}`)) as [Record<string, string>])[0][name];
  return {
    sharedBuffers: await read('shared_buffers'),
    fullPageWrites: await read('full_page_writes'),
  };
};

describe('embedded database settings', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('reads the page cache size from the environment and refuses what PGlite cannot hold', () => {
    expect(loadConfig({}).pgliteBuffersMb).toBe(defaultPgliteBuffersMb());
    expect([24, 4, 1].map((gib) => defaultPgliteBuffersMb(gib * 2 ** 30))).toEqual([512, 256, 128]);
    expect(loadConfig({ REGULARS_PGLITE_BUFFERS: '256' }).pgliteBuffersMb).toBe(256);
    for (const bad of ['4096', '8', 'lots', '1.5']) {
      expect(() => loadConfig({ REGULARS_PGLITE_BUFFERS: bad })).toThrow(/REGULARS_PGLITE_BUFFERS/);
    }
  });

  it('reads which proxies to believe for the client address, and refuses what is not one', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ REGULARS_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ REGULARS_TRUST_PROXY: 'loopback, 10.0.0.0/8, ::1' }).trustProxy).toBe(
      'loopback, 10.0.0.0/8, ::1',
    );
    for (const bad of ['1', 'nginx', '10.0.0.0/33', '10.0.0.1,'])
      expect(() => loadConfig({ REGULARS_TRUST_PROXY: bad }), bad).toThrow(/REGULARS_TRUST_PROXY/);
  });

  it('reads the address links in messages start with, and refuses what is not a web address', () => {
    expect(loadConfig({}).publicUrl).toBe('http://localhost:3000');
    expect(loadConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ REGULARS_PUBLIC_URL: 'https://crm.shop.example/' }).publicUrl).toBe(
      'https://crm.shop.example',
    );
    expect(loadConfig({ REGULARS_PUBLIC_URL: '' }).publicUrl).toBe('http://localhost:3000');
    for (const bad of ['crm.shop.example', 'ftp://crm.shop.example', 'javascript:alert(1)'])
      expect(() => loadConfig({ REGULARS_PUBLIC_URL: bad }), bad).toThrow(/REGULARS_PUBLIC_URL/);
  });

  it('starts an existing data directory with them, its rows intact', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'regulars-embedded-'));
    dirs.push(dataDir);
    // A data directory as PGlite's own settings leave it (and as this project did before it set any).
    const before = await PGlite.create(join(dataDir, 'pgdata'));
    await before.exec(`create table kept (n int); insert into kept values (1), (2)`);
    expect((await before.query<{ full_page_writes: string }>('show full_page_writes')).rows[0]).toEqual({
      full_page_writes: 'on',
    });
    await before.close();

    const db = await openDatabase({ dataDir, pgliteBuffersMb: 64 });
    try {
      expect(await settings(db)).toEqual({
        sharedBuffers: '64MB',
        fullPageWrites: 'off',
      });
      expect(await db.query('select n from kept order by n')).toEqual([{ n: 1 }, { n: 2 }]);
    } finally {
      await db.close();
    }
    const again = await openDatabase({ dataDir });
    try {
      expect((await settings(again)).sharedBuffers).toBe(`${defaultPgliteBuffersMb()}MB`);
    } finally {
      await again.close();
    }
  });
});
