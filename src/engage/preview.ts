// A template as one real customer would get it, before anything is sent: the same variables the
// delivery job gives, an unsubscribe link that works, and for SMS the length as carriers bill it.
import type { Queryable } from '../db/db.js';
import { getCustomer } from '../customers/customers.js';
import { uuidv7 } from '../db/ids.js';
import { linkSettings, messageLinks } from './links.js';
import { RecipientLoader } from './recipients.js';
import {
  checkedTemplate,
  renderTemplate,
  smsLength,
  type ProviderTemplateText,
  type SmsLength,
  type TemplateInput,
} from './templates.js';
import { AppError } from '../errors.js';

export interface Preview {
  to: string | null;
  subject: string | null;
  body: string;
  providerTemplate: ProviderTemplateText | null;
  sms: SmsLength | null;
}

export async function previewMessage(
  db: Queryable,
  shopId: string,
  template: TemplateInput,
  customerId: string,
  /** The server's address, for a shop that set none (Config.publicUrl). */
  serverUrl: string,
): Promise<Preview> {
  const { template: t, compiled } = checkedTemplate(template, 'body.template');
  await getCustomer(db, shopId, customerId);
  const loader = await RecipientLoader.forShop(db, shopId);
  const recipient = (await loader.load(db, [customerId], compiled.uses)).get(customerId)!;
  // A preview's links are signed for a message that does not exist, so following them changes nothing.
  const links = messageLinks(await linkSettings(db, shopId, serverUrl), shopId, uuidv7());
  let rendered;
  try {
    rendered = renderTemplate(compiled, {
      ...recipient.vars,
      // Codes are issued as a campaign's messages go out; the preview marks where each part will go.
      coupon: {
        code: 'CODE-AT-SEND',
        value: '[coupon.value]',
        min_spend: '[coupon.min_spend]',
        expires_at: '[coupon.expires_at]',
      },
      unsubscribe_url: links.unsubscribe,
    });
  } catch (err) {
    throw AppError.invalid('The template fails for this customer', [
      { field: 'body.template.body', message: err instanceof Error ? err.message : String(err) },
    ]);
  }
  const to = t.channel === 'email' ? recipient.email : t.channel === 'sms' ? recipient.phone : null;
  return { to, ...rendered, sms: t.channel === 'sms' ? smsLength(rendered.body) : null };
}
