import { useCallback, useState } from 'react';
import { api, type Shop, type StoredProgram } from '../../api.js';
import { dateTime } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useAttempt } from '../../useAttempt.js';
import { useLoad } from '../../useLoad.js';
import { JobList } from './JobList.js';
import { ProgramEditor } from './ProgramEditor.js';
import { TierChart } from './TierChart.js';

export function MembershipPage({ shop }: { shop: Shop }) {
  const { t, lang } = useI18n();
  const [version, setVersion] = useState(0);
  const program = useLoad(() => api<StoredProgram>('/api/membership/program'), 'program');
  const [notice, setNotice] = useState<string | null>(null);
  const { problem, attempt } = useAttempt();
  const bump = useCallback(() => setVersion((v) => v + 1), []);

  const run = (path: string) =>
    attempt(async () => {
      await api(path, { method: 'POST' });
      bump();
    });

  if (program.error) return <p className="error">{t('common.error', { message: program.error })}</p>;
  if (!program.data) return <p className="loading">{t('common.loading')}</p>;
  return (
    <section className="membership">
      <h1>{t('tiers.title')}</h1>
      <div className="cards">
        <div className="card wide">
          <h2>{t('tiers.distribution')}</h2>
          <TierChart currency={shop.currency} version={String(version)} />
        </div>
        <div className="card">
          <h2>{t('jobs.title')}</h2>
          <p>
            {t('tiers.nextReview')}:{' '}
            {program.data.nextReviewAt ? dateTime(program.data.nextReviewAt, shop.timeZone, lang) : '—'}
          </p>
          <div className="actions">
            <button type="button" onClick={() => run('/api/membership/review')}>
              {t('tiers.reviewNow')}
            </button>
            <button type="button" onClick={() => run('/api/membership/regrade')}>
              {t('tiers.regradeNow')}
            </button>
            <button type="button" onClick={() => run('/api/membership/expire-points')}>
              {t('points.expireNow')}
            </button>
            <button type="button" onClick={() => run('/api/predictions/run')}>
              {t('predict.runNow')}
            </button>
          </div>
          {problem && <p className="error">{problem}</p>}
          {notice && (
            <p className="notice" role="status">
              {notice}
            </p>
          )}
        </div>
      </div>
      <JobList timeZone={shop.timeZone} version={version} onDone={bump} />
      <h2>{t('tiers.program')}</h2>
      <p className="muted">{t('tiers.programHelp')}</p>
      <ProgramEditor
        key={program.data.version}
        stored={program.data}
        currency={shop.currency}
        onSaved={(saved) => {
          setNotice(saved.regrade ? t('tiers.savedRegrade') : t('tiers.saved'));
          program.reload();
          bump();
        }}
      />
    </section>
  );
}
