// The command line, run as a user runs it: the real binary on a fresh data directory.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../src/store/store.js';
import { runChokepoint, startChokepoint } from '../src/cli/spawn.js';

const data = mkdtempSync(join(tmpdir(), 'cp-cli-'));
const env = { ...process.env, DATABASE_URL: '' };
// Asynchronous, so the test worker's event loop keeps answering vitest while a command runs.
const cli = (...args: string[]) => runChokepoint(['--data', join(data, 'db'), ...args], env);

describe('chokepoint CLI', () => {
  it('loads the demo scenario, prints the demo users, then serves it', async () => {
    const r = await cli('demo', '--size', 'tiny', '--no-serve');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/read \d+ records: \d+ new/);
    expect(r.stdout).toMatch(/dea\.analyst\s+\S{12}\s+DEA intelligence analyst/);
    const users = JSON.parse(readFileSync(join(data, 'db', 'demo-users.json'), 'utf8'));
    // Serve, sign in as a demo user, search, stop.
    const server = await startChokepoint(['--data', join(data, 'db'), 'demo', '--size', 'tiny', '--port', '0'], env);
    try {
      const { url } = server;
      const login = await fetch(`${url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'dea.analyst', password: users['dea.analyst'] }),
      });
      const { token } = (await login.json()) as { token: string };
      const res = await fetch(`${url}/entities?schema=Seizure&limit=5`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = (await res.json()) as { total: number };
      expect(body.total).toBeGreaterThan(0);
      const page = await fetch(url);
      expect(await page.text()).toMatch(/<title>Chokepoint<\/title>/);
      expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    } finally {
      await server.stop();
    }
  });

  it('rejects a bad file with file, line and field, writes nothing, and exits non-zero', async () => {
    const bad = join(data, 'bad.jsonl');
    writeFileSync(
      bad,
      `${JSON.stringify({ sourceRecordId: 'x1', marking: 'U//LES', entities: [{ id: 'x1', schema: 'Person', properties: { name: ['Ana'] } }] })}\n${JSON.stringify({ sourceRecordId: 'x2', marking: 'U//LES', entities: [{ id: 'x2', schema: 'Person', properties: { birthDate: ['02/03/1990'] } }] })}\n`,
    );
    const r = await cli('import', bad, '--source', 'DEA');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/rejected, nothing written/);
    expect(r.stderr).toContain(`${bad}:line 2: record.entities[0].properties.birthDate[0]`);
    const good = await cli('import', bad, '--source', 'DEA', '--mode', 'skip');
    expect(good.status, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/1 new, 0 updated, 0 unchanged, 1 rejected/);
    // A process killed after its commit left its follow-up work queued: the next import finishes it first.
    let store = await Store.open({ url: '', dataDir: join(data, 'db') });
    // The operator imports as the system: its ids are stored as given, never namespaced like a user's.
    expect(await store.db.query("SELECT id FROM entities WHERE id LIKE '%x1'")).toEqual([{ id: 'x1' }]);
    await store.db.query(
      "INSERT INTO after_write_queue (entity_ids, actor, cross_reference) VALUES ('{x1}', 'killed process', true)",
    );
    await store.close();
    const again = await cli('import', bad, '--source', 'DEA', '--mode', 'skip');
    expect(again.stdout).toMatch(/finished 1 follow-up job\(s\) an earlier process left after its commit/);
    expect(again.stdout).toMatch(/0 new, 0 updated, 1 unchanged/);
    store = await Store.open({ url: '', dataDir: join(data, 'db') });
    expect(await store.db.query('SELECT id FROM after_write_queue')).toEqual([]);
    await store.close();
  });

  it('exports as a user, adds users, and verifies the audit log', async () => {
    const out = join(data, 'export.ftm.json');
    const r = await cli('export', '--as', 'cbp.officer', '--purpose', 'joint targeting with HSI', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(10);
    expect(lines[0]).toHaveProperty('schema');
    expect(statSync(out).mode & 0o777).toBe(0o600); // an export is data: its owner's only
    const csv = join(data, 'export.csv');
    const c = await cli(
      'export',
      '--as',
      'cbp.officer',
      '--purpose',
      'joint targeting with HSI',
      '--format',
      'csv',
      '--out',
      csv,
    );
    expect(c.stderr).toMatch(/exported \d+ values to/);
    expect(readFileSync(csv, 'utf8')).toMatch(/^\uFEFFentity_id,schema,caption,prop,value,marking,source\r\n\S/);
    const add = await cli(
      'users',
      'add',
      '--username',
      'new.analyst',
      '--agency',
      'hsi',
      '--clearance',
      'S',
      '--roles',
      'analyst',
    );
    expect(add.stdout).toMatch(/created new\.analyst \(HSI, S, analyst\); password: \S{16}/);
    const x = await cli('xref');
    expect(x.status, x.stderr).toBe(0);
    expect(x.stdout).toMatch(/cross-referenced \d+ people and organisations: 0 new possible links/); // the demo load found them already
    const v = await cli('audit', 'verify');
    expect(v.status).toBe(0);
    expect(v.stdout).toMatch(/^OK: \d+ entries; head \d+:[0-9a-f]{64}/);
    expect((await cli('audit', 'verify', '--expect-head', `999999:${'0'.repeat(64)}`)).status).toBe(3);
  });

  it('runs the deconfliction and watchlist workflows as named users', async () => {
    const file = (name: string, v: unknown) => {
      const f = join(data, name);
      writeFileSync(f, JSON.stringify(v));
      return f;
    };
    const dea = JSON.parse(
      (
        await cli(
          'case',
          'open',
          '--as',
          'dea.agent',
          '--file',
          file('c1.json', {
            caseNumber: 'DEA-CLI-1',
            title: 'CLI case',
            contactName: 'SA One',
            contactPhone: '+1 619 555 0101',
          }),
        )
      ).stdout,
    );
    const hsi = JSON.parse(
      (
        await cli(
          'case',
          'open',
          '--as',
          'hsi.agent',
          '--file',
          file('c2.json', {
            caseNumber: 'HSI-CLI-1',
            title: 'Other case',
            contactName: 'SA Two',
            contactPhone: '+1 619 555 0102',
          }),
        )
      ).stdout,
    );
    expect(
      (
        await cli(
          'case',
          'targets',
          String(dea.id),
          '--as',
          'dea.agent',
          '--target',
          'wallet=TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
        )
      ).status,
    ).toBe(0);
    const t = await cli(
      'case',
      'targets',
      String(hsi.id),
      '--as',
      'hsi.agent',
      '--target',
      'wallet=TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
    );
    expect(JSON.parse(t.stdout).conflicts[0]).toMatchObject({
      basis: 'same crypto',
      other: { agency: 'DEA', contactName: 'SA One' },
    });
    expect(
      (await cli('case', 'targets', String(hsi.id), '--as', 'hsi.agent', '--target', 'vehicle=1HGCM82633A004353'))
        .stderr,
    ).toMatch(/targets\[0\]: vin: .*check digit/);
    expect((await cli('case', 'open', '--as', 'cbp.officer', '--file', join(data, 'c1.json'))).stderr).toMatch(
      /lacks the permission "manageCases"/,
    );
    const op = await cli(
      'operation',
      'submit',
      '--as',
      'dea.agent',
      '--file',
      file('op.json', {
        type: 'raid',
        title: 'CLI raid',
        location: { lat: 32.7, lon: -117.1 },
        startsAt: '2031-02-01T10:00:00Z',
        endsAt: '2031-02-01T12:00:00Z',
        contactName: 'Sgt One',
        contactPhone: '+1 619 555 0101',
      }),
    );
    expect(JSON.parse(op.stdout).status).toBe('accepted');
    expect(
      (await cli('operation', 'submit', '--as', 'dea.agent', '--file', file('bad.json', { type: 'raid' }))).stderr,
    ).toMatch(/bad\.json: .*title/);
    const nom = await cli(
      'watchlist',
      'nominate',
      '--as',
      'dea.analyst',
      '--file',
      file('n.json', {
        subjectKind: 'person',
        names: ['Wang Jianhua'],
        birthDates: ['1970'],
        usPerson: false,
        categories: ['precursor supply'],
        basis: 'Broker of 4-AP shipments to Manzanillo per three corroborating seizures in 2030.',
        marking: 'U//LES',
      }),
    );
    expect(nom.status, nom.stderr).toBe(0);
    const r = await cli(
      'watchlist',
      'review',
      String(JSON.parse(nom.stdout).id),
      '--as',
      'fbi.reviewer',
      '--decision',
      'accept',
      '--note',
      'meets criteria',
    );
    expect(JSON.parse(r.stdout).status).toBe('pending_deconfliction');
    expect(
      JSON.parse((await cli('watchlist', 'list', '--as', 'fbi.reviewer', '--status', 'active')).stdout).map(
        (n: { names: string[] }) => n.names[0],
      ),
    ).toEqual(['Wang Jianhua']);
    expect(
      (
        await cli(
          'taskforce',
          'add',
          '--as',
          'dea.supervisor',
          '--file',
          file('tf.json', {
            name: 'CLI Task Force',
            kind: 'task force',
            purpose: 'p',
            leadAgency: 'DEA',
            memberAgencies: ['HSI'],
            geography: ['US-CA'],
            focus: ['distribution'],
          }),
        )
      ).status,
    ).toBe(0);
    expect((await cli('deconflict', 'targets', '--as', 'hsi.agent', '--open')).stdout).toMatch(/SA One/);
    const rank = await cli('graph', 'rank', '--as', 'dea.analyst', '--top', '3');
    expect(rank.status, rank.stderr).toBe(0);
    expect(rank.stderr).toMatch(/graph: \d+ nodes, \d+ edges/);
    expect(
      rank.stdout
        .trim()
        .split('\n')
        .filter((l) => /^\d\.\d{3} {2}/.test(l)),
    ).toHaveLength(3);
  });
});
