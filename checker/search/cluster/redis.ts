/**
 * Connecting to the Redis (or Valkey) server of a cluster search. The client, ioredis, is an
 * optional dependency loaded only here, so that mrcheck without cluster mode never needs it.
 * URLs: `redis://[user:password@]host:port[/db]` or `rediss://` (TLS). The password never appears
 * in a message: every URL shown goes through `shownUrl`, and every error of the client through
 * `scrubbed`.
 */
import type { Redis } from 'ioredis'
import { ClusterError } from './protocol.js'

export type { Redis }

/** The URL with its password replaced by `***`. */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password !== '') u.password = '***'
    return u.toString()
  } catch {
    return '(an unreadable URL)'
  }
}

/** Checks a cluster URL: redis:// or rediss://, with a host. */
export function checkUrl(url: string): URL {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new ClusterError(`--cluster expects a URL such as redis://host:6379 or rediss://user:password@host:6380, not ${JSON.stringify(shownUrl(url))}.`)
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new ClusterError(`--cluster expects a redis:// or rediss:// URL, not ${u.protocol}// (${shownUrl(url)}).`)
  }
  if (u.hostname === '') throw new ClusterError(`--cluster URL ${shownUrl(url)} names no host.`)
  return u
}

/** `message` without the URL's password, wherever it appears. */
export function scrubbed(url: string, message: string): string {
  let password = ''
  try {
    password = decodeURIComponent(new URL(url).password)
  } catch {
    // An unreadable URL has no password to hide.
  }
  return password === '' ? message : message.split(password).join('***')
}

/**
 * A connection to `url`, named `name` (CLIENT LIST shows it). It is never re-opened: once it is
 * lost (Redis stopped or restarted, the network dropped it), every command on it fails, so that the
 * run ends with an error. A client that reconnected would send again the commands in flight (a
 * batch added twice) and lose the entries a read had taken (a batch never received), and a
 * restarted Redis has lost the run's streams.
 */
export async function connect(url: string, name: string): Promise<Redis> {
  checkUrl(url)
  let RedisClient: typeof Redis
  try {
    RedisClient = (await import('ioredis')).Redis
  } catch {
    throw new ClusterError(
      'Cluster mode needs the Redis client ioredis, an optional dependency of mrcheck that is not installed here: run `npm install ioredis`.',
    )
  }
  const client = new RedisClient(url, {
    lazyConnect: true,
    protocol: 2,
    connectionName: name.replace(/[^\w:.-]/g, '_'),
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  })
  client.on('error', () => {
    // Surfaces through the command that fails.
  })
  try {
    await client.connect()
  } catch (e) {
    client.disconnect()
    throw new ClusterError(`Cannot reach Redis at ${shownUrl(url)}: ${scrubbed(url, (e as Error).message)}.`)
  }
  return client
}

/** Runs `command` on Redis; a failure (connection lost, server error) becomes a ClusterError saying what was being done. */
export async function redisCall<T>(url: string, doing: string, command: () => Promise<T>): Promise<T> {
  try {
    return await command()
  } catch (e) {
    if (e instanceof ClusterError) throw e
    const message = scrubbed(url, (e as Error).message)
    const lost = /Connection is closed|Stream isn't writeable|ECONNRESET|EPIPE|ECONNREFUSED/i.test(message)
    throw new ClusterError(
      `Redis at ${shownUrl(url)} failed while ${doing}: ${message}` +
        (lost ? ' (the connection was lost: Redis stopped or restarted, or the network dropped it)' : '') +
        '. The run cannot go on; nothing was proved.',
    )
  }
}
