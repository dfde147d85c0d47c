// The package-insert list, as data and as a page to print for the warehouse.
import { z } from 'zod';
import { InsertQuery, packageInserts, type PackageInsert } from '../../engage/inserts.js';
import type { AppOptions } from '../app.js';
import { escapeHtml } from '../html.js';
import type { ApiPlugin } from '../plugin.js';
import { errors } from '../schemas.js';

const Insert = z.object({
  orderId: z.uuid(),
  externalId: z.string(),
  orderedAt: z.iso.datetime(),
  customerId: z.uuid(),
  name: z.string().nullable(),
  address: z.string(),
  tier: z.string(),
  items: z.string(),
  firstOrder: z.boolean().describe("the buyer's first purchase: a welcome card goes in"),
  gifts: z.array(z.string()).describe("the tier's birthday gift in the buyer's birthday month"),
  note: z.string(),
  html: z.boolean().describe('the note is HTML (from an email template)'),
});

/** One card per order, one order per printed page. */
function printable(inserts: PackageInsert[]): string {
  const cards = inserts
    .map(
      (i) => `<section class="card">
<header><strong>${escapeHtml(i.externalId)}</strong> · ${escapeHtml(i.name ?? '')} · ${escapeHtml(i.tier)}</header>
<p class="address">${escapeHtml(i.address)}</p>
<p class="items">${escapeHtml(i.items)}</p>
<div class="note">${i.html ? i.note : escapeHtml(i.note).replace(/\n/g, '<br>')}</div>
<ul class="gifts">${[...(i.firstOrder ? ['First order: welcome card · 首单：欢迎卡'] : []), ...i.gifts]
        .map((g) => `<li>${escapeHtml(g)}</li>`)
        .join('')}</ul>
</section>`,
    )
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Package inserts · 包裹卡片</title>
<style>body{font:14px system-ui,sans-serif;margin:1em}.card{border:1px solid #999;padding:1em;margin:0 0 1em;break-after:page}
.note{margin:1em 0;font-size:16px}.gifts li{font-weight:bold}.address,.items{color:#444}</style></head>
<body>${cards || '<p>No orders waiting to ship in this period · 该时段没有待发货订单</p>'}</body></html>`;
}

export const insertRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    app.get(
      '/api/package-inserts',
      {
        schema: {
          tags: ['engage'],
          summary: 'Online orders waiting to ship, each with its personalised note and gifts (at most 5,000)',
          querystring: InsertQuery,
          response: { 200: z.object({ items: z.array(Insert) }), ...errors },
        },
      },
      async (request) => ({ items: await packageInserts(o.db, request.shopId, request.query) }),
    );
    app.get(
      '/api/package-inserts/print',
      {
        schema: {
          tags: ['engage'],
          summary: 'The same list as a page to print, one order per sheet',
          querystring: InsertQuery,
          produces: ['text/html'],
        },
      },
      async (request, reply) =>
        reply
          .type('text/html; charset=utf-8')
          .send(printable(await packageInserts(o.db, request.shopId, request.query))),
    );
  };
