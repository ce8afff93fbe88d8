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

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>;
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
export const SESSION_HOURS = 8;
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;

export async function hashPassword(pw: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(pw, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function checkPassword(pw: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, key] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const got = await scrypt(pw, Buffer.from(salt, 'base64'), expected.length, { N: +n!, r: +r!, p: +p!, maxmem: SCRYPT.maxmem });
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
  failed_logins: number;
  locked_until: string | null;
  a_kind: Agency['kind'];
  a_le: boolean;
}

const USER_SELECT = `SELECT u.*, a.kind AS a_kind, a.law_enforcement AS a_le FROM users u JOIN agencies a ON a.code = u.agency`;

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
  if (!/^[a-z0-9][a-z0-9._-]{1,63}$/.test(u.username)) throw new UserError('username: 2-64 characters, lower-case letters, digits, . _ -');
  if (u.password.length < 12) throw new UserError('password: at least 12 characters');
  if (!CLASSIFICATIONS.includes(u.clearance)) throw new UserError(`clearance: one of ${CLASSIFICATIONS.join(', ')}`);
  if (!u.roles.length || u.roles.some((r) => !ROLES.includes(r))) throw new UserError(`roles: one or more of ${ROLES.join(', ')}`);
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
    [u.username, u.displayName ?? u.username, await hashPassword(u.password), u.agency, (u.country ?? agency.country).toUpperCase(), u.clearance, u.roles, (u.groups ?? []).map((g) => g.toUpperCase())],
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

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export type LoginResult = { ok: true; token: string; expiresAt: string; user: Principal } | { ok: false; reason: 'invalid' | 'locked'; retryAfterSeconds?: number };

/** Checks a password; throttles brute force by locking the account after repeated failures. */
export async function login(db: Database, username: string, password: string): Promise<LoginResult> {
  const [r] = await db.query<UserRow>(`${USER_SELECT} WHERE u.username = $1 AND NOT u.disabled`, [username]);
  if (!r) {
    await checkPassword(password, await dummyHash()); // same cost whether or not the user exists
    return { ok: false, reason: 'invalid' };
  }
  if (r.locked_until && Date.parse(r.locked_until) > Date.now()) {
    return { ok: false, reason: 'locked', retryAfterSeconds: Math.ceil((Date.parse(r.locked_until) - Date.now()) / 1000) };
  }
  if (!(await checkPassword(password, r.password_hash))) {
    await db.query(
      `UPDATE users SET failed_logins = failed_logins + 1,
         locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(mins => $3) ELSE locked_until END
       WHERE id = $1`,
      [r.id, MAX_FAILED_LOGINS, LOCKOUT_MINUTES],
    );
    return { ok: false, reason: 'invalid' };
  }
  await db.query('UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1', [r.id]);
  const { token, expiresAt } = await issueToken(db, r.id, 'session', SESSION_HOURS);
  return { ok: true, token, expiresAt, user: toPrincipal(r) };
}

let dummy: string | undefined;
async function dummyHash(): Promise<string> {
  return (dummy ??= await hashPassword(randomBytes(12).toString('hex')));
}

export async function issueToken(db: Sql, userId: number, kind: 'session' | 'api', hours: number, label?: string): Promise<{ token: string; expiresAt: string }> {
  const token = `cp_${kind === 'api' ? 'api' : 'ses'}_${randomBytes(32).toString('base64url')}`;
  const [row] = await db.query<{ expires_at: string }>(
    `INSERT INTO tokens (token_hash, user_id, kind, label, expires_at) VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5)) RETURNING expires_at`,
    [tokenHash(token), userId, kind, label ?? null, hours],
  );
  return { token, expiresAt: row!.expires_at };
}

/** The principal behind a bearer token, if the token is known and not expired. */
export async function principalForToken(db: Sql, token: string): Promise<Principal | undefined> {
  const [r] = await db.query<UserRow>(
    `${USER_SELECT} JOIN tokens t ON t.user_id = u.id WHERE t.token_hash = $1 AND t.expires_at > now() AND NOT u.disabled`,
    [tokenHash(token)],
  );
  return r && toPrincipal(r);
}

export async function revokeToken(db: Sql, token: string): Promise<void> {
  await db.query('DELETE FROM tokens WHERE token_hash = $1', [tokenHash(token)]);
}

export async function listUsers(db: Sql): Promise<Principal[]> {
  return (await db.query<UserRow>(`${USER_SELECT} ORDER BY u.username`)).map(toPrincipal);
}
