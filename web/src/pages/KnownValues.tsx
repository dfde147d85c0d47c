// The categories, brands and stores the shop's customers bought, with their buyers (GET /api/catalog),
// offered where one is typed — a segment's purchase condition, a purchase entered by hand — so that
// 'skincare/oily' is picked rather than retyped as 'skin care/oily', which would match no one.
import { useId, type ReactElement } from 'react';
import { api } from '../api.js';
import { useI18n } from '../i18n.js';
import { useLoad } from '../useLoad.js';

interface Catalog {
  categories: { category: string; buyers: number }[];
  stores: { storeId: string; buyers: number }[];
  brands: { brand: string; buyers: number }[];
}

/**
 * The ids of three datalists to give inputs as `list`, and the lists themselves to render once; read
 * only while `wanted` (a form that is open).
 */
export function useKnownValues(wanted = true): {
  categories: string;
  stores: string;
  brands: string;
  lists: ReactElement;
} {
  const { t } = useI18n();
  const id = useId();
  const catalog = useLoad(
    async () => (wanted ? api<Catalog>('/api/catalog') : null),
    wanted ? 'catalog' : 'none',
  ).data;
  const ids = { categories: `${id}-categories`, stores: `${id}-stores`, brands: `${id}-brands` };
  return {
    ...ids,
    lists: (
      <>
        <datalist id={ids.categories} data-testid="known-categories">
          {catalog?.categories.map((c) => (
            <option key={c.category} value={c.category}>
              {t('known.buyers', { n: c.buyers })}
            </option>
          ))}
        </datalist>
        <datalist id={ids.stores} data-testid="known-stores">
          {catalog?.stores.map((s) => (
            <option key={s.storeId} value={s.storeId}>
              {t('known.buyers', { n: s.buyers })}
            </option>
          ))}
        </datalist>
        <datalist id={ids.brands} data-testid="known-brands">
          {catalog?.brands.map((b) => (
            <option key={b.brand} value={b.brand}>
              {t('known.buyers', { n: b.buyers })}
            </option>
          ))}
        </datalist>
      </>
    ),
  };
}
