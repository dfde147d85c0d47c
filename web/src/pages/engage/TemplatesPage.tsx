import { useState } from 'react';
import { api, type Customer, type Shop } from '../../api.js';
import { formatPhone } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import type { MessageChannel, Preview, ProviderTemplate, Template } from './types.js';
import { Problem } from '../../Problem.js';

interface Draft {
  templateId: string | null;
  name: string;
  channel: MessageChannel;
  subject: string;
  body: string;
  transactional: boolean;
  /** The provider's template code (Aliyun's SMS_…), empty for none. */
  providerCode: string;
  /** Its variables, a line each: `name: Liquid`. */
  providerParams: string;
}

const NEW: Draft = {
  templateId: null,
  name: '',
  channel: 'email',
  subject: '',
  body: '',
  transactional: false,
  providerCode: '',
  providerParams: '',
};

function draftOf(tpl: Template): Draft {
  return {
    ...tpl,
    subject: tpl.subject ?? '',
    providerCode: tpl.providerTemplate?.code ?? '',
    providerParams: Object.entries(tpl.providerTemplate?.params ?? {})
      .map(([name, value]) => `${name}: ${value}`)
      .join('\n'),
  };
}

/** The variables' lines as the API takes them; a line without its name is named in the error. */
function providerTemplateOf(draft: Draft, lineProblem: (line: number) => string): ProviderTemplate | null {
  if (draft.channel !== 'sms' || !draft.providerCode.trim()) return null;
  const params: Record<string, string> = {};
  draft.providerParams.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const colon = line.indexOf(':');
    if (colon < 1) throw new Error(lineProblem(i + 1));
    params[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  });
  return { code: draft.providerCode.trim(), params };
}

/** Templates: the list, an editor, and a preview of the draft as one real customer would get it. */
export function TemplatesPage({ shop }: { shop: Shop }) {
  const { t } = useI18n();
  const [version, setVersion] = useState(0);
  const templates = useLoad(
    () => api<{ items: Template[]; variables: string[] }>('/api/templates'),
    String(version),
  );
  const [draft, setDraft] = useState<Draft>(NEW);
  const { problem, busy, attempt } = useAttempt();
  const input = () => ({
    name: draft.name,
    channel: draft.channel,
    subject: draft.channel === 'email' ? draft.subject : undefined,
    body: draft.body,
    transactional: draft.transactional,
    providerTemplate: providerTemplateOf(draft, (line) => t('templates.providerLine', { line })),
  });
  const save = () =>
    attempt(async () => {
      const body = JSON.stringify(input());
      const saved = draft.templateId
        ? await api<Template>(`/api/templates/${draft.templateId}`, { method: 'PUT', body })
        : await api<Template>('/api/templates', { method: 'POST', body });
      setDraft({ ...draft, templateId: saved.templateId });
      setVersion((v) => v + 1);
    });

  return (
    <section className="templates">
      <h1>{t('templates.title')}</h1>
      <p className="muted">
        {t('templates.help')} <code>{(templates.data?.variables ?? []).join(', ')}</code>
      </p>
      <table data-testid="templates">
        <thead>
          <tr>
            <th>{t('templates.name')}</th>
            <th>{t('templates.channel')}</th>
            <th>{t('templates.kind')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(templates.data?.items ?? []).map((tpl) => (
            <tr key={tpl.templateId}>
              <td>{tpl.name}</td>
              <td>{t(`channels.${tpl.channel}`)}</td>
              <td>{tpl.transactional ? t('templates.transactional') : t('templates.marketing')}</td>
              <td>
                <button type="button" className="link" onClick={() => setDraft(draftOf(tpl))}>
                  {t('templates.edit')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="columns">
        <form
          className="template-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <h2>{draft.templateId ? t('templates.editing', { name: draft.name }) : t('templates.new')}</h2>
          <label>
            {t('templates.name')}
            <input
              name="name"
              required
              value={draft.name}
              onChange={(e) => setDraft({ ...draft, name: e.target.value })}
            />
          </label>
          <label>
            {t('templates.channel')}
            <select
              name="channel"
              value={draft.channel}
              onChange={(e) => setDraft({ ...draft, channel: e.target.value as MessageChannel })}
            >
              {(['email', 'sms', 'webhook'] as const).map((c) => (
                <option key={c} value={c}>
                  {t(`channels.${c}`)}
                </option>
              ))}
            </select>
          </label>
          {draft.channel === 'email' && (
            <label>
              {t('templates.subject')}
              <input
                name="subject"
                value={draft.subject}
                onChange={(e) => setDraft({ ...draft, subject: e.target.value })}
              />
            </label>
          )}
          <label>
            {t('templates.body')}
            <textarea
              name="body"
              rows={10}
              value={draft.body}
              onChange={(e) => setDraft({ ...draft, body: e.target.value })}
            />
          </label>
          {draft.channel === 'sms' && (
            <fieldset className="provider-template">
              <legend>{t('templates.providerTemplate')}</legend>
              <p className="muted">{t('templates.providerHelp')}</p>
              <label>
                {t('templates.providerCode')}
                <input
                  name="providerCode"
                  placeholder="SMS_123456789"
                  value={draft.providerCode}
                  onChange={(e) => setDraft({ ...draft, providerCode: e.target.value })}
                />
              </label>
              <label>
                {t('templates.providerParams')}
                <textarea
                  name="providerParams"
                  rows={4}
                  placeholder={'name: {{ customer.first_name }}\npoints: {{ points.balance }}'}
                  value={draft.providerParams}
                  onChange={(e) => setDraft({ ...draft, providerParams: e.target.value })}
                />
              </label>
            </fieldset>
          )}
          <label className="inline">
            <input
              type="checkbox"
              checked={draft.transactional}
              onChange={(e) => setDraft({ ...draft, transactional: e.target.checked })}
            />
            {t('templates.transactionalHelp')}
          </label>
          <div className="actions">
            <button type="submit" disabled={busy}>
              {t('templates.save')}
            </button>
            {draft.templateId && (
              <button type="button" onClick={() => setDraft(NEW)}>
                {t('templates.new')}
              </button>
            )}
          </div>
          <Problem text={problem} />
        </form>
        <PreviewPane shop={shop} channel={draft.channel} template={input} />
      </div>
    </section>
  );
}

function PreviewPane({
  shop,
  channel,
  template,
}: {
  shop: Shop;
  channel: MessageChannel;
  /** The draft as the API takes it, read when a preview is asked for (it may refuse to be read). */
  template: () => Record<string, unknown>;
}) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Customer[]>([]);
  const [preview, setPreview] = useState<Preview | null>(null);
  const { problem, busy, attempt } = useAttempt();
  const search = () =>
    attempt(async () => {
      const r = await api<{ items: Customer[] }>(`/api/customers?q=${encodeURIComponent(q)}&limit=5`);
      setFound(r.items);
    });
  const show = (customerId: string) =>
    attempt(async () => {
      const draft = template();
      // A draft is previewed before it has a name: the name is checked when it is saved.
      const name = String(draft.name ?? '').trim() || '-';
      setPreview(
        await api<Preview>('/api/templates/preview', {
          method: 'POST',
          body: JSON.stringify({ template: { ...draft, name }, customerId }),
        }),
      );
    });
  return (
    <div className="preview" data-testid="preview">
      <h2>{t('templates.preview')}</h2>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <input
          name="q"
          placeholder={t('templates.previewFor')}
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <button type="submit" disabled={busy}>
          {t('templates.find')}
        </button>
      </form>
      <ul className="found">
        {found.map((c) => (
          <li key={c.customerId}>
            <button type="button" className="link" onClick={() => void show(c.customerId)}>
              {c.name ?? c.email ?? (c.phone && formatPhone(c.phone, shop.phoneRegion)) ?? c.customerId}
            </button>
          </li>
        ))}
      </ul>
      <Problem text={problem} />
      {preview && (
        <div className="rendered">
          <p>
            <strong>{t('templates.to')}</strong> {preview.to ?? '–'}
          </p>
          {preview.subject !== null && (
            <p data-testid="preview-subject">
              <strong>{t('templates.subject')}</strong> {preview.subject}
            </p>
          )}
          {preview.sms && (
            <p data-testid="sms-length">
              {t('templates.smsLength', {
                units: preview.sms.units,
                encoding: preview.sms.encoding,
                parts: preview.sms.parts,
              })}
            </p>
          )}
          {preview.providerTemplate && (
            <dl className="provider-params" data-testid="preview-provider">
              <dt>{t('templates.providerCode')}</dt>
              <dd>{preview.providerTemplate.code}</dd>
              {Object.entries(preview.providerTemplate.params).map(([name, value]) => (
                <div key={name}>
                  <dt>{name}</dt>
                  <dd>{value}</dd>
                </div>
              ))}
            </dl>
          )}
          {channel === 'email' ? (
            // The rendered email in a sandboxed frame: no script runs and no link navigates the console.
            <iframe
              title={t('templates.preview')}
              sandbox=""
              srcDoc={preview.body}
              data-testid="preview-body"
            />
          ) : (
            <pre data-testid="preview-body">{preview.body}</pre>
          )}
        </div>
      )}
    </div>
  );
}
