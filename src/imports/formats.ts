// Import formats are presets over one set of canonical fields: which source column(s) feed each field,
// how statuses read, and the few rules a platform needs (Shopify's line-item rows, Taobao's masked
// cells). A user's column mapping overrides a preset field by field; docs/import-formats.md lists them.
import type { OrderStatus } from '../orders/status.js';

const ORDER_FIELDS = [
  'order_id',
  'ordered_at',
  'paid_at',
  'status',
  'channel',
  'store_id',
  'currency',
  'total',
  'discount',
  'shipping',
  'refunded',
  'coupon_code',
] as const;
/** Who the buyer (or, in a customers export, the person) is. */
const PERSON_FIELDS = [
  'customer_id',
  'phone',
  'email',
  'member_card',
  'name',
  'first_name',
  'last_name',
  'gender',
  'birthday',
  'country',
  'province',
  'city',
  'address',
  'company',
  'job_title',
] as const;
const ITEM_FIELDS = [
  'item_title',
  'item_sku',
  'item_product_id',
  'item_category',
  'item_brand',
  'item_quantity',
  'item_price',
  'item_refunded_quantity',
] as const;
/**
 * What a customers export says beyond the person: marketing consent (yes / no), the shop's note on them
 * and the tags it gave them (comma-separated), as Shopify's customers export carries them.
 */
const CUSTOMER_FIELDS = ['accepts_email', 'accepts_sms', 'note', 'tags'] as const;
/** A help desk's ticket (service/cases.ts); the order it is about is read from `order_id`, by its number. */
const CASE_FIELDS = [
  'ticket_id',
  'case_kind',
  'case_channel',
  'case_status',
  'subject',
  'details',
  'rating',
  'opened_at',
  'resolved_at',
  'resolution',
] as const;

export const FIELDS = [
  ...ORDER_FIELDS,
  ...PERSON_FIELDS,
  ...ITEM_FIELDS,
  ...CUSTOMER_FIELDS,
  ...CASE_FIELDS,
] as const;
export type Field = (typeof FIELDS)[number];

export const IMPORT_KINDS = ['orders', 'customers', 'cases'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** The fields an import of this kind reads; an orders export carries its buyer but not their consent. */
export const fieldsRead = (kind: ImportKind): readonly Field[] =>
  kind === 'customers'
    ? [...PERSON_FIELDS, ...CUSTOMER_FIELDS]
    : kind === 'cases'
      ? [...CASE_FIELDS, 'order_id', ...PERSON_FIELDS]
      : [...ORDER_FIELDS, ...PERSON_FIELDS, ...ITEM_FIELDS];

export const FORMAT_NAMES = [
  'generic',
  'shopify-orders',
  'shopify-customers',
  'taobao',
  'service-cases',
] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export interface Format {
  name: FormatName;
  kind: ImportKind;
  /** The platform a customer_id belongs to; for the generic format, the import's source name. */
  platform?: string;
  /** Each field reads the first non-empty cell among these headers (aliases and fallbacks alike). */
  columns: Partial<Record<Field, string[]>>;
  required: Field[];
  /** Lowercased status text → status. */
  statuses: Record<string, OrderStatus>;
  /** Field values worked out from several cells (Shopify's status is three columns). */
  derive?: (get: (f: Field) => string, header: (name: string) => string) => Partial<Record<Field, string>>;
  clean?: (cell: string) => string;
}

const GENERIC_STATUSES: Record<string, OrderStatus> = {
  pending: 'pending',
  unpaid: 'pending',
  paid: 'paid',
  shipped: 'shipped',
  fulfilled: 'shipped',
  completed: 'completed',
  complete: 'completed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  refunded: 'refunded',
  partially_refunded: 'partially_refunded',
  'partially refunded': 'partially_refunded',
};

const generic: Format = {
  name: 'generic',
  kind: 'orders',
  columns: Object.fromEntries(fieldsRead('orders').map((f) => [f, [f]])),
  required: ['order_id', 'ordered_at', 'status', 'total'],
  statuses: GENERIC_STATUSES,
};

const shopifyOrders: Format = {
  name: 'shopify-orders',
  kind: 'orders',
  platform: 'shopify',
  columns: {
    order_id: ['Name'],
    ordered_at: ['Created at'],
    paid_at: ['Paid at'],
    currency: ['Currency'],
    total: ['Total'],
    discount: ['Discount Amount'],
    shipping: ['Shipping'],
    refunded: ['Refunded Amount'],
    coupon_code: ['Discount Code'],
    email: ['Email'],
    phone: ['Phone', 'Billing Phone', 'Shipping Phone'],
    name: ['Billing Name', 'Shipping Name'],
    company: ['Billing Company', 'Shipping Company'],
    address: ['Billing Address1', 'Billing Street', 'Shipping Address1'],
    city: ['Billing City', 'Shipping City'],
    province: ['Billing Province Name', 'Billing Province', 'Shipping Province'],
    country: ['Billing Country', 'Shipping Country'],
    store_id: ['Location'],
    item_title: ['Lineitem name'],
    item_sku: ['Lineitem sku'],
    item_brand: ['Vendor'],
    item_quantity: ['Lineitem quantity'],
    item_price: ['Lineitem price'],
    status: ['Financial Status'],
  },
  required: ['order_id', 'ordered_at', 'total'],
  statuses: {
    ...GENERIC_STATUSES,
    authorized: 'pending',
    partially_paid: 'pending',
    voided: 'cancelled',
  },
  // Shopify splits the state over three columns: payment, fulfilment and cancellation; POS sales are offline.
  derive: (get, header) => {
    const financial = get('status').toLowerCase();
    if (!financial) return {};
    const out: Partial<Record<Field, string>> = {};
    const refunded = financial === 'refunded' || financial === 'partially_refunded';
    if (header('Cancelled at') && !refunded) out.status = 'cancelled';
    else if (financial === 'paid' && header('Fulfillment Status').toLowerCase() === 'fulfilled')
      out.status = 'shipped';
    if (header('Source').toLowerCase() === 'pos') out.channel = 'offline';
    return out;
  },
};

const shopifyCustomers: Format = {
  name: 'shopify-customers',
  kind: 'customers',
  platform: 'shopify',
  columns: {
    customer_id: ['Customer ID'],
    first_name: ['First Name'],
    last_name: ['Last Name'],
    email: ['Email'],
    phone: ['Phone', 'Default Address Phone'],
    company: ['Default Address Company', 'Company'],
    address: ['Default Address Address1', 'Address1'],
    city: ['Default Address City', 'City'],
    province: ['Default Address Province Code', 'Province', 'Province Code'],
    country: ['Default Address Country Code', 'Country', 'Country Code'],
    accepts_email: ['Accepts Email Marketing', 'Accepts Marketing'],
    accepts_sms: ['Accepts SMS Marketing'],
    note: ['Note'],
    tags: ['Tags'],
  },
  required: [],
  statuses: {},
};

// Taobao/Tmall's order report (订单报表): one row per order, Chinese headers, phones often masked,
// ids wrapped as ="…" so that Excel keeps their digits.
const taobao: Format = {
  name: 'taobao',
  kind: 'orders',
  platform: 'taobao',
  columns: {
    order_id: ['订单编号'],
    customer_id: ['买家会员名'],
    total: ['买家实际支付金额'],
    status: ['订单状态'],
    name: ['收货人姓名'],
    phone: ['联系手机', '联系电话'],
    address: ['收货地址'],
    ordered_at: ['订单创建时间'],
    paid_at: ['订单付款时间'],
    item_title: ['宝贝标题'],
    item_quantity: ['宝贝总数量'],
    refunded: ['退款金额'],
    shipping: ['买家应付邮费'],
  },
  required: ['order_id', 'customer_id', 'total', 'status', 'ordered_at'],
  statuses: {
    等待买家付款: 'pending',
    '买家已付款，等待卖家发货': 'paid',
    '买家已付款,等待卖家发货': 'paid',
    '卖家已发货，等待买家确认': 'shipped',
    '卖家已发货,等待买家确认': 'shipped',
    交易成功: 'completed',
    交易关闭: 'cancelled',
  },
  derive: (get) => {
    const out: Partial<Record<Field, string>> = {};
    // '浙江省 杭州市 西湖区 文三路 1 号' → province, city
    const [province, city] = get('address').split(/\s+/);
    if (province && city) Object.assign(out, { province, city });
    // Only the comparison is needed here; the amounts themselves are parsed (and checked) later.
    const amount = (f: Field) => Number(get(f).replace(/[^\d.]/g, '') || 0);
    const refunded = amount('refunded');
    const total = amount('total');
    const status = get('status');
    if (refunded > 0) {
      if (status === '交易关闭' || refunded >= total) out.status = 'refunded';
      else out.status = 'partially_refunded';
    }
    // The item row is the order itself: one title line, quantity is the total count.
    if (!get('item_quantity')) out.item_quantity = '1';
    return out;
  },
  clean: (cell) => {
    let c = cell.trim();
    if (c.startsWith('="') && c.endsWith('"')) c = c.slice(2, -1);
    else if (c.startsWith("'") || c.startsWith('`')) c = c.slice(1);
    c = c.trim();
    return c === 'null' ? '' : c;
  },
};

// A help desk's tickets (docs/import-formats.md): the documented field names, or the Chinese headers of
// a service record export (工单). Kinds, channels and statuses are read in either language
// (imports/tickets.ts); the person is found as an order's buyer is.
const serviceCases: Format = {
  name: 'service-cases',
  kind: 'cases',
  columns: {
    ...Object.fromEntries(fieldsRead('cases').map((f) => [f, [f]])),
    ticket_id: ['ticket_id', '工单编号', '工单号'],
    case_kind: ['case_kind', 'kind', '类型', '工单类型'],
    case_channel: ['case_channel', 'channel', '渠道', '来源渠道'],
    case_status: ['case_status', 'status', '状态', '工单状态'],
    subject: ['subject', '标题', '主题'],
    details: ['details', 'description', '内容', '问题描述'],
    rating: ['rating', '评分', '星级'],
    opened_at: ['opened_at', 'created_at', '创建时间'],
    resolved_at: ['resolved_at', 'solved_at', '解决时间', '完结时间'],
    resolution: ['resolution', '处理结果', '解决方案'],
    order_id: ['order_id', '订单编号', '订单号'],
    customer_id: ['customer_id', '买家会员名'],
    phone: ['phone', '联系手机', '手机'],
    email: ['email', '邮箱'],
    member_card: ['member_card', '会员卡号'],
    name: ['name', '客户姓名', '姓名'],
  },
  required: ['ticket_id', 'case_kind', 'subject', 'opened_at'],
  statuses: {},
};

export const FORMATS: Record<FormatName, Format> = {
  generic,
  'shopify-orders': shopifyOrders,
  'shopify-customers': shopifyCustomers,
  taobao,
  'service-cases': serviceCases,
};
