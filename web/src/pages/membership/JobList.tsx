import { useEffect, useRef } from 'react';
import { api, type Job } from '../../api.js';
import { dateTime } from '../../format.js';
import { useI18n } from '../../i18n.js';
import { useFollow, useLoad } from '../../useLoad.js';

/** The shop's recent background jobs, followed live while one waits or runs. */
export function JobList({
  timeZone,
  version,
  onDone,
}: {
  timeZone: string;
  version: number;
  onDone: () => void;
}) {
  const { t, label, lang } = useI18n();
  const jobs = useLoad(() => api<{ items: Job[] }>('/api/jobs?limit=8'), String(version));
  const active = jobs.data?.items.some((j) => j.status === 'queued' || j.status === 'running');
  const { reload } = jobs;
  const wasActive = useRef(false);
  useEffect(() => {
    // A job just finished: what it changed (tiers, balances) is worth showing.
    if (wasActive.current && !active) onDone();
    wasActive.current = Boolean(active);
  }, [active, onDone]);
  useFollow(active, reload);
  if (!jobs.data || jobs.data.items.length === 0) return <p>{t('jobs.none')}</p>;
  return (
    <table data-testid="jobs">
      <thead>
        <tr>
          <th>{t('jobs.kind')}</th>
          <th>{t('jobs.created')}</th>
          <th>{t('jobs.status')}</th>
          <th>{t('jobs.progress')}</th>
          <th>{t('jobs.result')}</th>
        </tr>
      </thead>
      <tbody>
        {jobs.data.items.map((j) => {
          return (
            <tr key={j.jobId} data-kind={j.kind} data-status={j.status}>
              <td>{label(`jobs.kind.${j.kind}`, j.kind)}</td>
              <td>{dateTime(j.createdAt, timeZone, lang)}</td>
              <td>{label(`jobs.status.${j.status}`, j.status)}</td>
              <td>
                <progress max={j.total ?? 1} value={j.status === 'completed' ? (j.total ?? 1) : j.done} />{' '}
                {j.done}
                {j.total !== null ? ` / ${j.total}` : ''}
              </td>
              <td data-testid="job-result">
                {j.failure ??
                  Object.entries(j.result ?? {})
                    .filter(([, v]) => typeof v === 'number' || (Array.isArray(v) && v.length > 0))
                    .map(([k, v]) => `${label(`jobs.result.${k}`, k)} ${resultValue(v)}`)
                    .join(' · ')}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Counts as they are, fitted figures to three places, lists (tags whose rule broke) by name. */
function resultValue(v: unknown): string {
  if (Array.isArray(v)) return v.join(', ');
  const n = Number(v);
  return Number.isInteger(n) ? String(n) : n.toFixed(3);
}
