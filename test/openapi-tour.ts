// A day of work through the API, for test/openapi-answers.test.ts: each write as the
// role that does it (cases and targets with a conflict, operations with a conflict that
// escalates to the watch center, a nomination reviewed, amended, accepted and screened
// against, presses, task forces, partner reports and feedback, pre-export notifications
// and the answer, entities, records and imports, tokens, sign-in and out, redress), so
// that every GET then has something to answer. `call` checks each answer against the
// document; the tour notes each write that did not succeed. It then gives the values a
// GET's path and required query parameters need (`params`): a new GET with parameters
// gets its values here, or the test names it.

/** An answer: its status, its body, and the body parsed when it is JSON. */
// biome-ignore lint/suspicious/noExplicitAny: the tour reads answers of every shape, as JSON
export type Answer = { status: number; json: () => any; body: string };

type Caller = (
  method: string,
  path: string,
  as: string | null,
  o?: {
    params?: Record<string, string | number>;
    query?: Record<string, unknown>;
    body?: unknown;
    headers?: Record<string, string>;
  },
) => Promise<Answer>;

export interface Tour {
  /** Writes that did not answer 2xx, with their answer. */
  failed: string[];
  /** The values for a GET's path and query parameters (variants to call), or undefined when it has none here. */
  params(path: string): { params?: Record<string, string | number>; query?: Record<string, unknown> }[] | undefined;
}

const day = (d: number, h = 12) => new Date(Date.UTC(2031, 0, d, h)).toISOString();
const BASIS =
  'Subject brokers fentanyl precursors (4-AP, NPP) to Sinaloa laboratories; two seized shipments name him as consignee.';
const PHONE = '+526671234567';

export async function tour(call: Caller, password: string, later: () => Promise<unknown>): Promise<Tour> {
  const failed: string[] = [];
  /** A write that should succeed; its answer parsed. */
  // biome-ignore lint/suspicious/noExplicitAny: the tour reads answers of every shape, as JSON
  const ok = async (method: string, path: string, as: string | null, o: Parameters<Caller>[3] = {}): Promise<any> => {
    const r = await call(method, path, as, o);
    if (r.status < 200 || r.status > 299)
      failed.push(`${method} ${path} as ${as}: ${r.status} ${r.body.slice(0, 200)}`);
    return r.status < 300 && r.body ? r.json() : undefined;
  };

  // Entities: what the scenario holds, one written, amended, retracted; records and an import.
  const people = await ok('GET', '/entities', 'admin', { query: { schema: 'Person', limit: 50 } });
  const hood = await ok('GET', '/entities/{id}/neighbourhood', 'admin', { params: { id: people.results[0].id } });
  const edge = hood.edges[0] ?? { source: people.results[0].id, target: people.results[0].id };
  const created = await ok('POST', '/entities', 'dea.analyst', {
    body: { schema: 'Person', properties: { name: ['Ana Torres Beltrán'] }, marking: 'U//LES' },
  });
  await ok('PATCH', '/entities/{id}', 'dea.analyst', {
    params: { id: created.id },
    body: { properties: { alias: ['La Flaca'] }, marking: 'U//LES' },
  });
  await ok('POST', '/records', 'dea.analyst', {
    body: [
      {
        sourceRecordId: 'OA-REC-1',
        marking: 'U//LES',
        entities: [{ id: 'oa-co-1', schema: 'Company', properties: { name: ['Química Delta S.A.'], country: ['mx'] } }],
      },
    ],
  });
  await ok('POST', '/import', 'dea.analyst', {
    body: {
      format: 'jsonl',
      name: 'oa.jsonl',
      content: `${JSON.stringify({ sourceRecordId: 'OA-REC-2', marking: 'U//LES', entities: [{ id: 'oa-p-2', schema: 'Person', properties: { name: ['Luis Ortega'] } }] })}\n`,
    },
  });
  await ok('DELETE', '/entities/{id}', 'dea.analyst', { params: { id: created.id } });

  // Possible links: one confirmed, and undone.
  const links = await ok('GET', '/links', 'admin');
  if (links?.[0]) {
    await ok('POST', '/links/{id}/{action}', 'admin', { params: { id: links[0].id, action: 'confirm' }, body: {} });
    await ok('POST', '/links/{id}/{action}', 'admin', { params: { id: links[0].id, action: 'undo' }, body: {} });
  }

  // Administration: a user, a webhook (nothing listens), a peer, tokens, sign-in and out.
  await ok('POST', '/users', 'admin', {
    body: { username: 'new.analyst', password, agency: 'CBP', clearance: 'C', roles: ['analyst'] },
  });
  await ok('POST', '/admin/webhooks', 'admin', { body: { agency: 'DEA', url: 'http://127.0.0.1:9/hook' } });
  const peer = await ok('POST', '/admin/peers', 'admin', {
    body: { name: 'peer-one', url: 'http://127.0.0.1:9', outboundToken: 'p'.repeat(24) },
  });
  const apiToken = await ok('POST', '/auth/tokens', 'dea.analyst', { body: { label: 'script', days: 30 } });
  const tokens = await ok('GET', '/auth/tokens', 'dea.analyst');
  await ok('GET', '/auth/tokens', 'admin', { query: { username: 'dea.analyst' } });
  const scriptToken = tokens.find((x: { label: string | null }) => x.label === 'script');
  if (apiToken && scriptToken)
    await ok('DELETE', '/auth/tokens/{id}', 'dea.analyst', { params: { id: scriptToken.id } });
  const session = await ok('POST', '/auth/login', null, { body: { username: 'azdps.detective', password } });
  if (session) await ok('POST', '/auth/logout', `bearer:${session.token}`, { body: {} });

  // Target deconfliction: two agencies' cases on one phone.
  const caseBody = (n: string) => ({
    caseNumber: n,
    title: `Case ${n}`,
    contactName: 'SA Ruiz',
    contactPhone: '+1 619 555 0100',
  });
  const deaCase = await ok('POST', '/cases', 'dea.agent', { body: caseBody('OA-DEA-1') });
  const hsiCase = await ok('POST', '/cases', 'hsi.agent', { body: caseBody('OA-HSI-1') });
  await ok('POST', '/cases/{id}/targets', 'dea.agent', {
    params: { id: deaCase.id },
    body: { targets: [{ kind: 'phone', value: PHONE }] },
  });
  const found = await ok('POST', '/cases/{id}/targets', 'hsi.agent', {
    params: { id: hsiCase.id },
    body: {
      targets: [
        { kind: 'phone', value: PHONE },
        { kind: 'entity', value: people.results[0].id },
      ],
    },
  });
  if (found?.conflicts[0])
    await ok('POST', '/deconfliction/targets/{id}/ack', 'dea.agent', {
      params: { id: found.conflicts[0].id },
      body: {},
    });
  const spare = await ok('POST', '/cases', 'dea.agent', { body: caseBody('OA-DEA-2') });
  await ok('POST', '/cases/{id}/close', 'dea.agent', { params: { id: spare.id }, body: {} });

  // Event deconfliction: two operations in one place and time, escalated, worked by the watch center.
  const op = (title: string, o: Record<string, unknown> = {}) => ({
    type: 'raid',
    title,
    contactName: 'Sgt. Lee',
    contactPhone: '+1 619 555 0111',
    startsAt: day(10, 5),
    endsAt: day(10, 9),
    location: { lat: 32.7157, lon: -117.1611 },
    ...o,
  });
  await ok('POST', '/operations', 'dea.agent', { body: op('Stash house warrant') });
  const clash = await ok('POST', '/operations', 'hsi.agent', {
    body: op('Controlled delivery', {
      location: {
        polygon: [
          [32.71, -117.17],
          [32.72, -117.17],
          [32.72, -117.15],
        ],
      },
    }),
  });
  if (clash?.conflicts[0])
    await ok('POST', '/deconfliction/operations/{id}/ack', 'hsi.agent', {
      params: { id: clash.conflicts[0].id },
      body: {},
    });
  const exigent = await ok('POST', '/operations', 'dea.agent', {
    body: op('Exigent entry', {
      startsAt: '2026-01-05T05:00:00Z',
      endsAt: '2026-01-05T06:00:00Z',
      exigent: { reason: 'Shots fired; no time to enter it before' },
    }),
  });
  if (exigent)
    await ok('POST', '/operations/{id}/approve', 'dea.supervisor', { params: { id: exigent.operationId }, body: {} });
  await ok('PUT', '/deconfliction/settings/{key}', 'watch.officer', {
    params: { key: 'bufferMinutes' },
    body: { value: 60 },
  });

  // Federation: the peer is unreachable (its answer says so), and the peer's own question.
  await ok('POST', '/deconfliction/federated', 'dea.agent', { body: { targets: [{ kind: 'phone', value: PHONE }] } });
  if (peer)
    await ok('POST', '/federation/pointers', `peer:${peer.inboundToken}`, {
      body: { keys: [`phone:${PHONE}`], names: [{ value: 'Zhang Wei', person: true }] },
    });

  // The watchlist: a nomination asked for more, amended, accepted; another removed; redress.
  const nomination = {
    subjectKind: 'person',
    names: ['Zhang Wei', '张伟'],
    birthDates: ['1979-05-02'],
    nationalities: ['cn'],
    identifiers: [{ kind: 'passport', value: 'E12345678' }],
    usPerson: false,
    categories: ['precursor supply'],
    basis: BASIS,
    marking: 'S//NOFORN',
  };
  const wl = await ok('POST', '/watchlist/nominations', 'dea.analyst', { body: nomination });
  await ok('POST', '/watchlist/nominations/{id}/review', 'fbi.reviewer', {
    params: { id: wl.id },
    body: { decision: 'request_more', note: 'Which shipments?' },
  });
  await ok('POST', '/watchlist/nominations/{id}/amend', 'dea.analyst', {
    params: { id: wl.id },
    body: { basis: `${BASIS} Shipments MAEU-1 and MAEU-2, seized 2026-03.` },
  });
  await ok('POST', '/watchlist/nominations/{id}/review', 'fbi.reviewer', {
    params: { id: wl.id },
    body: { decision: 'accept', note: 'Meets the criteria' },
  });
  const other = await ok('POST', '/watchlist/nominations', 'dea.analyst', {
    body: { ...nomination, names: ['Li Qiang'], identifiers: [{ kind: 'passport', value: 'E87654321' }] },
  });
  await ok('POST', '/watchlist/nominations/{id}/remove', 'fbi.reviewer', {
    params: { id: other.id },
    body: { reason: 'Withdrawn by the nominator' },
  });
  await ok('PUT', '/watchlist/settings/{key}', 'admin', { params: { key: 'equitiesHours' }, body: { value: 48 } });
  const redress = await ok('POST', '/redress', null, {
    body: { name: 'Juan Pérez', contact: 'juan@example.org', details: 'Delayed at San Ysidro twice in March.' },
  });
  await ok('POST', '/redress/{control}/status', 'fbi.reviewer', {
    params: { control: redress.controlNumber },
    body: { status: 'under review', note: 'Assigned' },
  });

  // Time passes: the operation conflict escalates, the nomination goes active.
  await later();
  const queue = await ok('GET', '/watch-center/queue', 'watch.officer');
  if (queue?.[0]) {
    await ok('POST', '/watch-center/{id}/claim', 'watch.officer', { params: { id: queue[0].id }, body: {} });
    await ok('POST', '/watch-center/{id}/resolve', 'watch.officer', {
      params: { id: queue[0].id },
      body: { outcome: 'joint', note: 'Both sides agreed a joint entry' },
    });
  }

  // Lists users add: a DEA watchlist (added, updated, screened against below), an admin's public list, removed.
  const watch = (rows: string) => [{ name: 'dea-watch.csv', content: `id,name,kind,birthDate\n${rows}` }];
  await ok('POST', '/screen/lists', 'dea.supervisor', {
    body: { name: 'DEA-WATCH', format: 'csv', files: watch('W-1,Rogelio Antúnez Quiroga,person,1979\n') },
  });
  await ok('PUT', '/screen/lists/{name}', 'dea.supervisor', {
    params: { name: 'DEA-WATCH' },
    body: { format: 'csv', files: watch('W-1,Rogelio Antúnez Quiroga,person,1979\nW-2,Hao Zhenyu,person,1984\n') },
  });
  await ok('POST', '/screen/lists', 'admin', {
    body: {
      name: 'EU-TEMP',
      format: 'csv',
      marking: 'U',
      files: [{ name: 'eu.csv', content: 'name\nAurelio Benitez\n' }],
    },
  });
  await ok('DELETE', '/screen/lists/{name}', 'admin', { params: { name: 'EU-TEMP' } });
  await ok('POST', '/screen', 'dea.analyst', { body: { name: 'Rogelio Antunez Quiroga', birthDate: '1979' } });

  // Screening: a listed name, the watchlist's pointer (and its encounter resolved), a batch.
  await ok('POST', '/screen', 'cbp.officer', { body: { name: 'Joaquin Guzman Loera', kind: 'person' } });
  const seen = await ok('POST', '/screen', 'cbp.officer', {
    body: { name: 'Zhang Wei', birthDate: '1979-05-02', nationality: 'cn', kind: 'person' },
  });
  if (seen?.watchlist[0])
    await ok('POST', '/watchlist/encounters/{ref}/resolve', 'fbi.reviewer', {
      params: { ref: seen.watchlist[0].encounter },
      body: { outcome: 'false positive', note: 'Different birth place' },
    });
  const csv = 'name,birthDate\nJoaquin Guzman Loera,1957-04-04\nZhang Wei,1979-05-02\n,\n';
  for (const format of ['json', 'csv'])
    await ok('POST', '/screen/batch', 'cbp.officer', { query: { format }, body: { csv } });
  await ok('POST', '/substances/fentanyl-class', 'dea.analyst', {
    body: { smiles: 'CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1' },
  });
  await ok('POST', '/graph/simulate', 'dea.analyst', { body: { remove: [edge.source, 'zz-unknown'] } });

  // Registries: a press and its transfer; two task forces that overlap.
  const serial = 'OA-TDP-0001';
  const press = await ok('POST', '/presses', 'dea.analyst', {
    body: {
      kind: 'tablet press',
      make: 'TDP',
      model: 'TDP-5',
      serial,
      owner: 'Nutra Labs LLC',
      location: 'Phoenix, AZ',
      country: 'US',
    },
  });
  await ok('POST', '/presses/{id}/events', 'dea.analyst', {
    params: { id: press.id },
    body: { kind: 'transfer', toOwner: 'Desert Vitamins Inc', note: 'sold' },
  });
  for (const name of ['Arizona Fentanyl Strike Force', 'Phoenix Border Fentanyl Task Force'])
    await ok('POST', '/task-forces', 'dea.supervisor', {
      body: {
        name,
        kind: 'task force',
        purpose: 'Dismantle fentanyl trafficking networks.',
        leadAgency: 'DEA',
        memberAgencies: ['HSI', 'CBP'],
        geography: ['US-AZ'],
        focus: ['border crossing', 'precursors'],
        targets: [{ kind: 'phone', value: PHONE }],
      },
    });

  // The partner exchange: a carrier's report and the feedback; a pre-export notification answered.
  const report = await ok('POST', '/partner/reports', 'carrier.partner', {
    body: {
      kind: 'shipment',
      summary: 'Parcel x-ray shows pressed tablets; declared as vitamins',
      shipment: { trackingNumber: '7812 0045 6677', shipperName: 'Blue Plug Supplies', declaredGoods: 'vitamins' },
    },
  });
  await ok('POST', '/partner/reports/{ref}/feedback', 'cbp.officer', {
    params: { ref: report.reference },
    body: { status: 'under review', feedback: 'Thank you; we are looking at it' },
  });
  const party = { name: 'Importadora Costa Azul S.A. de C.V.', address: 'Av. del Puerto 45, Manzanillo, Colima' };
  const pen = await ok('POST', '/pre-export', 'dea.analyst', {
    body: {
      importingCountry: 'MEX',
      exporter: { name: 'Gulf Chemical Distributors LLC', address: '1200 Industrial Blvd, Houston TX' },
      importer: party,
      consignee: party,
      substance: 'Propionyl chloride',
      casNumber: '79-03-8',
      quantityKg: 2000,
      pointOfEntry: 'Nuevo Laredo',
      dispatchDate: '2031-04-02',
      transportDocument: 'MAEU 123 456 789',
    },
  });
  await ok('POST', '/pre-export/{id}/respond', 'fgr.precursors', {
    params: { id: pen.id },
    body: { decision: 'acknowledge', note: 'Received' },
  });

  // Targeting: an exam, a rule's new version, rescoring.
  const examQueue = await ok('GET', '/targeting/queue', 'cbp.officer');
  if (examQueue?.[0])
    await ok('POST', '/targeting/shipments/{id}/exam', 'cbp.officer', {
      params: { id: examQueue[0].shipment },
      body: { result: 'seized', note: 'Pills in the pallets' },
    });
  const rules = await ok('GET', '/targeting/rules', 'admin');
  await ok('PUT', '/targeting/rules/{code}', 'admin', { params: { code: rules[0].code }, body: { weight: 0.5 } });
  await ok('POST', '/targeting/rescore', 'admin', { body: {} });

  // Retention: a record renewed, the expired purged.
  const due = await ok('GET', '/retention/review', 'dea.supervisor', { query: { days: 3650 } });
  const ours = due?.find((r: { source: string }) => r.source === 'DEA'); // an agency renews its own records
  if (ours)
    await ok('POST', '/retention/records/{id}/renew', 'dea.supervisor', {
      params: { id: ours.id },
      body: { justification: 'Still under active investigation (case OA-DEA-1).' },
    });
  await ok('POST', '/retention/purge', 'admin', { body: {} });

  const substances = await ok('GET', '/substances', 'dea.analyst');

  // TAXII: an object posted (its status), a collection's objects; the MISP feed's events.
  const TAXII = 'application/taxii+json;version=2.1';
  const posted = await ok('POST', '/taxii2/chokepoint/collections/{collectionId}/objects/', 'dea.analyst', {
    params: { collectionId: 'all' },
    headers: { 'content-type': TAXII, accept: TAXII },
    body: {
      objects: [
        {
          type: 'identity',
          spec_version: '2.1',
          id: 'identity--7b1f7f4e-2a55-4b8e-9c1f-5f0b9f3d2a11',
          created: '2026-11-30T10:00:00.000Z',
          modified: '2026-11-30T10:00:00.000Z',
          name: 'Comercializadora del Pacífico',
          identity_class: 'organization',
          object_marking_refs: ['marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9'], // TLP:WHITE
        },
      ],
    },
  });
  const page = await ok('GET', '/taxii2/chokepoint/collections/{collectionId}/objects/', 'dea.analyst', {
    params: { collectionId: 'all' },
    query: { limit: 5 },
  });
  const stix = page?.objects?.find((x: { type: string }) => !x.type.endsWith('-definition'))?.id ?? 'identity--none';
  const collection = { params: { collectionId: 'all' } };
  const object = { params: { collectionId: 'all', objectId: stix } };
  const feedPurpose = { purpose: 'MISP subscription conformance check' };
  const manifest = await ok('GET', '/misp/feed/manifest.json', 'dea.analyst', { query: feedPurpose });
  const event = Object.keys(manifest ?? {})[0] ?? '00000000-0000-0000-0000-000000000000';
  const entity = { params: { id: edge.source } };
  const values: Record<string, { params?: Record<string, string | number>; query?: Record<string, unknown> }[]> = {
    '/entities/{id}': [entity],
    '/entities/{id}/cases': [entity, { params: { id: people.results[0].id } }],
    '/entities/{id}/events': [entity],
    '/entities/{id}/merged': [entity, ...(links?.[0] ? [{ params: { id: links[0].left_id } }] : [])],
    '/entities/{id}/neighbourhood': [entity],
    '/entities/{id}/relations': [entity],
    '/entities': [{}, { query: { q: 'garcia' } }, { query: { schema: 'Seizure', limit: 5 } }],
    '/entities/suggest': [{ query: { q: 'ga' } }],
    '/export': [{ query: { purpose: 'conformance check of the export' } }],
    '/graph/path': [{ query: { from: edge.source, to: edge.target } }, { query: { from: edge.source, to: 'zz-none' } }],
    '/incidents/export': [{ query: { relTo: 'MEX' } }],
    '/presses': [{ query: { serial } }],
    '/presses/{id}': [{ params: { id: press.id } }],
    '/redress/{control}': [{ params: { control: redress.controlNumber } }],
    '/schemas/{name}': [{ params: { name: 'Person' } }, { params: { name: 'Ownership' } }],
    '/taxii2/chokepoint/collections/{collectionId}/': [collection, { params: { collectionId: 'public' } }],
    '/taxii2/chokepoint/collections/{collectionId}/objects/': [collection, { ...collection, query: { limit: 2 } }],
    '/taxii2/chokepoint/collections/{collectionId}/manifest/': [collection],
    '/taxii2/chokepoint/collections/{collectionId}/objects/{objectId}/': [object],
    '/taxii2/chokepoint/collections/{collectionId}/objects/{objectId}/versions/': [object],
    '/taxii2/chokepoint/status/{statusId}/': [{ params: { statusId: posted?.id ?? 'none' } }],
    '/misp/feed/manifest.json': [{ query: feedPurpose }],
    '/misp/feed/hashes.csv': [{ query: feedPurpose }],
    '/misp/feed/{event}.json': [{ params: { event }, query: feedPurpose }],
    '/substances/{key}': [{ params: { key: substances.substances[0].key } }],
    '/watchlist/nominations/{id}': [{ params: { id: wl.id } }],
    '/watchlist/encounters': [{}, { query: { nomination: wl.id } }],
    '/watch-center/queue': [{}, { query: { all: true } }],
    '/deconfliction/targets': [{}, { query: { open: true } }],
    '/picture/map': [{}, { query: { from: '2020-01-01', to: '2026-12-31' } }],
    '/reports/cip': [{}, { query: { from: '2020-01-01', to: '2026-12-31' } }],
    '/picture/dashboard': [{}, { query: { from: '2020-01-01', to: '2026-12-31' } }],
    '/graph/measures': [{}, { query: { samples: 16 } }],
    // A short budget: the plan is greedy work on the event loop.
    '/graph/interdiction': [{ query: { k: 3, budgetMs: 500 } }],
  };
  return {
    failed,
    params: (path) => values[path] ?? (/\{/.test(path) ? undefined : [{}]),
  };
}
