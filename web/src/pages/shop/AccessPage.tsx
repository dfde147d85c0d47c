import type { Me } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { ApiKeys } from './ApiKeys.js';
import { OwnPassword } from './OwnPassword.js';
import { StaffList } from './StaffList.js';

/** Who may use the shop: its staff with their roles, the API keys its integrations call with, and your password. */
export function AccessPage({ me }: { me: Me }) {
  const { t } = useI18n();
  return (
    <>
      <h1>{t('access.title')}</h1>
      <StaffList me={me} />
      <ApiKeys me={me} />
      <OwnPassword />
    </>
  );
}
