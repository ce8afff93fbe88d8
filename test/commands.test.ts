// The command layer (src/commands): each operation is defined once and both the API
// and the CLI are made from that definition, so they cannot drift. These are the
// properties that make it so: every command is served by both, validated by the same
// validators, authorized in the same place, answers the same, and audited either way.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Command as Commander } from 'commander';
import type { FastifyInstance } from 'fastify';
import { COMMANDS, GROUPS } from '../src/commands/index.js';
import { cliPath, invoke, type Command } from '../src/commands/command.js';
import { registerCommandLine } from '../src/cli/commands.js';
import { ForbiddenError, ROLES, PERMISSIONS, type Principal } from '../src/domain/users.js';
import { findUser } from '../src/store/users.js';
import type { Store } from '../src/store/store.js';
import { screeningLists } from '../src/lists/registry.js';
import { auth, memoryStore, server, userWithToken } from './helpers.js';

const services = () => ({ lists: screeningLists, instance: 'test' });
const pathParams = (path: string): string[] => [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const propsOf = (schema: unknown): string[] =>
  Object.keys((schema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});

/** A command line over `store` that throws instead of exiting, and what it printed. */
function commandLine(store: Store): { run(...argv: string[]): Promise<string> } {
  return {
    async run(...argv) {
      const program = new Commander('chokepoint').exitOverride();
      registerCommandLine(
        program,
        COMMANDS,
        (fn) => fn(store),
        async (s, username) => {
          const p = await findUser(s.db, username!);
          if (!p) throw new Error(`--as: no user "${username}"`);
          return p;
        },
        services,
        GROUPS,
      );
      const printed: string[] = [];
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => !!printed.push(String(chunk)));
      try {
        await program.parseAsync(argv, { from: 'user' });
      } finally {
        spy.mockRestore();
      }
      return printed.join('');
    },
  };
}

describe('the command layer', () => {
  it('names each command once, with its own route and its own command line', () => {
    expect(COMMANDS.length).toBeGreaterThan(10);
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    const routes = COMMANDS.map((c) => `${c.method} ${c.path}`);
    expect(new Set(routes).size).toBe(routes.length);
    const lines = COMMANDS.map((c) => cliPath(c).join(' '));
    expect(new Set(lines).size).toBe(lines.length);
    // A group's words are never also a command's (`case` cannot be both).
    for (const l of lines) expect(lines.filter((o) => o.startsWith(`${l} `))).toEqual([]);
    // Every permission a command names exists, and is held by some role.
    for (const c of COMMANDS.filter((x) => x.permission))
      expect(PERMISSIONS[c.permission!].length, c.name).toBeGreaterThan(0);
  });

  describe('over a store', () => {
    let store: Store;
    let app: FastifyInstance;
    let agent: string;
    let supervisor: string;
    beforeAll(async () => {
      store = await memoryStore();
      app = await server(store);
      agent = await userWithToken(store, {
        username: 'dea.agent',
        agency: 'DEA',
        clearance: 'S',
        roles: ['case_agent'],
      });
      await userWithToken(store, { username: 'cbp.officer', agency: 'CBP', clearance: 'S', roles: ['screener'] });
      supervisor = await userWithToken(store, {
        username: 'dea.supervisor',
        agency: 'DEA',
        clearance: 'S',
        roles: ['supervisor'],
      });
    }, 60_000);
    afterAll(async () => {
      await app.close();
      await store.close();
    });

    it('the API serves every command as its route and its OpenAPI operation', async () => {
      const doc = (await app.inject('/openapi.json')).json() as {
        paths: Record<string, Record<string, { operationId?: string; parameters?: { name: string; in: string }[] }>>;
      };
      for (const c of COMMANDS) {
        expect(app.hasRoute({ method: c.method, url: c.path }), `${c.method} ${c.path}`).toBe(true);
        const op = doc.paths[c.path.replace(/:(\w+)/g, '{$1}')]?.[c.method.toLowerCase()];
        expect(op?.operationId, `${c.method} ${c.path}`).toBe(c.name);
        const inPath = (op?.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect(inPath.sort()).toEqual(pathParams(c.path).sort());
      }
    });

    it('every other route is HTTP by nature, and named here with the reason', async () => {
      const doc = (await app.inject('/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
      const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
      );
      const commands = new Set(COMMANDS.map((c) => `${c.method} ${c.path.replace(/:(\w+)/g, '{$1}')}`));
      expect(ops.filter((o) => !commands.has(o)).sort()).toEqual(
        [
          'GET /health', // no user, no data: the load balancer's
          'GET /notifications/stream', // server-sent events: a connection held open, not an answer
          'POST /federation/pointers', // called by a peer instance with its own Peer token, not by a user
          // TAXII 2.1 (src/api/routes/taxii.ts): URLs, media type (Accept and Content-Type negotiation), and error
          // bodies fixed by the TAXII standard for TAXII clients, which neither a command's input nor the CLI has
          'GET /taxii2/',
          'GET /taxii2/chokepoint/',
          'GET /taxii2/chokepoint/collections/',
          'GET /taxii2/chokepoint/collections/{collectionId}/',
          'GET /taxii2/chokepoint/collections/{collectionId}/objects/',
          'POST /taxii2/chokepoint/collections/{collectionId}/objects/',
          'GET /taxii2/chokepoint/collections/{collectionId}/manifest/',
          'GET /taxii2/chokepoint/collections/{collectionId}/objects/{objectId}/',
          'GET /taxii2/chokepoint/collections/{collectionId}/objects/{objectId}/versions/',
          'GET /taxii2/chokepoint/status/{statusId}/',
          // A MISP instance's feed subscription: fixed file names under the feed's URL, headers only (no query of its own)
          'GET /misp/feed/manifest.json',
          'GET /misp/feed/hashes.csv',
          'GET /misp/feed/{event}.json',
        ].sort(),
      );
    });

    it('the CLI offers every command: path parameters (and its own argument) as arguments, the query as options, the body from a file', () => {
      const program = new Commander('chokepoint');
      registerCommandLine(
        program,
        COMMANDS,
        () => Promise.reject(new Error('not run')),
        () => Promise.reject(new Error('not run')),
        services,
        GROUPS,
      );
      const find = (words: string[]): Commander | undefined =>
        words.reduce<Commander | undefined>((at, w) => at?.commands.find((x) => x.name() === w), program);
      for (const c of COMMANDS) {
        const cmd = find(cliPath(c));
        expect(cmd, cliPath(c).join(' ')).toBeDefined();
        // Path parameters, then the command's own positional argument if it has one (`lists add FILE`).
        expect(cmd!.registeredArguments.map((a) => a.name())).toEqual([
          ...pathParams(c.path),
          ...(c.cli?.argument ? [c.cli.argument.name] : []),
        ]);
        const flags = cmd!.options.map((o) => o.long);
        for (const q of propsOf(c.query)) expect(flags, `${c.name} --${kebab(q)}`).toContain(`--${kebab(q)}`);
        if (c.body) expect(flags, c.name).toContain('--file');
        if (!c.public) expect(cmd!.options.find((o) => o.long === '--as')?.mandatory, c.name).toBe(true);
      }
    });

    it('authorizes in one place: a user who lacks the permission is refused before the command runs', async () => {
      const guarded = COMMANDS.filter((c) => c.permission);
      expect(guarded.length).toBeGreaterThan(5);
      for (const c of guarded) {
        const lacking = ROLES.filter((r) => !PERMISSIONS[c.permission!].includes(r as never));
        const me = { username: 'nobody', roles: lacking.slice(0, 1) } as unknown as Principal;
        // The command as defined, but with a body that says so if it runs.
        const ran = vi.fn(async () => 'ran');
        const outcome = await invoke(
          { ...c, run: ran } as Command,
          { store, db: store.db, me, services: services(), caller: { ip: 'test', header: () => undefined } },
          {
            params: {},
            query: {},
            body: {},
          },
        ).catch((e: Error) => e);
        expect(outcome, c.name).toBeInstanceOf(ForbiddenError);
        expect(ran).not.toHaveBeenCalled();
      }
    });

    it('refuses the same input on both sides, with the same reason', async () => {
      const api = await app.inject({ url: '/deconfliction/metrics?days=0', headers: auth(supervisor) });
      expect(api.statusCode).toBe(400);
      expect(api.json().error).toMatch(/days must be >= 1/);
      await expect(commandLine(store).run('deconflict', 'metrics', '--as', 'dea.agent', '--days', '0')).rejects.toThrow(
        /options: \/days must be >= 1/,
      );
      // A body property given as an option is checked against its schema too.
      await expect(
        commandLine(store).run('case', 'open', '--as', 'dea.agent', '--case-number', 'X', '--title', 't'),
      ).rejects.toThrow(/must have required property 'contactName'/);
    });

    it('answers the same through either: what the CLI writes, the API reads, and the reverse', async () => {
      const cli = commandLine(store);
      const opened = JSON.parse(
        await cli.run(
          'case',
          'open',
          '--as',
          'dea.agent',
          '--case-number',
          'DEA-CMD-1',
          '--title',
          'Opened from the command line',
          '--contact-name',
          'SA Cmd',
          '--contact-phone',
          '+1 619 555 0199',
        ),
      );
      const api = await app.inject({
        method: 'POST',
        url: '/cases',
        headers: auth(agent),
        payload: {
          caseNumber: 'DEA-CMD-2',
          title: 'Opened by API',
          contactName: 'SA Api',
          contactPhone: '+1 619 555 0198',
        },
      });
      expect(api.statusCode).toBe(201);
      const viaApi = (await app.inject({ url: '/cases', headers: auth(agent) })).json();
      const viaCli = JSON.parse(await cli.run('case', 'list', '--as', 'dea.agent'));
      expect(viaCli).toEqual(viaApi);
      expect(viaCli.map((c: { id: number }) => c.id).sort()).toEqual([opened.id, api.json().id].sort());
      // The same refusal too: an officer may not open cases either way.
      const refused = await app.inject({
        method: 'POST',
        url: '/cases',
        headers: auth(
          await userWithToken(store, { username: 'cbp.o2', agency: 'CBP', clearance: 'S', roles: ['screener'] }),
        ),
        payload: { caseNumber: 'C-1', title: 't', contactName: 'n', contactPhone: '+1 619 555 0100' },
      });
      expect(refused.statusCode).toBe(403);
      await expect(
        cli.run(
          'case',
          'open',
          '--as',
          'cbp.officer',
          '--case-number',
          'C-2',
          '--title',
          't',
          '--contact-name',
          'n',
          '--contact-phone',
          '+1 619 555 0100',
        ),
      ).rejects.toThrow(/lacks the permission "manageCases"/);
    });

    it('audits a CLI run like an API request: who, what, the command line, refused or not', async () => {
      const cli = commandLine(store);
      await cli.run('deconflict', 'targets', '--as', 'dea.agent', '--open', '--purpose', 'weekly review');
      await expect(cli.run('watch-center', 'queue', '--as', 'cbp.officer')).rejects.toThrow(/lacks the permission/);
      const rows = await store.db.query<{ actor: string; action: string; purpose: string | null; details: string }>(
        'SELECT actor, action, purpose, details FROM audit_log WHERE details LIKE \'%"cli"%\' ORDER BY seq',
      );
      const read = rows.find((r) => r.action === 'deconfliction.target.read');
      expect(read).toMatchObject({ actor: 'dea.agent', purpose: 'weekly review' });
      expect(JSON.parse(read!.details).cli).toMatchObject({ command: 'deconflict targets', query: { open: true } });
      const refused = rows.find((r) => JSON.parse(r.details).cli.command === 'watch-center queue');
      expect(refused).toMatchObject({ actor: 'cbp.officer', action: 'cli.command' });
      expect(JSON.parse(refused!.details).cli.error).toBe('ForbiddenError');
    });
  });
});
