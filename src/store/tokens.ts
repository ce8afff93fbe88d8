// A user's tokens (sessions and API tokens) as they may see and end them. A token is
// named by its id, a random UUID that is not its secret; neither the token nor its
// hash ever leaves the store.
import type { Sql } from './db.js';
import { ForbiddenError, type Principal } from '../domain/users.js';
import { issueToken, tokenHash } from './users.js';

/**
 * Partners and foreign users (README, "Authentication") get API tokens of at most a
 * day: long-lived bearer secrets held outside the U.S. government are the credentials
 * hardest to recall, and a day still serves a batch job that signs in each morning.
 */
export const PARTNER_API_TOKEN_MAX_DAYS = 1;
export const API_TOKEN_MAX_DAYS = 365;

/** Whether `p` is held to the partners' limit: the partner role, or a foreign country. */
export function heldToPartnerLimit(p: Pick<Principal, 'roles' | 'country'>): boolean {
  return p.roles.includes('partner') || p.country !== 'USA';
}

export interface TokenInfo {
  id: string;
  kind: 'session' | 'api';
  label: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
  /** The token this request came with. */
  current: boolean;
}

export async function createApiToken(
  db: Sql,
  me: Principal,
  label: string,
  days: number,
): Promise<{ token: string; expiresAt: string }> {
  const max = heldToPartnerLimit(me) ? PARTNER_API_TOKEN_MAX_DAYS : API_TOKEN_MAX_DAYS;
  if (days > max) {
    throw new ForbiddenError(
      heldToPartnerLimit(me)
        ? `API tokens of partners and foreign users last at most ${max} day; ask for days: ${max}`
        : `API tokens last at most ${max} days`,
    );
  }
  return issueToken(db, me.id, 'api', days * 24, label);
}

/** The user's live tokens, oldest first; `current` marks the one whose secret is `currentToken`. */
export async function listTokens(db: Sql, userId: number, currentToken?: string): Promise<TokenInfo[]> {
  return db.query<TokenInfo>(
    `SELECT id::text AS id, kind, label, created_at AS "createdAt", last_used_at AS "lastUsedAt", expires_at AS "expiresAt",
            token_hash = $2 AS current
       FROM tokens WHERE user_id = $1 AND expires_at > now() ORDER BY created_at, id`,
    [userId, currentToken ? tokenHash(currentToken) : ''],
  );
}

/** Whose tokens a revocation may end: one user's, or anyone's (an admin, the CLI acting as the system). */
export type RevokeScope = { userId: number } | { anyUser: true };

/**
 * Ends the token `id` if it is within `scope`. Someone else's token is treated exactly
 * like an id never issued (undefined), in one query, so neither the answer nor its
 * timing tells them apart.
 */
export async function revokeTokenById(
  db: Sql,
  id: string,
  scope: RevokeScope,
): Promise<{ username: string; kind: string } | undefined> {
  const [r] = await db.query<{ username: string; kind: string }>(
    `DELETE FROM tokens t USING users u WHERE u.id = t.user_id AND t.id = $1::uuid AND ($2::int IS NULL OR t.user_id = $2)
     RETURNING u.username, t.kind`,
    [id, 'userId' in scope ? scope.userId : null],
  );
  return r;
}

/** Ends every token of the user, sessions and API tokens alike; the number ended. */
export async function revokeAllTokens(db: Sql, userId: number): Promise<number> {
  return (await db.query('DELETE FROM tokens WHERE user_id = $1 RETURNING 1', [userId])).length;
}
