import { describe, expect, it } from 'vitest';
import { expiringPoints, lotExpiry, openLots, pointsForOrder } from './earning.js';
import { PointsRules } from './program.js';

const rules = PointsRules.parse({
  perUnit: { online: 1, offline: 2 },
  bonuses: [
    { name: 'Double 11', multiplier: 2, from: '2026-11-11T00:00:00+08:00', to: '2026-11-12T00:00:00+08:00' },
    {
      name: 'Oily-skin week',
      multiplier: 3,
      from: '2026-11-01T00:00:00+08:00',
      to: '2026-11-30T00:00:00+08:00',
      category: 'oily-skin',
    },
  ],
});
const order = (over: Partial<Parameters<typeof pointsForOrder>[1]> = {}) => ({
  channel: 'online' as const,
  totalCents: 10_000,
  shippingCents: 0,
  orderedAt: new Date('2026-10-01T12:00:00+08:00'),
  items: [],
  ...over,
});

describe('pointsForOrder', () => {
  it('earns per unit paid for goods, by channel, times the tier multiplier', () => {
    expect(pointsForOrder(rules, order(), 1, 2)).toEqual({ points: 100, bonuses: [] });
    expect(pointsForOrder(rules, order({ shippingCents: 1_000 }), 1, 2).points).toBe(90);
    expect(pointsForOrder(rules, order({ channel: 'offline' }), 1, 2).points).toBe(200);
    expect(pointsForOrder(rules, order({ totalCents: 9_999 }), 1.5, 2).points).toBe(149);
    expect(pointsForOrder(rules, order({ totalCents: 10_000 }), 1, 0).points).toBe(10_000);
  });

  it('applies the best bonus in its date range, to the whole order or to one category', () => {
    const double11 = new Date('2026-11-11T10:00:00+08:00');
    expect(pointsForOrder(rules, order({ orderedAt: double11 }), 1, 2)).toEqual({
      points: 200,
      bonuses: ['Double 11'],
    });
    // Half the list price is oily-skin: that half earns triple, the rest double.
    const mixed = order({
      orderedAt: double11,
      items: [
        { category: 'oily-skin', quantity: 1, unitPriceCents: 6_000 },
        { category: 'dry-skin', quantity: 2, unitPriceCents: 3_000 },
      ],
    });
    expect(pointsForOrder(rules, mixed, 1, 2)).toEqual({
      points: 250,
      bonuses: ['Double 11', 'Oily-skin week'],
    });
    expect(
      pointsForOrder(rules, order({ orderedAt: new Date('2026-11-12T00:00:00+08:00') }), 1, 2).points,
    ).toBe(100);
  });
});

describe('lot expiry', () => {
  it('ends with the year after earning, in the shop time zone', () => {
    const earned = new Date('2025-12-31T20:00:00Z'); // already 2026 in Shanghai
    expect(lotExpiry({ kind: 'end_of_next_year' }, earned, 'Asia/Shanghai')).toEqual(
      new Date('2027-12-31T16:00:00Z'),
    );
    expect(lotExpiry({ kind: 'end_of_next_year' }, earned, 'UTC')).toEqual(new Date('2027-01-01T00:00:00Z'));
    expect(lotExpiry({ kind: 'after_days', days: 30 }, earned, 'UTC')).toEqual(
      new Date('2026-01-30T20:00:00Z'),
    );
    expect(lotExpiry({ kind: 'never' }, earned, 'UTC')).toBeNull();
  });

  it('spends the oldest lots first', () => {
    const lots = [
      { expiresAt: new Date('2027-01-01'), points: 100 },
      { expiresAt: new Date('2026-01-01'), points: 50 },
      { expiresAt: null, points: 10 },
    ];
    expect(openLots(lots, 70)).toEqual([
      { expiresAt: new Date('2027-01-01'), points: 80 },
      { expiresAt: null, points: 10 },
    ]);
    // The lot of 2026-01-01 (50) is due; 70 spent already covered it.
    expect(expiringPoints(50, 70, 90)).toBe(0);
    expect(expiringPoints(50, 20, 140)).toBe(30);
    // Never more than the balance (a refund may have taken points back).
    expect(expiringPoints(50, 20, 10)).toBe(10);
  });
});
