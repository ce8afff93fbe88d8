// The reference list of controlled substances, precursors and laboratory supplies:
// a checked data file (reference/substances.csv), looked up by name, synonym, CAS
// number or HS code, and kept in step with the targeting rules that use its codes.
import { describe, expect, it } from 'vitest';
import { auth, memoryApiFor } from './helpers.js';
import { findSubstances, lookupSubstance, parseSubstances, substances } from '../src/chem/substances.js';
import { casValid } from '../src/domain/checksums.js';
import { parseRecord } from '../src/ingest/record-input.js';

const HEAD = 'key,name,category,casNumber,hsCode,synonyms,control,lists,source\n';

describe('the reference substance list', () => {
  it('holds the fentanyl precursors of the 1988 Convention and DEA, the List I/II chemicals and the Special Surveillance List equipment', () => {
    const byKey = new Map(substances().map((s) => [s.key, s]));
    for (const k of ['npp', 'anpp', '4-ap', 'boc-4-ap', 'norfentanyl', '4-piperidone', 'boc-4-piperidone'])
      expect(byKey.get(k)?.lists, k).toContain('UN-1988-I');
    for (const k of [
      'npp',
      '4-ap',
      'boc-4-ap',
      '4-piperidone',
      'boc-4-piperidone',
      'benzylfentanyl',
      'ephedrine',
      'pseudoephedrine',
      'red-phosphorus',
    ])
      expect(byKey.get(k)?.lists, k).toContain('US-LIST-I');
    for (const k of ['acetic-anhydride', 'acetone', 'toluene', 'potassium-permanganate'])
      expect(byKey.get(k)?.lists, k).toContain('US-LIST-II');
    expect(findSubstances({ list: 'US-SSL', category: 'equipment' }).map((s) => s.key)).toEqual(
      expect.arrayContaining(['tableting-machine', 'encapsulating-machine']),
    );
    expect(byKey.get('tableting-machine')!.hsCodes).toEqual(expect.arrayContaining(['8479.89', '8207.30']));
    expect(byKey.get('npp')).toMatchObject({ casNumber: '39742-60-4', hsCodes: ['2933.37'] });
    expect(substances().length).toBeGreaterThan(80);
  });

  it('has only CAS numbers whose check digit holds, well-formed HS codes and known control lists (the file is parsed strictly)', () => {
    for (const s of substances()) if (s.casNumber) expect(casValid(s.casNumber), s.key).toBe(true);
    expect(casValid('437-38-7')).toBe(true); // fentanyl
    expect(casValid('437-38-8')).toBe(false);
    expect(() => parseSubstances(`${HEAD}x,X,precursor,437-38-8,2933.39,,,,\n`)).toThrow(
      /line 2: CAS number 437-38-8 fails its check digit/,
    );
    expect(() => parseSubstances(`${HEAD}x,X,precursor,,29.33,,,,\n`)).toThrow(/HS code 29\.33/);
    expect(() => parseSubstances(`${HEAD}x,X,precursor,,,,,US-LIST-IX,\n`)).toThrow(/unknown control list US-LIST-IX/);
    expect(() => parseSubstances(`${HEAD}x,X,a,,,,,,\nx,Y,a,,,,,,\n`)).toThrow(/line 3: key "x" is used twice/);
  });

  it('finds a substance by any of its names, its abbreviation, its Chinese name or its CAS number', () => {
    expect(lookupSubstance('4-AP')?.key).toBe('4-ap');
    expect(lookupSubstance('N-phenylpiperidin-4-amine')?.key).toBe('4-ap');
    expect(lookupSubstance('Phenylacetone')?.key).toBe('p2p');
    expect(lookupSubstance('芬太尼')?.key).toBe('fentanyl');
    expect(lookupSubstance('21409-26-7')?.key).toBe('anpp');
    expect(lookupSubstance('Fentanyl (pills)')?.key).toBe('fentanyl');
    expect(lookupSubstance('Cyclopropylfentanyl')).toBeUndefined();
    expect(findSubstances({ q: 'pill press' }).map((s) => s.key)).toEqual(['tableting-machine']);
    expect(findSubstances({ hs: '2933.3' }).map((s) => s.key)).toEqual(
      expect.arrayContaining(['npp', 'anpp', 'piperidine', 'fentanyl']),
    );
  });

  it('refuses, at ingest, a CAS number whose check digit fails', () => {
    const bad = parseRecord(
      {
        sourceRecordId: 'S-1',
        marking: 'U',
        entities: [{ id: 's1', schema: 'Substance', properties: { name: ['Something'], casNumber: ['39742-60-5'] } }],
      },
      { source: 'DEA' },
    );
    expect(bad.errors?.map((e) => e.message).join()).toMatch(/not a CAS Registry Number with a valid check digit/);
    expect(
      parseRecord(
        {
          sourceRecordId: 'S-2',
          marking: 'U',
          entities: [{ id: 's2', schema: 'Substance', properties: { name: ['NPP'], casNumber: ['39742-60-4'] } }],
        },
        { source: 'DEA' },
      ).record,
    ).toBeTruthy();
  });
});

describe('substances and the targeting rules', () => {
  const ctx = memoryApiFor({ username: 'cbp.targeter', agency: 'CBP', clearance: 'U', roles: ['analyst'] });

  it('the active HS rules cover every HS code of the fentanyl precursors and of the tableting equipment', async () => {
    const rules = await ctx.store.db.query<{ code: string; params: { prefixes: string[] } }>(
      "SELECT code, params FROM targeting_rules WHERE active AND kind = 'hs_code'",
    );
    const prefixes = (code: string) => rules.find((r) => r.code === code)!.params.prefixes;
    const covered = (hs: string, code: string) => prefixes(code).some((p) => hs.startsWith(p));
    for (const s of findSubstances({ category: 'fentanyl precursor' }))
      for (const hs of s.hsCodes) expect(covered(hs, 'HS-PRECURSOR'), `${s.key} ${hs}`).toBe(true);
    for (const key of ['tableting-machine', 'encapsulating-machine'])
      for (const hs of substances().find((s) => s.key === key)!.hsCodes)
        expect(covered(hs, 'HS-PRESS'), `${key} ${hs}`).toBe(true);
  });

  it('serves the list to any signed-in user, searchable by words, control list and HS code, with clear errors', async () => {
    const get = (url: string) => ctx.app.inject({ method: 'GET', url, headers: auth(ctx.token) });
    const table1 = (await get('/substances?list=UN-1988-I')).json();
    expect(table1.lists['UN-1988-I']).toMatch(/1988 Convention/);
    expect(table1.substances.map((s: { key: string }) => s.key)).toEqual(
      expect.arrayContaining(['npp', '4-piperidone', 'ephedrine']),
    );
    expect(table1.substances.every((s: { lists: string[] }) => s.lists.includes('UN-1988-I'))).toBe(true);
    expect((await get('/substances?q=boc%20piperidone')).json().substances.map((s: { key: string }) => s.key)).toEqual([
      'boc-4-piperidone',
    ]);
    expect((await get('/substances/npp')).json()).toMatchObject({
      name: 'N-Phenethyl-4-piperidone (NPP)',
      casNumber: '39742-60-4',
    });
    expect((await get('/substances/no-such')).statusCode).toBe(404);
    expect((await get('/substances?list=SCHEDULE-X')).statusCode).toBe(400);
    expect((await ctx.app.inject({ method: 'GET', url: '/substances' })).statusCode).toBe(401);
  });
});
