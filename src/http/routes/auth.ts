import type { FastifyReply } from 'fastify';
import type { ApiPlugin } from '../plugin.js';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import { ACCESS, accessOf, ROLES } from '../../shops/roles.js';
import { DEVICE_DAYS } from '../../shops/devices.js';
import { getShop } from '../../shops/shops.js';
import { addressFailed, addressPausedUntil } from '../../shops/addressThrottle.js';
import {
  PasswordChange,
  changeOwnPassword,
  sessionShops,
  signIn,
  signOut,
  switchShop,
  type Staff,
} from '../../shops/staff.js';
import type { AppOptions } from '../app.js';
import { DEVICE_COOKIE, SESSION_COOKIE } from '../auth.js';
import { ErrorBody, errors } from '../schemas.js';
import { ShopBody } from './shop.js';

const ShopChoice = z.object({ shopId: z.uuid(), name: z.string(), role: z.enum(ROLES) });

const Me = z.object({
  staff: z.object({ staffId: z.uuid(), email: z.string(), name: z.string(), role: z.enum(ROLES) }),
  access: z
    .array(z.enum(ACCESS))
    .describe("what the staff member's role may do: read, operate (the day's work), administer, own"),
  roles: z.array(z.enum(ROLES)).describe('the roles staff can have, least first'),
  shop: ShopBody,
  shops: z
    .array(ShopChoice)
    .describe(
      'the shops this sign-in opened (this one among them), which POST /api/auth/switch moves between; one for a staff member of one shop',
    ),
});

const ChooseShop = ErrorBody.extend({
  shops: z
    .array(ShopChoice)
    .describe('the shops the password opens: sign in again with one of them as shopId'),
});

export const authRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    const me = async ({ shopId, ...staff }: Staff, token: string) => ({
      staff,
      access: accessOf(staff.role),
      roles: [...ROLES],
      shop: await getShop(o.db, shopId),
      shops: await sessionShops(o.db, token),
    });
    const setSession = (reply: FastifyReply, token: string, expires: Date) =>
      reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: o.cookieSecure ?? false,
        path: '/',
        expires,
      });

    app.post(
      '/api/auth/login',
      {
        schema: {
          tags: ['auth'],
          summary: 'Sign in as staff; sets an HttpOnly session cookie',
          description:
            'A staff member of several shops (an agency) whose password opens more than one of them, and who names none, gets 409 `choose_shop` listing those shops, and signs in again with one as `shopId`; that sign-in opens the others too (`shops` in the answer), and POST /api/auth/switch moves between them. Ten wrong passwords in a row lock the email for fifteen minutes (429), or until the owner sets a new password. A browser that signed in as the email before (its HttpOnly `regulars_device` cookie, sent to this route only) is not locked out; ten wrong passwords from it in a row make it a stranger again. Fifty wrong passwords from one client address (an IPv6 one by its /64 network) within fifteen minutes pause sign-ins from it (429 `throttled`) for the rest of those fifteen minutes, except from such browsers; every server process of the installation counts them together.',
          security: [],
          body: z.strictObject({
            email: z.string().trim().min(1).max(254),
            password: z.string().min(1).max(200),
            shopId: z.uuid().optional().describe('which shop, when the email is staff in several'),
          }),
          response: { 200: Me, 400: ErrorBody, 401: ErrorBody, 409: ChooseShop, 429: ErrorBody },
        },
      },
      async (request, reply) => {
        const signedIn = await signIn(o.db, request.body.email, request.body.password, {
          shopId: request.body.shopId,
          device: request.cookies[DEVICE_COOKIE],
          addressPausedUntil: await addressPausedUntil(o.db, request.ip),
        }).catch(async (err: unknown) => {
          if (err instanceof AppError && err.code === 'unauthorized') await addressFailed(o.db, request.ip);
          throw err;
        });
        if ('choose' in signedIn) {
          return reply.code(409).send({
            error: 'choose_shop',
            message: 'This email is staff in several shops with this password: choose one',
            details: [{ field: 'shopId', message: 'one of the shops listed' }],
            shops: signedIn.choose,
          });
        }
        const { staff, token, expiresAt, device } = signedIn;
        setSession(reply, token, expiresAt);
        // Sent back to the sign-in only: it is what lets this browser past a lock others set off.
        reply.setCookie(DEVICE_COOKIE, device, {
          httpOnly: true,
          sameSite: 'strict',
          secure: o.cookieSecure ?? false,
          path: '/api/auth/login',
          expires: new Date(Date.now() + DEVICE_DAYS * 86_400_000),
        });
        // Signed in now: the shop's activity records who, and from where (http/app.ts).
        request.shopId = staff.shopId;
        request.staff = staff;
        return me(staff, token);
      },
    );

    app.post(
      '/api/auth/switch',
      {
        config: { access: 'read' },
        schema: {
          tags: ['auth'],
          summary: 'Move the session to another shop its sign-in opened, without the password again',
          description:
            'The shops are those listed as `shops` by GET /api/me. A shop the sign-in did not open, or whose session ended since (its owner set the staff member a new password, or removed them), answers 404: sign in to it with its password. Sets the session cookie for that shop; the one for this shop stays valid until sign-out, which ends them all.',
          body: z.strictObject({ shopId: z.uuid() }),
          response: { 200: Me, ...errors },
        },
      },
      async (request, reply) => {
        if (!request.staff)
          throw new AppError('unauthorized', 401, 'API keys act for a shop, not a staff member');
        const moved = await switchShop(o.db, request.cookies[SESSION_COOKIE] ?? '', request.body.shopId);
        setSession(reply, moved.token, moved.expiresAt);
        // In the shop entered now: its activity records who came in, as for a sign-in.
        request.shopId = moved.staff.shopId;
        request.staff = moved.staff;
        return me(moved.staff, moved.token);
      },
    );

    app.post(
      '/api/auth/logout',
      {
        config: { access: 'read' },
        schema: { tags: ['auth'], summary: 'End the session', response: { 204: z.null() } },
      },
      async (request, reply) => {
        const token = request.cookies[SESSION_COOKIE];
        if (token) await signOut(o.db, token);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/api/me',
      {
        schema: {
          tags: ['auth'],
          summary: 'The signed-in staff member and their shop',
          response: { 200: Me, 401: ErrorBody },
        },
      },
      async (request) => {
        if (!request.staff)
          throw new AppError('unauthorized', 401, 'API keys act for a shop, not a staff member');
        return me(request.staff, request.cookies[SESSION_COOKIE] ?? '');
      },
    );

    app.put(
      '/api/me/password',
      {
        // Every role may change its own password.
        config: { access: 'read' },
        schema: {
          tags: ['auth'],
          summary: 'Change your own password; your other sessions end, this one stays',
          body: PasswordChange,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        if (!request.staff)
          throw new AppError('unauthorized', 401, 'API keys act for a shop, not a staff member');
        await changeOwnPassword(o.db, request.staff, request.cookies[SESSION_COOKIE] ?? '', request.body);
        return reply.code(204).send(null);
      },
    );
  };
