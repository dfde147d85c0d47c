// A shop's channels: the SMTP relay its email goes through, its SMS provider, the URL its webhooks go to,
// and how many messages a second each may take. Credentials are kept for the sender and never shown again.
import { z } from 'zod';
import type { Queryable } from '../db/db.js';
import { AppError } from '../errors.js';
import { compileText } from './liquid.js';

/** An http(s) address: a provider's endpoint, a webhook, where customers reach the server. */
export const webAddress = () => z.url({ protocol: /^https?$/, error: 'an http:// or https:// address' });

export const MESSAGE_CHANNELS = ['email', 'sms', 'webhook'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

const secret = (what: string) =>
  z.string().min(1).max(500).optional().describe(`${what}; write-only, omit to keep the one saved`);

export const EmailSettings = z.strictObject({
  host: z.string().trim().min(1).max(255),
  port: z.number().int().min(1).max(65535),
  secure: z
    .boolean()
    .default(false)
    .describe('TLS from the start (port 465); otherwise STARTTLS when offered'),
  user: z.string().max(255).optional(),
  password: secret('SMTP password'),
  from: z.string().trim().min(3).max(320).describe('sender, e.g. "Lotus Skincare <care@lotus.example>"'),
  replyTo: z.string().trim().max(320).optional(),
  maxConnections: z.number().int().min(1).max(50).default(5),
});

/** A template code as the provider gives it (Aliyun: SMS_ and digits). */
export const providerTemplateCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a template code as the provider gives it, such as SMS_123456789');

/** What the text of a member-card binding code may show (membership/cards.ts). */
export const CODE_TEXT_VARIABLES = ['code', 'minutes', 'card', 'shop'] as const;
const codeText = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .superRefine((text, ctx) => {
    try {
      compileText(text, CODE_TEXT_VARIABLES, ['code']);
    } catch (err) {
      ctx.addIssue({
        code: 'custom',
        message: err instanceof Error ? err.message.split('\n')[0]! : String(err),
      });
    }
  })
  .optional()
  .describe(
    "the member-card binding code's text, where the provider sends only texts it approved: {{ code }} (required), {{ minutes }} it is good for, {{ card }} (its last four characters), {{ shop }}; without it, a text of Regulars' own in Chinese or English by the phone's country",
  );

export const SmsSettings = z.discriminatedUnion('provider', [
  z.strictObject({
    provider: z
      .literal('generic-json')
      .describe(
        "POST {to, text, from, messageId, template} as JSON; template is the SMS template's provider template ({code, params} rendered) or null",
      ),
    url: webAddress(),
    token: secret('sent as "Authorization: Bearer …"'),
    from: z.string().max(50).optional(),
    codeText,
  }),
  z.strictObject({
    provider: z.literal('twilio').describe("Twilio's Messages API (form-encoded, HTTP Basic auth)"),
    accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'a Twilio Account SID: AC and 32 hex digits'),
    authToken: secret('Twilio auth token'),
    from: z.string().min(1).max(50).describe('a Twilio number in E.164 or a Messaging Service SID'),
    baseUrl: webAddress().default('https://api.twilio.com'),
    codeText,
  }),
  z.strictObject({
    provider: z
      .literal('aliyun')
      .describe(
        'Alibaba Cloud SMS (dysmsapi SendSms, signed with an AccessKey): it sends only templates it approved, so each SMS template names its template code and variables (providerTemplate)',
      ),
    accessKeyId: z.string().trim().min(1).max(128),
    accessKeySecret: secret('AccessKey secret'),
    signName: z
      .string()
      .trim()
      .min(1)
      .max(50)
      .describe('the approved signature (签名), shown to the customer as 【…】'),
    codeTemplate: providerTemplateCode
      .optional()
      .describe(
        'the approved verification-code template member-card binding codes go by; its variable is ${code}',
      ),
    regionId: z
      .string()
      .trim()
      .regex(/^[a-z0-9-]{1,40}$/, 'a region id such as cn-hangzhou')
      .default('cn-hangzhou'),
    baseUrl: webAddress().default('https://dysmsapi.aliyuncs.com'),
  }),
  z.strictObject({
    provider: z
      .literal('tencent')
      .describe(
        'Tencent Cloud SMS (SendSms, signed TC3-HMAC-SHA256): it sends only templates it approved, whose variables are numbered, so each SMS template names its template ID and the variables 1, 2 … (providerTemplate)',
      ),
    secretId: z.string().trim().min(1).max(128),
    secretKey: secret('SecretKey'),
    sdkAppId: z
      .string()
      .trim()
      .regex(/^\d{1,20}$/, "the SMS application's SdkAppId, digits"),
    signName: z.string().trim().min(1).max(50).describe('the approved signature (签名)'),
    codeTemplate: providerTemplateCode
      .optional()
      .describe(
        'the approved verification-code template member-card binding codes go by; its variable {1} is the code',
      ),
    region: z
      .string()
      .trim()
      .regex(/^[a-z0-9-]{1,40}$/, 'a region such as ap-guangzhou')
      .default('ap-guangzhou'),
    baseUrl: webAddress().default('https://sms.tencentcloudapi.com'),
  }),
]);

/** The provider's name when it sends only templates it approved, never free text; null otherwise. */
export function approvedOnlyProvider(s: SmsSettings): string | null {
  return s.provider === 'aliyun' ? 'Aliyun' : s.provider === 'tencent' ? 'Tencent Cloud' : null;
}

/** Why such a provider refuses a message of an SMS template that names none of its templates. */
export const notApproved = (provider: string) =>
  `${provider} sends only templates it approved: this template names no ${provider} template code`;

export const WebhookSettings = z.strictObject({
  url: webAddress(),
  secret: secret('HMAC-SHA256 key for the X-Regulars-Signature header'),
});

const rate = z.number().int().min(1).max(10000).describe('messages per second at most');
const cost = z
  .number()
  .min(0)
  .max(1_000_000)
  .multipleOf(0.01)
  .default(0)
  .describe(
    'what one message costs, in minor units (an SMS fee of 4.5 fen is 4.5): for campaign and flow ROI',
  );

export const ChannelInput = z.discriminatedUnion('channel', [
  z.strictObject({
    channel: z.literal('email'),
    settings: EmailSettings,
    ratePerSecond: rate.default(100),
    costPerMessageCents: cost,
  }),
  z.strictObject({
    channel: z.literal('sms'),
    settings: SmsSettings,
    ratePerSecond: rate.default(20),
    costPerMessageCents: cost,
  }),
  z.strictObject({
    channel: z.literal('webhook'),
    settings: WebhookSettings,
    ratePerSecond: rate.default(50),
    costPerMessageCents: cost,
  }),
]);
export type ChannelInput = z.input<typeof ChannelInput>;

export type EmailSettings = z.output<typeof EmailSettings>;
export type SmsSettings = z.output<typeof SmsSettings>;
export type WebhookSettings = z.output<typeof WebhookSettings>;

export type Channel = { ratePerSecond: number; costPerMessageCents: number } & (
  | { channel: 'email'; settings: EmailSettings }
  | { channel: 'sms'; settings: SmsSettings }
  | { channel: 'webhook'; settings: WebhookSettings }
);

/** The settings' secret fields, by channel: kept when a save leaves them out, hidden when shown. */
const SECRETS: Record<MessageChannel, readonly string[]> = {
  email: ['password'],
  sms: ['token', 'authToken', 'accessKeySecret', 'secretKey'],
  webhook: ['secret'],
};

export async function getChannel(
  db: Queryable,
  shopId: string,
  channel: MessageChannel,
): Promise<Channel | null> {
  const [row] = await db.query<Channel>(
    `select channel, settings, rate_per_second as "ratePerSecond",
            cost_per_message_cents::float8 as "costPerMessageCents" from channel_settings
      where shop_id = $1 and channel = $2`,
    [shopId, channel],
  );
  return row ?? null;
}

export async function saveChannel(db: Queryable, shopId: string, input: ChannelInput): Promise<Channel> {
  const parsed = ChannelInput.parse(input);
  const before = await getChannel(db, shopId, parsed.channel);
  const settings: Record<string, unknown> = { ...parsed.settings };
  const kept = before?.settings as Record<string, unknown> | undefined;
  // A secret is kept for the provider it was given to: another provider's would be sent to the wrong
  // service, or not be wanted at all.
  if (kept && kept['provider'] === settings['provider']) {
    for (const field of SECRETS[parsed.channel]) {
      if (settings[field] === undefined && kept[field] !== undefined) settings[field] = kept[field];
    }
  }
  if (parsed.channel === 'sms' && settings['provider'] === 'twilio' && settings['authToken'] === undefined)
    throw AppError.invalid('Twilio needs its auth token', [
      { field: 'body.settings.authToken', message: 'Required for Twilio' },
    ]);
  if (
    parsed.channel === 'sms' &&
    settings['provider'] === 'aliyun' &&
    settings['accessKeySecret'] === undefined
  )
    throw AppError.invalid('Aliyun needs its AccessKey secret', [
      { field: 'body.settings.accessKeySecret', message: 'Required for Aliyun' },
    ]);
  if (parsed.channel === 'sms' && settings['provider'] === 'tencent' && settings['secretKey'] === undefined)
    throw AppError.invalid('Tencent Cloud needs its SecretKey', [
      { field: 'body.settings.secretKey', message: 'Required for Tencent Cloud' },
    ]);
  if (parsed.channel === 'webhook' && settings['secret'] === undefined)
    throw AppError.invalid('Webhooks need a secret to be signed with', [
      { field: 'body.settings.secret', message: 'Required to sign webhooks' },
    ]);
  await db.query(
    `insert into channel_settings (shop_id, channel, settings, rate_per_second, cost_per_message_cents)
     values ($1, $2, $3, $4, $5)
     on conflict (shop_id, channel) do update
       set settings = excluded.settings, rate_per_second = excluded.rate_per_second,
           cost_per_message_cents = excluded.cost_per_message_cents, updated_at = now()`,
    [shopId, parsed.channel, JSON.stringify(settings), parsed.ratePerSecond, parsed.costPerMessageCents],
  );
  return (await getChannel(db, shopId, parsed.channel))!;
}

/** A channel as the console sees it: which secrets are set, never their values. */
export function withoutSecrets(c: Channel): {
  channel: MessageChannel;
  settings: Record<string, unknown>;
  ratePerSecond: number;
  costPerMessageCents: number;
  secretsSet: string[];
} {
  const settings: Record<string, unknown> = { ...c.settings };
  const secretsSet: string[] = [];
  for (const field of SECRETS[c.channel]) {
    if (settings[field] !== undefined) secretsSet.push(field);
    delete settings[field];
  }
  return {
    channel: c.channel,
    settings,
    ratePerSecond: c.ratePerSecond,
    costPerMessageCents: c.costPerMessageCents,
    secretsSet,
  };
}

export async function listChannels(db: Queryable, shopId: string): Promise<Channel[]> {
  return db.query<Channel>(
    `select channel, settings, rate_per_second as "ratePerSecond",
            cost_per_message_cents::float8 as "costPerMessageCents" from channel_settings
      where shop_id = $1 order by channel`,
    [shopId],
  );
}
