/**
 * Where the queue lives: a `redis://` or `rediss://` (TLS) URL, with the password in the URL or in the
 * environment (SAFER_REDIS_PASSWORD, which keeps it out of shell history and `ps`). The password is
 * never printed: every message names the queue by `display`, the URL with the password masked, and
 * `redact` masks it in any text that comes back from Redis or the network.
 */
import { OptionError } from '../errors.js';

/** The environment variable a password is read from when the URL carries none. */
export const PASSWORD_ENV = 'SAFER_REDIS_PASSWORD';

export interface RedisTarget {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
  /** The URL as it can be shown: the password replaced by `***`. */
  readonly display: string;
}

/**
 * Parses a queue URL: `redis://[user[:password]@]host[:port][/db]`, `rediss://` for TLS (the server
 * certificate is checked against the system's CAs and NODE_EXTRA_CA_CERTS).
 *
 * @example
 * parseRedisUrl('rediss://:s3cret@queue.lab:6380/2').display // "rediss://:***@queue.lab:6380/2"
 */
export function parseRedisUrl(text: string, env: Readonly<Record<string, string | undefined>> = process.env): RedisTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OptionError(`--queue must be a URL like redis://host:6379/0 or rediss://host:6380/0, got "${maskInText(text)}"`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new OptionError(`--queue must start with redis:// or rediss:// (TLS), got "${url.protocol}//..."`);
  }
  if (url.search || url.hash) throw new OptionError('--queue takes no query or fragment (redis://host:port/db)');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new OptionError('--queue names no host (redis://host:6379/0)');
  const port = url.port ? Number(url.port) : 6379;
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d+$/.test(path)) throw new OptionError(`--queue: the path must be a database number (redis://host:6379/0), got "/${path}"`);
  const db = path === '' ? 0 : Number(path);
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const fromUrl = url.password ? decodeURIComponent(url.password) : undefined;
  const password = fromUrl ?? (env[PASSWORD_ENV] !== undefined && env[PASSWORD_ENV] !== '' ? env[PASSWORD_ENV] : undefined);
  const auth = url.username || url.password ? `${url.username}${url.password ? ':***' : ''}@` : '';
  const display = `${url.protocol}//${auth}${url.host}/${db}`;
  return {
    host,
    port,
    db,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    tls: url.protocol === 'rediss:',
    display,
  };
}

/** `text` with the target's password (raw and URL-encoded) masked. */
export function redact(text: string, target: Pick<RedisTarget, 'password'>): string {
  const { password } = target;
  if (!password) return text;
  let out = text;
  for (const secret of new Set([password, encodeURIComponent(password)])) out = out.split(secret).join('***');
  return out;
}

/** Masks what looks like a URL's password in text that did not parse as a URL. */
function maskInText(text: string): string {
  return text.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
}

/** Connection options for ioredis and BullMQ (which creates its own clients from them). */
export function connectionOptions(target: RedisTarget): {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: Record<string, never>;
  maxRetriesPerRequest: null;
} {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username !== undefined ? { username: target.username } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
    // Node checks the server's certificate against the host name or IP address (and NODE_EXTRA_CA_CERTS).
    ...(target.tls ? { tls: {} } : {}),
    // Wait through a Redis restart instead of failing commands: the sweep resumes when Redis is back.
    maxRetriesPerRequest: null,
  };
}
