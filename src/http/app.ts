// The HTTP server: JSON API under /api (documented by OpenAPI at /api/openapi.json, browsable at /api/docs),
// the operator console's static files everywhere else. Routes stay thin: validate, call an area, answer.
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { Db } from '../db/db.js';
import { AppError } from '../errors.js';
import type { ImportQueue } from '../imports/queue.js';
import { recordActivity } from '../shops/activity.js';
import type { Staff } from '../shops/staff.js';
import type { JobRunner } from '../jobs/runner.js';
import { campaignRoutes } from './routes/campaigns.js';
import { responseRoutes } from './routes/responses.js';
import { channelRoutes } from './routes/channels.js';
import { couponRoutes } from './routes/coupons.js';
import { flowRoutes } from './routes/flows.js';
import { analyticsRoutes } from './routes/analytics.js';
import { insertRoutes } from './routes/inserts.js';
import { jobRoutes } from './routes/jobs.js';
import { memberCardRoutes } from './routes/memberCards.js';
import { membershipRoutes } from './routes/membership.js';
import { pointsRoutes } from './routes/points.js';
import { predictionRoutes } from './routes/predictions.js';
import { rfmRoutes } from './routes/rfm.js';
import { segmentRoutes } from './routes/segments.js';
import { tagRoutes } from './routes/tags.js';
import { authenticate } from './auth.js';
import type { RequestTypeProvider } from './plugin.js';
import { authRoutes } from './routes/auth.js';
import { customerRoutes } from './routes/customers.js';
import { noteRoutes } from './routes/notes.js';
import { serviceRoutes } from './routes/service.js';
import { usageRoutes } from './routes/usage.js';
import { importRoutes } from './routes/imports.js';
import { mappingRoutes } from './routes/mappings.js';
import { keyRoutes } from './routes/keys.js';
import { shopRoutes } from './routes/shop.js';
import { staffRoutes } from './routes/staff.js';
import { orderRoutes } from './routes/orders.js';

export interface AppOptions {
  db: Db;
  imports: ImportQueue;
  /** Woken when a route queues a background job. */
  jobs: JobRunner;
  uploadDir: string;
  /** Where the shops' export archives are written (by the runner's jobs) and read from. */
  exportDir: string;
  /** Where links in messages point for a shop that set no address of its own (Config.publicUrl). */
  publicUrl: string;
  cookieSecure?: boolean;
  /** Fastify's `trustProxy`: whose X-Forwarded-For gives the client's address. */
  trustProxy?: boolean | string;
  logLevel?: string;
  /** The built console; when absent (tests of the API alone) only the API is served. */
  webDir?: string;
}

export type App = FastifyInstance;
export const BODY_LIMIT = 1024 * 1024;
/** web/dist of this package, whether running from src (tests) or from the build in dist/src. */
export const DEFAULT_WEB_DIR = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'web', 'dist') + sep;
})();

const MAX_BODY_DEPTH = 64;

function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_BODY_DEPTH) return deepest;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

export async function buildApp(options: AppOptions): Promise<App> {
  const app = Fastify({
    logger: { level: options.logLevel ?? 'info' },
    bodyLimit: BODY_LIMIT,
    trustProxy: options.trustProxy ?? false,
    // Signed links carry their claim in the path (a tracked click, its destination too).
    routerOptions: { maxParamLength: 4096 },
  }).withTypeProvider<RequestTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the API; answers are plain JSON (dates become ISO 8601 strings).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof AppError) {
      return reply.code(err.status).send({ error: err.code, message: err.message, details: err.details });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const details = err.validation.map((v) => ({
        // The body itself (a JSON array where an object belongs) has the path "/": it is just "body".
        field: [err.validationContext, ...v.instancePath.split('/').filter(Boolean)].join('.'),
        message: v.message ?? 'invalid',
      }));
      return reply.code(400).send({
        error: 'invalid_input',
        message: `Invalid ${err.validationContext}: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`,
        details,
      });
    }
    const known: Record<string, [number, string]> = {
      FST_ERR_CTP_INVALID_JSON_BODY: [400, 'malformed_json'],
      FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'malformed_json'],
      FST_ERR_CTP_BODY_TOO_LARGE: [413, 'body_too_large'],
      FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type'],
      FST_REQ_FILE_TOO_LARGE: [413, 'file_too_large'],
      FST_INVALID_MULTIPART_CONTENT_TYPE: [415, 'unsupported_media_type'],
    };
    const mapped = err.code ? known[err.code] : undefined;
    if (mapped) return reply.code(mapped[0]).send({ error: mapped[1], message: err.message, details: [] });
    if (err.statusCode && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ error: 'bad_request', message: err.message, details: [] });
    }
    request.log.error({ err, url: request.url, method: request.method }, 'unexpected error');
    return reply.code(500).send({ error: 'internal', message: 'Internal server error', details: [] });
  });

  await app.register(cookie);
  await app.register(multipart, { limits: { fileSize: 4 * 1024 ** 3, files: 1, fields: 10 } });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Regulars API',
        version: '0.1.0',
        description:
          "The Regulars CRM API. Every call acts for one shop: staff sign in for a session cookie and are held to their role (viewer reads; operator does the day's work; admin changes settings; owner manages API keys; beyond it, 403); integrations send an API key as `Authorization: Bearer rk_…`.",
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'A per-shop API key (rk_…)' },
          session: { type: 'apiKey', in: 'cookie', name: 'regulars_session' },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());
  app.get('/api/health', { schema: { hide: true } }, async () => {
    await options.db.query('select 1');
    return { ok: true, database: options.db.kind };
  });

  app.decorateRequest('shopId', '');
  app.decorateRequest('staff', null);
  app.decorateRequest('apiKey', null);
  app.decorateRequest('activityParams', null);
  app.addHook('onRequest', authenticate(options.db));
  app.addHook('onSend', async (request, reply, payload) => {
    const config = request.routeOptions.config;
    const reads = request.method === 'GET' || request.method === 'HEAD';
    const recorded = config.activity === 'staff' ? request.staff !== null : (config.activity ?? !reads);
    if (!recorded || (!request.staff && !request.apiKey)) return payload;
    // Written before the answer goes, so that whoever reads the activity next finds it; a record that
    // cannot be written is logged, never the caller's failure.
    await recordActivity(options.db, {
      shopId: request.shopId,
      staff: request.staff,
      apiKey: request.apiKey,
      address: request.ip,
      method: request.method,
      route: request.routeOptions.url ?? request.url.split('?')[0]!,
      params: { ...(request.params as object), ...(request.query as object), ...request.activityParams },
      status: reply.statusCode,
    }).catch((err: unknown) => request.log.error({ err }, 'activity not recorded'));
    return payload;
  });
  // Schemas that nest (segment rules) are checked recursively; a body nested thousands deep would
  // exhaust the stack there, so depth is checked first, without recursion.
  app.addHook('preValidation', async (request) => {
    if (nestingDepth(request.body) > MAX_BODY_DEPTH) {
      throw AppError.invalid(`The body nests more than ${MAX_BODY_DEPTH} levels deep`, [
        { field: 'body', message: `at most ${MAX_BODY_DEPTH} levels of objects and arrays` },
      ]);
    }
  });
  await app.register(authRoutes(options));
  await app.register(customerRoutes(options));
  await app.register(noteRoutes(options));
  await app.register(serviceRoutes(options));
  await app.register(usageRoutes(options));
  await app.register(orderRoutes(options));
  await app.register(importRoutes(options));
  await app.register(mappingRoutes(options));
  await app.register(keyRoutes(options));
  await app.register(staffRoutes(options));
  await app.register(shopRoutes(options));
  await app.register(jobRoutes(options));
  await app.register(membershipRoutes(options));
  await app.register(pointsRoutes(options));
  await app.register(memberCardRoutes(options));
  await app.register(predictionRoutes(options));
  await app.register(rfmRoutes(options));
  await app.register(tagRoutes(options));
  await app.register(segmentRoutes(options));
  await app.register(channelRoutes(options));
  await app.register(campaignRoutes(options));
  await app.register(responseRoutes(options));
  await app.register(couponRoutes(options));
  await app.register(flowRoutes(options));
  await app.register(analyticsRoutes(options));
  await app.register(insertRoutes(options));

  const webDir = options.webDir;
  if (webDir && existsSync(webDir)) {
    await app.register(fastifyStatic, { root: webDir, wildcard: false });
  }
  app.setNotFoundHandler((request, reply) => {
    // The console is a single-page app: its routes are all answered by index.html.
    if (request.method === 'GET' && !request.url.startsWith('/api/') && webDir && existsSync(webDir)) {
      return reply.sendFile('index.html');
    }
    return reply
      .code(404)
      .send({ error: 'not_found', message: `No route ${request.method} ${request.url}`, details: [] });
  });
  return app;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The shop this request acts for, set by authentication. */
    shopId: string;
    /** The signed-in staff member; null when an API key calls. */
    staff: Staff | null;
    /** The API key that calls; null when staff do. */
    apiKey: { keyId: string; name: string } | null;
    /** What the route adds to its activity entry beyond its path and query (an entered order's ids). */
    activityParams: Record<string, unknown> | null;
  }
}
