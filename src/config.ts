// Environment → typed config, read and checked once at start.
import { z } from 'zod';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
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
  // The address customers reach this server at: links in messages (unsubscribe, clicks, the open pixel)
  // and providers' callbacks start with it, for every shop that has not set its own on the Channels
  // page. Unset: http://localhost and the port.
  REGULARS_PUBLIC_URL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .url({ protocol: /^https?$/, message: 'an http:// or https:// address' })
      .max(500)
      .optional(),
  ),
  // Secure cookies need HTTPS; set when the console is served behind TLS.
  COOKIE_SECURE: z.enum(['true', 'false']).default('false'),
  // Behind a reverse proxy: the proxies whose X-Forwarded-For gives the client's address (sign-in
  // throttling counts by it), as addresses or CIDRs separated by commas ('loopback' for one on this
  // machine); 'true' believes any sender, which only a proxy that overwrites the header makes safe.
  REGULARS_TRUST_PROXY: z
    .string()
    .default('false')
    .refine((v) => v === 'true' || v === 'false' || v.split(',').every((a) => isProxyAddress(a.trim())), {
      message:
        "'true', 'false', or addresses/CIDRs (or loopback, linklocal, uniquelocal) separated by commas",
    }),
});

export interface Config {
  databaseUrl?: string;
  port: number;
  host: string;
  dataDir: string;
  /** Files waiting for their import, under the data directory. */
  uploadDir: string;
  /** The shops' export archives, under the data directory. */
  exportDir: string;
  pgliteBuffersMb: number;
  /** Where links in messages point for a shop that set no address of its own (no trailing slash). */
  publicUrl: string;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  cookieSecure: boolean;
  trustProxy: boolean | string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment: ${problems}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.REGULARS_DATA_DIR);
  return {
    databaseUrl: e.DATABASE_URL,
    port: e.PORT,
    host: e.HOST,
    dataDir,
    uploadDir: join(dataDir, 'uploads'),
    exportDir: join(dataDir, 'exports'),
    pgliteBuffersMb: e.REGULARS_PGLITE_BUFFERS,
    publicUrl: (e.REGULARS_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    logLevel: e.LOG_LEVEL,
    cookieSecure: e.COOKIE_SECURE === 'true',
    trustProxy: trustProxy(e.REGULARS_TRUST_PROXY),
  };
}

/** Fastify's `trustProxy`, from the variable's text. */
function trustProxy(text: string): boolean | string {
  return text === 'true' || text === 'false' ? text === 'true' : text;
}

/** An address, a CIDR range, or one of the names of ranges Fastify's proxy-addr knows. */
function isProxyAddress(text: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(text)) return true;
  const [address, bits, ...rest] = text.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}
