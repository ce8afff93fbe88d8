// Scale-out: two server instances, each with its own connections (pool and LISTEN),
// on one PostgreSQL database, first in this process, then as two separate
// `chokepoint serve` OS processes. A notification committed through either reaches
// every user connected to either exactly once, and an agency's webhook exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Store } from '../../src/store/store.js';
import { scratchPostgres } from '../../src/store/scratch.js';
import { buildServer } from '../../src/api/server.js';
import { notify } from '../../src/notify/notifications.js';
import { userWithToken, auth, postAs } from '../helpers.js';
import { startChokepoint, type ServingProcess } from '../../src/cli/spawn.js';
import { createUser, issueToken } from '../../src/store/users.js';
import { createCase, registerTargets } from '../../src/deconflict/targets.js';

const url = process.env.DATABASE_URL;
if (!url) console.warn('DATABASE_URL is not set: the scale-out test (two servers on one PostgreSQL) is skipped.');

/** Reads a server-sent-event stream, collecting notification ids (resuming after `lastEventId` when given). */
async function collect(base: string, token: string, signal: AbortSignal, lastEventId?: number): Promise<number[]> {
  const ids: number[] = [];
  const res = await fetch(`${base}/notifications/stream`, {
    headers: { ...auth(token), ...(lastEventId ? { 'last-event-id': String(lastEventId) } : {}) },
    signal,
  });
  const reader = res.body!.getReader();
  void (async () => {
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += new TextDecoder().decode(value);
        for (const m of buf.matchAll(/^id: (\d+)$/gm)) ids.push(Number(m[1]));
        buf = buf.slice(buf.lastIndexOf('\n') + 1);
      }
    } catch {
      /* aborted at the end of the test */
    }
  })();
  return ids;
}

/** A webhook receiver that records the notification ids it is sent. */
async function webhookReceiver(): Promise<{ server: Server; url: string; delivered: number[] }> {
  const delivered: number[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      delivered.push((JSON.parse(body) as { id: number }).id);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, delivered };
}

describe.skipIf(!url)('two servers on one PostgreSQL', () => {
  let drop: () => Promise<void>;
  const stores: Store[] = [];
  const apps: FastifyInstance[] = [];
  const bases: string[] = [];
  let hook: Server;
  let delivered: number[] = [];
  beforeAll(async () => {
    const scratch = await scratchPostgres(url!);
    drop = scratch.drop;
    for (let i = 0; i < 2; i++) {
      const store = await Store.open({ url: scratch.url });
      const app = await buildServer({
        store,
        rateLimit: 100_000,
        escalateEveryMs: 0,
        maxEventLoopDelayMs: 0,
        instance: `node-${i}`,
      });
      stores.push(store);
      apps.push(app);
      bases.push(await app.listen({ port: 0, host: '127.0.0.1' }));
    }
    const receiver = await webhookReceiver();
    hook = receiver.server;
    delivered = receiver.delivered;
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    for (const s of stores) await s.close();
    hook?.close();
    await drop?.();
  });

  it('delivers each notification once to every connected user and once to the webhook, whichever server wrote it', async () => {
    const [a, b] = stores as [Store, Store];
    const onA = await userWithToken(a, { username: 'dea.on.a', agency: 'DEA', clearance: 'S', roles: ['analyst'] });
    const onB = await userWithToken(a, { username: 'dea.on.b', agency: 'DEA', clearance: 'S', roles: ['analyst'] });
    const admin = await userWithToken(a, { username: 'ops.admin', agency: 'DEA', clearance: 'S', roles: ['admin'] });
    expect(
      (
        await postAs(apps[1]!, '/admin/webhooks', admin, {
          agency: 'DEA',
          url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
        })
      ).statusCode,
    ).toBe(201);
    const ctl = new AbortController();
    const gotA = await collect(bases[0]!, onA, ctl.signal);
    const gotB = await collect(bases[1]!, onB, ctl.signal);
    await new Promise((r) => setTimeout(r, 300)); // both streams subscribed
    const written: number[] = [];
    for (let i = 0; i < 10; i++) {
      const store = i % 2 ? b : a; // written through either server's connections
      written.push(
        (await store.db.transaction((tx) =>
          notify(tx, { agency: 'DEA', kind: 'test.scale-out', message: `note ${i}` }),
        ))!,
      );
    }
    await notify(a.db, { agency: 'CBP', kind: 'test.scale-out', message: 'not for DEA' });
    await expect
      .poll(() => gotA.length + gotB.length + delivered.length, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(30);
    await new Promise((r) => setTimeout(r, 500)); // anything extra would arrive by now
    ctl.abort();
    expect(gotA.sort((x, y) => x - y)).toEqual(written);
    expect(gotB.sort((x, y) => x - y)).toEqual(written);
    expect(delivered.sort((x, y) => x - y)).toEqual(written);
  });
});

describe.skipIf(!url)('two chokepoint processes on one PostgreSQL', () => {
  const PHONE = '+525598765432';
  let drop: () => Promise<void>;
  let store: Store;
  const servers: ServingProcess[] = [];
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>;
  const tokens: Record<string, string> = {};
  let caseId = 0;
  beforeAll(async () => {
    const scratch = await scratchPostgres(url!);
    drop = scratch.drop;
    store = await Store.open({ url: scratch.url });
    for (const [username, roles] of [
      ['loader', ['analyst']],
      ['case.agent', ['case_agent']],
      ['ops.admin', ['admin']],
    ] as const) {
      const p = await createUser(store.db, {
        username,
        agency: 'DEA',
        clearance: 'S',
        roles: [...roles],
        password: 'correct horse battery staple',
      });
      tokens[username] = (await issueToken(store.db, p.id, 'session', 1)).token;
      if (username === 'case.agent') {
        caseId = (
          await createCase(store.db, p, {
            caseNumber: 'DEA-2026-0777',
            title: 'Scale-out drill',
            contactName: 'Case Agent',
            contactPhone: '+1 202 555 0100',
          })
        ).id;
        await registerTargets(store.db, p, caseId, [{ kind: 'phone', value: PHONE }]);
      }
    }
    receiver = await webhookReceiver();
    for (let i = 0; i < 2; i++) {
      servers.push(
        await startChokepoint(['serve', '--port', '0', '--host', '127.0.0.1'], {
          ...process.env,
          DATABASE_URL: scratch.url,
          RATE_LIMIT: '100000',
          CHOKEPOINT_INSTANCE: `node-${i}`,
        }),
      );
    }
  }, 120_000);
  afterAll(async () => {
    for (const s of servers) await s.stop();
    receiver?.server.close();
    await store?.close();
    await drop?.();
  });

  it('tells the case agent on either process of every seizure written through either, exactly once, and the webhook once', async () => {
    const [a, b] = servers as [ServingProcess, ServingProcess];
    const hook = await fetch(`${b.url}/admin/webhooks`, {
      method: 'POST',
      headers: { ...auth(tokens['ops.admin']!), 'content-type': 'application/json' },
      body: JSON.stringify({ agency: 'DEA', url: receiver.url }),
    });
    expect(hook.status).toBe(201);
    const ctl = new AbortController();
    const onA = await collect(a.url, tokens['case.agent']!, ctl.signal);
    const onB = await collect(b.url, tokens['case.agent']!, ctl.signal);
    await new Promise((r) => setTimeout(r, 300));
    // Each seizure names the case's phone; written alternately through either process.
    const seize = async (i: number, via: ServingProcess) => {
      const r = await fetch(`${via.url}/records`, {
        method: 'POST',
        headers: { ...auth(tokens.loader!), 'content-type': 'application/json' },
        body: JSON.stringify([
          {
            source: 'DEA',
            sourceRecordId: `seizure-${i}`,
            kind: 'operational',
            reportDate: '2026-11-20',
            grade: 'B2',
            marking: 'U//LES',
            entities: [{ id: `seized-phone-${i}`, schema: 'Phone', properties: { number: [PHONE] } }],
          },
        ]),
      });
      expect(r.status).toBe(200);
    };
    const notices = async () =>
      (
        await store.db.query<{ id: number }>(
          "SELECT id FROM notifications WHERE kind = 'interdiction.link' AND ref = $1 ORDER BY id",
          [`case:${caseId}`],
        )
      ).map((r) => r.id);
    const n = 8;
    for (let i = 0; i < n; i++) await seize(i, i % 2 ? b : a);
    const written = await notices();
    expect(written).toHaveLength(n);
    await expect
      .poll(() => onA.length + onB.length + receiver.delivered.length, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(3 * n);
    await new Promise((r) => setTimeout(r, 500));
    ctl.abort();
    expect([...onA].sort((x, y) => x - y)).toEqual(written);
    expect([...onB].sort((x, y) => x - y)).toEqual(written);
    expect([...receiver.delivered].sort((x, y) => x - y)).toEqual(written);

    // The agent's browser loses its connection, three more seizures arrive, and it
    // reconnects with Last-Event-ID (as EventSource does): it gets exactly the three it missed.
    for (let i = n; i < n + 3; i++) await seize(i, b);
    const missed = (await notices()).slice(n);
    const again = new AbortController();
    const resumed = await collect(a.url, tokens['case.agent']!, again.signal, written[written.length - 1]);
    await expect.poll(() => resumed.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 300));
    again.abort();
    expect(resumed).toEqual(missed);
  }, 120_000);
});
