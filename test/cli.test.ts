// The command line as an operator uses it, against an embedded database of its own: a shop, an import,
// then the membership and segment commands.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/src/main.js', import.meta.url));
const run = promisify(execFile);

describe('the regulars command', () => {
  let env: NodeJS.ProcessEnv;
  const regulars = async (...args: string[]) => {
    try {
      const { stdout } = await run(process.execPath, [CLI, ...args], { env });
      return { code: 0, out: stdout };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  };

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'regulars-cli-'));
    env = { ...process.env, REGULARS_DATA_DIR: dir, DATABASE_URL: '' };
    const file = join(dir, 'orders.csv');
    await writeFile(
      file,
      [
        'order_id,ordered_at,status,total,phone',
        'A1,2026-10-01 10:00,paid,300.00,13700000001',
        'A2,2026-10-02 10:00,paid,300.00,13700000001',
        'B1,2026-10-03 10:00,paid,80.00,13700000002',
      ].join('\n'),
    );
    expect((await regulars('shop', 'create', '--name', 'CLI shop')).code).toBe(0);
    expect((await regulars('import', file, '--format', 'generic')).code).toBe(0);
  }, 60_000);

  it('adjusts points by phone with a reason, once per key, and refuses what it cannot do', async () => {
    // The same command twice: its key makes the second a no-op.
    const welcome = [
      'points',
      'adjust',
      '--customer',
      '13700000002',
      '--points',
      '20',
      '--reason',
      'Welcome gift',
      '--key',
      'welcome-0002',
    ];
    const added = await regulars(...welcome);
    expect(added).toEqual({ code: 0, out: 'Added 20 points; balance 100.\n' });
    const again = await regulars(...welcome);
    expect(again.out).toBe('Already done with this key; balance 100.\n');
    const tooMuch = await regulars(
      'points',
      'adjust',
      '--customer',
      '+8613700000002',
      '--points',
      '-500',
      '--reason',
      'Fraud',
    );
    expect(tooMuch).toMatchObject({
      code: 1,
      out: expect.stringContaining('The balance is below 500 points'),
    });
    const noReason = await regulars(
      'points',
      'adjust',
      '--customer',
      '13700000002',
      '--points',
      'ten',
      '--reason',
      ' ',
    );
    expect(noReason.code).toBe(1);
    expect(noReason.out).toContain('--points');
    expect(noReason.out).toContain('--reason');
    const nobody = await regulars(
      'points',
      'adjust',
      '--customer',
      '13799999999',
      '--points',
      '5',
      '--reason',
      'x',
    );
    expect(nobody.out).toContain('Customer 13799999999 not found');
  }, 60_000);

  it('re-grades and reviews the shop, printing what changed', async () => {
    const regrade = await regulars('tiers', 'regrade');
    expect(regrade.code).toBe(0);
    expect(regrade.out).toContain('customers: 2, upgraded: 0, downgraded: 0');
    const review = await regulars('tiers', 'review');
    expect(review.out).toContain('customers: 2');
    const expire = await regulars('points', 'expire');
    expect(expire.out).toContain('expired: 0');
    // Two buyers are too few to fit purchase models; the command says so and fails.
    const predict = await regulars('predict');
    expect(predict).toMatchObject({
      code: 1,
      out: expect.stringContaining('Predictions need at least 50 buyers'),
    });
  }, 60_000);

  it('counts and exports a segment from a JSON rule file, and names what is wrong with a bad one', async () => {
    const dir = env.REGULARS_DATA_DIR!;
    const rule = join(dir, 'spenders.json');
    await writeFile(rule, JSON.stringify({ type: 'field', field: 'spendCents', op: 'gte', value: 50_000 }));
    const count = await regulars('segment', 'count', rule);
    expect(count.code).toBe(0);
    expect(count.out).toMatch(/^1 of 2 customers \(50\.0%\) in [\d.]+ ms$/m);
    // A saved segment's JSON works as it is.
    await writeFile(rule, JSON.stringify({ name: 'all', rule: { type: 'and', rules: [] } }));
    expect((await regulars('segment', 'count', rule)).out).toMatch(/^2 of 2 customers/m);
    const out = join(dir, 'all.csv');
    expect((await regulars('segment', 'export', rule, '--out', out)).code).toBe(0);
    const csv = (await readFile(out, 'utf8'))
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(csv).toHaveLength(3);
    expect(
      csv
        .slice(1)
        .map((l) => l.split(',')[2])
        .sort(),
    ).toEqual(['+8613700000001', '+8613700000002']);

    await writeFile(
      rule,
      JSON.stringify({ type: 'or', rules: [{ type: 'field', field: 'spend', op: 'gte', value: 1 }] }),
    );
    const bad = await regulars('segment', 'count', rule);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain("rule.rules.0.field: unknown field 'spend'");
    await writeFile(rule, '{ not json');
    expect((await regulars('segment', 'count', rule)).out).toContain('is not a JSON file');
    expect((await regulars('tags', 'backfill')).out).toContain('tags: 0');
  }, 60_000);
});
