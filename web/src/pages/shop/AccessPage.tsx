import type { Me } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { Activity } from './Activity.js';
import { ApiKeys } from './ApiKeys.js';
import { OwnPassword } from './OwnPassword.js';
import { RetentionSettings } from './Retention.js';
import { StaffList } from './StaffList.js';

/**
 * Who may use the shop: its staff with their roles, the API keys its integrations call with, your password,
 * and, for the admins and the owner, what each of them did and how long that record is kept.
 */
export function AccessPage({ me }: { me: Me }) {
  const { t } = useI18n();
  return (
    <>
      <h1>{t('access.title')}</h1>
      <StaffList me={me} />
      <ApiKeys me={me} />
      <OwnPassword />
      {me.access.includes('administer') && <Activity me={me} />}
      {me.access.includes('administer') && <RetentionSettings me={me} />}
    </>
  );
}
