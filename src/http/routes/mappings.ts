// Column mappings saved by name (imports/mappings.ts), for files of the same kind: what the import page
// offers beside the formats.
import { z } from 'zod';
import {
  deleteSavedMapping,
  listSavedMappings,
  saveMapping,
  SavedMappingInput,
} from '../../imports/mappings.js';
import type { AppOptions } from '../app.js';
import { SavedMapping } from '../importSchemas.js';
import type { ApiPlugin } from '../plugin.js';
import { errors } from '../schemas.js';

const MappingParams = z.object({ mappingId: z.string() });

export const mappingRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    app.get(
      '/api/import-mappings',
      {
        schema: {
          tags: ['imports'],
          summary: 'Column mappings saved by name, by name',
          response: { 200: z.object({ items: z.array(SavedMapping) }), ...errors },
        },
      },
      async (request) => ({ items: await listSavedMappings(o.db, request.shopId) }),
    );
    app.post(
      '/api/import-mappings',
      {
        schema: {
          tags: ['imports'],
          summary: 'Save a column mapping by name, for files of the same kind',
          description:
            "Checked as an import's options are; a name the shop has given another mapping is refused.",
          body: SavedMappingInput,
          response: { 201: SavedMapping, ...errors },
        },
      },
      async (request, reply) => reply.code(201).send(await saveMapping(o.db, request.shopId, request.body)),
    );
    app.put(
      '/api/import-mappings/:mappingId',
      {
        schema: {
          tags: ['imports'],
          summary: 'Replace a saved column mapping',
          params: MappingParams,
          body: SavedMappingInput,
          response: { 200: SavedMapping, ...errors },
        },
      },
      async (request) => saveMapping(o.db, request.shopId, request.body, request.params.mappingId),
    );
    app.delete(
      '/api/import-mappings/:mappingId',
      {
        schema: {
          tags: ['imports'],
          summary: 'Delete a saved column mapping',
          params: MappingParams,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await deleteSavedMapping(o.db, request.shopId, request.params.mappingId);
        return reply.code(204).send();
      },
    );
  };
