// Who is calling: a staff session cookie (the console) or a per-shop API key (integrations). Either way
// the request gets exactly one shopId, and every route reads and writes through it alone. Staff are then
// held to their role: a route's `config.access` says what it asks (by default reading for GET, the day's
// work for anything that changes data).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/db.js';
import { shopForApiKey } from '../shops/apiKeys.js';
import { LEAST_ROLE, allows, type Access } from '../shops/roles.js';
import { staffForSession } from '../shops/staff.js';

export const SESSION_COOKIE = 'regulars_session';
/** A browser where staff signed in before (shops/devices.ts). */
export const DEVICE_COOKIE = 'regulars_device';

const PUBLIC = [/^\/api\/auth\/login$/, /^\/api\/openapi\.json$/, /^\/api\/docs(\/|$)/, /^\/api\/health$/];

/**
 * Where a change came from, as the timeline names it: staff signed in work through the console; an API
 * key is an integration.
 */
export const callerOrigin = (request: FastifyRequest): 'console' | 'api' =>
  request.staff ? 'console' : 'api';

export function authenticate(db: Db) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]!;
    if (!path.startsWith('/api/') || PUBLIC.some((p) => p.test(path))) return;
    const header = request.headers.authorization;
    if (header) {
      const key = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      const found = key ? await shopForApiKey(db, key) : null;
      if (!found)
        return reply
          .code(401)
          .send({ error: 'unauthorized', message: 'Unknown or revoked API key', details: [] });
      request.shopId = found.shopId;
      request.apiKey = { keyId: found.keyId, name: found.name };
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
    const access: Access =
      request.routeOptions.config.access ??
      (request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'operate');
    if (!allows(staff.role, access)) {
      const least = LEAST_ROLE[access];
      return reply.code(403).send({
        error: 'forbidden',
        message: `Your role (${staff.role}) cannot ${WHAT[access]}: that takes an ${least}${least === 'owner' ? '' : ' or above'}`,
        details: [],
      });
    }
  };
}

const WHAT: Record<Access, string> = {
  read: 'read this',
  operate: 'change data',
  administer: "change the shop's settings",
  own: "manage the shop's staff and API keys",
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route asks of a staff caller (see shops/roles.ts). */
    access?: Access;
    /**
     * Whether a call is written to the shop's activity (shops/activity.ts): by default every call that
     * changes data; true for a read that hands out customers' personal data (an export); 'staff' for
     * the intake of orders and people, which integrations call once per order or sign-up (the rows
     * themselves record those) but which staff call from the console to enter a purchase or a member by
     * hand, which earns points or adds a person, and so is audited.
     */
    activity?: boolean | 'staff';
  }
}
