// MISP exchange, on real MISP events (PyMISP's own test files, test/fixtures/misp with
// PROVENANCE.md): what an import reads of each and what it reports as not mapped; how
// TLP tags and distribution levels become markings, and what is refused; the round trip
// (import, export, import elsewhere: the same entities, ids, values and markings); the
// feed a MISP instance subscribes to (manifest and hashes as MISP computes them); and
// that a reader's export and feed hold only what that reader may read.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { countMisp } from '../src/exchange/misp/files.js';
import { markingTable } from '../src/exchange/misp/markings.js';
import { writeMispFeed } from '../src/exchange/misp/export.js';
import { exportStatements } from '../src/ingest/statements.js';
import { createUser, findUser } from '../src/store/users.js';
import { importRecords } from '../src/ingest/importer.js';
import { recordsOf } from '../src/ingest/readers.js';
import type { Store } from '../src/store/store.js';
import type { Principal } from '../src/domain/users.js';
import { apiSuite, auth, backends } from './helpers.js';

const FIXTURES = new URL('./fixtures/misp/', import.meta.url).pathname;
const text = (f: string): string => readFileSync(join(FIXTURES, f), 'utf8');
// biome-ignore lint/suspicious/noExplicitAny: MISP's JSON, read as it is
const json = (f: string): any => JSON.parse(text(f));
const UUID = {
  sednit: '5a3c2fcd-8328-42bb-a95e-4f4402de0b81',
  samsam: '5c066053-0e94-46eb-9746-4b7d950d210f',
  pubg: '5acc88e9-265c-4f22-9d2b-b702950d210f',
  ursnif: '5b646415-7b48-40d5-86b4-c0070acd0835',
};
const PURPOSE = 'share with the partner MISP instance';
const ANALYST = { clearance: 'S' as const, roles: ['analyst' as const] };
/** The same access in another instance (a writer's namespace is a digest of the access, so the ids are the same). */
const TWIN = { password: 'correct horse battery staple', agency: 'DEA', ...ANALYST };

/** The statements a reader may read, as the round trip must keep them (not the instance's own times). */
async function statements(store: Store, who: Principal): Promise<string[]> {
  const out: string[] = [];
  for await (const s of exportStatements(store, who, { purpose: 'compare the instances' }))
    out.push(
      JSON.stringify({
        entity: s.entity_id,
        schema: s.schema,
        prop: s.prop,
        value: s.value,
        marking: s.marking,
        entityMarking: s.entity_marking,
        source: s.dataset,
        record: s.source_record_id,
        recordMarking: s.record.marking,
        reportDate: s.record.report_date,
      }),
    );
  return out.sort();
}

describe('reading MISP events', () => {
  // What each real event holds, read by hand from the files (see PROVENANCE.md), against what the mapping
  // (reference/misp/mapping.json) gives a place to: the rest is reported, by kind, never dropped silently.
  const counts = (f: string) => countMisp(text(f), { source: 'DEA', marking: 'U//FOUO' });

  it('Sednit: every attribute and object is read; file hashes other than SHA-1, IPs and galaxies without a schema are reported', () => {
    const { counts: c, notMapped } = counts('sednit-event.json');
    expect(c).toEqual({
      events: 1,
      attributes: { read: 9, mapped: 9 }, // 7 domains (websites), a link and a text on the event entity
      objects: { read: 49, mapped: 49 }, // 37 files (documents by SHA-1), 12 domain-ip (websites)
      objectAttributes: { read: 113, mapped: 64 },
      references: { read: 20, mapped: 20 }, // file → domain-ip: relations between mapped entities
      tags: { read: 22, markings: 1, labels: 21 }, // tlp:white; the other 17 event tags and 4 attribute tags kept
      galaxyClusters: { read: 14, mapped: 1 }, // the threat actor Sofacy becomes an organization
      sightings: { read: 0, mapped: 0 },
    });
    expect(notMapped).toEqual({
      'object file attribute state': 37,
      'object domain-ip attribute ip': 12,
      'galaxy cluster exploit-kit': 2,
      'galaxy cluster tool': 4,
      'galaxy cluster mitre-malware': 7,
    });
  });

  it('SamSam: PE objects have no place in the model and are reported with their references; file(1) descriptions are not media types', () => {
    const { counts: c, notMapped } = counts('samsam-objects-event.json');
    expect(c).toMatchObject({
      attributes: { read: 0, mapped: 0 },
      objects: { read: 17, mapped: 6 },
      objectAttributes: { read: 74, mapped: 12 },
      references: { read: 10, mapped: 0 },
      tags: { read: 3, markings: 1, labels: 2 },
    });
    expect(notMapped).toMatchObject({
      'object pe-section': 8,
      'object pe': 2,
      'object original-imported-file': 1,
      'object file attribute sha256': 6,
      'object file attribute mimetype (a value that does not fit mimeType)': 3,
      'object reference (from an object not mapped)': 8,
      'object reference (to an element not mapped)': 2,
    });
  });

  it('PubG: MITRE intrusion sets become organizations; malware and guideline clusters stay labels', () => {
    const { counts: c, notMapped } = counts('pubg-galaxy-event.json');
    expect(c).toMatchObject({
      attributes: { read: 4, mapped: 2 },
      objects: { read: 2, mapped: 1 },
      galaxyClusters: { read: 7, mapped: 2 },
      tags: { read: 21, markings: 1, labels: 14 },
    });
    expect(notMapped).toMatchObject({
      'attribute sha256': 1,
      'attribute attachment': 1,
      'object virustotal-report': 1,
      'galaxy cluster guidelines': 3,
      'galaxy cluster mitre-malware': 2,
    });
  });

  it('Ursnif: each of the six sightings (seen, false positive, expired) becomes an event of its attribute', () => {
    const { counts: c, notMapped } = counts('ursnif-sighting-event.json');
    expect(c).toMatchObject({
      attributes: { read: 5, mapped: 5 },
      sightings: { read: 6, mapped: 6 },
      tags: { read: 2, markings: 0, labels: 2 },
      galaxyClusters: { read: 1, mapped: 0 },
    });
    expect(notMapped).toEqual({ 'galaxy cluster banker': 1 });
  });
});

for (const backend of backends) {
  describe(`MISP import, export and feed (${backend.name})`, () => {
    describe('markings', () => {
      // A store of its own: these imports replace one record again and again, under markings some writers cannot read.
      const api = apiSuite(backend, {
        dea: { username: 'dea.analyst', agency: 'DEA', ...ANALYST },
        red: { username: 'dea.redcell', agency: 'DEA', ...ANALYST, groups: ['REDCELL'] },
      });
      const importAs = (token: string, body: Record<string, unknown>) =>
        api.post('/import', token, { format: 'misp', ...body });
      /** The real Ursnif event (it carries no TLP tag) with the given event tags and distribution. */
      const ursnifWith = (tags: string[], distribution?: string) => {
        const e = json('ursnif-sighting-event.json');
        e.Event.Tag = [...e.Event.Tag, ...tags.map((name) => ({ name }))];
        if (distribution !== undefined) e.Event.distribution = distribution;
        return JSON.stringify(e);
      };
      const recordMarking = async (token: string, content: string, extra: Record<string, unknown> = {}) => {
        const res = await importAs(token, { content, name: 'ursnif.json', mode: 'atomic', ...extra });
        expect(res.statusCode, res.body).toBe(200);
        const [r] = await api.store.db.query<{ canonical: string }>(
          `SELECT m.canonical FROM records r JOIN markings m ON m.id = r.marking_id
            WHERE r.source_record_id = $1 ORDER BY r.imported_at DESC, r.id DESC LIMIT 1`,
          [UUID.ursnif],
        );
        return r!.canonical;
      };

      it('TLP tags become the markings of the table in reference/misp/markings.json, owned by the importer', async () => {
        const expected: Record<string, string> = {
          'tlp:clear': 'UNCLASSIFIED//OWNER DEA',
          'tlp:white': 'UNCLASSIFIED//OWNER DEA',
          'tlp:green': 'UNCLASSIFIED//FOUO//OWNER DEA',
          'tlp:amber': 'UNCLASSIFIED//FOUO/ORCON//OWNER DEA',
          'tlp:amber+strict': 'UNCLASSIFIED//FOUO/ORCON//OWNER DEA',
        };
        // The table is the documentation: every TLP it maps is here, and nothing it refuses.
        expect(
          Object.keys(markingTable().tlp)
            .filter((t) => markingTable().tlp[t]!.marking)
            .sort(),
        ).toEqual(Object.keys(expected).sort());
        for (const [tag, marking] of Object.entries(expected))
          expect(await recordMarking(api.token.dea, ursnifWith([tag], '3')), tag).toBe(marking);
      });

      it('refuses a sharing group without a marking in the mapping, naming the distribution; marks by the mapping when it has one', async () => {
        const e = json('ursnif-sighting-event.json');
        e.Event.distribution = '4';
        e.Event.sharing_group_id = '7';
        e.Event.SharingGroup = { uuid: '0b1c6c2e-3f1e-4b9a-9d53-6f7a0b1c2d3e', name: 'Southwest border partners' };
        const content = JSON.stringify(e);
        const res = await importAs(api.token.dea, { content, name: 'ursnif.json', marking: 'U' });
        expect(res.statusCode).toBe(422);
        expect(res.json().errors[0]).toMatchObject({ path: `Event[${UUID.ursnif}].distribution` });
        expect(res.json().errors[0].message).toMatch(
          /sharing group "0b1c6c2e.*Southwest border partners.*refused rather than widened/,
        );
        expect(
          await recordMarking(api.token.dea, content, {
            marking: 'U',
            mapping: { sharingGroups: { 'Southwest border partners': 'U//LES//REL TO USA, MEX' } },
          }),
        ).toBe('UNCLASSIFIED//LES//REL TO USA, MEX//OWNER DEA');
      });

      it('distribution 0 keeps an event to the importing agency, 1 and 2 keep a public one from the public, and an attribute is capped by its event', async () => {
        expect(await recordMarking(api.token.dea, ursnifWith(['tlp:clear'], '0'))).toBe(
          'UNCLASSIFIED//ORCON//OWNER DEA',
        );
        expect(await recordMarking(api.token.dea, ursnifWith(['tlp:clear'], '1'))).toBe(
          'UNCLASSIFIED//FOUO//OWNER DEA',
        );
        expect(await recordMarking(api.token.dea, ursnifWith(['tlp:clear'], '2'))).toBe(
          'UNCLASSIFIED//FOUO//OWNER DEA',
        );
        // An attribute's own tlp:clear under an event of distribution 0 stays within the agency (MISP caps it too).
        const e = json('ursnif-sighting-event.json');
        e.Event.distribution = '0';
        e.Event.Tag.push({ name: 'tlp:green' });
        e.Event.Attribute[0].Tag = [{ name: 'tlp:clear' }];
        const res = await importAs(api.token.dea, { content: JSON.stringify(e), name: 'ursnif.json' });
        expect(res.statusCode, res.body).toBe(200);
        const rows = await api.store.db.query<{ value: string; canonical: string }>(
          `SELECT s.value, m.canonical FROM statements s JOIN markings m ON m.id = s.marking_id
            WHERE s.prop = 'name' AND s.value = $1`,
          [e.Event.Attribute[0].value],
        );
        expect(rows.map((r) => r.canonical)).toContain('UNCLASSIFIED//ORCON//OWNER DEA');
      });

      it('an event without a marking tag needs a stated marking, and says so with the event', async () => {
        const res = await importAs(api.token.dea, { content: text('ursnif-sighting-event.json'), name: 'ursnif.json' });
        expect(res.statusCode).toBe(422);
        expect(res.json().errors[0]).toMatchObject({ file: 'ursnif.json', path: `Event[${UUID.ursnif}].Tag` });
        expect(res.json().errors[0].message).toMatch(/carries no marking tag.*state the marking/);
        // The stated marking is for events without a tag; a tag wins over it.
        expect(await recordMarking(api.token.dea, text('ursnif-sighting-event.json'), { marking: 'U//LES' })).toBe(
          'UNCLASSIFIED//LES//OWNER DEA',
        );
        expect(await recordMarking(api.token.dea, ursnifWith(['tlp:clear'], '3'), { marking: 'S//NOFORN' })).toBe(
          'UNCLASSIFIED//OWNER DEA',
        );
      });

      it('refuses TLP:RED, an unknown TLP and an unknown chokepoint: tag, naming the file, the event and the tag', async () => {
        for (const [tag, message] of [
          ['tlp:red', /named individual recipients/],
          ['tlp:ex:chr', /unknown TLP tag/],
          ['chokepoint:markng="U"', /not a Chokepoint tag/],
        ] as const) {
          const res = await importAs(api.token.dea, { content: ursnifWith([tag]), name: 'ursnif.json' });
          expect(res.statusCode, tag).toBe(422);
          const errors = res.json().errors as { file: string; path: string; message: string }[];
          expect(errors[0]).toMatchObject({ file: 'ursnif.json', path: `Event[${UUID.ursnif}].Tag[2]` });
          expect(errors[0]!.message).toMatch(message);
        }
        // The import's mapping may give TLP:RED a marking (a group of the named recipients), and then it is held so.
        // (Last here: the group's record is one the other analyst may no longer replace.)
        expect(
          await recordMarking(api.token.red, ursnifWith(['tlp:red'], '3'), {
            mapping: { tags: { 'tlp:red': 'U//FOUO/ORCON//GROUPS REDCELL' } },
          }),
        ).toBe('UNCLASSIFIED//FOUO/ORCON//GROUPS REDCELL//OWNER DEA');
      });
    });

    describe('over the four real events', () => {
      const api = apiSuite(backend, {
        dea: { username: 'dea.analyst', agency: 'DEA', ...ANALYST, groups: ['WIRE'] },
        dea2: { username: 'dea.analyst2', agency: 'DEA', ...ANALYST },
        fgr: { username: 'fgr.analyst', agency: 'FGR', ...ANALYST },
        cbp: { username: 'cbp.officer', agency: 'CBP', clearance: 'U', roles: ['analyst'] },
        partner: { username: 'exprs.partner', agency: 'EXPRS', clearance: 'U', roles: ['partner'] },
      });
      const importAs = (token: string, body: Record<string, unknown>) =>
        api.post('/import', token, { format: 'misp', ...body });
      const feed = (token: string, file: string, headers: Record<string, string> = { 'x-purpose': PURPOSE }) =>
        api.app.inject({ url: `/misp/feed/${file}`, headers: { ...auth(token), ...headers } });
      let dea: Principal;
      beforeAll(async () => {
        dea = (await findUser(api.store.db, 'dea.analyst2'))!;
        // DEA's second analyst imports them: Sednit and SamSam as tagged (TLP:WHITE), SamSam as intelligence,
        // PubG with its comment kept to DEA (tlp:amber+strict on it), Ursnif (no TLP) as SECRET//NOFORN.
        const pubg = json('pubg-galaxy-event.json');
        const comment = pubg.Event.Attribute.find((a: { type: string }) => a.type === 'comment');
        comment.Tag = [{ name: 'tlp:amber+strict' }];
        for (const [name, body] of [
          ['sednit-event.json', { content: text('sednit-event.json') }],
          [
            'samsam-objects-event.json',
            {
              content: text('samsam-objects-event.json'),
              kind: 'intelligence',
              criminalBasis: 'Ransomware proceeds laundered through the cartel cell under investigation',
              sensitivity: 'sensitive',
              confidence: 'medium',
            },
          ],
          ['pubg-galaxy-event.json', { content: JSON.stringify(pubg) }],
          ['ursnif-sighting-event.json', { content: text('ursnif-sighting-event.json'), marking: 'S//LES/NOFORN' }],
        ] as const) {
          const res = await importAs(api.token.dea2, { ...body, name });
          expect(res.statusCode, res.body).toBe(200);
          expect(res.json()).toMatchObject({ inserted: 1, updated: 0, rejected: 0 });
        }
      });

      it('imports each event as one record, reports what is not mapped, and a re-import changes nothing', async () => {
        const res = await importAs(api.token.dea2, { content: text('sednit-event.json'), name: 'sednit-event.json' });
        expect(res.json()).toMatchObject({ inserted: 0, updated: 0, unchanged: 1, rejected: 0 });
        expect(res.json().notMapped).toMatchObject({ 'object file attribute state': 37, 'galaxy cluster tool': 4 });
        const [n] = await api.store.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM records WHERE source_record_id = ANY($1)',
          [[UUID.sednit, UUID.samsam, UUID.pubg, UUID.ursnif]],
        );
        expect(n!.n).toBe(4);
        // Ids come from MISP's uuids (in the writer's namespace, as every user's new ids are).
        const [e] = await api.store.db.query<{ id: string }>(
          "SELECT id FROM entities WHERE id LIKE '%misp-5a3c3045-61dc-495c-ae8a-471e02de0b81'",
        );
        expect(e?.id).toMatch(/^dea\.[0-9a-f]{10}:misp-5a3c3045-61dc-495c-ae8a-471e02de0b81$/);
      });

      it('round trip: export, import in another instance: the same entities, ids, values and markings', async () => {
        const out = await api.app.inject({
          url: `/export?format=misp&purpose=${encodeURIComponent(PURPOSE)}`,
          headers: auth(api.token.dea2),
        });
        expect(out.statusCode).toBe(200);
        expect(out.headers['content-type']).toMatch(/application\/json/);
        const doc = out.json() as { response: { Event: { uuid: string; Tag: { name: string }[] } }[] };
        // One event per record, under the events' own uuids, each with its marking as tags.
        expect(doc.response.map((e) => e.Event.uuid).sort()).toEqual(Object.values(UUID).sort());
        const ursnif = doc.response.find((e) => e.Event.uuid === UUID.ursnif)!.Event;
        expect(ursnif.Tag.map((t) => t.name)).toContain('chokepoint:marking="SECRET//LES/NOFORN//OWNER DEA"');
        expect(doc.response.find((e) => e.Event.uuid === UUID.sednit)!.Event.Tag.map((t) => t.name)).toContain(
          'tlp:clear',
        );

        await backend.open().then(async ({ store: there, drop }) => {
          try {
            const twin = await createUser(there.db, { ...TWIN, username: 'dea.analyst2' });
            const items = recordsOf('misp', { text: out.body, name: 'export.misp.json' }, { source: 'DEA' });
            const r = await importRecords(there, twin, items, { origin: 'round trip', crossReference: false });
            expect(r).toMatchObject({ inserted: 4, rejected: 0 });
            expect(r.notMapped).toBeUndefined(); // everything exported has its place
            const here = await statements(api.store, dea);
            expect(here.length).toBeGreaterThan(300);
            expect(await statements(there, twin)).toEqual(here);
            // And again: nothing changes; nor does importing the original MISP files there (the same records).
            const again = await importRecords(there, twin, items, { origin: 'round trip', crossReference: false });
            expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 4 });
            for (const [f, marking] of [
              ['sednit-event.json', undefined],
              ['ursnif-sighting-event.json', 'S//LES/NOFORN'],
            ] as const) {
              const original = recordsOf('misp', { path: join(FIXTURES, f) }, { source: 'DEA', marking });
              const r = await importRecords(there, twin, original, { origin: f, crossReference: false });
              expect(r, f).toMatchObject({ unchanged: 1, updated: 0, inserted: 0 });
            }
          } finally {
            await drop();
          }
        });
      });

      it('the feed: manifest.json and hashes.csv are what MISP computes of the event files', async () => {
        const manifest = (await feed(api.token.dea2, 'manifest.json')).json() as Record<
          string,
          Record<string, unknown>
        >;
        expect(Object.keys(manifest).sort()).toEqual(Object.values(UUID).sort());
        const hashes = await feed(api.token.dea2, 'hashes.csv');
        expect(hashes.headers['content-type']).toMatch(/text\/csv/);
        const lines = hashes.body.trimEnd().split('\n');
        const expected: string[] = [];
        for (const uuid of Object.keys(manifest)) {
          const res = await feed(api.token.dea2, `${uuid}.json`);
          expect(res.statusCode).toBe(200);
          // biome-ignore lint/suspicious/noExplicitAny: the event as MISP reads it
          const ev = res.json().Event as any;
          expect(ev.uuid).toBe(uuid);
          // The manifest's entry is the event's own metadata (PyMISP's MISPEvent.manifest).
          expect(manifest[uuid]).toEqual({
            Orgc: ev.Orgc,
            Tag: ev.Tag,
            info: ev.info,
            date: ev.date,
            analysis: Number(ev.analysis),
            threat_level_id: Number(ev.threat_level_id),
            timestamp: Number(ev.timestamp),
          });
          // hashes.csv: the md5 of every attribute value, the event's and its objects', then the event's uuid.
          for (const a of [...ev.Attribute, ...ev.Object.flatMap((o: { Attribute: unknown[] }) => o.Attribute)])
            expected.push(`${createHash('md5').update(String(a.value)).digest('hex')},${uuid}`);
        }
        expect(lines.sort()).toEqual(expected.sort());
        expect(lines.length).toBeGreaterThan(100);
      });

      it('the feed written to a directory is the same feed, and a Chokepoint instance imports the directory', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'cp-misp-feed-'));
        const r = await writeMispFeed(api.store, dea, dir, { purpose: PURPOSE });
        expect(r.events).toBe(4);
        expect(readdirSync(dir).sort()).toEqual(
          ['hashes.csv', 'manifest.json', ...Object.values(UUID).map((u) => `${u}.json`)].sort(),
        );
        expect(readFileSync(join(dir, 'manifest.json'), 'utf8')).toBe(
          (await feed(api.token.dea2, 'manifest.json')).body,
        );
        expect(readFileSync(join(dir, 'hashes.csv'), 'utf8')).toBe((await feed(api.token.dea2, 'hashes.csv')).body);
        expect(readFileSync(join(dir, `${UUID.pubg}.json`), 'utf8')).toBe(
          (await feed(api.token.dea2, `${UUID.pubg}.json`)).body,
        );
        // Another instance subscribed to it holds what this reader holds (the record kind and 28 CFR 23 labels are
        // the importer's to state, as for any import: MISP has no place for them).
        const { store: there, drop } = await backend.open();
        try {
          const twin = await createUser(there.db, { ...TWIN, username: 'dea.analyst2' });
          const r = await importRecords(there, twin, recordsOf('misp', { path: dir }, { source: 'DEA' }), {
            origin: dir,
            crossReference: false,
          });
          expect(r).toMatchObject({ read: 4, inserted: 4, rejected: 0 });
          expect(await statements(there, twin)).toEqual(await statements(api.store, dea));
        } finally {
          await drop();
        }
      });

      it('a feed read needs a token, the export permission and a stated purpose, and is logged as a dissemination', async () => {
        expect((await api.app.inject({ url: '/misp/feed/manifest.json' })).statusCode).toBe(401);
        expect((await feed(api.token.partner, 'manifest.json')).statusCode).toBe(403);
        const none = await feed(api.token.dea2, 'manifest.json', {});
        expect(none.statusCode).toBe(400);
        expect(none.json().error).toMatch(/X-Purpose/);
        expect(
          (await feed(api.token.dea2, `manifest.json?purpose=${encodeURIComponent(PURPOSE)}`, {})).statusCode,
        ).toBe(200);
        await feed(api.token.dea2, `${UUID.samsam}.json`);
        const logged = await api.store.db.query<{ channel: string; purpose: string; record_ids: number[] }>(
          `SELECT d.channel, d.purpose, d.record_ids FROM disseminations d
            WHERE d.actor = 'dea.analyst2' AND d.channel = 'feed.misp'`,
        );
        const [samsam] = await api.store.db.query<{ id: number }>(
          'SELECT id FROM records WHERE source_record_id = $1',
          [UUID.samsam],
        );
        expect(logged.length).toBeGreaterThanOrEqual(2);
        expect(
          logged.every((l) => l.purpose === PURPOSE && l.record_ids.map(Number).includes(Number(samsam!.id))),
        ).toBe(true);
        const audited = await api.store.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM audit_log WHERE actor = 'dea.analyst2' AND action = 'feed.misp'",
        );
        expect(audited[0]!.n).toBeGreaterThanOrEqual(2);
      });

      it("a reader's export and feed hold only what the reader may read", async () => {
        const ursnifDomains = json('ursnif-sighting-event.json').Event.Attribute.map((a: { value: string }) => a.value);
        const pubgComment = json('pubg-galaxy-event.json').Event.Attribute.find(
          (a: { type: string }) => a.type === 'comment',
        ).value as string;
        const md5 = (v: string) => createHash('md5').update(v).digest('hex');
        /** A value as it appears in JSON text (escaped). */
        const inJson = (v: string) => JSON.stringify(v).slice(1, -1);
        for (const [who, token] of [
          ['FGR (Mexico)', api.token.fgr],
          ['CBP, unclassified', api.token.cbp],
        ] as const) {
          const out = await api.app.inject({
            url: `/export?format=misp&purpose=${encodeURIComponent(PURPOSE)}`,
            headers: auth(token),
          });
          const manifest = (await feed(token, 'manifest.json')).json();
          const hashes = (await feed(token, 'hashes.csv')).body;
          const events = await Promise.all(
            Object.keys(manifest).map(async (u) => (await feed(token, `${u}.json`)).body),
          );
          // Ursnif is SECRET//NOFORN: not its uuid, not its domains, not their hashes; PubG's comment is DEA's only.
          for (const body of [out.body, JSON.stringify(manifest), ...events]) {
            expect(body, who).not.toContain(UUID.ursnif);
            for (const d of ursnifDomains) expect(body, who).not.toContain(inJson(d));
            expect(body, who).not.toContain(inJson(pubgComment));
          }
          for (const d of ursnifDomains) expect(hashes, who).not.toContain(md5(d));
          expect(hashes, who).not.toContain(md5(pubgComment));
          expect(Object.keys(manifest).sort(), who).toEqual([UUID.sednit, UUID.samsam, UUID.pubg].sort());
          // The hidden event answers exactly as an event that never existed.
          const hidden = await feed(token, `${UUID.ursnif}.json`);
          const never = await feed(token, '00000000-0000-4000-8000-000000000000.json');
          expect(hidden.statusCode).toBe(404);
          expect(hidden.body.replace(UUID.ursnif, 'X')).toBe(
            never.body.replace('00000000-0000-4000-8000-000000000000', 'X'),
          );
        }
        // A record is visible with any part of it, but not its own marking when the reader may not read that:
        // the event then travels under the marking of what it holds.
        const w = await api.post('/records', api.token.dea, [
          {
            sourceRecordId: 'DEA-MISP-2026-17',
            marking: 'S//NOFORN//GROUPS WIRE',
            entities: [
              {
                id: 'dea-vendor-site',
                schema: 'Website',
                marking: 'U',
                properties: { name: ['pills-vendor.example'], description: ['handled by the Culiacán cell'] },
                propertyMarkings: { description: 'S//NOFORN//GROUPS WIRE' },
              },
            ],
          },
        ]);
        expect(w.statusCode, w.body).toBe(200);
        const fgr = await api.app.inject({
          url: `/export?format=misp&purpose=${encodeURIComponent(PURPOSE)}`,
          headers: auth(api.token.fgr),
        });
        expect(fgr.body).toContain('pills-vendor.example');
        expect(fgr.body).not.toContain(inJson('handled by the Culiacán cell'));
        expect(fgr.body).not.toContain('WIRE');
        expect(fgr.body).not.toContain('SECRET');
        const own = fgr
          .json()
          .response.find((e: { Event: { info: string } }) => e.Event.info.includes('DEA-MISP-2026-17')).Event;
        expect(own.Tag.map((t: { name: string }) => t.name)).toEqual([
          'chokepoint:marking="UNCLASSIFIED//OWNER DEA"',
          'tlp:clear',
          'chokepoint:record="DEA-MISP-2026-17"',
        ]);

        // DEA's own analysts see all of it, each value marked as it was.
        const deaFeed = await feed(api.token.dea, `${UUID.pubg}.json`);
        expect(deaFeed.body).toContain(inJson(pubgComment));
        const ev = deaFeed.json().Event;
        const a = ev.Attribute.find((x: { value: string }) => x.value === pubgComment);
        expect(a.Tag.map((t: { name: string }) => t.name)).toEqual([
          'chokepoint:marking="UNCLASSIFIED//FOUO/ORCON//OWNER DEA"',
          'tlp:amber+strict',
        ]);
        expect(a.distribution).toBe('0');
      });
    });
  });
}
