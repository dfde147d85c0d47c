import type { ApiPlugin } from '../plugin.js';
import { z } from 'zod';
import { createApiKey, listApiKeys, revokeApiKey } from '../../shops/apiKeys.js';
import type { AppOptions } from '../app.js';
import { errors } from '../schemas.js';

const ApiKey = z.object({
  keyId: z.uuid(),
  name: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});

export const keyRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    app.get(
      '/api/api-keys',
      {
        schema: {
          tags: ['api keys'],
          summary: "The shop's API keys",
          response: { 200: z.object({ items: z.array(ApiKey) }) },
        },
      },
      async (request) => ({ items: await listApiKeys(o.db, request.shopId) }),
    );
    app.post(
      '/api/api-keys',
      {
        config: { access: 'own' },
        schema: {
          tags: ['api keys'],
          summary: 'Create an API key; the key itself is shown only in this answer',
          body: z.strictObject({ name: z.string().trim().min(1).max(100) }),
          response: { 201: ApiKey.extend({ key: z.string() }), ...errors },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await createApiKey(o.db, request.shopId, request.body.name)),
    );
    app.delete(
      '/api/api-keys/:keyId',
      {
        config: { access: 'own' },
        schema: {
          tags: ['api keys'],
          summary: 'Revoke an API key',
          params: z.object({ keyId: z.string() }),
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await revokeApiKey(o.db, request.shopId, request.params.keyId);
        return reply.code(204).send(null);
      },
    );
  };
