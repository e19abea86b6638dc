import { describe, expect, it } from 'vitest';
import { OptionError } from '../../src/errors.js';
import { connectionOptions, parseRedisUrl, redact } from '../../src/queue/target.js';

describe('queue URLs', () => {
  it('read host, port, database, user, password and TLS', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6380/2', {})).toEqual({ host: '127.0.0.1', port: 6380, db: 2, tls: false, display: 'redis://127.0.0.1:6380/2' });
    expect(parseRedisUrl('redis://queue.lab', {})).toMatchObject({ host: 'queue.lab', port: 6379, db: 0, display: 'redis://queue.lab/0' });
    expect(parseRedisUrl('rediss://alice:s%40cret@queue.lab:6390/1', {})).toEqual({
      host: 'queue.lab', port: 6390, db: 1, username: 'alice', password: 's@cret', tls: true, display: 'rediss://alice:***@queue.lab:6390/1',
    });
    expect(parseRedisUrl('redis://[::1]:7000/0', {})).toMatchObject({ host: '::1', port: 7000 });
  });

  it('take the password from SAFER_REDIS_PASSWORD when the URL has none, and never show it', () => {
    const t = parseRedisUrl('redis://queue.lab:6379/0', { SAFER_REDIS_PASSWORD: 'hunter2' });
    expect(t.password).toBe('hunter2');
    expect(t.display).toBe('redis://queue.lab:6379/0');
    expect(parseRedisUrl('redis://:inurl@queue.lab/0', { SAFER_REDIS_PASSWORD: 'hunter2' }).password).toBe('inurl');
    expect(parseRedisUrl('redis://queue.lab/0', { SAFER_REDIS_PASSWORD: '' }).password).toBeUndefined();
    expect(redact('AUTH hunter2 failed; hunter2', t)).toBe('AUTH *** failed; ***');
    expect(redact('p%40ss and p@ss', { password: 'p@ss' })).toBe('*** and ***');
  });

  it('refuse what is not a Redis URL, without echoing a password', () => {
    expect(() => parseRedisUrl('http://queue.lab', {})).toThrow(/must start with redis:\/\/ or rediss:\/\//);
    expect(() => parseRedisUrl('redis://queue.lab/zero', {})).toThrow(/must be a database number/);
    expect(() => parseRedisUrl('redis://queue.lab/0?tls=1', {})).toThrow(OptionError);
    let message = '';
    try {
      parseRedisUrl('redis://:se cret@bad host/0', {});
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/--queue must be a URL/);
    expect(message).not.toContain('se cret');
  });

  it('become connection options that wait through a Redis restart, with TLS for rediss://', () => {
    expect(connectionOptions(parseRedisUrl('rediss://:pw@queue.lab:6380/3', {}))).toEqual({
      host: 'queue.lab', port: 6380, db: 3, password: 'pw', tls: {}, maxRetriesPerRequest: null,
    });
  });
});
