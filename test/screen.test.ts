import { describe, expect, it } from 'vitest';
import { memoryApiFor, auth } from './helpers.js';

describe('screening API', () => {
  const ctx = memoryApiFor({ username: 'carrier', agency: 'EXPRS', clearance: 'U', roles: ['partner'] });
  const screen = (payload: unknown) =>
    ctx.app.inject({ method: 'POST', url: '/screen', headers: auth(ctx.token), payload: payload as object });

  it('names the lists and their publication dates', async () => {
    const lists = (await ctx.app.inject({ url: '/screen/lists', headers: auth(ctx.token) })).json();
    expect(lists).toEqual([
      expect.objectContaining({
        list: 'OFAC-SDN',
        publishDate: '2024-05-03',
        entries: 14965,
        drugProgramEntries: 1714,
      }),
      expect.objectContaining({
        list: 'OFAC-NON-SDN',
        name: 'OFAC Consolidated Sanctions List (non-SDN)',
        publishDate: '2025-12',
        entries: 442,
      }),
      expect.objectContaining({
        list: 'UN-SC',
        name: 'UN Security Council Consolidated Sanctions List',
        publishDate: '2026-02-27',
        entries: 1003,
        byKind: { person: 730, organization: 273 },
      }),
    ]);
  });

  it('answers from every list, each hit naming the list it comes from', async () => {
    const umarov = (await screen({ name: 'Умаров Доку Хаматович' })).json();
    expect(umarov.hits[0]).toMatchObject({
      list: 'UN-SC',
      id: 'un-QDi.290',
      name: 'DOKU KHAMATOVICH UMAROV',
      programs: ['Al-Qaida'],
    });
    expect(umarov.lists.map((l: { list: string }) => l.list)).toEqual(['OFAC-SDN', 'OFAC-NON-SDN', 'UN-SC']);
    const martelly = (await screen({ name: 'Michel Joseph Martelly', birthDate: '1961-02-12' })).json();
    expect(martelly.hits[0]).toMatchObject({ list: 'OFAC-NON-SDN', id: 'ofac-nonsdn-50476' });
  });

  it('returns ranked hits with scores and reasons, and audits the screening', async () => {
    const res = await screen({ name: 'ZAMBADA GARCÍA, Ismael', birthDate: '1948', nationality: 'mx' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.lists[0].publishDate).toBe('2024-05-03');
    expect(body.hits[0]).toMatchObject({
      id: 'ofac-7226',
      list: 'OFAC-SDN',
      name: 'ZAMBADA GARCIA, Ismael',
      programs: ['SDNTK', 'ILLICIT-DRUGS-EO14059'],
    });
    expect(body.hits[0].score).toBeGreaterThan(0.95);
    expect(body.hits[0].reasons.join(' | ')).toMatch(/date of birth matches: 1948.*country matches: mx/);
    const [entry] = await ctx.store.db.query<{ actor: string; target: string }>(
      "SELECT actor, target FROM audit_log WHERE action = 'screen' ORDER BY seq DESC LIMIT 1",
    );
    expect(entry).toEqual({ actor: 'carrier', target: 'ZAMBADA GARCÍA, Ismael' });
    expect((await screen({ name: 'Pablo Kowalski' })).json().hits).toEqual([]);
  });

  it('matches on identifiers whatever the name', async () => {
    const res = await screen({
      name: 'Unknown Person',
      identifiers: [{ kind: 'crypto', value: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t' }],
    });
    expect(res.statusCode).toBe(200); // a valid address that is not listed: no hit, no error
    const bad = await screen({ name: 'X Y', identifiers: [{ kind: 'container', value: 'CSQU3054384' }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/identifiers\[0\]: container: .*ISO 6346/);
  });

  it('answers bad input with a clear 400', async () => {
    const cases: [unknown, RegExp][] = [
      [{ name: '' }, /name: is empty/],
      [{ name: '   ' }, /name: is empty/],
      [{ name: 'x'.repeat(500) }, /at most 300/],
      [{ name: 'a'.repeat(10_000) }, /must NOT have more than 1000 characters/],
      [{ name: 'bad \ud800' }, /invalid Unicode/],
      [{ name: 42 }, /must be string/],
      [{ name: '!!!' }, /no letters or digits/],
      [{ name: 'Ana', birthDate: '31/12/1990' }, /birthDate: .*not an ISO 8601 date/],
      [{ name: 'Ana', nationality: 'Narnia' }, /nationality\[0\]/],
      [{}, /must have required property 'name'/],
    ];
    for (const [payload, message] of cases) {
      const res = await screen(payload);
      expect(res.statusCode, JSON.stringify(payload).slice(0, 60)).toBe(400);
      expect(res.json().error).toMatch(message);
    }
  });

  it('screens a CSV batch, reporting bad rows by line and screening the rest', async () => {
    const csv =
      'name,birthDate,nationality\nIsmael Zambada Garcia,1948,mx\n,,\nJoaquin Guzman Loera,,\nNobody Listed Here,,\n';
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/screen/batch',
      headers: auth(ctx.token),
      payload: { csv },
    });
    expect(res.statusCode).toBe(200);
    const b = res.json();
    expect(b).toMatchObject({ rows: 4, screened: 3, withHits: 2 });
    expect(b.errors).toEqual([{ line: 3, error: 'name: is empty' }]);
    expect(b.results.map((r: { line: number; hits: { id: string }[] }) => [r.line, r.hits[0]?.id])).toEqual([
      [2, 'ofac-7226'],
      [4, 'ofac-6861'],
      [5, undefined],
    ]);
    expect(
      (
        await ctx.app.inject({
          method: 'POST',
          url: '/screen/batch',
          headers: auth(ctx.token),
          payload: { csv: 'who\nx\n' },
        })
      ).json().error,
    ).toMatch(/"name" column/);
  });
});
