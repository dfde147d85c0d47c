// Message templates: Liquid (LiquidJS), HTML-escaped for email so a customer's name can never inject
// markup, plain for SMS and webhooks. Every variable a template names must be one the CRM provides, so a
// typo is refused when the template is saved instead of sending blanks to a hundred thousand people.
import type { Template as Parsed } from 'liquidjs';
import { z } from 'zod';
import type { Queryable } from '../db/db.js';
import { isUniqueViolation } from '../db/db.js';
import { isUuid, uuidv7 } from '../db/ids.js';
import { AppError } from '../errors.js';
import {
  approvedOnlyProvider,
  getChannel,
  MESSAGE_CHANNELS,
  notApproved,
  providerTemplateCode,
  type MessageChannel,
} from './channels.js';
import { engines } from './liquid.js';

/** The variables a template may use (see docs/engage.md for their fields). */
export const TEMPLATE_VARIABLES = [
  'customer',
  'tier',
  'next_tier',
  'points',
  'shop',
  'recommended',
  'favourite',
  'coupon',
  'unsubscribe_url',
] as const;

// Aliyun names its variables (${name}); Tencent Cloud numbers them ({1}, {2} …).
const PROVIDER_PARAM = /^([A-Za-z][A-Za-z0-9_]{0,39}|[1-9][0-9]?)$/;

export const ProviderTemplate = z
  .strictObject({
    code: providerTemplateCode,
    params: z
      .record(
        z
          .string()
          .regex(
            PROVIDER_PARAM,
            'a variable name (a letter, then letters, digits or _; 40 at most) or number (1–99)',
          ),
        z.string().max(1000),
      )
      .default({})
      .refine((p) => Object.keys(p).length <= 20, 'at most 20 variables')
      .describe(
        "each variable of the approved template (Aliyun's ${name}, Tencent Cloud's {1}), its value written in Liquid",
      ),
  })
  .describe(
    'SMS only: the template the provider approved, for providers that send nothing else (Aliyun, Tencent Cloud); the body stays the text as staff read it',
  );

/** A provider template: its code and each variable, in Liquid as written or rendered for one message. */
export interface ProviderTemplateText {
  code: string;
  params: Record<string, string>;
}

export const TemplateInput = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    channel: z.enum(MESSAGE_CHANNELS),
    subject: z.string().trim().min(1).max(500).optional().describe('email only, and required there'),
    body: z.string().min(1).max(200_000).describe('Liquid; for email, HTML'),
    transactional: z
      .boolean()
      .default(false)
      .describe('a receipt or order care rather than marketing: outside the contact cap and quiet hours'),
    providerTemplate: ProviderTemplate.nullable().optional(),
  })
  .superRefine((t, ctx) => {
    if (t.channel !== 'sms' && t.providerTemplate)
      ctx.addIssue({
        code: 'custom',
        path: ['providerTemplate'],
        message: 'Only an SMS template goes by a provider template',
      });
    if (t.channel === 'email' && !t.subject)
      ctx.addIssue({ code: 'custom', path: ['subject'], message: 'An email needs a subject' });
    if (t.channel !== 'email' && t.subject !== undefined)
      ctx.addIssue({ code: 'custom', path: ['subject'], message: `A ${t.channel} message has no subject` });
  });
export type TemplateInput = z.input<typeof TemplateInput>;

export interface Template {
  templateId: string;
  name: string;
  channel: MessageChannel;
  subject: string | null;
  body: string;
  transactional: boolean;
  /** As written: each variable in Liquid. */
  providerTemplate: ProviderTemplateText | null;
  createdAt: Date;
  updatedAt: Date;
}

const columns = `template_id as "templateId", name, channel, subject, body, transactional,
  provider_template as "providerTemplate", created_at as "createdAt", updated_at as "updatedAt"`;

const engineFor = (channel: MessageChannel) => (channel === 'email' ? engines.html : engines.text);

export interface CompiledTemplate {
  channel: MessageChannel;
  subject: Parsed[] | null;
  body: Parsed[];
  provider: { code: string; params: [string, Parsed[]][] } | null;
  /** The variables named, with their paths ('points.balance'), so a send loads only what its template shows. */
  uses: Set<string>;
}

/** Parses a template and checks its variables; the errors name the field and, from Liquid, the line. */
export function compileTemplate(t: {
  channel: MessageChannel;
  subject?: string | null;
  body: string;
  providerTemplate?: ProviderTemplateText | null;
}): CompiledTemplate {
  const engine = engineFor(t.channel);
  const problems: { field: string; message: string }[] = [];
  const parse = (field: string, text: string, using = engine): Parsed[] | null => {
    try {
      const parsed = using.parse(text);
      for (const name of using.globalVariablesSync(parsed)) {
        if (!(TEMPLATE_VARIABLES as readonly string[]).includes(name))
          problems.push({
            field,
            message: `Unknown variable '${name}'; known: ${TEMPLATE_VARIABLES.join(', ')}`,
          });
      }
      return parsed;
    } catch (err) {
      problems.push({ field, message: err instanceof Error ? err.message.split('\n')[0]! : String(err) });
      return null;
    }
  };
  const subject = t.subject ? parse('subject', t.subject) : null;
  const body = parse('body', t.body);
  // A variable's value is plain text whatever the channel: the provider puts it into its own template.
  const params = Object.entries(t.providerTemplate?.params ?? {}).map(
    ([name, text]) => [name, parse(`providerTemplate.params.${name}`, text, engines.text)] as const,
  );
  if (problems.length > 0 || !body) throw AppError.invalid('The template does not compile', problems);
  const provider = t.providerTemplate
    ? { code: t.providerTemplate.code, params: params.map(([name, p]) => [name, p!] as [string, Parsed[]]) }
    : null;
  const uses = new Set<string>();
  for (const part of [subject, body, ...params.map(([, p]) => p)])
    if (part) for (const v of engines.text.globalFullVariablesSync(part)) uses.add(v);
  return { channel: t.channel, subject, body, provider, uses };
}

/**
 * Why the shop's channel would refuse every message of the template, or null: an SMS template that names
 * no approved template where the shop's texts go through a provider that sends nothing else.
 */
export async function unsendableBecause(
  db: Queryable,
  shopId: string,
  t: { channel: MessageChannel; providerTemplate?: ProviderTemplateText | null },
): Promise<string | null> {
  if (t.channel !== 'sms' || t.providerTemplate) return null;
  const sms = await getChannel(db, shopId, 'sms');
  const provider = sms?.channel === 'sms' ? approvedOnlyProvider(sms.settings) : null;
  return provider && notApproved(provider);
}

/** Whether a template names the variable, or any field of it. */
export function usesVariable(uses: Set<string>, name: string): boolean {
  for (const u of uses) if (u === name || u.startsWith(`${name}.`) || u.startsWith(`${name}[`)) return true;
  return false;
}

export function renderTemplate(
  compiled: CompiledTemplate,
  vars: Record<string, unknown>,
): { subject: string | null; body: string; providerTemplate: ProviderTemplateText | null } {
  const engine = engineFor(compiled.channel);
  return {
    // A subject is a header, not HTML: it is rendered unescaped, as the mail client shows it.
    subject: compiled.subject ? engines.text.renderSync(compiled.subject, vars).trim() : null,
    body: engine.renderSync(compiled.body, vars),
    providerTemplate: compiled.provider && {
      code: compiled.provider.code,
      params: Object.fromEntries(
        compiled.provider.params.map(([name, p]) => [name, engines.text.renderSync(p, vars).trim()]),
      ),
    },
  };
}

/**
 * A template as a request gives it, checked and compiled; its problems name the field as the request
 * does (`body.body`, `body.template.body`, …).
 */
export function checkedTemplate(
  input: TemplateInput,
  prefix: string,
): { template: z.output<typeof TemplateInput>; compiled: CompiledTemplate } {
  const template = TemplateInput.parse(input);
  try {
    return { template, compiled: compileTemplate(template) };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    throw new AppError(
      err.code,
      err.status,
      err.message,
      err.details.map((d) => ({ ...d, field: d.field && `${prefix}.${d.field}` })),
    );
  }
}

async function saved<T>(write: Promise<T>, name: string): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (isUniqueViolation(err))
      throw AppError.invalid('Template name taken', [{ field: 'body.name', message: `'${name}' exists` }]);
    throw err;
  }
}

const providerJson = (t: z.output<typeof TemplateInput>) =>
  t.providerTemplate ? JSON.stringify(t.providerTemplate) : null;

export async function createTemplate(db: Queryable, shopId: string, input: TemplateInput): Promise<Template> {
  const t = checkedTemplate(input, 'body').template;
  const [row] = await saved(
    db.query<Template>(
      `insert into templates (shop_id, template_id, name, channel, subject, body, transactional, provider_template)
       values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${columns}`,
      [shopId, uuidv7(), t.name, t.channel, t.subject ?? null, t.body, t.transactional, providerJson(t)],
    ),
    t.name,
  );
  return row!;
}

export async function updateTemplate(
  db: Queryable,
  shopId: string,
  templateId: string,
  input: TemplateInput,
): Promise<Template> {
  const t = checkedTemplate(input, 'body').template;
  if (!isUuid(templateId)) throw AppError.notFound('Template');
  const [row] = await saved(
    db.query<Template>(
      `update templates set name = $3, channel = $4, subject = $5, body = $6, transactional = $7,
              provider_template = $8, updated_at = now()
        where shop_id = $1 and template_id = $2 returning ${columns}`,
      [shopId, templateId, t.name, t.channel, t.subject ?? null, t.body, t.transactional, providerJson(t)],
    ),
    t.name,
  );
  if (!row) throw AppError.notFound('Template');
  return row;
}

export async function getTemplate(db: Queryable, shopId: string, templateId: string): Promise<Template> {
  if (!isUuid(templateId)) throw AppError.notFound('Template');
  const [row] = await db.query<Template>(
    `select ${columns} from templates where shop_id = $1 and template_id = $2`,
    [shopId, templateId],
  );
  if (!row) throw AppError.notFound('Template');
  return row;
}

export async function listTemplates(db: Queryable, shopId: string): Promise<Template[]> {
  return db.query<Template>(`select ${columns} from templates where shop_id = $1 order by name`, [shopId]);
}

/** GSM 03.38's basic set (and the escaped extension, two septets each) — text a carrier sends 7-bit. */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';

export interface SmsLength {
  encoding: 'GSM-7' | 'UCS-2';
  /** Characters as the carrier counts them: septets for GSM-7, UTF-16 units for UCS-2. */
  units: number;
  parts: number;
}

/**
 * How carriers count an SMS: 160 GSM-7 characters in one part, 153 per part when split (the rest carries
 * the join header); any other character (Chinese, emoji) makes the whole message UCS-2: 70, then 67 per part.
 */
export function smsLength(text: string): SmsLength {
  let septets = 0;
  let gsm = true;
  for (const ch of text) {
    if (GSM_BASIC.includes(ch)) septets += 1;
    else if (GSM_EXTENDED.includes(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return { encoding: 'GSM-7', units: septets, parts: septets <= 160 ? 1 : Math.ceil(septets / 153) };
  const units = text.length;
  return { encoding: 'UCS-2', units, parts: units <= 70 ? 1 : Math.ceil(units / 67) };
}
