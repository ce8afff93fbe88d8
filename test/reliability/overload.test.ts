// Past saturation the server sheds load: requests beyond the in-flight limit (work
// waiting on the database) or arriving while the event loop is behind (work in the
// process, as with embedded PGlite) are answered 503 with Retry-After at once.
// Nothing fails, and the server serves normally afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { backends, userWithToken, auth } from '../helpers.js';
import type { Store } from '../../src/store/store.js';
import { buildServer } from '../../src/api/server.js';
import { loadScenario } from '../../src/scenario/load.js';

// Embedded PGlite runs queries in this process, so its requests never pile up in a
// pool: overload shows as a loop that is never idle, tested below on its own.
const pooled = backends.filter((b) => b.name !== 'pglite');
if (!pooled.length) console.warn('DATABASE_URL is not set: the in-flight limit test (PostgreSQL pool) is skipped.');
for (const backend of pooled) {
  describe(`overload (${backend.name})`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let app: FastifyInstance;
    let url: string;
    let token: string;
    beforeAll(async () => {
      ({ store, drop } = await backend.open());
      await loadScenario(store, { seed: 3, networks: 2 });
      app = await buildServer({
        store,
        rateLimit: 100_000,
        escalateEveryMs: 0,
        maxEventLoopDelayMs: 100,
        maxEventLoopUtilization: 0.9,
        maxInFlight: 4,
      });
      url = await app.listen({ port: 0, host: '127.0.0.1' });
      token = await userWithToken(store, { username: 'load.user', agency: 'DEA', clearance: 'S', roles: ['analyst'] });
    });
    afterAll(async () => {
      await app.close();
      await drop();
    });

    it('answers what it cannot take now with 503 and Retry-After, fails nothing, and recovers', async () => {
      // The dashboard's figures: several queries each, so concurrent requests pile up.
      const dashboard = () => fetch(`${url}/picture/dashboard`, { headers: auth(token) });
      const calm = () => new Promise((r) => setTimeout(r, 1500)); // let the load of the set-up pass
      await calm();
      const answers = await Promise.all(Array.from({ length: 200 }, dashboard));
      const codes = answers.map((r) => r.status);
      expect(
        codes.every((c) => c === 200 || c === 503),
        codes.join(),
      ).toBe(true);
      expect(codes.filter((c) => c === 200).length).toBeGreaterThan(0);
      const shed = answers.filter((r) => r.status === 503);
      expect(shed.length).toBeGreaterThan(0);
      expect(Number(shed[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await shed[0]!.json()) as { error: string }).error).toMatch(/(busy|overloaded) .*retry/);
      // Once the burst is over, requests one at a time all pass.
      await calm();
      for (let i = 0; i < 5; i++) {
        expect((await dashboard()).status).toBe(200);
        await new Promise((r) => setTimeout(r, 300));
      }
    });
  });
}

describe('overload (a busy process)', () => {
  it('answers 503 with Retry-After while the event loop is saturated, and serves again when it is not', async () => {
    const { store, drop } = await backends[0]!.open();
    const app = await buildServer({
      store,
      rateLimit: 100_000,
      escalateEveryMs: 0,
      maxEventLoopDelayMs: 100,
      maxEventLoopUtilization: 0.9,
      maxInFlight: 0,
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const health = () => fetch(`${url}/health`).then((r) => r.status);
      await new Promise((r) => setTimeout(r, 1000)); // opening the store kept the loop busy
      expect(await health()).toBe(200);
      // Saturate the loop: 40 ms of work, a turn of the loop, again, for 1.5 s.
      let spinning = true;
      const spin = (): void => {
        const end = Date.now() + 40;
        while (Date.now() < end) {
          /* busy */
        }
        if (spinning) setImmediate(spin);
      };
      spin();
      await new Promise((r) => setTimeout(r, 400));
      const during: number[] = [];
      for (let i = 0; i < 10; i++) during.push(await health());
      spinning = false;
      expect(during).toContain(503);
      await new Promise((r) => setTimeout(r, 1000));
      expect(await health()).toBe(200);
    } finally {
      await app.close();
      await drop();
    }
  });
});
