// Scale-out: two server instances, each with its own connections (pool and LISTEN),
// on one PostgreSQL database. A notification committed through either reaches every
// user connected to either exactly once, and an agency's webhook exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Store } from '../../src/store/store.js';
import { scratchPostgres } from '../../src/store/scratch.js';
import { buildServer } from '../../src/api/server.js';
import { notify } from '../../src/notify/notifications.js';
import { userWithToken, auth, postAs } from '../helpers.js';

const url = process.env.DATABASE_URL;
if (!url) console.warn('DATABASE_URL is not set: the scale-out test (two servers on one PostgreSQL) is skipped.');

/** Reads a server-sent-event stream, collecting notification ids. */
async function collect(base: string, token: string, signal: AbortSignal): Promise<number[]> {
  const ids: number[] = [];
  const res = await fetch(`${base}/notifications/stream`, { headers: auth(token), signal });
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
    } catch { /* aborted at the end of the test */ }
  })();
  return ids;
}

describe.skipIf(!url)('two servers on one PostgreSQL', () => {
  let drop: () => Promise<void>;
  const stores: Store[] = [];
  const apps: FastifyInstance[] = [];
  const bases: string[] = [];
  let hook: Server;
  const delivered: number[] = [];
  beforeAll(async () => {
    const scratch = await scratchPostgres(url!);
    drop = scratch.drop;
    for (let i = 0; i < 2; i++) {
      const store = await Store.open({ url: scratch.url });
      const app = await buildServer({ store, rateLimit: 100_000, escalateEveryMs: 0, maxEventLoopDelayMs: 0, instance: `node-${i}` });
      stores.push(store);
      apps.push(app);
      bases.push(await app.listen({ port: 0, host: '127.0.0.1' }));
    }
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => { delivered.push((JSON.parse(body) as { id: number }).id); res.end('ok'); });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
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
    expect((await postAs(apps[1]!, '/admin/webhooks', admin, { agency: 'DEA', url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook` })).statusCode).toBe(201);
    const ctl = new AbortController();
    const gotA = await collect(bases[0]!, onA, ctl.signal);
    const gotB = await collect(bases[1]!, onB, ctl.signal);
    await new Promise((r) => setTimeout(r, 300)); // both streams subscribed
    const written: number[] = [];
    for (let i = 0; i < 10; i++) {
      const store = i % 2 ? b : a; // written through either server's connections
      written.push((await store.db.transaction((tx) => notify(tx, { agency: 'DEA', kind: 'test.scale-out', message: `note ${i}` })))!);
    }
    await notify(a.db, { agency: 'CBP', kind: 'test.scale-out', message: 'not for DEA' });
    await expect.poll(() => gotA.length + gotB.length + delivered.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(30);
    await new Promise((r) => setTimeout(r, 500)); // anything extra would arrive by now
    ctl.abort();
    expect(gotA.sort((x, y) => x - y)).toEqual(written);
    expect(gotB.sort((x, y) => x - y)).toEqual(written);
    expect(delivered.sort((x, y) => x - y)).toEqual(written);
  });
});
