// Load: autocannon against a real `chokepoint demo` server process on loopback, at
// rising request rates, bounded in time. For each endpoint and rate it prints the
// throughput achieved, p50/p99 latency and the status codes, beside the named
// baseline "health" (GET /health: the server's floor, no database work) at the same
// rate. Below saturation every answer should be 2xx; above it the server should shed
// load with 429/503 rather than fail or let latency grow without bound.
//
//   npm run bench:load                                   (PGlite)
//   DATABASE_URL=postgres://root@127.0.0.1:5432/test npm run bench:load   (adds PostgreSQL)
//   options: --rates 25,50,100,200,400,800 --seconds 5 --connections 32 --size small
import { parseArgs } from 'node:util';
import { startChokepoint } from '../src/cli/spawn.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { scratchPostgres } from '../src/store/scratch.js';

const { values: args } = parseArgs({
  options: {
    rates: { type: 'string', default: '25,50,100,200,400,800' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    size: { type: 'string', default: 'small' },
  },
});
const rates = args.rates.split(',').map(Number);

interface Target {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

async function run(
  url: string,
  t: Target,
  rate: number,
  token: string,
  connections = Number(args.connections),
): Promise<{ rps: number; p50: number; p99: number; codes: Record<string, number>; errors: number }> {
  const r = await autocannon({
    url: url + t.path,
    method: t.method,
    connections,
    overallRate: rate,
    duration: Number(args.seconds),
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...t.headers },
    ...(t.body ? { body: JSON.stringify(t.body) } : {}),
    timeout: 10,
  });
  const codes: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.statusCodeStats ?? {})) codes[k] = (v as { count: number }).count;
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, codes, errors: r.errors + r.timeouts };
}

const kinds: ('pglite' | 'postgres')[] = ['pglite', ...(process.env.DATABASE_URL ? ['postgres' as const] : [])];
console.log(
  `load: rates ${rates.join(', ')} req/s, ${args.seconds} s each, ${args.connections} connections; scenario ${args.size}; ${new Date().toISOString().slice(0, 10)}`,
);
for (const kind of kinds) {
  const dataDir = mkdtempSync(join(tmpdir(), 'cp-load-'));
  const scratch = kind === 'postgres' ? await scratchPostgres(process.env.DATABASE_URL!) : undefined;
  const env = {
    ...process.env,
    RATE_LIMIT: '1000000',
    ...(scratch ? { DATABASE_URL: scratch.url } : { DATABASE_URL: '' }),
  };
  const { url, passwords, stop } = await startChokepoint(
    ['--data', dataDir, 'demo', '--size', args.size, '--port', '0', '--host', '127.0.0.1'],
    env,
  );
  try {
    const login = async (username: string) => {
      const r = await fetch(`${url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: passwords.get(username) }),
      });
      if (!r.ok) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
      return ((await r.json()) as { token: string }).token;
    };
    const token = await login('dea.agent');
    const get = async (path: string) =>
      (await fetch(url + path, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<{
        results: { id: string }[];
      }>;
    const person = (await get('/entities?schema=Person&limit=1')).results[0]!.id;
    // The deconfliction check a peer instance makes: pointers to open cases on these keys and names.
    const admin = await login('admin');
    const peer = await fetch(`${url}/admin/peers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'load-peer',
        url: 'http://127.0.0.1:9',
        outboundToken: 'load-test-outbound-token-0123456789',
      }),
    });
    const peerToken = (await peer.json()) as { inboundToken?: string; token?: string };
    const targets: Target[] = [
      { name: 'health (baseline)', method: 'GET', path: '/health' },
      {
        name: 'screen a name',
        method: 'POST',
        path: '/screen',
        body: { name: 'Ismael Zambada Garcia', birthDate: '1948' },
      },
      { name: 'search', method: 'GET', path: '/entities?q=garcia&limit=25' },
      {
        name: 'neighbourhood, 2 hops',
        method: 'GET',
        path: `/entities/${encodeURIComponent(person)}/neighbourhood?hops=2&limit=200`,
      },
      {
        name: 'deconfliction check',
        method: 'POST',
        path: '/federation/pointers',
        body: {
          keys: ['phone:+526671234567', 'wallet:tr7nhqjekqxgtci8q8zy4pl8otszgjlj6t'],
          names: [{ value: 'Jose Garcia Lopez', person: true }],
        },
        headers: { authorization: `Peer ${peerToken.inboundToken ?? peerToken.token}` },
      },
    ];
    console.log(`\n${kind}: ${url}`);
    console.log(
      'endpoint                    | rate | achieved req/s | p50 ms | p99 ms | status codes            | errors',
    );
    for (const t of targets) {
      const line = (label: string, rate: number, r: Awaited<ReturnType<typeof run>>) =>
        console.log(
          `${label.padEnd(27)} | ${String(rate).padStart(4)} | ${r.rps.toFixed(0).padStart(14)} | ${String(r.p50).padStart(6)} | ${String(r.p99).padStart(6)} | ${Object.entries(
            r.codes,
          )
            .map(([k, v]) => `${k}:${v}`)
            .join(' ')
            .padEnd(23)} | ${r.errors}`,
        );
      let top = 0;
      for (const rate of rates) {
        const r = await run(url, t, rate, token);
        line(t.name, rate, r);
        top = Math.max(top, r.rps);
        // Saturated: a higher rate at this concurrency only queues.
        if (r.errors > 0 || r.rps < rate * 0.5) break;
      }
      // Overload: 512 connections at four times the best rate; the server should shed (503), not fail.
      if (t.path !== '/health') {
        const over = Math.max(1, Math.round(top * 4));
        line(`${t.name}, 512 conn.`, over, await run(url, t, over, token, 512));
      }
    }
  } finally {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (scratch) await scratch.drop();
  }
}
