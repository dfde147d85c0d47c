// Who is calling: a staff session cookie (the console) or a per-shop API key (integrations). Either way
// the request gets exactly one shopId, and every route reads and writes through it alone.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/db.js';
import { shopForApiKey } from '../shops/apiKeys.js';
import { staffForSession } from '../shops/staff.js';

export const SESSION_COOKIE = 'regulars_session';

const PUBLIC = [/^\/api\/auth\/login$/, /^\/api\/openapi\.json$/, /^\/api\/docs(\/|$)/, /^\/api\/health$/];

export function authenticate(db: Db) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]!;
    if (!path.startsWith('/api/') || PUBLIC.some((p) => p.test(path))) return;
    const header = request.headers.authorization;
    if (header) {
      const key = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      const shopId = key ? await shopForApiKey(db, key) : null;
      if (!shopId)
        return reply
          .code(401)
          .send({ error: 'unauthorized', message: 'Unknown or revoked API key', details: [] });
      request.shopId = shopId;
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    const staff = token ? await staffForSession(db, token) : null;
    if (!staff) {
      return reply
        .code(401)
        .send({ error: 'unauthorized', message: 'Sign in or send an API key', details: [] });
    }
    request.shopId = staff.shopId;
    request.staff = staff;
  };
}
