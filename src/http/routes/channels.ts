// Channel settings, link settings, the contact policy and customers' own caps, templates and previews.
import { z } from 'zod';
import { getCustomer } from '../../customers/customers.js';
import {
  ChannelInput,
  getChannel,
  listChannels,
  MESSAGE_CHANNELS,
  saveChannel,
  withoutSecrets,
} from '../../engage/channels.js';
import { linkSettings, LinkSettingsInput, pushUrls, setPublicUrl } from '../../engage/links.js';
import {
  ContactCap,
  ContactPolicy,
  contactPolicy,
  customerCap,
  setContactPolicy,
  setCustomerCap,
} from '../../engage/policy.js';
import { previewMessage } from '../../engage/preview.js';
import {
  createTemplate,
  getTemplate,
  listTemplates,
  TEMPLATE_VARIABLES,
  TemplateInput,
  updateTemplate,
} from '../../engage/templates.js';
import { AppError } from '../../errors.js';
import type { AppOptions } from '../app.js';
import type { ApiPlugin } from '../plugin.js';
import { CustomerParams, errors } from '../schemas.js';

const ts = z.iso.datetime();
const ChannelView = z.object({
  channel: z.enum(MESSAGE_CHANNELS),
  settings: z.record(z.string(), z.unknown()).describe('as saved, without secrets'),
  ratePerSecond: z.number().int(),
  costPerMessageCents: z.number(),
  secretsSet: z.array(z.string()).describe('the secret fields that hold a value'),
  pushUrls: z
    .object({ reports: z.string(), replies: z.string() })
    .optional()
    .describe(
      "Aliyun and Tencent Cloud: the addresses to give the provider's console for its delivery reports and replies (Aliyun: SmsReport and SmsUp, HTTP batch push)",
    ),
});
const ProviderTemplateView = z.object({
  code: z.string(),
  params: z.record(z.string(), z.string()),
});
const Template = z.object({
  templateId: z.uuid(),
  name: z.string(),
  channel: z.enum(MESSAGE_CHANNELS),
  subject: z.string().nullable(),
  body: z.string(),
  transactional: z.boolean(),
  providerTemplate: ProviderTemplateView.nullable(),
  createdAt: ts,
  updatedAt: ts,
});
const SmsLength = z.object({
  encoding: z.enum(['GSM-7', 'UCS-2']),
  units: z.number().int(),
  parts: z
    .number()
    .int()
    .describe('parts the carrier bills: 70 characters for one UCS-2 part, 67 when split'),
});

const LinkAddress = z.object({
  publicUrl: z.string().describe('where links in messages point now'),
  own: z.boolean().describe("whether that is the shop's own address rather than the server's"),
  serverUrl: z.string().describe("the server's address (REGULARS_PUBLIC_URL), for a shop that sets none"),
});

export const channelRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    const linkAddress = async (shopId: string) => {
      const { publicUrl, own } = await linkSettings(o.db, shopId, o.publicUrl);
      return { publicUrl, own, serverUrl: o.publicUrl };
    };
    app.get(
      '/api/channels',
      {
        schema: {
          tags: ['engage'],
          summary: 'The channels set up, without their secrets',
          response: { 200: z.object({ items: z.array(ChannelView) }), ...errors },
        },
      },
      async (request) => {
        const links = await linkSettings(o.db, request.shopId, o.publicUrl);
        return {
          items: (await listChannels(o.db, request.shopId)).map((c) => ({
            ...withoutSecrets(c),
            ...(c.channel === 'sms' && (c.settings.provider === 'aliyun' || c.settings.provider === 'tencent')
              ? { pushUrls: pushUrls(links, request.shopId, c.settings.provider) }
              : {}),
          })),
        };
      },
    );
    app.put(
      '/api/channels/:channel',
      {
        config: { access: 'administer' },
        schema: {
          tags: ['engage'],
          summary: 'Set up a channel: SMTP relay, SMS provider (generic JSON or Twilio) or webhook URL',
          params: z.object({ channel: z.enum(MESSAGE_CHANNELS) }),
          body: ChannelInput,
          response: { 200: ChannelView, ...errors },
        },
      },
      async (request) => {
        if (request.body.channel !== request.params.channel)
          throw AppError.invalid('The body is for another channel', [
            { field: 'body.channel', message: `expected '${request.params.channel}'` },
          ]);
        return withoutSecrets(await saveChannel(o.db, request.shopId, request.body));
      },
    );
    app.get(
      '/api/channels/:channel',
      {
        schema: {
          tags: ['engage'],
          summary: "One channel's settings, without secrets",
          params: z.object({ channel: z.enum(MESSAGE_CHANNELS) }),
          response: { 200: ChannelView, ...errors },
        },
      },
      async (request) => {
        const c = await getChannel(o.db, request.shopId, request.params.channel);
        if (!c) throw AppError.notFound('Channel');
        return withoutSecrets(c);
      },
    );

    app.get(
      '/api/engage/links',
      {
        schema: {
          tags: ['engage'],
          summary: 'Where links in messages point',
          description: "The shop's own address if it set one, else the server's (REGULARS_PUBLIC_URL).",
          response: { 200: LinkAddress, ...errors },
        },
      },
      async (request) => linkAddress(request.shopId),
    );
    app.put(
      '/api/engage/links',
      {
        config: { access: 'administer' },
        schema: {
          tags: ['engage'],
          summary: 'Set the address customers reach this server at (unsubscribe, open and click links)',
          body: LinkSettingsInput,
          response: { 200: LinkAddress, ...errors },
        },
      },
      async (request) => {
        await setPublicUrl(o.db, request.shopId, request.body);
        return linkAddress(request.shopId);
      },
    );

    app.get(
      '/api/contact-policy',
      {
        schema: {
          tags: ['engage'],
          summary: "The shop's contact cap and quiet hours",
          response: { 200: ContactPolicy, ...errors },
        },
      },
      async (request) => contactPolicy(o.db, request.shopId),
    );
    app.put(
      '/api/contact-policy',
      {
        config: { access: 'administer' },
        schema: {
          tags: ['engage'],
          summary: 'Set the contact cap and quiet hours; every campaign and flow keeps within them',
          body: ContactPolicy,
          response: { 200: ContactPolicy, ...errors },
        },
      },
      async (request) => setContactPolicy(o.db, request.shopId, request.body),
    );
    app.get(
      '/api/customers/:customerId/contact-cap',
      {
        schema: {
          tags: ['engage'],
          summary: "The customer's own contact cap (null: the shop's applies)",
          params: CustomerParams,
          response: { 200: z.object({ cap: ContactCap.nullable() }), ...errors },
        },
      },
      async (request) => {
        await getCustomer(o.db, request.shopId, request.params.customerId);
        return { cap: await customerCap(o.db, request.shopId, request.params.customerId) };
      },
    );
    app.put(
      '/api/customers/:customerId/contact-cap',
      {
        schema: {
          tags: ['engage'],
          summary: "Override the shop's contact cap for one customer; null goes back to the shop's",
          params: CustomerParams,
          body: z.strictObject({ cap: ContactCap.nullable() }),
          response: { 200: z.object({ cap: ContactCap.nullable() }), ...errors },
        },
      },
      async (request) => {
        await getCustomer(o.db, request.shopId, request.params.customerId);
        await setCustomerCap(o.db, request.shopId, request.params.customerId, request.body.cap);
        return { cap: request.body.cap };
      },
    );

    app.get(
      '/api/templates',
      {
        schema: {
          tags: ['engage'],
          summary: 'Message templates',
          response: {
            200: z.object({
              items: z.array(Template),
              variables: z.array(z.string()).describe('the variables a template may use'),
            }),
            ...errors,
          },
        },
      },
      async (request) => ({
        items: await listTemplates(o.db, request.shopId),
        variables: [...TEMPLATE_VARIABLES],
      }),
    );
    app.post(
      '/api/templates',
      {
        schema: {
          tags: ['engage'],
          summary:
            'Create a template (Liquid; HTML-escaped for email); it is compiled and its variables checked',
          body: TemplateInput,
          response: { 201: Template, ...errors },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await createTemplate(o.db, request.shopId, request.body)),
    );
    const TemplateParams = z.object({ templateId: z.string() });
    app.get(
      '/api/templates/:templateId',
      {
        schema: {
          tags: ['engage'],
          summary: 'One template',
          params: TemplateParams,
          response: { 200: Template, ...errors },
        },
      },
      async (request) => getTemplate(o.db, request.shopId, request.params.templateId),
    );
    app.put(
      '/api/templates/:templateId',
      {
        schema: {
          tags: ['engage'],
          summary: 'Change a template; messages not yet sent go out with the new text',
          params: TemplateParams,
          body: TemplateInput,
          response: { 200: Template, ...errors },
        },
      },
      async (request) => updateTemplate(o.db, request.shopId, request.params.templateId, request.body),
    );
    app.post(
      '/api/templates/preview',
      {
        config: { access: 'read', activity: false },
        schema: {
          tags: ['engage'],
          summary:
            'Render a template (saved or not) for a real customer, with SMS length as carriers count it',
          body: z.strictObject({ template: TemplateInput, customerId: z.uuid() }),
          response: {
            200: z.object({
              to: z.string().nullable(),
              subject: z.string().nullable(),
              body: z.string(),
              providerTemplate: ProviderTemplateView.nullable().describe(
                "the provider template's code and its variables as this customer's message would carry them",
              ),
              sms: SmsLength.nullable(),
            }),
            ...errors,
          },
        },
      },
      async (request) =>
        previewMessage(o.db, request.shopId, request.body.template, request.body.customerId, o.publicUrl),
    );
  };
