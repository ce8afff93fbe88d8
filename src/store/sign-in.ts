// Sign-in throttling. Failures are counted per (username as typed, client) and per
// client, never per account alone: a stranger guessing at an account from one client
// blocks only that client for that account, and the user still signs in from their
// own. The username need not exist, so real and unknown names are throttled alike and
// the answers cannot tell them apart. README, "Authentication", states the rule.
import { isIPv6 } from 'node:net';
import type { Sql } from './db.js';

/** Failures in a row for one username from one client before that client is blocked for it. */
export const MAX_FAILED_LOGINS = 5;
/** Failures from one client across all usernames (password spraying) before it may not sign in at all. */
export const CLIENT_MAX_FAILED_LOGINS = 20;
/** The first block; each failure after a block has ended doubles the next one, up to MAX_BLOCK_MINUTES. */
export const BLOCK_MINUTES = 15;
export const MAX_BLOCK_MINUTES = 24 * 60;
/** A counter with no failure for this long starts over (and its row is deleted). */
export const FORGET_HOURS = 24;

/**
 * The client a failure is counted against: its IPv4 address, or its IPv6 /64 prefix,
 * since one host commonly holds a whole /64 and could otherwise take a fresh address
 * for each guess.
 */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head, tail] = ip.split('::') as [string, string | undefined];
  // An embedded IPv4 tail (…:1.2.3.4) takes two groups.
  const groups = (part?: string): string[] =>
    part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : g)) : [];
  const h = groups(head);
  const t = groups(tail);
  const all = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return `${all
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/** Seconds until `client` may try `account` again, or 0 when it may now. */
export async function blockedFor(db: Sql, account: string, ip: string): Promise<number> {
  const client = clientKey(ip);
  const [r] = await db.query<{ s: number | null }>(
    `SELECT ceil(extract(epoch FROM greatest(
       (SELECT blocked_until FROM sign_in_failures WHERE account = $1 AND client = $2),
       (SELECT blocked_until FROM sign_in_client_failures WHERE client = $2)) - now()))::int AS s`,
    [account, client],
  );
  return Math.max(0, r?.s ?? 0);
}

/** Counts a failed sign-in against the pair and the client; blocks either that reached its limit. */
export async function recordFailure(db: Sql, account: string, ip: string): Promise<void> {
  const client = clientKey(ip);
  for (const table of ['sign_in_failures', 'sign_in_client_failures']) {
    await db.query(`DELETE FROM ${table} WHERE last_failure_at < now() - make_interval(hours => $1)`, [FORGET_HOURS]);
  }
  const [pair] = await db.query<{ failures: number }>(
    `INSERT INTO sign_in_failures AS f (account, client, failures, last_failure_at) VALUES ($1, $2, 1, now())
     ON CONFLICT (account, client) DO UPDATE SET failures = f.failures + 1, last_failure_at = now() RETURNING failures`,
    [account, client],
  );
  const [all] = await db.query<{ failures: number }>(
    `INSERT INTO sign_in_client_failures AS f (client, failures, last_failure_at) VALUES ($1, 1, now())
     ON CONFLICT (client) DO UPDATE SET failures = f.failures + 1, last_failure_at = now() RETURNING failures`,
    [client],
  );
  const pairBlock = blockMinutes(pair!.failures, MAX_FAILED_LOGINS);
  if (pairBlock) {
    await db.query(
      'UPDATE sign_in_failures SET blocked_until = now() + make_interval(mins => $3) WHERE account = $1 AND client = $2',
      [account, client, pairBlock],
    );
  }
  const clientBlock = blockMinutes(all!.failures, CLIENT_MAX_FAILED_LOGINS);
  if (clientBlock) {
    await db.query(
      'UPDATE sign_in_client_failures SET blocked_until = now() + make_interval(mins => $2) WHERE client = $1',
      [client, clientBlock],
    );
  }
}

/**
 * A successful sign-in clears the pair's count, not the client's: otherwise a sprayer
 * with one account of their own could reset their client's count between guesses.
 */
export async function clearFailures(db: Sql, account: string, ip: string): Promise<void> {
  await db.query('DELETE FROM sign_in_failures WHERE account = $1 AND client = $2', [account, clientKey(ip)]);
}

/** 0 below the limit; then 15 min at it, doubling with each further failure, at most a day. */
function blockMinutes(failures: number, limit: number): number {
  if (failures < limit) return 0;
  return Math.min(MAX_BLOCK_MINUTES, BLOCK_MINUTES * 2 ** Math.min(failures - limit, 16));
}
