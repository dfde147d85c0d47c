import { useI18n } from '../../i18n.js';
import { Problem } from '../../Problem.js';

/** Every settings form ends the same way: save, say it was saved, or say what was wrong. */
export function SaveRow({ busy, done, problem }: { busy: boolean; done: boolean; problem: string | null }) {
  const { t } = useI18n();
  return (
    <>
      <button type="submit" disabled={busy}>
        {t('channels.save')}
      </button>
      {done && <span className="notice">{t('channels.saved')}</span>}
      <Problem text={problem} />
    </>
  );
}
