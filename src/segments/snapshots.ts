// Snapshots: who was in a segment at one moment. A campaign sends to a snapshot and measures against
// it, so its audience stays what it was when the campaign was set up, whatever orders come in later.
import type { Db, Queryable } from '../db/db.js';
import { isUuid, uuidv7 } from '../db/ids.js';
import { AppError } from '../errors.js';
import type { Rule } from './rule.js';
import { compileFor, getSegment } from './segments.js';

export interface Snapshot {
  snapshotId: string;
  segmentId: string | null;
  name: string;
  rule: Rule;
  memberCount: number;
  createdAt: Date;
}

const columns = `snapshot_id as "snapshotId", segment_id as "segmentId", name, rule,
  member_count as "memberCount", created_at as "createdAt"`;

export async function snapshotSegment(db: Db, shopId: string, segmentId: string): Promise<Snapshot> {
  const segment = await getSegment(db, shopId, segmentId);
  const now = new Date();
  const { where, params } = await compileFor(db, shopId, segment.rule, { now });
  return db.transaction(async (tx) => {
    const snapshotId = uuidv7(now.getTime());
    await tx.query(
      `insert into segment_snapshots (shop_id, snapshot_id, segment_id, name, rule, member_count, created_at)
       values ($1, $2, $3, $4, $5, 0, $6)`,
      [shopId, snapshotId, segmentId, segment.name, JSON.stringify(segment.rule), now.toISOString()],
    );
    const p = params.length + 2;
    await tx.query(
      `insert into segment_snapshot_members (shop_id, snapshot_id, customer_id)
       select c.shop_id, $${p}::uuid, c.customer_id from customers c where c.shop_id = $1 and ${where}`,
      [shopId, ...params, snapshotId],
    );
    const [snapshot] = await tx.query<Snapshot>(
      `update segment_snapshots
          set member_count = (select count(*) from segment_snapshot_members where shop_id = $1 and snapshot_id = $2)
        where shop_id = $1 and snapshot_id = $2 returning ${columns}`,
      [shopId, snapshotId],
    );
    return snapshot!;
  });
}

export async function listSnapshots(db: Queryable, shopId: string, segmentId?: string): Promise<Snapshot[]> {
  return db.query<Snapshot>(
    `select ${columns} from segment_snapshots where shop_id = $1 and ($2::uuid is null or segment_id = $2)
      order by created_at desc limit 200`,
    [shopId, segmentId ?? null],
  );
}

export async function getSnapshot(db: Queryable, shopId: string, snapshotId: string): Promise<Snapshot> {
  if (!isUuid(snapshotId)) throw AppError.notFound('Snapshot');
  const [snapshot] = await db.query<Snapshot>(
    `select ${columns} from segment_snapshots where shop_id = $1 and snapshot_id = $2`,
    [shopId, snapshotId],
  );
  if (!snapshot) throw AppError.notFound('Snapshot');
  return snapshot;
}
