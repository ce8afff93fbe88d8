// The TAXII 2.1 server, as a TAXII client (OpenCTI, taxii2-client) meets it: discovery, the
// API root, collections by releasability, objects and manifests paged by next (complete and
// stable), match[] filters, objects by id and their versions, posting objects through the
// import path with a status resource, TAXII's media type and error bodies, and every answer
// computed in the requester's own access, audited, its intelligence logged as disseminated.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { apiSuite, backends } from './helpers.js';
import type { Store } from '../src/store/store.js';
import { importRecords } from '../src/ingest/importer.js';
import { recordsOf } from '../src/ingest/readers.js';
import { SYSTEM } from '../src/store/write.js';
import { defaultAgencies } from '../src/domain/agencies.js';
import { collectionId, collections, TAXII_MEDIA_TYPE } from '../src/exchange/taxii.js';
import { bundleProblems } from '../src/exchange/stix/schema.js';
import { stixIdFor } from '../src/exchange/stix/ids.js';
import { chokepointMarkingId } from '../src/exchange/stix/markings.js';
import { parseMarking } from '../src/domain/markings.js';

const fixture = (f: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/stix/${f}`, import.meta.url), 'utf8')) as {
    objects: Record<string, unknown>[];
  };
const ROOT = '/taxii2/chokepoint/';
const ALL = `${ROOT}collections/${collectionId('all')}/`;
const GREEN = 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da';

type Obj = { id: string; type: string; [k: string]: unknown };
interface Envelope {
  more: boolean;
  next?: string;
  objects?: Obj[];
}

/** Chokepoint's own records: public, released to Mexico, NOFORN, and intelligence. */
const NATIVE = {
  source: 'DEA',
  records: [
    {
      sourceRecordId: 'DEA-TAXII-PUB',
      marking: 'U',
      entities: [
        { id: 'dea-pub-1', schema: 'Organization', properties: { name: ['Cártel de Ejemplo (public indictment)'] } },
      ],
    },
    {
      sourceRecordId: 'DEA-TAXII-MEX',
      marking: 'C//LES//REL TO USA, MEX',
      entities: [
        {
          id: 'dea-mex-1',
          schema: 'Person',
          // His address is given as an entity only DEA may know of (the NOFORN record): the reference is released, its target not.
          properties: {
            name: ['Ramón Ejemplo'],
            birthDate: ['1979-01-02'],
            alias: ['El Químico'],
            addressEntity: ['dea-nf-1'],
          },
          propertyMarkings: { birthDate: 'S//NOFORN' },
        },
        { id: 'dea-mex-ph', schema: 'Phone', properties: { number: ['+526671112233'] } },
        { id: 'dea-mex-u', schema: 'Usage', properties: { holder: ['dea-mex-1'], thing: ['dea-mex-ph'] } },
      ],
    },
    {
      sourceRecordId: 'DEA-TAXII-NF',
      kind: 'intelligence',
      marking: 'S//LES/NOFORN',
      criminalBasis: 'Subject supplies 4-AP to pill-press operators (21 U.S.C. 841, 846).',
      sensitivity: 'sensitive',
      confidence: 'medium',
      entities: [{ id: 'dea-nf-1', schema: 'Person', properties: { name: ['Informant Subject'] } }],
    },
  ],
};

async function load(store: Store): Promise<void> {
  await importRecords(
    store,
    SYSTEM,
    recordsOf('json', { text: JSON.stringify(NATIVE), name: 'native.json' }, { source: 'DEA' }),
    { origin: 'taxii test' },
  );
  await importRecords(
    store,
    SYSTEM,
    recordsOf(
      'stix',
      { text: JSON.stringify(fixture('oasis-documentation-examples/poisonivy.json')), name: 'poisonivy.json' },
      { source: 'DEA', marking: 'U//LES' },
    ),
    { origin: 'taxii test' },
  );
}

function client(app: FastifyInstance, token: string) {
  const headers = { authorization: `Bearer ${token}`, accept: TAXII_MEDIA_TYPE };
  return {
    get: (url: string, extra: Record<string, string> = {}) => app.inject({ url, headers: { ...headers, ...extra } }),
    json: async <T = Envelope>(url: string): Promise<T> => {
      const r = await app.inject({ url, headers });
      expect(r.statusCode, `${url}: ${r.body.slice(0, 300)}`).toBe(200);
      expect(r.headers['content-type']).toBe(TAXII_MEDIA_TYPE);
      return r.json() as T;
    },
    post: (url: string, body: unknown, type = TAXII_MEDIA_TYPE) =>
      app.inject({ method: 'POST', url, headers: { ...headers, 'content-type': type }, payload: JSON.stringify(body) }),
    /** Every object of a listing, following next. */
    async all(url: string, limit: number, from?: string): Promise<{ ids: string[]; pages: Envelope[] }> {
      const ids: string[] = [];
      const pages: Envelope[] = [];
      let next: string | undefined = from;
      do {
        const sep = url.includes('?') ? '&' : '?';
        const page = await this.json(`${url}${sep}limit=${limit}${next ? `&next=${encodeURIComponent(next)}` : ''}`);
        pages.push(page);
        ids.push(
          ...(page.objects ?? [])
            .filter((o) => !['marking-definition', 'extension-definition'].includes(o.type))
            .map((o) => o.id),
        );
        next = page.more ? page.next : undefined;
        if (page.more) expect(page.next).toBeTruthy();
      } while (next);
      return { ids, pages };
    },
  };
}

const entitiesOnly = (e: Envelope) =>
  (e.objects ?? []).filter((o) => !['marking-definition', 'extension-definition'].includes(o.type));

for (const backend of backends) {
  describe(`TAXII 2.1 server (${backend.name})`, () => {
    const api = apiSuite(
      backend,
      {
        dea: { username: 'dea.taxii', agency: 'DEA', clearance: 'S', roles: ['analyst'] },
        hsi: { username: 'hsi.taxii', agency: 'HSI', clearance: 'S', roles: ['analyst'] },
        fgr: { username: 'fgr.taxii', agency: 'FGR', clearance: 'S', roles: ['partner'], country: 'MEX' },
        screener: { username: 'cbp.taxii', agency: 'CBP', clearance: 'S', roles: ['screener'] },
      },
      load,
    );

    it("answers discovery, the API root and the collections in TAXII's media type, and refuses what it does not speak", async () => {
      const c = client(api.app, api.token.dea);
      const d = await c.json<{ api_roots: string[]; default: string }>('/taxii2/');
      expect(d.api_roots).toEqual([expect.stringMatching(/\/taxii2\/chokepoint\/$/)]);
      expect(await c.json(ROOT)).toMatchObject({ title: 'Chokepoint', versions: [TAXII_MEDIA_TYPE] });
      const cs = (
        await c.json<{ collections: { id: string; alias: string; can_write: boolean }[] }>(`${ROOT}collections/`)
      ).collections;
      expect(cs.map((x) => x.alias)).toEqual(['all', 'public', 'rel-exprs', 'rel-fgr', 'rel-rcmp']);
      expect(cs.map((x) => x.id)).toEqual(collections(defaultAgencies()).map((x) => x.id));
      expect(cs.find((x) => x.alias === 'all')!.can_write).toBe(true);
      expect(cs.find((x) => x.alias === 'rel-fgr')!.can_write).toBe(false);
      // A partner may read, not write.
      const fgr = await client(api.app, api.token.fgr).json<{ can_write: boolean }>(`${ROOT}collections/all/`);
      expect(fgr.can_write).toBe(false);
      // Accept negotiation: 406 for another media type, TAXII's errors in TAXII's media type.
      const notAcceptable = await c.get('/taxii2/', { accept: 'application/xml' });
      expect(notAcceptable.statusCode).toBe(406);
      expect(notAcceptable.headers['content-type']).toBe(TAXII_MEDIA_TYPE);
      expect(notAcceptable.json()).toMatchObject({ title: 'Not acceptable', http_status: '406' });
      expect((await c.get('/taxii2/', { accept: 'application/taxii+json;version=2.0' })).statusCode).toBe(406);
      expect((await c.get('/taxii2/', { accept: 'application/taxii+json' })).statusCode).toBe(200);
      expect((await c.get('/taxii2/', { accept: '*/*' })).statusCode).toBe(200);
      const anonymous = await api.app.inject({ url: '/taxii2/', headers: { accept: TAXII_MEDIA_TYPE } });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.headers['www-authenticate']).toBe('Bearer');
      expect(anonymous.json()).toMatchObject({ title: 'Unauthorized', http_status: '401' });
      expect((await c.get(`${ROOT}collections/nope/`)).json()).toMatchObject({
        title: 'Collection not found',
        http_status: '404',
      });
    });

    it('pages a collection completely and stably: following next gives every object once, in date_added order, as the export has them', async () => {
      const c = client(api.app, api.token.dea);
      const { ids, pages } = await c.all(`${ALL}objects/`, 13);
      expect(pages.length).toBeGreaterThan(10);
      expect(new Set(ids).size).toBe(ids.length);
      // The same objects as the STIX export of the same reader, and every page valid STIX with the definitions it uses.
      const exported = (
        await api.app.inject({
          url: '/export?format=stix&purpose=taxii%20test',
          headers: { authorization: `Bearer ${api.token.dea}` },
        })
      ).json() as Envelope;
      expect([...ids].sort()).toEqual(
        entitiesOnly(exported)
          .map((o) => o.id)
          .sort(),
      );
      for (const p of pages)
        expect(
          bundleProblems({ type: 'bundle', id: 'bundle--6a5e2a4c-1d4e-4c4a-9a7e-1c5b0d6c2f10', objects: p.objects }),
        ).toEqual([]);
      // The manifest lists the same, in the same order, with date_added not decreasing.
      const manifest: { id: string; date_added: string; version: string; media_type: string }[] = [];
      let next: string | undefined;
      do {
        const m = await c.json<{ more: boolean; next?: string; objects?: typeof manifest }>(
          `${ALL}manifest/?limit=50${next ? `&next=${encodeURIComponent(next)}` : ''}`,
        );
        manifest.push(...(m.objects ?? []));
        next = m.more ? m.next : undefined;
      } while (next);
      expect(manifest.map((m) => m.id)).toEqual(ids);
      const dates = manifest.map((m) => Date.parse(m.date_added));
      expect(dates).toEqual([...dates].sort((a, b) => a - b));
      expect(manifest[0]).toMatchObject({ media_type: 'application/stix+json;version=2.1' });
      // added_after: what was added after an object's date_added, and only that.
      const later = await c.all(`${ALL}objects/?added_after=${encodeURIComponent(manifest[0]!.date_added)}`, 100);
      expect(later.ids).toEqual(ids.filter((_, i) => dates[i]! > dates[0]!));
      const first = await c.get(`${ALL}objects/?limit=5`);
      expect(first.headers['x-taxii-date-added-first']).toBe(manifest[0]!.date_added);
      expect(first.headers['x-taxii-date-added-last']).toBe(manifest[4]!.date_added);
    });

    it('stays complete while the collection changes: an object written while a client pages comes again at the end, none is lost', async () => {
      const c = client(api.app, api.token.dea);
      const page1 = await c.json(`${ALL}objects/?limit=20`);
      const ivy = fixture('oasis-documentation-examples/poisonivy.json').objects;
      const changed = entitiesOnly(page1).find((o) => o.type !== 'relationship' && ivy.some((x) => x.id === o.id))!;
      // A newer version of it, posted meanwhile.
      const newer = { ...(ivy.find((o) => o.id === changed.id) as Obj) };
      newer.modified = '2026-06-01T00:00:00.000Z';
      newer.description = 'Updated while a client was paging';
      newer.object_marking_refs = [GREEN];
      const status = (await c.post(`${ALL}objects/`, { objects: [newer] })).json();
      expect(status).toMatchObject({ status: 'complete', success_count: 1, failure_count: 0 });
      const rest = await c.all(`${ALL}objects/`, 20, page1.next);
      const seen = [...entitiesOnly(page1).map((o) => o.id), ...rest.ids];
      const all = await c.all(`${ALL}objects/`, 100);
      expect(new Set(seen)).toEqual(new Set(all.ids));
      expect(rest.ids.at(-1)).toBe(all.ids.at(-1));
    });

    it('filters by match[id], match[type] and match[version]', async () => {
      const c = client(api.app, api.token.dea);
      const campaigns = entitiesOnly(await c.json(`${ALL}objects/?match[type]=campaign,intrusion-set`));
      expect(campaigns.map((o) => o.type).sort()).toEqual(['campaign', 'campaign', 'campaign']);
      const person = stixIdFor('dea-mex-1', 'identity');
      const one = await c.json(`${ALL}objects/?match[id]=${person},campaign--752c225d-d6f6-4456-9130-d9580fd4007b`);
      expect(
        entitiesOnly(one)
          .map((o) => o.id)
          .sort(),
      ).toEqual(['campaign--752c225d-d6f6-4456-9130-d9580fd4007b', person].sort());
      const campaign = entitiesOnly(one).find((o) => o.type === 'campaign')!;
      for (const v of ['last', 'first', 'all', String(campaign.modified)])
        expect(
          entitiesOnly(await c.json(`${ALL}objects/?match[id]=${campaign.id}&match[version]=${v}`)),
          v,
        ).toHaveLength(1);
      expect(await c.json(`${ALL}objects/?match[id]=${campaign.id}&match[version]=2001-01-01T00:00:00.000Z`)).toEqual({
        more: false,
      });
      expect(await c.json(`${ALL}objects/?match[spec_version]=2.0`)).toEqual({ more: false });
    });

    it('answers an object by its id, and its versions; an object the reader may not read answers as one that does not exist', async () => {
      const c = client(api.app, api.token.dea);
      const id = 'campaign--752c225d-d6f6-4456-9130-d9580fd4007b';
      const got = await c.json(`${ALL}objects/${id}/`);
      expect(entitiesOnly(got).map((o) => o.id)).toEqual([id]);
      expect(got.objects!.some((o) => o.type === 'marking-definition')).toBe(true);
      const versions = await c.json<{ more: boolean; versions: string[] }>(`${ALL}objects/${id}/versions/`);
      expect(versions).toEqual({ more: false, versions: [entitiesOnly(got)[0]!.modified] });
      // FGR may read the released person, not the NOFORN one; a NOFORN id answers exactly as an unknown one.
      const fgr = client(api.app, api.token.fgr);
      expect((await fgr.get(`${ALL}objects/${stixIdFor('dea-mex-1', 'identity')}/`)).statusCode).toBe(200);
      const hidden = await fgr.get(`${ALL}objects/${stixIdFor('dea-nf-1', 'identity')}/`);
      const missing = await fgr.get(`${ALL}objects/${stixIdFor('dea-never-1', 'identity')}/`);
      expect(hidden.statusCode).toBe(404);
      expect(hidden.body).toBe(missing.body);
      expect((await fgr.get(`${ALL}objects/${stixIdFor('dea-nf-1', 'identity')}/versions/`)).body).toBe(
        (await fgr.get(`${ALL}objects/${stixIdFor('dea-never-1', 'identity')}/versions/`)).body,
      );
    });

    it("computes each collection in the requester's own access: a partner collection is what both may read, never more", async () => {
      const dea = client(api.app, api.token.dea);
      const released = await dea.all(`${ROOT}collections/rel-fgr/objects/`, 100);
      // What DEA may release to FGR: the REL TO MEX record, without its NOFORN birth date; not the LES-only import, nor NOFORN.
      expect(released.ids.sort()).toEqual(
        [
          stixIdFor('dea-mex-1', 'identity'),
          stixIdFor('dea-mex-ph', 'phone-number'),
          stixIdFor('dea-mex-u', 'relationship'),
          stixIdFor('dea-pub-1', 'identity'),
        ].sort(),
      );
      const text = JSON.stringify(released.pages);
      expect(text).not.toContain('1979-01-02');
      // A reference is released only with its target: FGR may not know the NOFORN person exists.
      expect(text).not.toContain('dea-nf-1');
      expect(text).not.toContain(stixIdFor('dea-nf-1', 'identity'));
      expect(text).toContain('El Químico');
      // The same as what FGR reads itself in "all".
      const fgrAll = await client(api.app, api.token.fgr).all(`${ALL}objects/`, 100);
      expect(fgrAll.ids.sort()).toEqual(released.ids.sort());
      expect(JSON.stringify(fgrAll.pages)).not.toContain('1979-01-02');
      // Public: only what is public.
      const pub = await dea.all(`${ROOT}collections/public/objects/`, 100);
      expect(pub.ids).toEqual([stixIdFor('dea-pub-1', 'identity')]);
      const obj = entitiesOnly(pub.pages[0]!)[0]!;
      expect(obj.object_marking_refs).toEqual([
        'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
        chokepointMarkingId(parseMarking('U', 'DEA')),
      ]);
      // A partner collection cannot show FGR more than FGR reads itself: in FGR's access, rel-rcmp is what both may read.
      const fgrForRcmp = await client(api.app, api.token.fgr).all(`${ROOT}collections/rel-rcmp/objects/`, 100);
      expect(fgrForRcmp.ids).toEqual([stixIdFor('dea-pub-1', 'identity')]);
    });

    it('writes posted objects through the import path, each on its own, idempotently, and answers with a status its poster may read again', async () => {
      const c = client(api.app, api.token.hsi);
      const objects = fixture('oasis-documentation-examples/apt1.json').objects.map((o) => ({
        ...o,
        object_marking_refs: [GREEN],
      }));
      const unmarked = { ...fixture('oasis-json-schemas-examples/indicator-for-c2-ip-address.json').objects[0]! };
      const theirs = parseMarking('U//LES', 'DEA');
      const notOurs = {
        ...objects[1]!,
        id: 'threat-actor--0b1c5f3e-3c53-4b8a-9a62-0b7c2b0e6a11',
        object_marking_refs: [chokepointMarkingId(theirs)],
      };
      const def = {
        type: 'marking-definition',
        spec_version: '2.1',
        id: chokepointMarkingId(theirs),
        created: '2026-01-01T00:00:00.000Z',
        extensions: {
          'extension-definition--450f0d06-e6df-4c39-a83e-959e0271cf74': {
            extension_type: 'property-extension',
            classification: 'U',
            caveats: ['LES'],
            owner: 'DEA',
          },
        },
      };
      const res = await c.post(`${ALL}objects/`, { objects: [...objects, unmarked, notOurs, def] });
      expect(res.statusCode).toBe(202);
      expect(res.headers['content-type']).toBe(TAXII_MEDIA_TYPE);
      const status = res.json();
      expect(status).toMatchObject({
        status: 'complete',
        total_count: 79,
        success_count: 77,
        failure_count: 2,
        pending_count: 0,
      });
      expect(status.failures.map((f: { id: string }) => f.id).sort()).toEqual([String(unmarked.id), notOurs.id].sort());
      expect(status.failures.find((f: { id: string }) => f.id === unmarked.id).message).toMatch(
        /has no marking and the import states none/,
      );
      expect(status.failures.find((f: { id: string }) => f.id === notOurs.id).message).toMatch(
        /you may only mark information as owned by your agency \(HSI\)/,
      );
      // Written as HSI's records, under TLP:GREEN mapped (U//FOUO owned by HSI), readable by HSI with their STIX ids.
      const intrusion = await c.json(`${ALL}objects/intrusion-set--da1065ce-972c-4605-8755-9cd1074e3b5a/`);
      expect(entitiesOnly(intrusion)[0]!.object_marking_refs).toContain(
        'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
      );
      // Again: the same answer, nothing written twice.
      const before = await api.store.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM records WHERE source = 'HSI'",
      );
      const again = (await c.post(`${ALL}objects/`, { objects })).json();
      expect(again).toMatchObject({ success_count: 76, failure_count: 0 });
      const after = await api.store.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM records WHERE source = 'HSI'",
      );
      expect(after).toEqual(before);
      // The status, for its poster only: anyone else gets what an id never issued gets.
      expect(await c.json(`${ROOT}status/${status.id}/`)).toEqual(status);
      const other = await client(api.app, api.token.dea).get(`${ROOT}status/${status.id}/`);
      const never = await client(api.app, api.token.dea).get(`${ROOT}status/5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f/`);
      expect(other.statusCode).toBe(404);
      expect(other.body).toBe(never.body);
    });

    it('refuses a post it cannot take: another media type (415), a reader who may not write and a partner collection (403)', async () => {
      const envelope = { objects: fixture('oasis-json-schemas-examples/indicator-for-c2-ip-address.json').objects };
      const c = client(api.app, api.token.dea);
      const json = await c.post(`${ALL}objects/`, envelope, 'application/json');
      expect(json.statusCode).toBe(415);
      expect(json.json()).toMatchObject({ title: 'Unsupported media type', http_status: '415' });
      expect((await c.post(`${ALL}objects/`, envelope, 'text/plain')).statusCode).toBe(415);
      expect((await c.post(`${ROOT}collections/rel-fgr/objects/`, envelope)).json()).toMatchObject({
        http_status: '403',
      });
      for (const who of [api.token.fgr, api.token.screener]) {
        const r = await client(api.app, who).post(`${ALL}objects/`, envelope);
        expect(r.statusCode).toBe(403);
        expect(r.json().title).toMatch(/Not allowed to write|Forbidden/);
      }
      expect((await c.post(`${ALL}objects/`, { nope: [] })).json()).toMatchObject({
        title: 'Invalid envelope',
        http_status: '400',
      });
    });

    it('audits every read with the route and the collection, and logs the intelligence a page carried as disseminated', async () => {
      const c = client(api.app, api.token.dea);
      const page = await c.get(`${ALL}objects/?match[id]=${stixIdFor('dea-nf-1', 'identity')}`, {
        'x-purpose': 'deconfliction check',
      });
      expect(entitiesOnly(page.json())).toHaveLength(1);
      const [entry] = await api.store.db.query<{
        actor: string;
        action: string;
        target: string;
        purpose: string;
        details: string;
      }>(
        "SELECT actor, action, target, purpose, details FROM audit_log WHERE action = 'taxii.objects.read' ORDER BY seq DESC LIMIT 1",
      );
      expect(entry).toMatchObject({ actor: 'dea.taxii', target: 'all', purpose: 'deconfliction check' });
      expect(JSON.parse(entry!.details)).toMatchObject({
        count: 1,
        http: { route: `${ROOT}collections/:collectionId/objects/`, status: 200 },
      });
      const [d] = await api.store.db.query<{ channel: string; purpose: string; actor: string }>(
        "SELECT channel, purpose, actor FROM disseminations WHERE channel LIKE 'taxii%' ORDER BY id DESC LIMIT 1",
      );
      expect(d).toMatchObject({ channel: 'taxii all', purpose: 'deconfliction check', actor: 'dea.taxii' });
    });
  });
}
