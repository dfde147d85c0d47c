import { lazy, StrictMode, Suspense, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { api, ApiError, type Me } from './api.js';
import { I18nProvider, useI18n } from './i18n.js';
import { CustomerPage } from './pages/CustomerPage.js';
import { CampaignsPage } from './pages/engage/CampaignsPage.js';
import { FlowsPage } from './pages/engage/FlowsPage.js';
import { ChannelsPage } from './pages/engage/ChannelsPage.js';
import { CouponsPage } from './pages/engage/CouponsPage.js';
import { InsertsPage } from './pages/engage/InsertsPage.js';
import { TemplatesPage } from './pages/engage/TemplatesPage.js';
import { CustomersPage } from './pages/CustomersPage.js';
import { ImportsPage } from './pages/ImportsPage.js';
import { hasSeveralShops, LoginPage, rememberShop } from './pages/LoginPage.js';
import { CardsPage } from './pages/membership/CardsPage.js';
import { MembershipPage } from './pages/membership/MembershipPage.js';
import { RfmPage } from './pages/rfm/RfmPage.js';
import { SegmentsPage } from './pages/segments/SegmentsPage.js';
import { ServicePage } from './pages/service/ServicePage.js';
import { AccessPage } from './pages/shop/AccessPage.js';
import { TagsPage } from './pages/tags/TagsPage.js';
import { useRoute } from './route.js';
import './style.css';

// The dashboard brings the chart library: loaded when first opened, not with the console.
const DashboardPage = lazy(() =>
  import('./pages/analytics/DashboardPage.js').then((m) => ({ default: m.DashboardPage })),
);

function App() {
  const { t, label, lang, setLang } = useI18n();
  const route = useRoute();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  // The shop just deleted from this console, said on the sign-in page that follows.
  const [deletedShop, setDeletedShop] = useState<string | null>(null);
  // A staff member of several shops switching: the sign-in page that follows has their email filled in.
  const [switchingFrom, setSwitchingFrom] = useState<string | null>(null);

  useEffect(() => {
    api<Me>('/api/me')
      .then(setMe)
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) setMe(null);
        else throw err;
      });
  }, []);

  if (me === undefined) return <p className="loading">{t('common.loading')}</p>;
  if (me === null)
    return (
      <LoginPage
        onSignedIn={(signedIn) => {
          setDeletedShop(null);
          setSwitchingFrom(null);
          setMe(signedIn);
        }}
        deletedShop={deletedShop}
        switchingFrom={switchingFrom}
      />
    );

  const signOut = async (switching = false) => {
    await api('/api/auth/logout', { method: 'POST' });
    setSwitchingFrom(switching ? me.staff.email : null);
    setMe(null);
  };
  // To another shop this sign-in opened: no password asked. A customer's page is the old shop's.
  const switchTo = async (shopId: string) => {
    try {
      const moved = await api<Me>('/api/auth/switch', { method: 'POST', body: JSON.stringify({ shopId }) });
      rememberShop(shopId);
      if (route.page === 'customer') window.location.hash = '#/customers';
      setMe(moved);
    } catch (err) {
      // That shop's session ended meanwhile (a new password there): the menu shows the shops still open.
      if (err instanceof ApiError && err.status === 404) setMe(await api<Me>('/api/me'));
      else if (err instanceof ApiError && err.status === 401) setMe(null);
      else throw err;
    }
  };
  return (
    <div className="app">
      <header>
        <strong>{t('app.name')}</strong>
        {me.shops.length > 1 ? (
          <select
            className="shop"
            aria-label={t('nav.shop')}
            value={me.shop.shopId}
            onChange={(e) => void switchTo(e.target.value)}
          >
            {me.shops.map((s) => (
              <option key={s.shopId} value={s.shopId}>
                {s.shopId === me.shop.shopId ? me.shop.name : s.name}
              </option>
            ))}
          </select>
        ) : (
          <span className="shop" data-testid="shop-name" title={me.shop.name}>
            {me.shop.name}
          </span>
        )}
        <nav>
          <a
            href="#/customers"
            className={route.page === 'customers' || route.page === 'customer' ? 'active' : ''}
          >
            {t('nav.customers')}
          </a>
          <a href="#/service" className={route.page === 'service' ? 'active' : ''}>
            {t('nav.service')}
          </a>
          <a href="#/dashboard" className={route.page === 'dashboard' ? 'active' : ''}>
            {t('nav.dashboard')}
          </a>
          <a href="#/membership" className={route.page === 'membership' ? 'active' : ''}>
            {t('nav.membership')}
          </a>
          <a href="#/segments" className={route.page === 'segments' ? 'active' : ''}>
            {t('nav.segments')}
          </a>
          <a href="#/tags" className={route.page === 'tags' ? 'active' : ''}>
            {t('nav.tags')}
          </a>
          <a href="#/campaigns" className={route.page === 'campaigns' ? 'active' : ''}>
            {t('nav.campaigns')}
          </a>
          <a href="#/flows" className={route.page === 'flows' ? 'active' : ''}>
            {t('nav.flows')}
          </a>
          <a href="#/templates" className={route.page === 'templates' ? 'active' : ''}>
            {t('nav.templates')}
          </a>
          <a href="#/coupons" className={route.page === 'coupons' ? 'active' : ''}>
            {t('nav.coupons')}
          </a>
          <a href="#/inserts" className={route.page === 'inserts' ? 'active' : ''}>
            {t('nav.inserts')}
          </a>
          <a href="#/channels" className={route.page === 'channels' ? 'active' : ''}>
            {t('nav.channels')}
          </a>
          <a href="#/rfm" className={route.page === 'rfm' ? 'active' : ''}>
            {t('nav.rfm')}
          </a>
          <a href="#/cards" className={route.page === 'cards' ? 'active' : ''}>
            {t('nav.cards')}
          </a>
          <a href="#/imports" className={route.page === 'imports' ? 'active' : ''}>
            {t('nav.imports')}
          </a>
          <a href="#/access" className={route.page === 'access' ? 'active' : ''}>
            {t('nav.access')}
          </a>
          <a href="/api/docs" target="_blank" rel="noreferrer">
            {t('nav.apiDocs')}
          </a>
        </nav>
        <span className="who" data-testid="signed-in" title={me.staff.email}>
          {me.staff.name} · {label(`role.${me.staff.role}`, me.staff.role)}
        </span>
        <button type="button" className="link" onClick={() => setLang(lang === 'en' ? 'zh-CN' : 'en')}>
          {t('nav.language')}
        </button>
        {me.shops.length === 1 && hasSeveralShops(me.staff.email) && (
          <button type="button" className="link" onClick={() => void signOut(true)}>
            {t('nav.switchShop')}
          </button>
        )}
        <button type="button" className="link" onClick={() => void signOut()}>
          {t('nav.signOut')}
        </button>
      </header>
      {/* Another shop's pages start afresh. */}
      <main key={me.shop.shopId}>
        {route.page === 'customers' && (
          <CustomersPage shop={me.shop} access={me.access} q={route.q} offset={route.offset} />
        )}
        {route.page === 'customer' && (
          <CustomerPage shop={me.shop} access={me.access} staffId={me.staff.staffId} id={route.id} />
        )}
        {route.page === 'imports' && <ImportsPage shop={me.shop} />}
        {route.page === 'membership' && <MembershipPage shop={me.shop} />}
        {route.page === 'cards' && <CardsPage me={me} />}
        {route.page === 'rfm' && <RfmPage shop={me.shop} />}
        {route.page === 'tags' && <TagsPage shop={me.shop} />}
        {route.page === 'segments' && <SegmentsPage shop={me.shop} />}
        {route.page === 'campaigns' && <CampaignsPage shop={me.shop} />}
        {route.page === 'flows' && <FlowsPage shop={me.shop} />}
        {route.page === 'dashboard' && (
          <Suspense fallback={<p className="loading">{t('common.loading')}</p>}>
            <DashboardPage shop={me.shop} />
          </Suspense>
        )}
        {route.page === 'templates' && <TemplatesPage shop={me.shop} />}
        {route.page === 'channels' && <ChannelsPage />}
        {route.page === 'coupons' && <CouponsPage shop={me.shop} />}
        {route.page === 'inserts' && <InsertsPage />}
        {route.page === 'service' && <ServicePage shop={me.shop} access={me.access} />}
        {route.page === 'access' && (
          <AccessPage
            me={me}
            onShopChanged={(shop) => setMe({ ...me, shop })}
            onShopDeleted={(name) => {
              setDeletedShop(name);
              setMe(null);
            }}
          />
        )}
      </main>
    </div>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <App />
    </I18nProvider>
  </StrictMode>,
);
