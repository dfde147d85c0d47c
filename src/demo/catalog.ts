// The demo shop's catalogue: a beauty shop selling several brands' lines for oily, dry and sensitive
// skin, plus makeup, body care and men's care, priced in fen.
export interface Product {
  sku: string;
  title: string;
  category: string;
  brand: string;
  priceCents: number;
  /** Which skin type buys it most; undefined for everyone. */
  skin?: 'oily' | 'dry' | 'sensitive';
}

export const CATALOG: Product[] = [
  {
    sku: 'OIL-CLN-01',
    title: '清爽控油洁面乳',
    category: 'skincare/oily',
    brand: 'Clear Leaf',
    priceCents: 8900,
    skin: 'oily',
  },
  {
    sku: 'OIL-TON-02',
    title: '控油平衡爽肤水',
    category: 'skincare/oily',
    brand: 'Clear Leaf',
    priceCents: 12900,
    skin: 'oily',
  },
  {
    sku: 'OIL-EMU-03',
    title: '水油平衡乳液',
    category: 'skincare/oily',
    brand: 'Clear Leaf',
    priceCents: 15900,
    skin: 'oily',
  },
  {
    sku: 'OIL-SER-04',
    title: '净痘控油精华',
    category: 'skincare/oily',
    brand: 'Clear Leaf',
    priceCents: 19900,
    skin: 'oily',
  },
  {
    sku: 'OIL-MSK-05',
    title: '清洁泥膜',
    category: 'skincare/oily',
    brand: 'Clear Leaf',
    priceCents: 9900,
    skin: 'oily',
  },
  {
    sku: 'DRY-CLN-01',
    title: '氨基酸滋润洁面',
    category: 'skincare/dry',
    brand: 'Hydra Lab',
    priceCents: 7900,
    skin: 'dry',
  },
  {
    sku: 'DRY-CRM-02',
    title: '深层保湿面霜',
    category: 'skincare/dry',
    brand: 'Hydra Lab',
    priceCents: 18900,
    skin: 'dry',
  },
  {
    sku: 'DRY-SER-03',
    title: '玻尿酸补水精华',
    category: 'skincare/dry',
    brand: 'Hydra Lab',
    priceCents: 22900,
    skin: 'dry',
  },
  {
    sku: 'DRY-MSK-04',
    title: '补水保湿面膜（10片）',
    category: 'skincare/dry',
    brand: 'Hydra Lab',
    priceCents: 9900,
    skin: 'dry',
  },
  {
    sku: 'SEN-CRM-01',
    title: '舒缓修护霜',
    category: 'skincare/sensitive',
    brand: 'Cera Pure',
    priceCents: 21900,
    skin: 'sensitive',
  },
  {
    sku: 'SEN-TON-02',
    title: '敏感肌舒缓喷雾',
    category: 'skincare/sensitive',
    brand: 'Cera Pure',
    priceCents: 11900,
    skin: 'sensitive',
  },
  {
    sku: 'SUN-01',
    title: '轻薄防晒乳 SPF50',
    category: 'skincare/sun',
    brand: 'Suncrest',
    priceCents: 13900,
  },
  { sku: 'EYE-01', title: '紧致眼霜', category: 'skincare/eye', brand: 'Hydra Lab', priceCents: 25900 },
  {
    sku: 'MKP-LIP-01',
    title: '丝绒雾面口红',
    category: 'makeup/lips',
    brand: 'Velvet Lip',
    priceCents: 16900,
  },
  { sku: 'MKP-FND-02', title: '持妆粉底液', category: 'makeup/face', brand: 'Velvet Lip', priceCents: 22900 },
  { sku: 'BDY-LOT-01', title: '香氛身体乳', category: 'bodycare', brand: 'Bloom & Co', priceCents: 8900 },
  { sku: 'BDY-HND-02', title: '护手霜三支装', category: 'bodycare', brand: 'Bloom & Co', priceCents: 5900 },
  {
    sku: 'MEN-CLN-01',
    title: '男士控油洗面奶',
    category: 'men/oily',
    brand: 'Northman',
    priceCents: 6900,
    skin: 'oily',
  },
  { sku: 'MEN-SET-02', title: '男士保湿护肤套装', category: 'men', brand: 'Northman', priceCents: 29900 },
  { sku: 'GIFT-01', title: '节日限定礼盒', category: 'gift', brand: 'Dew Garden', priceCents: 49900 },
];

export const STORES = ['SH-NJW-01', 'BJ-SLT-02', 'HZ-WLS-03', 'CD-CXL-04'];

export const CITIES: [string, string][] = [
  ['上海市', '上海市'],
  ['北京市', '北京市'],
  ['浙江省', '杭州市'],
  ['广东省', '深圳市'],
  ['广东省', '广州市'],
  ['四川省', '成都市'],
  ['江苏省', '南京市'],
  ['湖北省', '武汉市'],
  ['陕西省', '西安市'],
  ['福建省', '厦门市'],
];

export const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈';
export const GIVEN =
  '静敏丽芳娜婷雪琳欣怡佳悦晨阳浩宇轩明杰伟涛磊鹏辉华强梅兰菲萱妍彤晴雨涵然思诗嘉子若可心梓';
