import { useState } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import type { ChannelView, ContactPolicy } from './types.js';
import { ContactPolicyForm } from './ContactPolicyForm.js';
import { LinksForm, type LinkAddress } from './LinksForm.js';
import { SaveRow } from './SaveRow.js';
import { SendingUsage } from './SendingUsage.js';

type Fields = Record<string, string>;

/** The form of one channel: text fields as typed, numbers and flags converted when saved. */
function ChannelForm({
  channel,
  saved,
  fields,
  toSettings,
  onSaved,
}: {
  channel: 'email' | 'sms' | 'webhook';
  saved: ChannelView | undefined;
  fields: {
    name: string;
    label: string;
    secret?: boolean;
    type?: string;
    options?: { value: string; label: string }[];
    /** The providers the field belongs to; shown for all when absent. */
    providers?: string[];
  }[];
  toSettings: (f: Fields) => Record<string, unknown>;
  onSaved: () => void;
}) {
  const { t } = useI18n();
  const [f, setF] = useState<Fields>(() => {
    const initial: Fields = {
      rate: String(saved?.ratePerSecond ?? ''),
      cost: String(saved?.costPerMessageCents ?? ''),
    };
    for (const field of fields) {
      const v = saved?.settings[field.name];
      // A choice starts on its first option, as the select shows it.
      initial[field.name] = v === undefined || v === null ? (field.options?.[0]?.value ?? '') : String(v);
    }
    return initial;
  });
  const { problem, busy, attempt } = useAttempt();
  const [done, setDone] = useState(false);
  const save = () =>
    attempt(async () => {
      setDone(false);
      const body: Record<string, unknown> = { channel, settings: toSettings(f) };
      if (f.rate) body.ratePerSecond = Number(f.rate);
      if (f.cost) body.costPerMessageCents = Number(f.cost);
      await api(`/api/channels/${channel}`, { method: 'PUT', body: JSON.stringify(body) });
      setDone(true);
      onSaved();
    });
  return (
    <form
      className="settings channel"
      data-testid={`channel-${channel}`}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2>{t(`channels.${channel}`)}</h2>
      {fields
        .filter((field) => !field.providers || field.providers.includes(f.provider ?? ''))
        .map((field) => (
          <label key={field.name}>
            {field.label}
            {field.options ? (
              <select value={f[field.name]} onChange={(e) => setF({ ...f, [field.name]: e.target.value })}>
                {field.options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            ) : (
              <input
                name={field.name}
                type={field.secret ? 'password' : (field.type ?? 'text')}
                value={f[field.name]}
                placeholder={
                  field.secret && saved?.secretsSet.includes(field.name) ? t('channels.secretKept') : ''
                }
                onChange={(e) => setF({ ...f, [field.name]: e.target.value })}
              />
            )}
          </label>
        ))}
      {saved?.pushUrls && (
        <div className="push-urls" data-testid="push-urls">
          <p className="muted">{t('channels.pushHelp')}</p>
          <label>
            {t('channels.pushReports')}
            <input readOnly value={saved.pushUrls.reports} onFocus={(e) => e.target.select()} />
          </label>
          <label>
            {t('channels.pushReplies')}
            <input readOnly value={saved.pushUrls.replies} onFocus={(e) => e.target.select()} />
          </label>
        </div>
      )}
      <label>
        {t('channels.rate')}
        <input
          name="rate"
          type="number"
          min={1}
          value={f.rate}
          onChange={(e) => setF({ ...f, rate: e.target.value })}
        />
      </label>
      <label title={t('channels.costHelp')}>
        {t('channels.cost')}
        <input
          name="cost"
          type="number"
          min={0}
          step={0.01}
          value={f.cost}
          onChange={(e) => setF({ ...f, cost: e.target.value })}
        />
      </label>
      <SaveRow busy={busy} done={done} problem={problem} />
    </form>
  );
}

const optional = (v: string | undefined) => (v ? v : undefined);

/** Channel settings, where message links point, and the contact cap with quiet hours. */
export function ChannelsPage() {
  const { t } = useI18n();
  const channels = useLoad(() => api<{ items: ChannelView[] }>('/api/channels'), 'channels');
  const links = useLoad(() => api<LinkAddress>('/api/engage/links'), 'links');
  const policy = useLoad(() => api<ContactPolicy>('/api/contact-policy'), 'policy');
  if (!channels.data || !links.data || !policy.data) return <p className="loading">{t('common.loading')}</p>;
  const saved = (c: string) => channels.data!.items.find((x) => x.channel === c);
  return (
    <section className="channels">
      <h1>{t('channels.title')}</h1>
      <p className="muted">{t('channels.help')}</p>
      <SendingUsage />
      <ContactPolicyForm initial={policy.data} />
      <LinksForm initial={links.data} onSaved={channels.reload} />
      <ChannelForm
        channel="email"
        saved={saved('email')}
        onSaved={channels.reload}
        fields={[
          { name: 'host', label: t('channels.host') },
          { name: 'port', label: t('channels.port'), type: 'number' },
          {
            name: 'secure',
            label: t('channels.secure'),
            options: [
              { value: 'false', label: t('channels.secureNo') },
              { value: 'true', label: t('channels.secureYes') },
            ],
          },
          { name: 'user', label: t('channels.user') },
          { name: 'password', label: t('channels.password'), secret: true },
          { name: 'from', label: t('channels.from') },
          { name: 'replyTo', label: t('channels.replyTo') },
          { name: 'maxConnections', label: t('channels.connections'), type: 'number' },
        ]}
        toSettings={(f) => ({
          host: f.host,
          port: Number(f.port),
          secure: f.secure === 'true',
          user: optional(f.user),
          password: optional(f.password),
          from: f.from,
          replyTo: optional(f.replyTo),
          maxConnections: f.maxConnections ? Number(f.maxConnections) : undefined,
        })}
      />
      <ChannelForm
        channel="sms"
        saved={saved('sms')}
        onSaved={channels.reload}
        fields={[
          {
            name: 'provider',
            label: t('channels.provider'),
            options: [
              { value: 'generic-json', label: t('channels.genericJson') },
              { value: 'twilio', label: 'Twilio' },
              { value: 'aliyun', label: t('channels.aliyun') },
              { value: 'tencent', label: t('channels.tencent') },
            ],
          },
          { name: 'url', label: t('channels.url'), providers: ['generic-json'] },
          { name: 'token', label: t('channels.token'), secret: true, providers: ['generic-json'] },
          { name: 'accountSid', label: t('channels.accountSid'), providers: ['twilio'] },
          { name: 'authToken', label: t('channels.authToken'), secret: true, providers: ['twilio'] },
          { name: 'accessKeyId', label: t('channels.accessKeyId'), providers: ['aliyun'] },
          {
            name: 'accessKeySecret',
            label: t('channels.accessKeySecret'),
            secret: true,
            providers: ['aliyun'],
          },
          { name: 'secretId', label: t('channels.secretId'), providers: ['tencent'] },
          { name: 'secretKey', label: t('channels.secretKey'), secret: true, providers: ['tencent'] },
          { name: 'sdkAppId', label: t('channels.sdkAppId'), providers: ['tencent'] },
          { name: 'signName', label: t('channels.signName'), providers: ['aliyun', 'tencent'] },
          { name: 'codeTemplate', label: t('channels.codeTemplate'), providers: ['aliyun', 'tencent'] },
          { name: 'regionId', label: t('channels.regionId'), providers: ['aliyun'] },
          { name: 'region', label: t('channels.tencentRegion'), providers: ['tencent'] },
          { name: 'baseUrl', label: t('channels.baseUrl'), providers: ['twilio', 'aliyun', 'tencent'] },
          { name: 'from', label: t('channels.smsFrom'), providers: ['generic-json', 'twilio'] },
          { name: 'codeText', label: t('channels.codeText'), providers: ['generic-json', 'twilio'] },
        ]}
        toSettings={(f) =>
          f.provider === 'tencent'
            ? {
                provider: 'tencent',
                secretId: f.secretId,
                secretKey: optional(f.secretKey),
                sdkAppId: f.sdkAppId,
                signName: f.signName,
                codeTemplate: optional(f.codeTemplate),
                region: optional(f.region),
                baseUrl: optional(f.baseUrl),
              }
            : f.provider === 'aliyun'
              ? {
                  provider: 'aliyun',
                  accessKeyId: f.accessKeyId,
                  accessKeySecret: optional(f.accessKeySecret),
                  signName: f.signName,
                  codeTemplate: optional(f.codeTemplate),
                  regionId: optional(f.regionId),
                  baseUrl: optional(f.baseUrl),
                }
              : f.provider === 'twilio'
                ? {
                    provider: 'twilio',
                    accountSid: f.accountSid,
                    authToken: optional(f.authToken),
                    from: f.from,
                    baseUrl: optional(f.baseUrl),
                    codeText: optional(f.codeText),
                  }
                : {
                    provider: 'generic-json',
                    url: f.url,
                    token: optional(f.token),
                    from: optional(f.from),
                    codeText: optional(f.codeText),
                  }
        }
      />
      <ChannelForm
        channel="webhook"
        saved={saved('webhook')}
        onSaved={channels.reload}
        fields={[
          { name: 'url', label: t('channels.url') },
          { name: 'secret', label: t('channels.secret'), secret: true },
        ]}
        toSettings={(f) => ({ url: f.url, secret: optional(f.secret) })}
      />
    </section>
  );
}
