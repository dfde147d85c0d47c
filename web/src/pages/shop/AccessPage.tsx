import type { Me } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { ApiKeys } from './ApiKeys.js';
import { StaffList } from './StaffList.js';

/** Who may use the shop: its staff with their roles, and the API keys its integrations call with. */
export function AccessPage({ me }: { me: Me }) {
  const { t } = useI18n();
  return (
    <>
      <h1>{t('access.title')}</h1>
      <StaffList me={me} />
      <ApiKeys me={me} />
    </>
  );
}
