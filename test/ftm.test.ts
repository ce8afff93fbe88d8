// The FollowTheMoney model as data, and real FtM streams (OpenSanctions' own test
// datasets, test/fixtures/ftm) imported whole and exported unchanged.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadModel, model, PROP_TYPES, type PropType } from '../src/domain/model.js';
import { cleanValue } from '../src/domain/values.js';
import { captionOf } from '../src/store/read.js';
import { importRecords } from '../src/ingest/importer.js';
import { readFtm } from '../src/ingest/readers.js';
import { exportFtm, type FtmEntity } from '../src/ingest/export.js';
import { SYSTEM } from '../src/store/write.js';
import type { Store } from '../src/store/store.js';
import { auth, backends, memoryStore, server, userWithToken } from './helpers.js';

const FTM_DIR = new URL('../reference/ftm/schema/', import.meta.url);
const FIXTURES = new URL('./fixtures/ftm/', import.meta.url);
const ftmYaml: Record<
  string,
  { properties?: Record<string, { type?: string; range?: string }>; edge?: { directed?: boolean } }
> = Object.assign({}, ...readdirSync(FTM_DIR).map((f) => parse(readFileSync(new URL(f, FTM_DIR), 'utf8'))));
const lines = (file: string): FtmEntity[] =>
  readFileSync(new URL(file, FIXTURES), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const e = JSON.parse(l);
      return { id: e.id, schema: e.schema, properties: e.properties };
    });
const FILES = ['yente-t1.ftm.json', 'yente-parteispenden.ftm.json', 'nomenklatura-donations.ijson'];

describe('the model is FtM schema YAML', () => {
  it('has all 69 FtM schemata with every property, its type and range, as FtM defines them', () => {
    const names = Object.keys(ftmYaml);
    expect(names).toHaveLength(69);
    let slots = 0;
    for (const name of names) {
      const s = model.get(name)!;
      expect(s, name).toBeDefined();
      expect(s.ftm).toBe(true);
      for (const [p, def] of Object.entries(ftmYaml[name]!.properties ?? {})) {
        slots++;
        const mine = model.properties(name)[p]!;
        expect(mine, `${name}.${p}`).toBeDefined();
        expect(mine.type, `${name}.${p}`).toBe(def.type ?? 'string');
        expect(mine.range, `${name}.${p}`).toBe(def.range);
      }
      if (ftmYaml[name]!.edge) expect(s.edge?.directed).toBe(ftmYaml[name]!.edge!.directed !== false);
    }
    expect(slots).toBe(500); // FtM 3.8's own property slots, before inheritance
    // Concrete where FtM has them concrete (OpenSanctions uses LegalEntity constantly).
    expect(model.get('LegalEntity')!.abstract).toBe(false);
    expect(model.get('Asset')!.abstract).toBe(false);
    expect(model.edge('Associate')!.directed).toBe(false);
    expect(model.edge('Ownership')!.directed).toBe(true);
    // Captions as FtM reads them: a relation's from its edge, else inherited.
    expect(model.captionProps('Associate')).toEqual(['relationship']);
    expect(captionOf('Associate', { relationship: [{ value: 'buys from' }] })).toBe('buys from');
    const bare = [...model.schemas.values()].find((d) => !d.caption.length && !d.edge && d.extends.length === 1)!;
    expect(model.captionProps(bare.name)).toEqual(model.captionProps(bare.extends[0]!));
  });

  it("adds Chokepoint's schemata beside FtM's, none reusing an FtM name", () => {
    const own = [...model.schemas.values()].filter((s) => !s.ftm).map((s) => s.name);
    expect(own).toEqual(
      expect.arrayContaining(['Shipment', 'Substance', 'Equipment', 'Seizure', 'EmailAddress', 'Phone']),
    );
    for (const n of own) expect(ftmYaml[n], n).toBeUndefined();
    // FtM's Email is a message; the address node is EmailAddress.
    expect(model.get('Email')!.ftm).toBe(true);
    expect(model.isEvent('Seizure')).toBe(true);
    expect(model.isEvent('Person')).toBe(false);
    expect(model.properties('Person').religion!.protected).toBe(true);
  });

  it('refuses an extension that would change what an FtM name means', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-model-'));
    const bad = (yaml: string, file = '_ftm-additions.yaml'): (() => unknown) => {
      writeFileSync(join(dir, file), yaml);
      return () => loadModel(FTM_DIR, new URL(`file://${dir}/`));
    };
    expect(bad('Person:\n  properties:\n    birthDate:\n      type: string\n')).toThrow(/FtM's property/);
    expect(bad('Person:\n  label: Human\n')).toThrow(/may not set "label"/);
    expect(bad('Thing:\n  properties:\n    passportNumber:\n      label: x\n')).toThrow(/FtM's property/);
    writeFileSync(join(dir, '_ftm-additions.yaml'), 'Person:\n  properties:\n    nickname2:\n      label: x\n');
    expect(bad('Email:\n  label: E-mail address\n  properties: {}\n', 'Email.yaml')).toThrow(/is an FtM schema/);
  });

  it('normalises every FtM property type as FtM does, and refuses what is not of the type', () => {
    const cases: Record<PropType, [unknown, string, unknown]> = {
      name: [' Zhang  Wei ', 'Zhang Wei', ''],
      string: ['x', 'x', '\u0001'],
      text: ['a\n b', 'a\n b', ''],
      date: ['2024-02', '2024-02', '2024-13'],
      country: ['MX', 'mx', 'xx'],
      identifier: ['A-1', 'A-1', ''],
      phone: ['+52 667 123 4567', '+526671234567', '667'],
      email: ['Ana@Example.COM', 'ana@example.com', 'ana@'],
      url: ['https://example.org/a', 'https://example.org/a', 'ftp://x'],
      number: ['1,500.5', '1500.5', 'many'],
      entity: ['os-123', 'os-123', 'a b'],
      address: ['Calle 5, Culiacán', 'Calle 5, Culiacán', ''],
      iban: ['DE89 3704 0044 0532 0130 00', 'DE89370400440532013000', 'DE00 0000'],
      topic: ['Role.PEP', 'role.pep', 'not a topic'],
      gender: ['F', 'female', 'unknown'],
      checksum: ['DA39A3EE5E6B4B0D3255BFEF95601890AFD80709', 'da39a3ee5e6b4b0d3255bfef95601890afd80709', 'xyz'],
      html: ['<p>a</p>', '<p>a</p>', ''],
      ip: ['2001:DB8:0:0:0:0:0:1', '2001:db8::1', '300.1.1.1'],
      json: ['{"a": 1}', '{"a": 1}', '{a'],
      language: ['SPA', 'spa', 'qqq'],
      mimetype: ['Text/HTML; charset=utf-8', 'text/html', 'html'],
    };
    expect(Object.keys(cases).sort()).toEqual([...PROP_TYPES].sort());
    for (const [type, [given, clean, bad]] of Object.entries(cases) as [PropType, [unknown, string, unknown]][]) {
      expect(cleanValue(type, given), type).toBe(clean);
      expect(() => cleanValue(type, bad), `${type} refuses ${JSON.stringify(bad)}`).toThrow();
    }
    // Countries by name and FtM's territories (former countries in sanctions lists); an ambiguous name is refused.
    expect(['Germany', 'Bolivia', 'suhh', 'ua-cri'].map((c) => cleanValue('country', c))).toEqual([
      'de',
      'bo',
      'suhh',
      'ua-cri',
    ]);
    expect(() => cleanValue('country', 'Korea')).toThrow(/not a country/);
    // A national phone number is read in the entity's own countries, as FtM does.
    expect(cleanValue('phone', '030 1234567', { countries: ['de'] })).toBe('+49301234567');
    expect(() => cleanValue('phone', '030 1234567')).toThrow(/E\.164/);
  });
});

for (const backend of backends) {
  describe(`real FtM streams (${backend.name})`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    beforeAll(async () => ({ store, drop } = await backend.open()));
    afterAll(async () => drop());

    const importFile = (path: string, mode: 'atomic' | 'skip' = 'atomic') =>
      importRecords(store, SYSTEM, () => readFtm({ path }, { source: 'PUBLIC', marking: 'U', kind: 'public' }), {
        origin: path,
        mode,
        crossReference: false,
      });

    it('imports every entity of the fixtures, keeping references to entities not in the file, and re-exports them unchanged', async () => {
      const all = new Map<string, FtmEntity>();
      let references = 0;
      let read = 0;
      for (const f of FILES) {
        const given = lines(f);
        const r = await importFile(new URL(f, FIXTURES).pathname);
        expect(r, f).toMatchObject({ read: given.length, rejected: 0 });
        references += r.references ?? 0;
        read += r.read;
        for (const e of given) all.set(e.id, e);
      }
      // 956 entities; the two donations files are one dataset, so the later one's version of an entity replaces the earlier's.
      expect(read).toBe(956);
      expect(all.size).toBe(482);
      expect(references).toBeGreaterThan(0);
      const out = new Map<string, FtmEntity>();
      for await (const e of exportFtm(store, SYSTEM, { purpose: 'round trip of the FtM fixtures' })) out.set(e.id, e);
      // Same ids, schemata and values (values as sets: FtM's order is not meaningful).
      const norm = (e: FtmEntity) => ({
        id: e.id,
        schema: e.schema,
        properties: Object.fromEntries(
          Object.entries(e.properties)
            .map(([p, v]) => [p, [...new Set(v)].sort()])
            .sort(),
        ),
      });
      for (const e of all.values()) expect(norm(out.get(e.id) ?? { ...e, properties: {} }), e.id).toEqual(norm(e));
      // Nothing else: referenced-only entities hold no values and are not exported as entities.
      expect([...out.keys()].filter((id) => !all.has(id))).toEqual([]);
    });

    it('--mode skip rejects exactly the invalid entities and keeps the rest, including what referred to them', async () => {
      const given = lines('yente-parteispenden.ftm.json');
      const payers = new Set(given.filter((e) => e.schema === 'Payment').flatMap((e) => e.properties.payer ?? []));
      const broken = given.filter((e) => payers.has(e.id)).slice(0, 3);
      expect(broken).toHaveLength(3);
      const dir = mkdtempSync(join(tmpdir(), 'cp-ftm-'));
      const path = join(dir, 'broken.ftm.json');
      writeFileSync(
        path,
        given
          .map((e) =>
            JSON.stringify(
              broken.includes(e)
                ? { ...e, id: `x${e.id}`, properties: { ...e.properties, birthDate: ['not a date'] } }
                : e,
            ),
          )
          .join('\n'),
      );
      // Payments referring to a broken payer refer to its new id: they must import, with the reference kept.
      const text = readFileSync(path, 'utf8').replace(
        new RegExp(`"(${broken.map((b) => b.id).join('|')})"`, 'g'),
        (_m, id) => `"x${id}"`,
      );
      writeFileSync(path, text);
      const r = await importFile(path, 'skip');
      expect(r.rejected).toBe(3);
      expect(new Set(r.errors.map((e) => e.line))).toEqual(new Set(broken.map((b) => given.indexOf(b) + 1)));
      expect(r.read - r.rejected).toBe(given.length - 3);
      const kept = await store.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM statements WHERE prop = 'payer' AND value = ANY($1)",
        [broken.map((b) => `x${b.id}`)],
      );
      expect(kept[0]!.n).toBeGreaterThan(0);
    });
  });
}

describe('GET /schemas', () => {
  it('serves the model: every schema, its properties and flags, and the property types', async () => {
    const store = await memoryStore();
    const app = await server(store);
    try {
      const h = auth(
        await userWithToken(store, { username: 'model.reader', agency: 'DEA', clearance: 'U', roles: ['analyst'] }),
      );
      const res = await app.inject({ method: 'GET', url: '/schemas', headers: h });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(Object.keys(body.schemata)).toHaveLength(model.schemas.size);
      expect(body.schemata.Value.properties.amountEur.type).toBe('number');
      expect(body.schemata.Payment.schemata).toContain('Value');
      expect(body.schemata.Family.edge.directed).toBe(false);
      expect(body.types).toContain('gender');
      const one = await app.inject({ method: 'GET', url: '/schemas/Seizure', headers: h });
      expect(one.json().properties.name.type).toBe('name'); // inherited from Thing
      expect((await app.inject({ method: 'GET', url: '/schemas/Nope', headers: h })).statusCode).toBe(404);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
