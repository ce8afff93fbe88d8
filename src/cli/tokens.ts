// `chokepoint tokens`: the command-line side of GET /auth/tokens, DELETE /auth/tokens/:id
// and POST /auth/logout {"all": true}. The CLI acts as the system (whoever runs it can
// read the data directory anyway), so, like an admin, it may end any user's tokens.
import type { Command } from 'commander';
import { userInfo } from 'node:os';
import type { Store } from '../store/store.js';
import { findUser } from '../store/users.js';
import { listTokens, revokeAllTokens, revokeTokenById } from '../store/tokens.js';
import { audit } from '../store/audit.js';

type WithStore = <T>(fn: (store: Store) => Promise<T>) => Promise<T>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function user(store: Store, username: string): Promise<{ id: number; username: string }> {
  const u = await findUser(store.db, username);
  if (!u) throw new Error(`--user: no user "${username}"`);
  return u;
}

export function registerTokenCommands(program: Command, withStore: WithStore): void {
  const actor = (): string => `cli:${userInfo().username}`;
  const tokens = program.command('tokens').description("list and end users' sessions and API tokens");
  tokens
    .command('list')
    .requiredOption('--user <username>')
    .description("a user's live tokens (never their secrets)")
    .action(async (o) =>
      withStore(async (store) => {
        const u = await user(store, o.user);
        const date = (v: string | null): string => (v ? v.slice(0, 16).replace('T', ' ') : '-'.padEnd(16)); // UTC, to the minute
        for (const t of await listTokens(store.db, u.id)) {
          const dates = `created ${date(t.createdAt)}  last used ${date(t.lastUsedAt)}  expires ${date(t.expiresAt)}`;
          console.log(`${t.id}  ${t.kind.padEnd(7)} ${dates}  ${t.label ?? ''}`.trimEnd());
        }
      }),
    );
  tokens
    .command('revoke')
    .argument('[id]', "the token's id, from `tokens list`")
    .option('--all', 'end every token of --user (sign them out everywhere)')
    .option('--user <username>')
    .action(async (id: string | undefined, o: { all?: boolean; user?: string }) =>
      withStore(async (store) => {
        if (o.all) {
          if (id || !o.user) throw new Error('tokens revoke --all: give --user, and no id');
          const u = await user(store, o.user);
          const n = await revokeAllTokens(store.db, u.id);
          const target = `user:${u.username}`;
          await audit(store.db, { actor: actor(), action: 'auth.logout_all', target, details: { revoked: n } });
          console.log(`ended ${n} token(s) of ${u.username}`);
          return;
        }
        if (!id || !UUID.test(id))
          throw new Error('tokens revoke: give a token id (`tokens list --user U`), or --all --user U');
        const gone = await revokeTokenById(store.db, id, { anyUser: true });
        if (!gone) throw new Error(`no token ${id}`);
        const details = { user: gone.username, kind: gone.kind };
        await audit(store.db, { actor: actor(), action: 'auth.token_revoked', target: `token:${id}`, details });
        console.log(`ended ${gone.kind} token ${id} of ${gone.username}`);
      }),
    );
}
