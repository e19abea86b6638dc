/**
 * Our own connection to the queue's Redis (BullMQ opens its own from the same options), and the checks
 * made before anything is enqueued or taken: that Redis answers, and that it never evicts keys.
 */
import { Redis } from 'ioredis';
import { QueueError } from './errors.js';
import { connectionOptions, PASSWORD_ENV, redact, type RedisTarget } from './target.js';

/** Connects to `target` and checks it (checkRedis); the caller quits the client. */
export async function openRedis(target: RedisTarget, options: { onNote?: (note: string) => void } = {}): Promise<Redis> {
  const client = new Redis({ ...connectionOptions(target), lazyConnect: true, connectionName: 'safer' });
  let lost = false;
  let connected = false;
  let refused: string | undefined;
  let lastError: string | undefined;
  client.on('error', (e: Error) => {
    if (/NOAUTH|WRONGPASS|invalid password|invalid username-password/i.test(e.message)) {
      refused = target.password === undefined
        ? `the Redis at ${target.display} needs a password: put it in ${PASSWORD_ENV} (or in the URL, redis://:password@host)`
        : `the Redis at ${target.display} refused the password (${redact(e.message, target)})`;
      return;
    }
    lastError = redact(e.message, target);
  });
  // ioredis reconnects by itself; say so once per outage, without the password.
  client.on('reconnecting', () => {
    if (!lost && connected) options.onNote?.(`lost the connection to ${target.display}${lastError ? ` (${lastError})` : ''}; reconnecting`);
    lost = true;
  });
  client.on('ready', () => {
    if (lost && connected) options.onNote?.(`connected to ${target.display} again`);
    connected = true;
    lost = false;
    lastError = undefined;
  });
  try {
    await withTimeout(client.connect(), 10_000, target);
    await checkRedis(client, target);
  } catch (e) {
    client.disconnect();
    if (refused) throw new QueueError(refused);
    if (e instanceof QueueError) throw e;
    // "Connection is closed" says less than the error that closed it (a refused connection, a certificate).
    throw new QueueError(`cannot use the queue at ${target.display}: ${lastError ?? redact((e as Error).message, target)}`);
  }
  return client;
}

/**
 * BullMQ keeps jobs, locks and results in Redis keys: a Redis that evicts keys under memory pressure
 * loses them silently. Refuses anything but `maxmemory-policy noeviction` (read with CONFIG GET, or
 * INFO where CONFIG is disabled, as on some managed services).
 */
export async function checkRedis(client: Redis, target: RedisTarget): Promise<void> {
  const policy = await evictionPolicy(client);
  if (policy !== 'noeviction') {
    throw new QueueError(
      `the Redis at ${target.display} has maxmemory-policy ${policy ?? '(unknown)'}: it may evict keys under memory pressure and lose queued jobs and rows. ` +
        'A sweep queue needs "noeviction": set "maxmemory-policy noeviction" in redis.conf (or run CONFIG SET maxmemory-policy noeviction)',
    );
  }
}

async function evictionPolicy(client: Redis): Promise<string | undefined> {
  try {
    const reply = (await client.call('CONFIG', 'GET', 'maxmemory-policy')) as unknown;
    if (Array.isArray(reply) && typeof reply[1] === 'string') return reply[1];
    if (reply && typeof reply === 'object' && 'maxmemory-policy' in reply) return String((reply as Record<string, unknown>)['maxmemory-policy']);
  } catch {
    // CONFIG may be disabled or renamed; INFO says the same.
  }
  const info = await client.info('memory');
  return /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
}

async function withTimeout<T>(promise: Promise<T>, ms: number, target: RedisTarget): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueueError(`no answer from ${target.display} within ${ms / 1000} s; is Redis running there, and is the URL right?`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
