// The demo shop's tags and segments: the seed's cases (every buyer of an oily-skin product tagged
// `oily-skin`, price sensitivity, offline shoppers) and the questions an operator asks first (who is
// slipping away, which regulars lapsed, who loves a brand, who pays full price in a store). The tags
// exist before the orders arrive, so the demo is tagged the way a live shop is: order by order.
import type { Queryable } from '../db/db.js';
import { saveSegment, type SegmentInput } from '../segments/segments.js';
import { createTag, type TagInput } from '../tags/tags.js';

const TAGS: TagInput[] = [
  {
    name: 'oily-skin',
    group: 'skin type',
    rule: { type: 'purchased', categories: ['skincare/oily', 'men/oily'] },
  },
  { name: 'dry-skin', group: 'skin type', rule: { type: 'purchased', categories: ['skincare/dry'] } },
  {
    name: 'sensitive-skin',
    group: 'skin type',
    rule: { type: 'purchased', categories: ['skincare/sensitive'] },
  },
  {
    name: 'price-sensitive',
    group: 'price sensitivity',
    rule: { type: 'discountShare', atLeast: 0.5, minOrders: 2 },
  },
  { name: 'offline-shopper', group: 'channel', rule: { type: 'purchased', channel: 'offline' } },
  {
    name: 'big-spender',
    group: 'value',
    rule: { type: 'field', field: 'netSpendCents', op: 'gte', value: 200_000 },
  },
  { name: 'VIP call list', group: 'service', rule: null },
];

const SEGMENTS: SegmentInput[] = [
  {
    name: 'Oily skin, slipping away',
    description: 'Bought for oily skin, no order for 90 days: a replenishment reminder',
    rule: {
      type: 'and',
      rules: [
        { type: 'field', field: 'tags', op: 'hasAny', value: ['oily-skin'] },
        { type: 'field', field: 'lastOrderAt', op: 'moreThanDaysAgo', value: 90 },
      ],
    },
  },
  {
    name: 'Lapsed regulars',
    description: 'Two or more orders, none for 180 days: win-back',
    rule: {
      type: 'and',
      rules: [
        { type: 'field', field: 'orderCount', op: 'gte', value: 2 },
        { type: 'field', field: 'lastOrderAt', op: 'moreThanDaysAgo', value: 180 },
      ],
    },
  },
  {
    name: 'Velvet Lip regulars',
    description: 'Bought Velvet Lip makeup in two orders or more: the first to hear of its new shades',
    rule: { type: 'purchased', brands: ['Velvet Lip'], minOrders: 2 },
  },
  {
    name: 'Shanghai store shoppers, full price',
    description: 'Bought in a store, live in Shanghai, and are not price-sensitive',
    rule: {
      type: 'and',
      rules: [
        { type: 'purchased', channel: 'offline' },
        { type: 'field', field: 'city', op: 'eq', value: '上海市' },
        { type: 'not', rule: { type: 'field', field: 'tags', op: 'hasAny', value: ['price-sensitive'] } },
      ],
    },
  },
];

export async function createDemoTags(db: Queryable, shopId: string): Promise<void> {
  for (const tag of TAGS) await createTag(db, shopId, tag);
}

/** Segments read tags, so they are saved once the tags exist. */
export async function createDemoSegments(db: Queryable, shopId: string): Promise<void> {
  for (const segment of SEGMENTS) await saveSegment(db, shopId, segment);
}
