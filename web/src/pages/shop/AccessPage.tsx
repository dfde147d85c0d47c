import type { Me, Shop } from '../../api.js';
import { useI18n } from '../../i18n.js';
import { Activity } from './Activity.js';
import { ApiKeys } from './ApiKeys.js';
import { OwnPassword } from './OwnPassword.js';
import { RetentionSettings } from './RetentionSettings.js';
import { ShopData } from './ShopData.js';
import { ShopSettings } from './ShopSettings.js';
import { StaffList } from './StaffList.js';

/**
 * The shop's own settings, and who may use the shop: its staff with their roles, the API keys its
 * integrations call with, your password, and, for the admins and the owner, what each of them did and how
 * long that record is kept; for the owner, the shop's data to take away, and the shop's deletion.
 */
export function AccessPage({
  me,
  onShopChanged,
  onShopDeleted,
}: {
  me: Me;
  onShopChanged: (shop: Shop) => void;
  onShopDeleted: (name: string) => void;
}) {
  const { t } = useI18n();
  return (
    <>
      <h1>{t('access.title')}</h1>
      <ShopSettings me={me} onChanged={onShopChanged} />
      <StaffList me={me} />
      <ApiKeys me={me} />
      <OwnPassword />
      {me.access.includes('administer') && <Activity me={me} />}
      {me.access.includes('administer') && <RetentionSettings me={me} />}
      {me.access.includes('own') && <ShopData me={me} onDeleted={onShopDeleted} />}
    </>
  );
}
