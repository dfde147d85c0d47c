// What the dashboard reads from the API (src/http/routes/analytics.ts).
import type { CaseKind } from '../service/cases.js';

export interface Sales {
  orders: number;
  customers: number;
  grossCents: number;
  refundedCents: number;
  netCents: number;
  newCustomers: number;
  newNetCents: number;
  returningOrders: number;
  returningCustomers: number;
  returningNetCents: number;
  returningShare: number | null;
  previousBuyers: number;
  returningConversion: number | null;
  repeatCustomers: number;
  repurchaseRate: number | null;
  secondOrders: number;
  medianDaysToSecondOrder: number | null;
  aovCents: number | null;
  frequency: number | null;
  refundedOrders: number;
  refundOrderRate: number | null;
  refundAmountRate: number | null;
  discountedOrders: number;
  discountOrderShare: number | null;
  discountRevenueShare: number | null;
  customersByDiscount: { none: number; some: number; mostly: number };
  channels: { onlineOrders: number; offlineOrders: number; bothChannelsCustomers: number };
}

export interface Dashboard {
  from: string;
  to: string;
  timeZone: string;
  currency: string;
  sales: Sales;
  series: { bucket: string; orders: number; newNetCents: number; returningNetCents: number }[];
  cohorts: { month: string; customers: number; active: number[] }[];
  dormancy: {
    days: number;
    dormant: number;
    reactivated: number;
    rate: number | null;
    buyers: number;
    churned: number;
    churnRate: number | null;
  };
  acquisition: {
    months: { month: string; spendCents: number; newCustomers: number; cacCents: number | null }[];
    spendCents: number;
    newCustomers: number;
    cacCents: number | null;
  };
  points: {
    earned: number;
    added: number;
    reversed: number;
    redeemed: number;
    expired: number;
    deducted: number;
    outstanding: number;
    outstandingValueCents: number;
    members: number;
  };
  tiers: { rank: number; name: string; customers: number; spendCents: number }[];
  rfm: { r: number; f: number; segment: string; customers: number; monetaryCents: number }[];
  service: {
    opened: Record<CaseKind, number>;
    customers: number;
    stillOpen: number;
    resolved: number;
    resolvedWithTarget: number;
    resolvedOnTarget: number;
    medianHoursToResolve: number | null;
    averageRating: number | null;
  };
  engagement: {
    kind: 'campaign' | 'flow';
    id: string;
    name: string;
    sent: number;
    delivered: number;
    opened: number;
    clicked: number;
    customers: number;
    converted: number;
    revenueCents: number;
    lift: number | null;
    costCents: number;
    roi: number | null;
  }[];
}

export interface PromotionWindow {
  window: 'before' | 'during' | 'after';
  from: string;
  to: string;
  orders: number;
  customers: number;
  netCents: number;
  newCustomers: number;
  newNetCents: number;
  returningCustomers: number;
  returningNetCents: number;
  returningShare: number | null;
  aovCents: number | null;
}
