// Environment → typed config, read and checked once at start.
import { z } from 'zod';
import { resolve } from 'node:path';
import { defaultPgliteBuffersMb } from './db/db.js';

const Env = z.object({
  // Empty (as `DATABASE_URL=` in a shell or .env file) means unset: the embedded database.
  DATABASE_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional()),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  REGULARS_DATA_DIR: z.string().default('.regulars'),
  // PGlite's page cache in MB. PGlite's memory tops out at 2 GB, and it takes the whole cache at start.
  REGULARS_PGLITE_BUFFERS: z.coerce.number().int().min(16).max(1024).default(defaultPgliteBuffersMb()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Secure cookies need HTTPS; set when the console is served behind TLS.
  COOKIE_SECURE: z.enum(['true', 'false']).default('false'),
});

export interface Config {
  databaseUrl?: string;
  port: number;
  host: string;
  dataDir: string;
  pgliteBuffersMb: number;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  cookieSecure: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment: ${problems}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    port: e.PORT,
    host: e.HOST,
    dataDir: resolve(e.REGULARS_DATA_DIR),
    pgliteBuffersMb: e.REGULARS_PGLITE_BUFFERS,
    logLevel: e.LOG_LEVEL,
    cookieSecure: e.COOKIE_SECURE === 'true',
  };
}
