// Hash routes: #/customers, #/customers/<id>, #/imports, #/membership, #/cards, #/rfm, #/tags, #/segments,
// #/dashboard, #/campaigns, #/flows, #/templates, #/coupons, #/inserts, #/channels, #/service, #/access.
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'customers'; q: string; offset: number }
  | { page: 'customer'; id: string }
  | { page: 'imports' }
  | { page: 'membership' }
  | { page: 'cards' }
  | { page: 'rfm' }
  | { page: 'tags' }
  | { page: 'segments' }
  | { page: 'campaigns' }
  | { page: 'flows' }
  | { page: 'dashboard' }
  | { page: 'templates' }
  | { page: 'channels' }
  | { page: 'coupons' }
  | { page: 'inserts' }
  | { page: 'service' }
  | { page: 'access' };

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  const params = new URLSearchParams(query);
  if (parts[0] === 'customers' && parts[1]) return { page: 'customer', id: decodeURIComponent(parts[1]) };
  const pages = [
    'imports',
    'membership',
    'cards',
    'rfm',
    'tags',
    'segments',
    'campaigns',
    'flows',
    'dashboard',
    'templates',
    'channels',
    'coupons',
    'inserts',
    'service',
    'access',
  ] as const;
  const page = pages.find((p) => p === parts[0]);
  if (page) return { page };
  return { page: 'customers', q: params.get('q') ?? '', offset: Number(params.get('offset') ?? 0) || 0 };
}

export function href(route: Route): string {
  if (route.page === 'customer') return `#/customers/${encodeURIComponent(route.id)}`;
  if (route.page !== 'customers') return `#/${route.page}`;
  const params = new URLSearchParams();
  if (route.q) params.set('q', route.q);
  if (route.offset) params.set('offset', String(route.offset));
  const query = params.toString();
  return `#/customers${query ? `?${query}` : ''}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
