// Measure: the dashboard's figures for a period and audience (and as CSV/XLSX), sales by category and
// brand, the big-promotion report, tier moves between two days, and the marketing spend that
// acquisition cost divides.
import { z } from 'zod';
import { dashboard, DashboardInput } from '../../analytics/dashboard.js';
import { dashboardCsv, dashboardXlsx } from '../../analytics/export.js';
import { LINE_KINDS, lineSales, LineSalesInput } from '../../analytics/lineSales.js';
import { audienceOf, PeriodInput, periodOf } from '../../analytics/period.js';
import { promotionReport, PromotionInput } from '../../analytics/promotion.js';
import { listSpend, saveSpend, SpendInput } from '../../analytics/spend.js';
import { tierMigration } from '../../membership/figures.js';
import { CASE_KINDS, type CaseKind } from '../../service/cases.js';
import { getShop } from '../../shops/shops.js';
import type { AppOptions } from '../app.js';
import type { ApiPlugin } from '../plugin.js';
import { errors } from '../schemas.js';

const rate = z.number().nullable();
const int = z.number().int();
const Sales = z.object({
  orders: int.describe(
    'purchases (paid, shipped, completed, refunded in part or whole) placed in the period',
  ),
  customers: int,
  grossCents: int,
  refundedCents: int,
  netCents: int,
  newCustomers: int.describe('customers whose first purchase ever fell in the period'),
  newNetCents: int.describe("first purchases' net sales"),
  returningOrders: int,
  returningCustomers: int,
  returningNetCents: int.describe('net sales of every purchase after a customer’s first'),
  returningShare: rate,
  previousBuyers: int.describe('customers who had bought before the period'),
  returningConversion: rate.describe('the share of previous buyers who bought in the period'),
  repeatCustomers: int,
  repurchaseRate: rate.describe('customers with 2+ orders in the period / customers with 1+'),
  secondOrders: int.describe('customers whose second purchase ever fell in the period'),
  medianDaysToSecondOrder: z
    .number()
    .nullable()
    .describe('their median days between the dates of the first and second purchase'),
  aovCents: int.nullable(),
  frequency: z.number().nullable(),
  refundedOrders: int,
  refundOrderRate: rate,
  refundAmountRate: rate,
  discountedOrders: int,
  discountOrderShare: rate,
  discountRevenueShare: rate,
  customersByDiscount: z
    .object({ none: int, some: int, mostly: int })
    .describe(
      'customers who bought in the period, by the share of all their purchases up to its end that were discounted: none, under half, half or more',
    ),
  channels: z.object({ onlineOrders: int, offlineOrders: int, bothChannelsCustomers: int }),
});
const Dashboard = z.object({
  from: z.string(),
  to: z.string(),
  timeZone: z.string(),
  currency: z.string(),
  sales: Sales,
  series: z.array(z.object({ bucket: z.string(), orders: int, newNetCents: int, returningNetCents: int })),
  cohorts: z.array(z.object({ month: z.string(), customers: int, active: z.array(int) })),
  dormancy: z.object({
    days: int,
    dormant: int,
    reactivated: int,
    rate,
    buyers: int,
    churned: int,
    churnRate: rate,
  }),
  acquisition: z.object({
    months: z.array(
      z.object({ month: z.string(), spendCents: int, newCustomers: int, cacCents: int.nullable() }),
    ),
    spendCents: int,
    newCustomers: int,
    cacCents: int.nullable(),
  }),
  points: z.object({
    earned: int,
    added: int,
    reversed: int,
    redeemed: int,
    expired: int,
    deducted: int,
    outstanding: int,
    outstandingValueCents: int.describe('the outstanding points as money off: what the shop owes'),
    members: int,
  }),
  tiers: z.array(z.object({ rank: int, name: z.string(), customers: int, spendCents: int })),
  rfm: z.array(z.object({ r: int, f: int, segment: z.string(), customers: int, monetaryCents: int })),
  engagement: z.array(
    z.object({
      kind: z.enum(['campaign', 'flow']),
      id: z.uuid(),
      name: z.string(),
      sent: int,
      delivered: int,
      opened: int,
      clicked: int,
      customers: int,
      converted: int,
      revenueCents: int,
      lift: rate,
      costCents: int.describe('messages sent × their channel’s cost per message'),
      roi: rate.describe(
        '(revenue beyond the held-out group’s, scaled − cost) ÷ cost; null without a holdout or a cost',
      ),
    }),
  ),
  service: z.object({
    opened: z.object(Object.fromEntries(CASE_KINDS.map((k) => [k, int])) as Record<CaseKind, typeof int>),
    customers: int.describe('customers who brought a case in the period'),
    stillOpen: int.describe('of the cases opened in the period, those open now'),
    resolved: int.describe('cases resolved in the period'),
    resolvedWithTarget: int.describe(
      "of those, the ones whose kind has a target (the shop's service targets)",
    ),
    resolvedOnTarget: int.describe('of those, the ones resolved within their target'),
    medianHoursToResolve: z.number().nullable(),
    averageRating: z.number().nullable().describe("the period's reviews' average stars"),
  }),
});
const Window = z.object({
  window: z.enum(['before', 'during', 'after']),
  from: z.string(),
  to: z.string(),
  orders: int,
  customers: int,
  netCents: int,
  newCustomers: int,
  newNetCents: int,
  returningCustomers: int,
  returningNetCents: int,
  returningShare: rate,
  aovCents: int.nullable(),
  discountOrderShare: rate,
});

const LineFigures = z.object({
  units: int.describe('units sold'),
  grossCents: int.describe('what they were sold for: quantity × unit price'),
  returnedUnits: int.describe('units returned on their lines, or every unit of a wholly refunded order'),
  returnedCents: int,
  netCents: int,
});
const LineSales = z.object({
  from: z.string(),
  to: z.string(),
  by: z.enum(LINE_KINDS),
  currency: z.string(),
  total: LineFigures.describe("every line of the period's purchases"),
  rows: z.array(
    LineFigures.extend({
      name: z.string().nullable().describe('as last written; null for the lines that named none'),
      orders: int.describe('purchases with a line of it'),
      newBuyers: int.describe(
        'customers whose first purchase of it ever (not wholly given back) fell in the period',
      ),
      share: rate.describe("its net over all lines' net"),
    }),
  ),
  others: LineFigures.extend({ names: int, newBuyers: int, share: rate })
    .nullable()
    .describe('the names past the limit, summed'),
});

export const analyticsRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    app.get(
      '/api/analytics/dashboard',
      {
        schema: {
          tags: ['analytics'],
          summary: "Every dashboard figure for a period (the shop's calendar) and all customers or a segment",
          querystring: DashboardInput,
          response: { 200: Dashboard, ...errors },
        },
      },
      async (request) => dashboard(o.db, request.shopId, request.query, 'querystring.segmentId'),
    );
    app.get(
      '/api/analytics/dashboard/export',
      {
        schema: {
          tags: ['analytics'],
          summary:
            'The dashboard as a table (section, figure, value), CSV or XLSX, with the sales by category and by brand',
          querystring: DashboardInput.and(z.object({ format: z.enum(['csv', 'xlsx']).default('csv') })),
          produces: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
          response: { 200: z.any(), ...errors },
        },
      },
      async (request, reply) => {
        const d = await dashboard(o.db, request.shopId, request.query, 'querystring.segmentId');
        // Every category and brand (up to the most the API lists), after the dashboard's figures.
        const byLine = await Promise.all(
          LINE_KINDS.map((by) => lineSales(o.db, request.shopId, { ...request.query, by, limit: 500 })),
        );
        const format = request.query.format;
        reply.header('content-disposition', `attachment; filename="dashboard-${d.from}-${d.to}.${format}"`);
        if (format === 'xlsx')
          return reply
            .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
            .send(await dashboardXlsx(d, byLine));
        return reply.header('content-type', 'text/csv; charset=utf-8').send(dashboardCsv(d, byLine));
      },
    );
    app.get(
      '/api/analytics/line-sales',
      {
        schema: {
          tags: ['analytics'],
          summary:
            'Sales by category or brand for a period: units, sales, returns, orders and new buyers of each, most net first',
          querystring: LineSalesInput,
          response: { 200: LineSales, ...errors },
        },
      },
      async (request) => lineSales(o.db, request.shopId, request.query, 'querystring.segmentId'),
    );
    app.get(
      '/api/analytics/promotion',
      {
        schema: {
          tags: ['analytics'],
          summary: "A promotion's days against as many days before and after, new and returning customers",
          querystring: PromotionInput,
          response: { 200: z.object({ windows: z.array(Window) }), ...errors },
        },
      },
      async (request) => ({
        windows: await promotionReport(o.db, request.shopId, request.query, 'querystring.segmentId'),
      }),
    );
    app.get(
      '/api/analytics/tier-migration',
      {
        schema: {
          tags: ['analytics'],
          summary:
            'Customers by their tier at the start of `from` and at the end of `to` (ranks; 0 the entry tier)',
          querystring: PeriodInput,
          response: {
            200: z.object({ items: z.array(z.object({ from: int, to: int, customers: int })) }),
            ...errors,
          },
        },
      },
      async (request) => {
        const shop = await getShop(o.db, request.shopId);
        const period = periodOf(request.query.from, request.query.to, shop.timeZone);
        const audience = await audienceOf(
          o.db,
          shop.shopId,
          request.query.segmentId,
          'querystring.segmentId',
        );
        return { items: await tierMigration(o.db, shop.shopId, period.start, period.end, audience(4)) };
      },
    );
    app.get(
      '/api/analytics/spend',
      {
        config: { activity: false },
        schema: {
          tags: ['analytics'],
          summary: 'Marketing spend by month and channel',
          querystring: z.object({
            from: z.string().regex(/^\d{4}-\d{2}$/, 'a month, YYYY-MM'),
            to: z.string().regex(/^\d{4}-\d{2}$/, 'a month, YYYY-MM'),
          }),
          response: {
            200: z.object({
              items: z.array(z.object({ month: z.string(), channel: z.string(), amountCents: int })),
            }),
            ...errors,
          },
        },
      },
      async (request) => ({
        items: await listSpend(o.db, request.shopId, request.query.from, request.query.to),
      }),
    );
    app.put(
      '/api/analytics/spend',
      {
        schema: {
          tags: ['analytics'],
          summary: "Set a month's spend on a channel (0 removes it)",
          body: SpendInput,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await saveSpend(o.db, request.shopId, request.body);
        return reply.code(204).send(null);
      },
    );
  };
