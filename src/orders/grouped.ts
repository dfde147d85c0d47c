// Grouping rows by a key: ingestion's orders of a batch (by source) and the stored lines of the orders
// sent again (by order), a flow's customers (by the step they are at), best sellers (by category).

/** Values of `value` grouped under `key`, in first-seen order. */
export function groupBy<T, V>(items: T[], key: (t: T) => string, value: (t: T) => V): Map<string, V[]> {
  const groups = new Map<string, V[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(value(item));
    else groups.set(k, [value(item)]);
  }
  return groups;
}
