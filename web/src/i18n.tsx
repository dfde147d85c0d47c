// The console speaks English and Simplified Chinese. Pages use keys only; this file holds the words.
import { createContext, useContext, useState, type ReactNode } from 'react';

const en = {
  'app.name': 'Regulars',
  'nav.customers': 'Customers',
  'nav.imports': 'Import',
  'nav.apiDocs': 'API docs',
  'nav.signOut': 'Sign out',
  'nav.language': '中文',
  'login.title': 'Sign in to Regulars',
  'login.email': 'Email',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.failed': 'Wrong email or password',
  'customers.title': 'Customers',
  'customers.search': 'Search by name, phone, email, member card or nickname',
  'customers.empty': 'No customer matches.',
  'customers.name': 'Name',
  'customers.phone': 'Phone',
  'customers.email': 'Email',
  'customers.orders': 'Orders',
  'customers.spend': 'Spend',
  'customers.lastOrder': 'Last order',
  'customers.unnamed': '(no name)',
  'page.prev': 'Previous',
  'page.next': 'Next',
  'profile.back': 'All customers',
  'profile.fundamentals': 'Fundamentals',
  'profile.stats': 'Trading',
  'profile.identities': 'Identities',
  'profile.orders': 'Orders',
  'profile.timeline': 'Timeline',
  'profile.memberCard': 'Member card',
  'profile.gender': 'Gender',
  'profile.birthday': 'Birthday',
  'profile.location': 'Location',
  'profile.address': 'Address',
  'profile.company': 'Company',
  'profile.jobTitle': 'Title',
  'profile.firstSource': 'First seen in',
  'profile.orderCount': 'Orders',
  'profile.onlineOffline': 'Online / in store',
  'profile.spend': 'Spend',
  'profile.refunded': 'Refunded',
  'profile.firstOrder': 'First order',
  'profile.lastOrder': 'Last order',
  'profile.noOrders': 'No orders yet.',
  'order.date': 'Date',
  'order.id': 'Order',
  'order.channel': 'Channel',
  'order.status': 'Status',
  'order.total': 'Total',
  'order.items': 'Items',
  'channel.online': 'Online',
  'channel.offline': 'Store',
  'status.pending': 'Pending',
  'status.paid': 'Paid',
  'status.shipped': 'Shipped',
  'status.completed': 'Completed',
  'status.cancelled': 'Cancelled',
  'status.refunded': 'Refunded',
  'status.partially_refunded': 'Partly refunded',
  'identity.phone': 'Phone',
  'identity.email': 'Email',
  'identity.member_card': 'Member card',
  'identity.platform_id': 'Platform id',
  'event.customer.created': 'Profile created',
  'event.customer.merged': 'Profiles merged',
  'event.identity.added': 'Identity added',
  'event.profile.updated': 'Profile updated',
  'event.order.placed': 'Order placed',
  'event.order.updated': 'Order updated',
  'imports.title': 'Import customers and orders',
  'imports.file': 'File (CSV in UTF-8 or GBK, or XLSX)',
  'imports.format': 'Format',
  'imports.source': 'Source name (generic format)',
  'imports.mapping': 'Column mapping (optional JSON, e.g. {"order_id": "Order No."})',
  'imports.submit': 'Import',
  'imports.recent': 'Recent imports',
  'imports.none': 'No import yet.',
  'imports.progress': 'Progress',
  'imports.result': 'Result',
  'imports.errors': 'Errors',
  'imports.errorReport': 'Download error report (CSV)',
  'imports.row': 'Row',
  'imports.column': 'Column',
  'imports.reason': 'Reason',
  'imports.value': 'Value',
  'imports.created':
    '{orders} orders created, {updated} updated, {unchanged} unchanged; {customers} new customers',
  'imports.errorRows': '{n} rows with errors',
  'imports.status.queued': 'Queued',
  'imports.status.running': 'Importing',
  'imports.status.completed': 'Completed',
  'imports.status.failed': 'Failed',
  'format.generic': 'Generic (documented columns)',
  'format.shopify-orders': 'Shopify orders export',
  'format.shopify-customers': 'Shopify customers export',
  'format.taobao': 'Taobao / Tmall order report',
  'common.loading': 'Loading…',
  'common.error': 'Something went wrong: {message}',
};

export type Key = keyof typeof en;

const zh: Record<Key, string> = {
  'app.name': 'Regulars 回头客',
  'nav.customers': '客户',
  'nav.imports': '导入',
  'nav.apiDocs': 'API 文档',
  'nav.signOut': '退出',
  'nav.language': 'English',
  'login.title': '登录 Regulars',
  'login.email': '邮箱',
  'login.password': '密码',
  'login.submit': '登录',
  'login.failed': '邮箱或密码错误',
  'customers.title': '客户',
  'customers.search': '按姓名、手机、邮箱、会员卡或昵称搜索',
  'customers.empty': '没有匹配的客户。',
  'customers.name': '姓名',
  'customers.phone': '手机',
  'customers.email': '邮箱',
  'customers.orders': '订单数',
  'customers.spend': '消费金额',
  'customers.lastOrder': '最近下单',
  'customers.unnamed': '（未命名）',
  'page.prev': '上一页',
  'page.next': '下一页',
  'profile.back': '全部客户',
  'profile.fundamentals': '基本信息',
  'profile.stats': '交易',
  'profile.identities': '身份标识',
  'profile.orders': '订单',
  'profile.timeline': '时间线',
  'profile.memberCard': '会员卡',
  'profile.gender': '性别',
  'profile.birthday': '生日',
  'profile.location': '地区',
  'profile.address': '地址',
  'profile.company': '公司',
  'profile.jobTitle': '职位',
  'profile.firstSource': '首次来源',
  'profile.orderCount': '订单数',
  'profile.onlineOffline': '线上 / 门店',
  'profile.spend': '消费金额',
  'profile.refunded': '退款金额',
  'profile.firstOrder': '首次下单',
  'profile.lastOrder': '最近下单',
  'profile.noOrders': '暂无订单。',
  'order.date': '日期',
  'order.id': '订单号',
  'order.channel': '渠道',
  'order.status': '状态',
  'order.total': '金额',
  'order.items': '商品',
  'channel.online': '线上',
  'channel.offline': '门店',
  'status.pending': '待付款',
  'status.paid': '已付款',
  'status.shipped': '已发货',
  'status.completed': '交易成功',
  'status.cancelled': '已取消',
  'status.refunded': '已退款',
  'status.partially_refunded': '部分退款',
  'identity.phone': '手机',
  'identity.email': '邮箱',
  'identity.member_card': '会员卡',
  'identity.platform_id': '平台账号',
  'event.customer.created': '建立档案',
  'event.customer.merged': '档案合并',
  'event.identity.added': '新增身份标识',
  'event.profile.updated': '资料更新',
  'event.order.placed': '下单',
  'event.order.updated': '订单变更',
  'imports.title': '导入客户和订单',
  'imports.file': '文件（UTF-8 或 GBK 编码的 CSV，或 XLSX）',
  'imports.format': '格式',
  'imports.source': '来源名称（通用格式）',
  'imports.mapping': '列映射（可选 JSON，如 {"order_id": "订单号"}）',
  'imports.submit': '导入',
  'imports.recent': '最近导入',
  'imports.none': '还没有导入。',
  'imports.progress': '进度',
  'imports.result': '结果',
  'imports.errors': '错误',
  'imports.errorReport': '下载错误报告（CSV）',
  'imports.row': '行',
  'imports.column': '列',
  'imports.reason': '原因',
  'imports.value': '值',
  'imports.created': '新建订单 {orders}，更新 {updated}，未变 {unchanged}；新客户 {customers}',
  'imports.errorRows': '{n} 行有错误',
  'imports.status.queued': '排队中',
  'imports.status.running': '导入中',
  'imports.status.completed': '已完成',
  'imports.status.failed': '失败',
  'format.generic': '通用格式（见文档）',
  'format.shopify-orders': 'Shopify 订单导出',
  'format.shopify-customers': 'Shopify 客户导出',
  'format.taobao': '淘宝 / 天猫订单报表',
  'common.loading': '加载中…',
  'common.error': '出错了：{message}',
};

export type Lang = 'en' | 'zh-CN';
const dictionaries: Record<Lang, Record<Key, string>> = { en, 'zh-CN': zh };

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t(key: Key, vars?: Record<string, string | number>): string;
}

const Context = createContext<I18n | null>(null);

function initialLang(): Lang {
  const saved = localStorage.getItem('regulars.lang');
  if (saved === 'en' || saved === 'zh-CN') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const value: I18n = {
    lang,
    setLang(next) {
      localStorage.setItem('regulars.lang', next);
      document.documentElement.lang = next;
      setLangState(next);
    },
    t(key, vars) {
      const text = dictionaries[lang][key] ?? key;
      return vars ? text.replace(/\{(\w+)\}/g, (_, v: string) => String(vars[v] ?? '')) : text;
    },
  };
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(Context);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}

/** Keys built from data (statuses, event types) are checked against the dictionary. */
export function isKey(key: string): key is Key {
  return key in en;
}
