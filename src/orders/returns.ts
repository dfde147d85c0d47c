// Lines returned on orders sent again: a source re-sending a known order may state, line by line, how
// many units came back. Which stored line each line sent is, and what moved (orders/changes.ts applies it).
import type { Queryable } from '../db/db.js';
import { groupBy } from './grouped.js';
import type { NormalizedOrder } from './input.js';

/** A line of a known order whose units returned its source now states otherwise. */
export interface LineReturn {
  lineNo: number;
  title: string;
  from: number;
  to: number;
}

/**
 * The lines of known orders whose returned units differ from what is stored, for the orders sent again
 * with `refundedQuantity` on some line (read only for those: most updates say nothing of lines). Each
 * line sent is matched to a stored one (`storedLine`); a line matching none is ignored, as a changed
 * order's other line details are, and no line returns more than the units it has.
 */
export async function lineReturns(
  tx: Queryable,
  shopId: string,
  orders: { o: NormalizedOrder; e: { orderId: string } }[],
): Promise<Map<string, LineReturn[]>> {
  const out = new Map<string, LineReturn[]>();
  if (orders.length === 0) return out;
  const stored = await tx.query<StoredLine & { orderId: string }>(
    `select order_id as "orderId", line_no as "lineNo", sku, product_id as "productId", title, quantity,
            refunded_quantity as refunded
       from order_items where shop_id = $1 and order_id = any($2::uuid[])
      order by order_id, line_no`,
    [shopId, orders.map(({ e }) => e.orderId)],
  );
  const byOrder = groupBy(
    stored,
    (l) => l.orderId,
    (l): StoredLine => l,
  );
  for (const { o, e } of orders) {
    const unclaimed = new Set(byOrder.get(e.orderId) ?? []);
    const lines = o.items.flatMap((item, i) => {
      const line = storedLine(item, i + 1, unclaimed);
      if (!line) return [];
      unclaimed.delete(line);
      if (item.refundedQuantity === undefined) return [];
      const to = Math.min(item.refundedQuantity, line.quantity);
      return to === line.refunded
        ? []
        : [{ lineNo: line.lineNo, title: line.title, from: line.refunded, to }];
    });
    if (lines.length > 0) out.set(e.orderId, lines);
  }
  return out;
}

interface StoredLine {
  lineNo: number;
  sku: string | null;
  productId: string | null;
  title: string;
  quantity: number;
  refunded: number;
}

/**
 * Which stored line a line sent again is: by SKU where both have one, else by product id, else by
 * title — the one in the same place if it is that product, else the first such line not yet claimed —
 * and, when no line left is that product, the line in the same place (a source that renamed it).
 * Sources do not all keep their lines' order: a till re-sends a refunded sale grouped differently.
 */
function storedLine(
  item: NormalizedOrder['items'][number],
  place: number,
  unclaimed: Set<StoredLine>,
): StoredLine | undefined {
  const same = (l: StoredLine) =>
    item.sku && l.sku
      ? item.sku === l.sku
      : item.productId && l.productId
        ? item.productId === l.productId
        : item.title === l.title;
  const candidates = [...unclaimed];
  const inPlace = candidates.find((l) => l.lineNo === place);
  if (inPlace && same(inPlace)) return inPlace;
  return candidates.find(same) ?? inPlace;
}
