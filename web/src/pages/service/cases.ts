// A service case as the API answers it (src/service/cases.ts), and the kinds and channels it takes.
export const CASE_KINDS = ['inquiry', 'after_sale', 'complaint', 'dispute', 'review'] as const;
export const CASE_CHANNELS = ['phone', 'chat', 'email', 'store', 'platform', 'other'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

export interface ServiceCase {
  caseId: string;
  customerId: string;
  kind: CaseKind;
  channel: (typeof CASE_CHANNELS)[number];
  status: 'open' | 'resolved';
  subject: string;
  body: string | null;
  orderId: string | null;
  orderExternalId: string | null;
  rating: number | null;
  source: string;
  openedAt: string;
  openedBy: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: string | null;
  /** The staff member handling it. */
  assignedTo: string | null;
  assigneeName: string | null;
  /** When the shop's target for its kind says it should be resolved. */
  dueAt: string | null;
  /** Whether the customer's tier grants the priority service channel. */
  priority: boolean;
}

/** A review's stars, as text. */
export const stars = (rating: number) => '★'.repeat(rating) + '☆'.repeat(5 - rating);
