import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { expect, it } from 'vitest';
import { getCustomer, searchCustomers } from '../src/customers/customers.js';
import { consentsOf, setConsent } from '../src/customers/consent.js';
import { cancelImport, createImport, importErrorsCsv, listImportErrors } from '../src/imports/imports.js';
import { previewImport } from '../src/imports/preview.js';
import { createTag } from '../src/tags/tags.js';
import { runImport } from '../src/imports/run.js';
import type { Db } from '../src/db/db.js';
import type { AppError } from '../src/errors.js';
import { describeEachDb } from './support/databases.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

async function importFile(db: Db, shopId: string, filePath: string, format = 'generic', extra: object = {}) {
  const { record } = await createImport(db, shopId, { filePath, format, ...extra });
  return runImport(db, shopId, record.importId);
}

async function collect(gen: AsyncGenerator<string>): Promise<string> {
  let out = '';
  for await (const chunk of gen) out += chunk;
  return out;
}

describeEachDb('imports', ({ db, newShop }) => {
  it('lands the good rows of a generic file and reports each bad row by row, column and reason', async () => {
    const shop = await newShop();
    const done = await importFile(db(), shop.shopId, fixture('generic-orders.csv'));
    expect(done).toMatchObject({ status: 'completed', ordersCreated: 4, customersCreated: 3, errorRows: 4 });
    const errors = await listImportErrors(db(), shop.shopId, done.importId, { limit: 100 });
    expect(errors).toEqual([
      { rowNo: 6, column: 'ordered_at', reason: 'unparseable date', value: '2025-13-01' },
      { rowNo: 7, column: 'status', reason: 'unknown status', value: 'lost' },
      { rowNo: 7, column: 'total', reason: 'negative amount', value: '-5' },
      { rowNo: 8, column: 'phone', reason: 'phone number is masked', value: '138****0000' },
      {
        rowNo: 8,
        column: null,
        reason: 'missing identity: no usable identity: give a phone, email, member card or platform id',
        value: null,
      },
      {
        rowNo: 9,
        column: 'order_id',
        reason: 'duplicate row: order G1 already appeared at row 2',
        value: 'G1',
      },
    ]);
    const csv = await collect(importErrorsCsv(db(), shop.shopId, done.importId));
    expect(csv.split('\n')[0]).toBe('row,column,reason,value');
    expect(csv).toContain('7,status,unknown status,lost');

    const [wang] = (await searchCustomers(db(), shop, { q: '13812345678', limit: 10, offset: 0 })).items;
    expect(wang).toMatchObject({
      name: '王芳',
      email: 'wang@example.com',
      orderCount: 2,
      spendCents: 49800,
      city: '杭州',
    });
    const [li] = (await searchCustomers(db(), shop, { q: 'vip100', limit: 10, offset: 0 })).items;
    expect(li).toMatchObject({ name: '李雷', offlineOrderCount: 1, spendCents: 12050 });
    const [zhang] = (await searchCustomers(db(), shop, { q: 'zhang@example.com', limit: 10, offset: 0 }))
      .items;
    expect(zhang).toMatchObject({ orderCount: 1, spendCents: 8000, refundedCents: 8000 });
    const items = await db().query<{ title: string; quantity: number }>(
      `select i.title, i.quantity from order_items i join orders o using (shop_id, order_id)
        where o.shop_id = $1 and o.external_id = 'G3' order by line_no`,
      [shop.shopId],
    );
    expect(items).toEqual([
      { title: '控油爽肤水', quantity: 1 },
      { title: '面膜', quantity: 2 },
    ]);
  });

  it('changes nothing when the same file is imported again', async () => {
    const shop = await newShop();
    await importFile(db(), shop.shopId, fixture('generic-orders.csv'));
    const snapshot = () =>
      db().query(
        `select count(*)::int as customers, sum(order_count)::int as orders, sum(spend_cents)::int8 as spend,
                (select count(*)::int from orders where shop_id = $1) as order_rows,
                (select count(*)::int from customer_events where shop_id = $1) as events
           from customers where shop_id = $1`,
        [shop.shopId],
      );
    const before = await snapshot();
    const again = await importFile(db(), shop.shopId, fixture('generic-orders.csv'));
    expect(again).toMatchObject({
      ordersCreated: 0,
      ordersUpdated: 0,
      ordersUnchanged: 4,
      customersCreated: 0,
    });
    expect(await snapshot()).toEqual(before);
  });

  it('reads the units of each line returned, updates them when a later file says more, and refuses too many', async () => {
    const shop = await newShop();
    const dir = await mkdtemp(join(tmpdir(), 'regulars-'));
    const file = async (name: string, returned: [string, string], bad = '') => {
      const path = join(dir, name);
      await writeFile(
        path,
        'order_id,ordered_at,status,total,refunded,phone,item_title,item_category,item_quantity,item_price,item_refunded_quantity\n' +
          `L1,2026-10-01T10:00:00+08:00,${returned[1] === '1' ? 'partially_refunded' : 'paid'},120.00,${returned[1] === '1' ? '20.00' : '0'},13800000007,爽肤水,skincare,2,50.00,${returned[0]}\n` +
          `L1,,,,,,口红,makeup,1,20.00,${returned[1]}\n` +
          bad,
      );
      return path;
    };
    const categories = () =>
      db().query<{ category: string }>(
        'select category from customer_categories where shop_id = $1 order by category',
        [shop.shopId],
      );
    const first = await importFile(db(), shop.shopId, await file('first.csv', ['', '0']));
    expect(first).toMatchObject({ ordersCreated: 1, errorRows: 0 });
    expect(await categories()).toEqual([{ category: 'makeup' }, { category: 'skincare' }]);

    // The lipstick came back: the order is partly refunded, its line says so, and makeup was not bought.
    const later = await importFile(
      db(),
      shop.shopId,
      await file('later.csv', ['', '1'], 'L2,2026-10-02,paid,10.00,,13800000008,面膜,skincare,1,10.00,2\n'),
    );
    expect(later).toMatchObject({ ordersUpdated: 1, ordersCreated: 0, errorRows: 1 });
    expect(await listImportErrors(db(), shop.shopId, later.importId, { limit: 10 })).toEqual([
      {
        rowNo: 4,
        column: 'item_refunded_quantity',
        reason: 'units returned must be a whole number from 0 to the quantity',
        value: '2',
      },
    ]);
    const lines = await db().query(
      `select i.line_no as "lineNo", i.refunded_quantity as returned from order_items i
         join orders o using (shop_id, order_id) where o.shop_id = $1 order by line_no`,
      [shop.shopId],
    );
    expect(lines).toEqual([
      { lineNo: 1, returned: 0 },
      { lineNo: 2, returned: 1 },
    ]);
    expect(await categories()).toEqual([{ category: 'skincare' }]);
    // The first file again says nothing of the toner (empty) and 0 of the lipstick: the file is the
    // source's word, so the lipstick counts as kept again.
    const again = await importFile(db(), shop.shopId, await file('again.csv', ['', '0']));
    expect(again).toMatchObject({ ordersUpdated: 1 });
    expect(await categories()).toEqual([{ category: 'makeup' }, { category: 'skincare' }]);
  });

  it('reads a GBK Taobao export with Chinese headers, masked phones and refunds', async () => {
    const shop = await newShop();
    const dir = await mkdtemp(join(tmpdir(), 'regulars-'));
    const text = [
      '订单编号,买家会员名,买家实际支付金额,订单状态,收货人姓名,收货地址,联系手机,订单创建时间,订单付款时间,宝贝标题,宝贝总数量,退款金额',
      '="3001",小明爱购物,158.00,交易成功,张小明,浙江省 杭州市 西湖区 文三路1号,\'13712345678,2024-11-11 00:00:05,2024-11-11 00:00:09,控油洗面奶 男士,2,0.00',
      '="3002",小明爱购物,99.00,交易关闭,张小明,浙江省 杭州市 西湖区 文三路1号,137****5678,2024-11-12 10:00:00,2024-11-12 10:00:30,补水面膜,1,99.00',
      '="3003",买家二号,45.50,交易成功,刘二,广东省 深圳市 南山区,138****9999,2024-11-13 12:00:00,2024-11-13 12:01:00,护手霜,1,10.00',
    ].join('\r\n');
    const path = join(dir, 'taobao.csv');
    await writeFile(path, iconv.encode(text, 'gbk'));
    const done = await importFile(db(), shop.shopId, path, 'taobao');
    expect(done).toMatchObject({ status: 'completed', ordersCreated: 3, customersCreated: 2, errorRows: 0 });
    const [ming] = (await searchCustomers(db(), shop, { q: '小明爱购物', limit: 10, offset: 0 })).items;
    expect(ming).toMatchObject({
      name: '张小明',
      phone: '+8613712345678',
      province: '浙江省',
      city: '杭州市',
      orderCount: 2,
      spendCents: 25700,
      refundedCents: 9900,
    });
    expect(ming!.firstOrderAt).toEqual(new Date('2024-11-10T16:00:05Z'));
    const [two] = (await searchCustomers(db(), shop, { q: '买家二号', limit: 10, offset: 0 })).items;
    expect(two).toMatchObject({ phone: null, refundedCents: 1000 });
    const statuses = await db().query<{ external_id: string; status: string }>(
      'select external_id, status from orders where shop_id = $1 order by external_id',
      [shop.shopId],
    );
    expect(statuses.map((s) => s.status)).toEqual(['completed', 'refunded', 'partially_refunded']);
  });

  it('fails a file it cannot parse with the reason, and keeps the rows before it', async () => {
    const shop = await newShop();
    const dir = await mkdtemp(join(tmpdir(), 'regulars-'));
    const csvPath = join(dir, 'broken.csv');
    await writeFile(
      csvPath,
      'order_id,ordered_at,status,total,phone\nQ1,2025-01-01,paid,1.00,13800000001\n' +
        'Q2,2025-01-01,paid,2.00,13800000002\n"Q3,2025-01-01,paid,1.00,1\n',
    );
    const csv = await importFile(db(), shop.shopId, csvPath);
    // Q1 was complete when the file broke; Q2 was still open (more lines might have followed).
    expect(csv).toMatchObject({ status: 'failed', ordersCreated: 1, rowsDone: 2 });
    expect(csv.failure).toMatch(
      /^The file cannot be read after row 2: Quote Not Closed.*Rows up to 2 were imported\.$/,
    );
    const xlsxPath = join(dir, 'broken.xlsx');
    await writeFile(xlsxPath, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 7)]));
    const xlsx = await importFile(db(), shop.shopId, xlsxPath);
    expect(xlsx).toMatchObject({ status: 'failed', ordersCreated: 0 });
    expect(xlsx.failure).toMatch(/^The file cannot be read after row 0: /);
  });

  it('imports the first sheet of an XLSX file, dates and numbers typed as cells', async () => {
    const shop = await newShop();
    const dir = await mkdtemp(join(tmpdir(), 'regulars-'));
    const path = join(dir, 'orders.xlsx');
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('订单');
    sheet.addRow([
      'order_id',
      'ordered_at',
      'status',
      'total',
      'phone',
      'name',
      'item_title',
      'item_quantity',
    ]);
    sheet.addRow([
      'X1',
      new Date(Date.UTC(2025, 5, 18, 20, 30)),
      'paid',
      268.5,
      13512345678,
      '赵敏',
      '修护精华',
      1,
    ]);
    sheet.addRow(['X2', '2025-06-19 09:00', 'completed', '99', '13512345678', '', '面膜', 3]);
    sheet.addRow(['X3', 'not a date', 'paid', 10, '13500000009', '', '', '']);
    book.addWorksheet('说明').addRow(['this sheet is not data']);
    await book.xlsx.writeFile(path);
    const done = await importFile(db(), shop.shopId, path);
    expect(done).toMatchObject({ status: 'completed', ordersCreated: 2, customersCreated: 1, errorRows: 1 });
    const [zhao] = (await searchCustomers(db(), shop, { q: '13512345678', limit: 5, offset: 0 })).items;
    expect(zhao).toMatchObject({ name: '赵敏', orderCount: 2, spendCents: 36750 });
    // A spreadsheet date is a wall-clock time, read in the shop's zone (Asia/Shanghai).
    expect(zhao!.firstOrderAt).toEqual(new Date('2025-06-18T12:30:00Z'));
    const errors = await listImportErrors(db(), shop.shopId, done.importId, { limit: 10 });
    expect(errors).toEqual([
      { rowNo: 4, column: 'ordered_at', reason: 'unparseable date', value: 'not a date' },
    ]);
  });

  it('reports rows with bytes the detected encoding cannot read, and lands the rest', async () => {
    const shop = await newShop();
    const dir = await mkdtemp(join(tmpdir(), 'regulars-'));
    const path = join(dir, 'mixed.csv');
    const rows = ['order_id,ordered_at,status,total,phone,name'];
    // More than the 64 KiB sample of valid UTF-8 first, so the file is read as UTF-8.
    for (let i = 0; i < 1500; i++)
      rows.push(`E${i},2025-01-01 10:00,paid,10.00,137${String(i).padStart(8, '0')},顾客${i}`);
    const head = Buffer.from(rows.join('\n') + '\n');
    const bad = Buffer.concat([
      Buffer.from('E-bad,2025-01-01 10:00,paid,10.00,13799999999,'),
      Buffer.from([0xc4, 0xe3, 0xba]),
      Buffer.from('\n'),
    ]);
    await writeFile(
      path,
      Buffer.concat([head, bad, Buffer.from('E-last,2025-01-02 10:00,paid,5.00,13799999998,王\n')]),
    );
    const done = await importFile(db(), shop.shopId, path);
    expect(done).toMatchObject({ status: 'completed', ordersCreated: 1501, errorRows: 1 });
    const errors = await listImportErrors(db(), shop.shopId, done.importId, { limit: 10 });
    expect(errors).toEqual([
      {
        rowNo: 1502,
        column: null,
        reason: 'bad encoding: the row has bytes that are not valid text',
        value: null,
      },
    ]);
  });

  it('fails clearly when required columns are missing, naming them and the columns found', async () => {
    const shop = await newShop();
    const dir = await mkdtemp(join(tmpdir(), 'regulars-'));
    const path = join(dir, 'bad.csv');
    await writeFile(path, 'id,when,amount\n1,2024-01-01,5\n');
    const done = await importFile(db(), shop.shopId, path);
    expect(done.status).toBe('failed');
    expect(done.failure).toBe(
      "Missing columns for the generic format: order_id, ordered_at, status, total. The file's columns are: id, when, amount",
    );
    const mapped = await importFile(db(), shop.shopId, path, 'generic', {
      mapping: { order_id: 'id', ordered_at: 'when', total: 'amount', status: 'when' },
    });
    expect(mapped).toMatchObject({ status: 'completed', errorRows: 1 });
  });

  it('reads a headerless tab- or space-separated file by position, with fixed values and row-number ids', async () => {
    const shop = await newShop();
    const dir = await mkdtemp(join(tmpdir(), 'regulars-'));
    const tabs = join(dir, 'tabs.txt');
    await writeFile(
      tabs,
      '13800000001\t20240105\t12.50\n13800000002\t20240106\t-3\n13800000001\t2024-01-07\t8\n',
    );
    const mapping = { order_id: '#row', phone: '#1', ordered_at: '#2', total: '#3', status: '=paid' };
    const done = await importFile(db(), shop.shopId, tabs, 'generic', { mapping });
    expect(done).toMatchObject({ status: 'completed', ordersCreated: 2, errorRows: 1 });
    // Row numbers count from the first line, which is data.
    const [bad] = await listImportErrors(db(), shop.shopId, done.importId, { limit: 10 });
    expect(bad).toMatchObject({ rowNo: 2, column: '#3', value: '-3' });
    const spaces = join(dir, 'spaces.txt');
    await writeFile(spaces, '  13800000003   20240105    7.00\n13800000003 20240108 9\n');
    const second = await importFile(db(), shop.shopId, spaces, 'generic', { mapping });
    // Another file's row 1 is another order.
    expect(second).toMatchObject({ status: 'completed', ordersCreated: 2, errorRows: 0 });

    const refused = (m: Record<string, string>) =>
      createImport(db(), shop.shopId, { filePath: spaces, format: 'generic', mapping: m }).then(
        () => null,
        (err: AppError) => err.details,
      );
    expect(await refused({ ...mapping, phone: '#row' })).toEqual([
      { field: 'mapping.phone', message: "only an orders file's order_id can be the row's number ('#row')" },
    ]);
    expect(await refused({ ...mapping, email: 'Email' })).toEqual([
      {
        field: 'mapping.email',
        message: "the file has no header (other fields are mapped by position): use '#N' or '=value'",
      },
    ]);
    expect((await refused({ ...mapping, status: '=' }))?.[0]?.field).toBe('mapping.status');
  });

  it('previews how the first orders of a file would import, row errors and all, writing nothing', async () => {
    const shop = await newShop();
    const path = fixture('generic-orders.csv');
    const all = await previewImport(shop, path, 'f1', { format: 'generic' });
    expect(all).toMatchObject({
      kind: 'orders',
      encoding: 'utf-8',
      unfit: null,
      complete: true,
    });
    expect(all.header.slice(0, 4)).toEqual(['order_id', 'ordered_at', 'paid_at', 'status']);
    expect(all.firstRow.slice(0, 2)).toEqual(['G1', '2025-01-05 10:00:00']);
    expect(all.fields.find((f) => f.field === 'total')).toEqual({
      field: 'total',
      required: true,
      preset: ['total'],
      columns: ['total'],
    });
    // The rows the import reads as one order, or refuses, each with the import's own reasons.
    expect(
      all.items.map((i) => [i.rows, i.order?.externalId ?? null, i.errors.map((e) => e.reason)]),
    ).toEqual([
      [[2], 'G1', []],
      [[3], 'G2', []],
      [[4, 5], 'G3', []],
      [[6], null, ['unparseable date']],
      [[7], null, ['unknown status', 'negative amount']],
      [[8], null, ['phone number is masked', expect.stringMatching(/^missing identity/)]],
      [[9], null, ['duplicate row: order G1 already appeared at row 2']],
      [[10], 'G7', []],
    ]);
    const g3 = all.items[2]!.order!;
    expect(g3).toMatchObject({ totalCents: 30000, status: 'paid', channel: 'online' });
    expect(g3.orderedAt).toEqual(new Date('2025-02-11T01:00:00Z'));
    expect(g3.person.identities).toEqual([
      { kind: 'phone', value: '+8613812345678' },
      { kind: 'email', value: 'wang@example.com' },
    ]);
    expect(g3.items.map((i) => i.title)).toEqual(['控油爽肤水', '面膜']);
    const [{ orders } = { orders: -1 }] = await db().query<{ orders: number }>(
      'select count(*)::int as orders from orders where shop_id = $1',
      [shop.shopId],
    );
    expect(orders).toBe(0);

    // A limit shows that many, and says the file goes on (G3 was read to know G2 had no more lines).
    const two = await previewImport(shop, path, 'f1', { format: 'generic', limit: 2 });
    expect(two.items.map((i) => i.order?.externalId)).toEqual(['G1', 'G2']);
    expect(two.complete).toBe(false);

    // The head of a larger file, cut inside G3's lines: G3 is left out rather than shown half.
    const dir = await mkdtemp(join(tmpdir(), 'regulars-'));
    const head = join(dir, 'head.csv');
    const text = await readFile(path, 'utf8');
    await writeFile(
      head,
      text.slice(
        0,
        text.indexOf('\nG3,2025-02-11 09:00,,paid,online,,300.00,,+86', text.indexOf('G3')) + 1 + 20,
      ),
    );
    const cut = await previewImport(shop, head, 'f2', { format: 'generic', head: true });
    expect(cut.items.map((i) => i.order?.externalId)).toEqual(['G1', 'G2']);
    expect(cut.complete).toBe(false);
  });

  it('previews a mapping over columns of any name, and says which columns a format misses', async () => {
    const shop = await newShop();
    const dir = await mkdtemp(join(tmpdir(), 'regulars-'));
    const path = join(dir, 'pos.csv');
    await writeFile(path, 'Receipt,Date,Amount,Mobile\nR-1,2025-05-01 12:00,88.00,13800000009\n');
    const unmapped = await previewImport(shop, path, 'p', { format: 'generic' });
    expect(unmapped.unfit).toBe(
      "Missing columns for the generic format: order_id, ordered_at, status, total. The file's columns are: Receipt, Date, Amount, Mobile",
    );
    // The columns and the first row still come back, to choose from.
    expect(unmapped).toMatchObject({
      header: ['Receipt', 'Date', 'Amount', 'Mobile'],
      firstRow: ['R-1', '2025-05-01 12:00', '88.00', '13800000009'],
      items: [],
      complete: false,
    });
    // Half mapped, it says what is still missing and where the mapped fields are read from.
    const half = await previewImport(shop, path, 'p', {
      format: 'generic',
      mapping: { order_id: 'Receipt' },
    });
    expect(half.unfit).toMatch(/^Missing columns for the generic format: ordered_at, status, total\./);
    expect(half.fields.find((f) => f.field === 'order_id')?.columns).toEqual(['Receipt']);
    const mapping = {
      order_id: 'Receipt',
      ordered_at: 'Date',
      total: 'Amount',
      phone: 'Mobile',
      status: '=completed',
      channel: '=offline',
      store_id: '=HQ',
    };
    const mapped = await previewImport(shop, path, 'p', { format: 'generic', mapping });
    expect(mapped).toMatchObject({
      unfit: null,
      complete: true,
      header: ['Receipt', 'Date', 'Amount', 'Mobile'],
    });
    expect(mapped.fields.filter((f) => f.columns.length > 0).map((f) => [f.field, f.columns])).toEqual([
      ['order_id', ['Receipt']],
      ['ordered_at', ['Date']],
      ['status', ['=completed']],
      ['channel', ['=offline']],
      ['store_id', ['=HQ']],
      ['total', ['Amount']],
      ['phone', ['Mobile']],
    ]);
    expect(mapped.items[0]!.order).toMatchObject({
      externalId: 'R-1',
      status: 'completed',
      channel: 'offline',
      storeId: 'HQ',
      totalCents: 8800,
    });
    // The same checks as an import's: a mapping to an unknown field is refused, naming it.
    await expect(
      previewImport(shop, path, 'p', { format: 'generic', mapping: { till: 'Receipt' } }),
    ).rejects.toMatchObject({
      details: [{ field: 'mapping.till', message: expect.stringMatching(/^unknown field/) }],
    });
    // A customers export: its people with the consent they gave, and only the fields such a file fills.
    const people = await previewImport(shop, fixture('shopify-customers.csv'), 'c', {
      format: 'shopify-customers',
      limit: 1,
    });
    expect(people.kind).toBe('customers');
    expect(people.fields.map((f) => f.field)).toContain('accepts_sms');
    expect(people.fields.map((f) => f.field)).not.toContain('total');
    expect(people.items[0]!.person).toMatchObject({
      person: { profile: { name: 'Ann Lee', city: 'San Francisco' } },
      consents: [
        { channel: 'email', status: 'opted_in' },
        { channel: 'sms', status: 'opted_out' },
      ],
    });
    // A GBK Taobao export reads as such, its buyers by their member names.
    const taobao = join(dir, 'taobao.csv');
    await writeFile(
      taobao,
      iconv.encode(
        '订单编号,买家会员名,买家实际支付金额,订单状态,订单创建时间,宝贝标题\r\n="3001",小明爱购物,158.00,交易成功,2024-11-11 00:00:05,控油洗面奶\r\n',
        'gbk',
      ),
    );
    const gbk = await previewImport(shop, taobao, 't', { format: 'taobao' });
    expect(gbk).toMatchObject({ encoding: 'gb18030', complete: true });
    expect(gbk.items[0]!.order).toMatchObject({ source: 'taobao', externalId: '3001', status: 'completed' });
    expect(gbk.items[0]!.order!.person.identities).toEqual([
      { kind: 'platform_id', value: 'taobao:小明爱购物' },
    ]);
  });

  it('resumes an interrupted import after its checkpoint without duplicates', async () => {
    const shop = await newShop();
    const dir = await mkdtemp(join(tmpdir(), 'regulars-'));
    const path = join(dir, 'many.csv');
    const lines = ['order_id,ordered_at,status,total,phone'];
    // Only the first batch's orders are old enough to have earned points that are due by now.
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    for (let i = 0; i < 12000; i++) {
      const day = i < 5000 ? '2023-01-01' : yesterday;
      lines.push(`O${i},${day} 10:00,paid,10.00,139${String(i % 1200).padStart(8, '0')}`);
    }
    await writeFile(path, lines.join('\n'));
    const { record } = await createImport(db(), shop.shopId, { filePath: path, format: 'generic' });
    // Simulate a crash after the first batch: stop the run when its first checkpoint lands.
    await expect(
      runImport(db(), shop.shopId, record.importId, () => {
        throw new Error('killed');
      }),
    ).rejects.toThrow('killed');
    const again = await createImport(db(), shop.shopId, { filePath: path, format: 'generic' });
    expect(again).toMatchObject({ resumed: true, record: { importId: record.importId, rowsDone: 5001 } });
    const done = await runImport(db(), shop.shopId, record.importId);
    expect(done).toMatchObject({
      status: 'completed',
      ordersCreated: 12000,
      customersCreated: 1200,
      rowsDone: 12001,
    });
    const [{ n }] = (await db().query<{ n: number }>(
      'select count(*)::int as n from orders where shop_id = $1',
      [shop.shopId],
    )) as [{ n: number }];
    expect(n).toBe(12000);
    // The resumed run skipped those rows, yet queues their expiry: the run that landed them was killed.
    const jobs = await db().query<{ status: string }>(
      `select status from jobs where shop_id = $1 and kind = 'points.expire'`,
      [shop.shopId],
    );
    expect(jobs).toEqual([{ status: 'queued' }]);
  });

  it('stops an import on request: a queued one never starts, a running one after its batch, keeping it', async () => {
    const shop = await newShop();
    const dir = await mkdtemp(join(tmpdir(), 'regulars-'));
    const path = join(dir, 'many.csv');
    const lines = ['order_id,ordered_at,status,total,phone'];
    for (let i = 0; i < 12000; i++)
      lines.push(`S${i},2026-01-01 10:00,paid,10.00,139${String(i % 900).padStart(8, '0')}`);
    await writeFile(path, lines.join('\n'));
    const orders = async () =>
      (
        await db().query<{ n: number }>('select count(*)::int as n from orders where shop_id = $1', [
          shop.shopId,
        ])
      )[0]!.n;

    const waiting = await createImport(db(), shop.shopId, { filePath: path, format: 'generic' });
    const cancelled = await cancelImport(db(), shop.shopId, waiting.record.importId);
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelRequestedAt: expect.any(Date) });
    expect(cancelled.finishedAt).toBeInstanceOf(Date);
    expect(await runImport(db(), shop.shopId, waiting.record.importId)).toMatchObject({
      status: 'cancelled',
      rowsDone: 0,
      startedAt: null,
    });
    expect(await orders()).toBe(0);

    // Asked while its second batch is read: that batch lands, and the run stops before the third.
    const running = await createImport(db(), shop.shopId, { filePath: path, format: 'generic' });
    expect(running.resumed).toBe(false);
    let asked = false;
    const stopped = await runImport(db(), shop.shopId, running.record.importId, () => {
      if (!asked) void cancelImport(db(), shop.shopId, running.record.importId);
      asked = true;
    });
    expect(stopped).toMatchObject({ status: 'cancelled', ordersCreated: 10000, rowsDone: 10001 });
    expect(await orders()).toBe(10000);
    await expect(cancelImport(db(), shop.shopId, running.record.importId)).rejects.toMatchObject({
      code: 'import_ended',
      status: 409,
    });
    // The file imported again lands the rest, and nothing twice.
    const again = await createImport(db(), shop.shopId, { filePath: path, format: 'generic' });
    expect(again.resumed).toBe(false);
    expect(await runImport(db(), shop.shopId, again.record.importId)).toMatchObject({
      status: 'completed',
      ordersCreated: 2000,
      ordersUnchanged: 10000,
    });
    expect(await orders()).toBe(12000);

    // Asked to stop, then cut off before it could (the process was killed): resumed, it stops at once.
    const small = join(dir, 'small.csv');
    await writeFile(small, 'order_id,ordered_at,status,total,phone\nK1,2026-01-02,paid,5,13900000001\n');
    const cut = await createImport(db(), shop.shopId, { filePath: small, format: 'generic' });
    await db().query(`update imports set status = 'running' where shop_id = $1 and import_id = $2`, [
      shop.shopId,
      cut.record.importId,
    ]);
    expect(await cancelImport(db(), shop.shopId, cut.record.importId)).toMatchObject({ status: 'running' });
    expect(await runImport(db(), shop.shopId, cut.record.importId)).toMatchObject({
      status: 'cancelled',
      ordersCreated: 0,
    });
    expect(await orders()).toBe(12000);
  });

  it('imports Shopify orders (line-item rows) and customers exports with their own headers', async () => {
    const shop = await newShop({ currency: 'USD', timeZone: 'America/New_York', phoneRegion: 'US' });
    const dir = await mkdtemp(join(tmpdir(), 'regulars-'));
    const orders = join(dir, 'orders_export.csv');
    await copyFile(fixture('shopify-orders.csv'), orders);
    const done = await importFile(db(), shop.shopId, orders, 'shopify-orders');
    expect(done).toMatchObject({ status: 'completed', ordersCreated: 3, errorRows: 0 });
    const rows = await db().query<{
      external_id: string;
      status: string;
      channel: string;
      total_cents: number;
      lines: number;
    }>(
      `select o.external_id, o.status, o.channel, o.total_cents,
              (select count(*)::int from order_items i where i.shop_id = o.shop_id and i.order_id = o.order_id) as lines
         from orders o where o.shop_id = $1 order by external_id`,
      [shop.shopId],
    );
    expect(rows).toEqual([
      { external_id: '#1001', status: 'shipped', channel: 'online', total_cents: 6500, lines: 2 },
      { external_id: '#1002', status: 'partially_refunded', channel: 'online', total_cents: 3000, lines: 1 },
      { external_id: '#1003', status: 'paid', channel: 'offline', total_cents: 1200, lines: 1 },
    ]);
    // A line's "Vendor" is its brand, where the export gives one.
    expect(
      await db().query('select sku, brand from order_items where shop_id = $1 order by sku', [shop.shopId]),
    ).toEqual([
      { sku: 'DRY-1', brand: null },
      { sku: 'HAND-1', brand: null },
      { sku: 'MASK-1', brand: null },
      { sku: 'OIL-1', brand: 'Regulars Lab' },
    ]);
    const customers = join(dir, 'customers_export.csv');
    await copyFile(fixture('shopify-customers.csv'), customers);
    // "Big spender" is a rule tag here: the file cannot give it.
    await createTag(db(), shop.shopId, {
      name: 'Big spender',
      rule: { type: 'field', field: 'orderCount', op: 'gte', value: 10 },
    });
    const people = await importFile(db(), shop.shopId, customers, 'shopify-customers');
    expect(people).toMatchObject({
      status: 'completed',
      customersCreated: 1,
      customersUpdated: 1,
      errorRows: 2,
    });
    expect((await listImportErrors(db(), shop.shopId, people.importId, { limit: 10 }))[0]).toEqual({
      rowNo: 3,
      column: 'tags',
      reason:
        "'Big spender' is a rule tag here: it follows its rule, not the file (the customer was imported)",
      value: 'Big spender',
    });
    // "Tags" become manual tags (made when new), and "Note" a note on the person, from the import.
    const tagsAndNotes = () =>
      db().query<{ email: string; tags: string[]; notes: string[] }>(
        `select c.email,
                array(select g.name from customer_tags t join tags g using (shop_id, tag_id)
                       where t.shop_id = c.shop_id and t.customer_id = c.customer_id order by g.name) as tags,
                array(select n.body || ' · ' || n.author from customer_notes n
                       where n.shop_id = c.shop_id and n.customer_id = c.customer_id) as notes
           from customers c where c.shop_id = $1 and c.email = any($2::text[]) order by c.email`,
        [shop.shopId, ['ann@example.com', 'carl@example.com']],
      );
    const imported = [
      {
        email: 'ann@example.com',
        tags: ['vip'],
        notes: ['Ships to the office, not home. · import:shopify-customers'],
      },
      { email: 'carl@example.com', tags: ['wholesale'], notes: [] },
    ];
    expect(await tagsAndNotes()).toEqual(imported);
    const [ann] = (await searchCustomers(db(), shop, { q: 'ann@example.com', limit: 5, offset: 0 })).items;
    expect(ann).toMatchObject({ name: 'Ann Lee', company: 'Lee Co', orderCount: 2 });
    expect(await getCustomer(db(), shop.shopId, ann!.customerId)).toMatchObject({ phone: '+14155552671' });
    // "Accepts Email/SMS Marketing" become consent, on the timeline like any other.
    const consent = async (id: string) =>
      Object.fromEntries(
        (await consentsOf(db(), shop.shopId, id)).map((c) => [c.channel, [c.status, c.source]]),
      );
    expect(await consent(ann!.customerId)).toEqual({
      email: ['opted_in', 'import:shopify-customers'],
      sms: ['opted_out', 'import:shopify-customers'],
    });
    const [carl] = (await searchCustomers(db(), shop, { q: 'carl@example.com', limit: 5, offset: 0 })).items;
    expect(await consent(carl!.customerId)).toEqual({
      email: ['opted_out', 'import:shopify-customers'],
      sms: ['opted_out', 'import:shopify-customers'],
    });
    // Ann unsubscribes; replaying the export (its "yes") does not opt her back in.
    await setConsent(db(), shop.shopId, ann!.customerId, 'email', {
      status: 'opted_out',
      source: 'unsubscribe link',
    });
    const again = join(dir, 'customers_export_again.csv');
    await copyFile(fixture('shopify-customers.csv'), again);
    await importFile(db(), shop.shopId, again, 'shopify-customers');
    expect((await consent(ann!.customerId)).email).toEqual(['opted_out', 'unsubscribe link']);
    // Nor does it tag or note anyone twice.
    expect(await tagsAndNotes()).toEqual(imported);
  });
});
