// Route plugins see requests typed from their zod schemas. Responses are documented by schemas too but
// sent as plain JSON (Date → ISO string), so they are left untyped here rather than typed as strings.
import type { FastifyPluginAsync, FastifyTypeProvider, RawServerDefault } from 'fastify';
import type { z } from 'zod';

export interface RequestTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: unknown;
}

export type ApiPlugin = FastifyPluginAsync<Record<never, never>, RawServerDefault, RequestTypeProvider>;
