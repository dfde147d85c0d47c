import { useI18n } from '../../i18n.js';

/** The foot of a desk settings form: its save button for those who may change it, and "Saved." once saved. */
export function SaveRow({
  editable,
  busy,
  saved,
  label,
}: {
  editable: boolean;
  busy: boolean;
  saved: boolean;
  label: string;
}) {
  const { t } = useI18n();
  if (!editable) return null;
  return (
    <div>
      <button type="submit" disabled={busy}>
        {label}
      </button>
      {saved && <span className="muted"> {t('service.targetsSaved')}</span>}
    </div>
  );
}
