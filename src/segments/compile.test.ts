import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { MemberProgram } from '../membership/program.js';
import { compileSegment, type SegmentContext } from './compile.js';

const ctx: SegmentContext = {
  shopId: '00000000-0000-7000-8000-000000000001',
  timeZone: 'Asia/Shanghai',
  tierKeys: ['Regular', 'Senior', 'VIP'],
  grading: MemberProgram.parse({
    tiers: [
      { name: 'Regular' },
      { name: 'Senior', minSpendCents: 50_000, minOrders: 2 },
      { name: 'VIP', minSpendCents: 200_000 },
    ],
  }),
  tagIds: new Map([['oily-skin', '00000000-0000-7000-8000-0000000000aa']]),
  yearFrom: null,
  now: new Date('2026-11-26T00:00:00Z'),
};

describe('compileSegment', () => {
  it('binds every value the operator typed, never writing it into the SQL', () => {
    const hostile = "x'); delete from customers; --";
    const { where, params } = compileSegment(
      {
        type: 'or',
        rules: [
          { type: 'field', field: 'name', op: 'contains', value: hostile },
          { type: 'purchased', titleContains: [hostile], categories: [hostile] },
          { type: 'field', field: 'city', op: 'in', value: [hostile] },
        ],
      },
      ctx,
      { firstParam: 2 },
    );
    expect(where).not.toContain('delete');
    expect(where).toMatch(/^\(coalesce\(c\.name ilike \$2::text, false\) or /);
    expect(params).toContain(`%x'); delete from customers; --%`);
  });

  it('reads dates as days in the shop’s time zone and relative days from its own "now"', () => {
    const { params } = compileSegment(
      {
        type: 'and',
        rules: [
          { type: 'field', field: 'firstOrderAt', op: 'between', value: ['2026-11-11', '2026-11-11'] },
          { type: 'field', field: 'lastOrderAt', op: 'moreThanDaysAgo', value: 180 },
        ],
      },
      ctx,
    );
    // Shanghai is UTC+8: the 11th runs from 16:00 UTC on the 10th to 16:00 UTC on the 11th.
    expect(params.slice(0, 4)).toEqual([
      '2026-11-10T16:00:00.000Z',
      '2026-11-11T16:00:00.000Z',
      ctx.now.toISOString(),
      180,
    ]);
  });

  it('names every bad node at once', () => {
    let caught: unknown;
    try {
      compileSegment(
        {
          type: 'not',
          rule: {
            type: 'and',
            rules: [
              { type: 'field', field: 'tier', op: 'gte', value: 'Gold' },
              { type: 'field', field: 'pAlive', op: 'lt', value: '0.3' },
              { type: 'field', field: 'orderCount', op: 'gte', value: 1.5 },
              { type: 'field', field: 'constructor', op: 'eq', value: 1 },
            ],
          },
        },
        ctx,
      );
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).details).toEqual([
      { field: 'rule.rule.rules.0.value', message: "one of the shop's tiers: Regular, Senior, VIP" },
      { field: 'rule.rule.rules.1.value', message: 'a number' },
      { field: 'rule.rule.rules.2.value', message: 'a whole number' },
      { field: 'rule.rule.rules.3.field', message: "unknown field 'constructor'" },
    ]);
  });

  it('refuses "near the next tier" without a reach', () => {
    const refusal = (rule: object) => {
      try {
        compileSegment(rule, ctx);
      } catch (err) {
        return (err as AppError).details;
      }
      return null;
    };
    expect(refusal({ type: 'nearNextTier' })).toEqual([
      { field: 'rule', message: 'give spendWithinCents, ordersWithin or both' },
    ]);
    expect(refusal({ type: 'nearNextTier', spendWithinCents: 0 })).toEqual([
      { field: 'rule.spendWithinCents', message: expect.stringContaining('>=1') },
    ]);
    expect(refusal({ type: 'nearNextTier', ordersWithin: 1 })).toBeNull();
  });

  it('reads a rolling year from the rows once kept for today, else sums it from the orders for members whose lifetime is within reach', () => {
    const rule = { type: 'nearNextTier', ordersWithin: 1 };
    const lifetime = compileSegment(rule, ctx);
    expect(lifetime.where).not.toContain('orders o');
    const rolling = compileSegment(rule, {
      ...ctx,
      grading: { ...ctx.grading, window: 'rolling_12_months' },
    });
    expect(rolling.where).toContain('from orders o');
    // 08:00 on 26 November in Shanghai: the window starts at the shop's midnight of 26 November 2025.
    const yearAgo = new Date('2025-11-25T16:00:00Z');
    expect(rolling.params).toContain(yearAgo.toISOString());
    // Once the member year on the rows counts from today's window start, the rows answer alone; kept
    // from yesterday's, the orders still do.
    const kept = (yearFrom: Date) =>
      compileSegment(rule, {
        ...ctx,
        grading: { ...ctx.grading, window: 'rolling_12_months' },
        yearFrom,
      }).where;
    expect(kept(yearAgo)).not.toContain('orders o');
    expect(kept(yearAgo)).toContain('c.year_order_count');
    expect(kept(new Date(yearAgo.getTime() - 86_400_000))).toContain('from orders o');
  });

  it('refuses trees nested too deep', () => {
    let rule: object = { type: 'field', field: 'orderCount', op: 'gte', value: 1 };
    for (let i = 0; i < 10; i++) rule = { type: 'not', rule };
    expect(() => compileSegment(rule, ctx)).toThrow(AppError);
  });
});
