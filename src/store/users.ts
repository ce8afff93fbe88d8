// Local users (scrypt-hashed passwords) and bearer tokens (sessions and API tokens,
// stored only as SHA-256 hashes). An OIDC deployment replaces `login` with its own
// token verification and maps claims to a Principal (see README, "Authentication").
import { StatusError } from '../domain/errors.js';
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Database, Sql } from './db.js';
import { CLASSIFICATIONS, type Classification } from '../domain/markings.js';
import { isGovernment, type Agency } from '../domain/agencies.js';
import { ROLES, type Principal, type Role } from '../domain/users.js';
import { blockedFor, clearFailures, recordFailure } from './sign-in.js';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>;
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
export const SESSION_HOURS = 8;
/** A token's last use is written at most this often, so each request does not cost a write. */
export const LAST_USE_SECONDS = 60;
export { MAX_FAILED_LOGINS, CLIENT_MAX_FAILED_LOGINS } from './sign-in.js';

export async function hashPassword(pw: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(pw, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function checkPassword(pw: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, key] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const got = await scrypt(pw, Buffer.from(salt, 'base64'), expected.length, {
    N: +n!,
    r: +r!,
    p: +p!,
    maxmem: SCRYPT.maxmem,
  });
  return timingSafeEqual(expected, got);
}

export class UserError extends StatusError {}

export interface NewUser {
  username: string;
  displayName?: string;
  password: string;
  agency: string;
  clearance: Classification;
  roles: Role[];
  groups?: string[];
  country?: string;
}

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  password_hash: string;
  agency: string;
  country: string;
  clearance: Classification;
  roles: Role[];
  groups: string[];
  disabled: boolean;
  a_kind: Agency['kind'];
  a_le: boolean;
}

const USER_COLUMNS = 'u.*, a.kind AS a_kind, a.law_enforcement AS a_le';
const USER_FROM = 'users u JOIN agencies a ON a.code = u.agency';
const USER_SELECT = `SELECT ${USER_COLUMNS} FROM ${USER_FROM}`;

function toPrincipal(r: UserRow): Principal {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    agency: r.agency,
    country: r.country,
    clearance: r.clearance,
    roles: r.roles,
    groups: r.groups,
    lawEnforcement: r.a_le,
    government: isGovernment({ kind: r.a_kind } as Agency),
  };
}

export function validateNewUser(u: NewUser): void {
  if (!/^[a-z0-9][a-z0-9._-]{1,63}$/.test(u.username))
    throw new UserError('username: 2-64 characters, lower-case letters, digits, . _ -');
  if (u.password.length < 12) throw new UserError('password: at least 12 characters');
  if (!CLASSIFICATIONS.includes(u.clearance)) throw new UserError(`clearance: one of ${CLASSIFICATIONS.join(', ')}`);
  if (!u.roles.length || u.roles.some((r) => !ROLES.includes(r)))
    throw new UserError(`roles: one or more of ${ROLES.join(', ')}`);
}

export async function createUser(db: Sql, u: NewUser): Promise<Principal> {
  validateNewUser(u);
  const [agency] = await db.query<{ country: string }>('SELECT country FROM agencies WHERE code = $1', [u.agency]);
  if (!agency) throw new UserError(`agency: unknown agency "${u.agency}"`);
  const exists = await db.query('SELECT 1 FROM users WHERE username = $1', [u.username]);
  if (exists.length) throw new UserError(`username: "${u.username}" is taken`, 409);
  await db.query(
    `INSERT INTO users (username, display_name, password_hash, agency, country, clearance, roles, groups)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      u.username,
      u.displayName ?? u.username,
      await hashPassword(u.password),
      u.agency,
      (u.country ?? agency.country).toUpperCase(),
      u.clearance,
      u.roles,
      (u.groups ?? []).map((g) => g.toUpperCase()),
    ],
  );
  return (await findUser(db, u.username))!;
}

export async function findUser(db: Sql, username: string): Promise<Principal | undefined> {
  const [r] = await db.query<UserRow>(`${USER_SELECT} WHERE u.username = $1 AND NOT u.disabled`, [username]);
  return r && toPrincipal(r);
}

/** The user behind an id (a case's owner, say), or undefined when gone or disabled. */
export async function findUserById(db: Sql, id: number): Promise<Principal | undefined> {
  const [r] = await db.query<UserRow>(`${USER_SELECT} WHERE u.id = $1 AND NOT u.disabled`, [id]);
  return r && toPrincipal(r);
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export type LoginResult =
  | { ok: true; token: string; expiresAt: string; user: Principal }
  | { ok: false; reason: 'invalid' | 'throttled'; retryAfterSeconds?: number };

/**
 * Checks a password from `client` (its IP address). Unknown usernames take the same
 * path as real ones: the same queries, the same scrypt work, the same throttling
 * (src/store/sign-in.ts), so neither answers nor timing tell whether an account exists.
 */
export async function login(db: Database, username: string, password: string, client: string): Promise<LoginResult> {
  const wait = await blockedFor(db, username, client);
  if (wait > 0) return { ok: false, reason: 'throttled', retryAfterSeconds: wait };
  const [r] = await db.query<UserRow>(`${USER_SELECT} WHERE u.username = $1 AND NOT u.disabled`, [username]);
  const matches = await checkPassword(password, r?.password_hash ?? (await dummyHash()));
  if (!r || !matches) {
    await recordFailure(db, username, client);
    return { ok: false, reason: 'invalid' };
  }
  await clearFailures(db, username, client);
  const { token, expiresAt } = await issueToken(db, r.id, 'session', SESSION_HOURS);
  return { ok: true, token, expiresAt, user: toPrincipal(r) };
}

let dummy: string | undefined;
async function dummyHash(): Promise<string> {
  return (dummy ??= await hashPassword(randomBytes(12).toString('hex')));
}

export async function issueToken(
  db: Sql,
  userId: number,
  kind: 'session' | 'api',
  hours: number,
  label?: string,
): Promise<{ token: string; expiresAt: string }> {
  const token = `cp_${kind === 'api' ? 'api' : 'ses'}_${randomBytes(32).toString('base64url')}`;
  await db.query('DELETE FROM tokens WHERE user_id = $1 AND expires_at <= now()', [userId]); // keeps the user's list to live tokens
  const [row] = await db.query<{ expires_at: string }>(
    `INSERT INTO tokens (token_hash, user_id, kind, label, expires_at) VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5)) RETURNING expires_at`,
    [tokenHash(token), userId, kind, label ?? null, hours],
  );
  return { token, expiresAt: row!.expires_at };
}

/** The principal behind a bearer token, if the token is known and not expired; notes the token's use. */
export async function principalForToken(db: Sql, token: string): Promise<Principal | undefined> {
  const hash = tokenHash(token);
  const [r] = await db.query<UserRow & { stale: boolean }>(
    `SELECT ${USER_COLUMNS}, (t.last_used_at IS NULL OR t.last_used_at < now() - make_interval(secs => $2)) AS stale
       FROM ${USER_FROM} JOIN tokens t ON t.user_id = u.id WHERE t.token_hash = $1 AND t.expires_at > now() AND NOT u.disabled`,
    [hash, LAST_USE_SECONDS],
  );
  if (!r) return undefined;
  if (r.stale) {
    // The condition is repeated so that concurrent requests write it once.
    await db.query(
      'UPDATE tokens SET last_used_at = now() WHERE token_hash = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))',
      [hash, LAST_USE_SECONDS],
    );
  }
  return toPrincipal(r);
}

/** Ends one token (plain sign-out); the number ended, 0 or 1. */
export async function revokeToken(db: Sql, token: string): Promise<number> {
  return (await db.query('DELETE FROM tokens WHERE token_hash = $1 RETURNING 1', [tokenHash(token)])).length;
}

export async function listUsers(db: Sql): Promise<Principal[]> {
  return (await db.query<UserRow>(`${USER_SELECT} ORDER BY u.username`)).map(toPrincipal);
}
