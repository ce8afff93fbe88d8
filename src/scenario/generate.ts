// The demo scenario: a deterministic generator (seed + scale) of a fentanyl supply
// network as several agencies would report it, each under its own markings:
// precursor suppliers and brokers in China, freight forwarders, Mexican cartel cells
// with front companies, labs and pill presses, transport cells crossing southwest
// border ports of entry, US distribution hubs, online vendors shipping by mail and
// express, and money flowing back (bulk cash, trade-based laundering, underground
// banking, crypto), with seizures and other events over three fiscal years.
// Everything comes out of the seeded PRNG; nothing is hand-written.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as N from './names.js';
import { iso6346CheckDigit } from '../domain/checksums.js';
import { substances as referenceSubstances } from '../chem/substances.js';

// Ids derived from identifiers are digests, as FtM's make_id: the same phone or wallet
// gets the same id in every record (so they merge), and an id never spells out a
// number or address that a reader who sees the entity may not be allowed to read.
const idKey = (...parts: string[]): string =>
  createHash('sha1').update(parts.join('\u0000')).digest('hex').slice(0, 16);
const phoneId = (e164: string): string => `phone-${idKey(e164)}`;
const walletIdOf = (addr: string): string => `wallet-${idKey(addr)}`;

export { iso6346CheckDigit };

export interface ScenarioOptions {
  seed: number;
  /** Number of trafficking networks; about 150 entities each. */
  networks: number;
}

export const SIZES: Record<string, number> = { tiny: 1, small: 4, demo: 24, medium: 300 };
export const ENTITIES_PER_NETWORK = 150; // approximate, for --entities N

/** The last day of the scenario's three fiscal years (FY2024-FY2026). */
export const SCENARIO_END = '2026-09-30';
const START_MS = Date.parse('2023-10-01');
const END_MS = Date.parse(SCENARIO_END);

/** mulberry32: small, fast, and good enough for synthetic data (not for security). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Place {
  key: string;
  name: string;
  country: string;
  type: string;
  region: string;
  lat: string;
  lon: string;
  unlocode: string;
}

function loadCsv<T>(file: string): T[] {
  const [head, ...rows] = readFileSync(new URL(`../../reference/${file}`, import.meta.url), 'utf8')
    .trim()
    .split('\n');
  const cols = head!.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i], v])) as T);
}

type Props = Record<string, (string | number | undefined)[] | string | number | undefined>;
interface RawEntity {
  id: string;
  schema: string;
  properties: Record<string, string[]>;
  marking?: string;
  propertyMarkings?: Record<string, string>;
}
export interface RawRecord {
  source: string;
  sourceRecordId: string;
  kind: 'intelligence' | 'case' | 'operational' | 'public';
  reportDate: string;
  grade: string;
  marking: string;
  criminalBasis?: string;
  sensitivity?: string;
  confidence?: string;
  entities: RawEntity[];
}

/** Generates the scenario's records, in an order where references point backwards. */
export function* generateScenario(opts: ScenarioOptions): Generator<RawRecord> {
  const r = rng(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const int = (a: number, b: number): number => a + Math.floor(r() * (b - a + 1));
  const chance = (p: number): boolean => r() < p;
  const day = (fromMs = START_MS, toMs = END_MS): string =>
    new Date(fromMs + r() * (toMs - fromMs)).toISOString().slice(0, 10);
  const digits = (n: number): string => Array.from({ length: n }, () => int(0, 9)).join('');
  const letters = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(65 + int(0, 25))).join('');
  const places = new Map(loadCsv<Place>('places.csv').map((p) => [p.key, p]));
  const place = (k: string): Place => places.get(k)!;
  const substances = referenceSubstances();
  const seq: Record<string, number> = {};
  const nextNo = (agency: string): string =>
    `${agency}-${String((seq[agency] = (seq[agency] ?? 0) + 1)).padStart(7, '0')}`;

  const clean = (props: Props): Record<string, string[]> => {
    const out: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(props)) {
      const list = (Array.isArray(v) ? v : [v]).filter((x) => x !== undefined && x !== '').map(String);
      if (list.length) out[k] = list;
    }
    return out;
  };
  const ent = (id: string, schema: string, props: Props, extra: Partial<RawEntity> = {}): RawEntity => ({
    id,
    schema,
    properties: clean(props),
    ...extra,
  });
  const record = (
    source: string,
    kind: RawRecord['kind'],
    marking: string,
    reportDate: string,
    entities: RawEntity[],
    basis?: string,
  ): RawRecord => ({
    source,
    sourceRecordId: nextNo(source),
    kind,
    reportDate,
    grade: `${pick(['A', 'B', 'B', 'C'])}${pick(['1', '2', '2', '3'])}`,
    marking,
    entities,
    ...(kind === 'intelligence'
      ? {
          criminalBasis:
            basis ?? 'Reasonable suspicion of conspiracy to import and distribute fentanyl (21 U.S.C. 952, 963).',
          sensitivity: pick(['sensitive', 'restricted']),
          confidence: pick(['high', 'medium', 'low']),
        }
      : {}),
  });

  // Shared places and substances, as published reference (public records).
  const placeId = (k: string): string => `place-${k}`;
  yield record(
    'PUBLIC',
    'public',
    'U',
    SCENARIO_END,
    [...places.values()].map((p) =>
      ent(placeId(p.key), 'Address', {
        name: p.name,
        city: p.type === 'city' ? p.name : undefined,
        region: p.region,
        country: p.country,
        latitude: p.lat,
        longitude: p.lon,
        locationType: p.type,
        unlocode: p.unlocode,
      }),
    ),
  );
  const substanceId = (k: string): string => `substance-${k}`;
  yield record(
    'PUBLIC',
    'public',
    'U',
    SCENARIO_END,
    substances.map((s) =>
      ent(substanceId(s.key), 'Substance', {
        name: s.name,
        alias: s.synonyms,
        category: s.category,
        casNumber: s.casNumber,
        hsCode: s.hsCodes,
        control: s.control,
      }),
    ),
  );

  // People and identifiers.
  const spanishName = (): { first: string; last1: string; last2: string; full: string } => {
    const male = chance(0.8);
    const first = pick(male ? N.SPANISH_MALE : N.SPANISH_FEMALE);
    const other = pick(male ? N.SPANISH_MALE : N.SPANISH_FEMALE);
    const second = chance(0.4) && other !== first ? ` ${other}` : '';
    const last1 = pick(N.SPANISH_SURNAMES);
    const last2 = pick(N.SPANISH_SURNAMES);
    return { first: first + second, last1, last2, full: `${first}${second} ${last1} ${last2}` };
  };
  const chineseName = (): { hanzi: string; pinyin: string; western: string } => {
    const [sh, sp] = pick(N.CHINESE_SURNAMES);
    const [gh, gp] = pick(N.CHINESE_GIVEN);
    return {
      hanzi: sh + gh,
      pinyin: `${sp} ${gp}`,
      western: `${gp.normalize('NFD').replace(/\p{M}/gu, '')} ${sp.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase()}`,
    };
  };
  const englishName = (): string => `${pick(N.ENGLISH_FIRST)} ${pick(N.ENGLISH_LAST)}`;
  /** How a name looks in a record typed at a border: capitals, no accents, sometimes one surname. */
  const borderSpelling = (full: string): string => {
    const plain = full.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase();
    return chance(0.3) ? plain.split(' ').slice(0, -1).join(' ') : plain;
  };
  const birthDate = (): string => day(Date.parse('1962-01-01'), Date.parse('2003-12-31'));
  const phoneOf = (cc: '52' | '1' | '86'): string =>
    cc === '52'
      ? `+52${pick(['667', '669', '33', '686', '664', '662'])}${digits(7)}`
      : cc === '1'
        ? `+1${pick(['602', '520', '619', '213', '303', '312', '404'])}${int(2, 9)}${digits(6)}`
        : `+86${pick(['138', '139', '150', '186'])}${digits(8)}`;
  const phoneEnt = (e164: string): RawEntity => ent(phoneId(e164), 'Phone', { number: e164 });
  const usage = (holder: string, thing: string, date: string): RawEntity =>
    ent(`use-${idKey(holder, thing)}`, 'Usage', { holder, thing, startDate: date });
  const containerNo = (): string => {
    const first = `${pick(['MSK', 'CSQ', 'OOL', 'TGH', 'CMA', 'EGH', 'HLX'])}U${digits(6)}`;
    return `${first}${iso6346CheckDigit(first)}`;
  };
  const base58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  const wallet = (): [string, string] =>
    chance(0.6)
      ? ['USDT (TRON)', `T${Array.from({ length: 33 }, () => pick([...base58])).join('')}`]
      : chance(0.5)
        ? ['BTC', `bc1q${Array.from({ length: 38 }, () => pick([...'qpzry9x8gf2tvdw0s3jn54khce6mua7l'])).join('')}`]
        : ['ETH', `0x${Array.from({ length: 40 }, () => pick([...'0123456789abcdef'])).join('')}`];

  // Supplier pool in China, shared across networks (as in reality, a few suppliers serve many buyers).
  const suppliers: { id: string; broker: string; wallet: string; city: string }[] = [];
  const nSuppliers = Math.max(3, Math.ceil(opts.networks / 2));
  for (let i = 0; i < nSuppliers; i++) {
    const [ch, cp, cityKey] = pick(N.CHINESE_CITIES);
    const [wh, wp, we] = pick(N.CHINESE_COMPANY_WORDS);
    const [kh, ke] = i % 3 === 2 ? N.CHINESE_COMPANY_KINDS[3]! : pick(N.CHINESE_COMPANY_KINDS.slice(0, 3));
    const id = `hsi-co-cn-${i}`;
    const broker = chineseName();
    const brokerId = `hsi-p-cn-${i}`;
    const bphone = phoneOf('86');
    const [chain, addr] = wallet();
    const walletId = walletIdOf(addr);
    const reportDate = day();
    yield record(
      'HSI',
      'intelligence',
      'U//LES',
      reportDate,
      [
        ent(id, 'Company', {
          name: `${cp} ${wp} ${ke}`,
          alias: [`${ch}${wh}${kh}`, `${cp} ${we} ${ke}`],
          country: 'cn',
          companyType: 'chemical supplier',
          sector: 'chemicals',
          addressEntity: placeId(cityKey),
          website: `https://www.${wp.toLowerCase()}-chem.com/`,
        }),
        ent(
          brokerId,
          'Person',
          {
            name: broker.pinyin,
            alias: broker.western,
            nameScript: broker.hanzi,
            nationality: 'cn',
            position: 'sales representative',
            birthDate: birthDate(),
          },
          { propertyMarkings: { birthDate: 'C//LES//REL TO USA, MEX' } },
        ),
        ent(`emp-${idKey(brokerId)}`, 'Employment', { employee: brokerId, employer: id, role: 'broker' }),
        phoneEnt(bphone),
        usage(brokerId, phoneId(bphone), reportDate),
        ent(walletId, 'CryptoWallet', { publicKey: addr, currency: chain, holder: id }),
      ],
      'Advertises fentanyl precursors (4-AP, 1-boc-4-AP, NPP) for export to Mexico on B2B sites; undercover purchase confirmed shipment.',
    );
    suppliers.push({ id, broker: brokerId, wallet: walletId, city: cityKey });
    if (i % 4 === 0) {
      yield record('OFAC', 'public', 'U', day(), [
        ent(`ofac-co-cn-${i}`, 'Company', {
          name: `${cp.toUpperCase()} ${wp.toUpperCase()} ${ke.toUpperCase()}`,
          alias: `${ch}${wh}${kh}`,
          country: 'cn',
        }),
        ent(`ofac-sanction-co-cn-${i}`, 'Sanction', {
          entity: `ofac-co-cn-${i}`,
          authority: 'OFAC',
          program: 'ILLICIT-DRUGS-EO14059',
          listingDate: day(),
          reason: 'Supplying fentanyl precursor chemicals',
        }),
      ]);
    }
  }
  // OFAC as an entity, so Sanction relations have both ends.
  yield record('OFAC', 'public', 'U', SCENARIO_END, [
    ent('agency-ofac', 'Organization', {
      name: 'Office of Foreign Assets Control',
      country: 'us',
      organizationType: 'sanctions authority',
    }),
  ]);

  const forwarders: string[] = [];
  for (let i = 0; i < Math.max(2, Math.ceil(opts.networks / 4)); i++) {
    const [, wp, we] = pick(N.CHINESE_COMPANY_WORDS);
    const id = `cbp-co-fwd-${i}`;
    yield record('CBP', 'operational', 'U//FOUO', day(), [
      ent(id, 'Company', {
        name: `${we} ${wp} International Logistics Ltd.`,
        country: pick(['hk', 'cn']),
        companyType: 'freight forwarder',
        addressEntity: placeId(pick(['cn-hongkong', 'cn-shenzhen', 'cn-shanghai'])),
      }),
    ]);
    forwarders.push(id);
  }

  const poes = [
    'us-sanysidro',
    'us-otaymesa',
    'us-calexico',
    'us-nogales',
    'us-lukeville',
    'us-douglas',
    'us-elpaso',
    'us-laredo',
  ];
  const hubs = ['us-phoenix', 'us-losangeles', 'us-denver', 'us-chicago', 'us-atlanta', 'us-seattle', 'us-newyork'];

  for (let n = 0; n < opts.networks; n++) {
    const cartelId = `dea-org-${n}`;
    const cartelName = `Cártel ${N.CARTEL_PLACES[n % N.CARTEL_PLACES.length]}${n >= N.CARTEL_PLACES.length ? ` (facción ${Math.floor(n / N.CARTEL_PLACES.length) + 1})` : ''}`;
    const hq = pick(['mx-culiacan', 'mx-guadalajara', 'mx-hermosillo', 'mx-tijuana']);
    const caseId = `dea-case-${n}`;
    const caseNo = `DEA-${pick(['PX', 'LA', 'SD', 'EP', 'HO'])}-${int(21, 26)}-${digits(4)}`;
    // Leadership (DEA intelligence; informant details kept at SECRET//NOFORN).
    const leaders: { id: string; name: string; phone: string }[] = [];
    const ents: RawEntity[] = [
      ent(cartelId, 'Organization', {
        name: cartelName,
        organizationType: 'cartel',
        country: 'mx',
        addressEntity: placeId(hq),
      }),
    ];
    for (let k = 0; k < 3; k++) {
      const nm = spanishName();
      const id = `dea-p-${n}-l${k}`;
      const ph = phoneOf('52');
      ents.push(
        ent(
          id,
          'Person',
          {
            name: nm.full,
            firstName: nm.first,
            lastName: `${nm.last1} ${nm.last2}`,
            alias: k === 0 || chance(0.5) ? pick(N.SPANISH_NICKNAMES) : undefined,
            birthDate: birthDate(),
            nationality: 'mx',
            position: pick(['plaza boss', 'logistics chief', 'financial operator', 'lab chief']),
            notes: 'Source reporting places subject at meetings in Culiacán.',
          },
          { propertyMarkings: { notes: 'S//LES/NOFORN' } },
        ),
        ent(`mem-${idKey(id)}`, 'Membership', {
          member: id,
          organization: cartelId,
          role: k === 0 ? 'leader' : 'lieutenant',
        }),
        phoneEnt(ph),
        usage(id, phoneId(ph), day()),
      );
      leaders.push({ id, name: nm.full, phone: ph });
    }
    yield record(
      'DEA',
      'intelligence',
      'U//LES',
      day(),
      ents,
      `Subjects direct a drug trafficking organization importing fentanyl into the United States (case ${caseNo}).`,
    );
    // The case, its subjects.
    yield record('DEA', 'case', 'U//LES', day(), [
      ent(caseId, 'Case', {
        name: `Operation ${pick(['Blue', 'Silent', 'Iron', 'Desert', 'Crystal', 'Northern'])} ${pick(['Lotus', 'Falcon', 'Harvest', 'Bridge', 'Tide', 'Compass'])} ${n + 1}`,
        caseNumber: caseNo,
        leadAgency: 'DEA',
        status: chance(0.8) ? 'open' : 'closed',
        openedDate: day(START_MS - 2 * 365 * 864e5, START_MS),
        caseAgent: `SA ${englishName()} (DEA), +1602${digits(7)}`,
      }),
      ent(`caselink-${idKey(cartelId)}`, 'CaseLink', { subject: cartelId, case: caseId }),
      ...leaders.map((l) => ent(`caselink-${idKey(l.id)}`, 'CaseLink', { subject: l.id, case: caseId })),
    ]);
    // OFAC designations of some leaders (public); OFAC keeps its own ids and spellings.
    for (const l of leaders.filter(() => chance(0.3))) {
      const oid = `ofac-${l.id}`;
      yield record('OFAC', 'public', 'U', day(), [
        ent(oid, 'Person', { name: l.name.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase(), nationality: 'mx' }),
        ent(`ofac-sanction-${l.id}`, 'Sanction', {
          entity: oid,
          authority: 'OFAC',
          program: pick(['SDNTK', 'ILLICIT-DRUGS-EO14059']),
          listingDate: day(),
          reason: 'Fentanyl trafficking',
        }),
      ]);
    }

    // Front company importing precursors; director is a straw man.
    const front = `hsi-co-mx-${n}`;
    const straw = spanishName();
    const strawId = `hsi-p-${n}-straw`;
    const frontName = `${pick(N.MX_COMPANY_PREFIX)} ${pick(N.MX_COMPANY_STEM)} S.A. de C.V.`;
    yield record(
      'HSI',
      'intelligence',
      'C//LES//REL TO USA, MEX',
      day(),
      [
        ent(front, 'Company', {
          name: frontName,
          country: 'mx',
          companyType: 'front company',
          registrationNumber: `${letters(3)}${digits(6)}${letters(2)}${digits(1)}`,
          addressEntity: placeId(pick(['mx-manzanillo', 'mx-guadalajara', 'mx-culiacan'])),
        }),
        ent(strawId, 'Person', { name: straw.full, nationality: 'mx', birthDate: birthDate() }),
        ent(`dir-${idKey(strawId)}`, 'Directorship', {
          director: strawId,
          organization: front,
          role: 'administrador único',
        }),
      ],
      `Front company ${frontName} imports precursor chemicals declared as other goods on behalf of the organization.`,
    );
    yield record(
      'DEA',
      'intelligence',
      'S//LES/NOFORN',
      day(),
      [ent(`own-${idKey(front)}`, 'Ownership', { owner: leaders[0]!.id, asset: front, role: 'beneficial owner' })],
      'Source reporting: the leader controls the front company that imports precursors.',
    );

    // Precursor shipments from China to Mexico, three fiscal years.
    const sup = suppliers[n % suppliers.length]!;
    const precursor = pick(['4-ap', 'boc-4-ap', 'npp', 'anpp', 'norfentanyl', 'propionyl-chloride']);
    for (let s = 0; s < int(3, 6); s++) {
      const shipDate = day();
      const cno = containerNo();
      const sid = `cbp-ship-${n}-${s}`;
      const kg = int(50, 1500);
      const origin = pick(['cn-shanghai', 'cn-ningbo', 'cn-shenzhen', 'cn-hongkong']);
      const dest = pick(['mx-manzanillo', 'mx-lazaro']);
      const via = chance(0.3) ? pick(['in-mumbai', 'cn-hongkong', 'ca-vancouver']) : undefined;
      yield record('CBP', 'operational', 'U//FOUO', shipDate, [
        ent(`container-${idKey(cno)}`, 'Container', {
          containerNumber: cno,
          containerType: pick(['20GP', '40HC', '40GP']),
        }),
        ent(sid, 'Shipment', {
          shipper: sup.id,
          consignee: front,
          forwarder: pick(forwarders),
          carrier: pick(['ocean carrier A', 'ocean carrier B']),
          mode: 'container',
          billOfLading: `${letters(4)}${digits(8)}`,
          hsCode: chance(0.6) ? '2933.39' : pick(['3204.17', '3907.30', '8708.99']),
          declaredGoods: pick(N.DECLARED_GOODS),
          grossWeightKg: kg,
          declaredValue: int(2000, 60000),
          currency: 'USD',
          originPort: placeId(origin),
          transshipmentPort: via ? placeId(via) : undefined,
          destinationPort: placeId(dest),
          routeLegs: [place(origin).unlocode, via ? place(via).unlocode : undefined, place(dest).unlocode]
            .filter(Boolean)
            .join(' > '),
          departureDate: shipDate,
          arrivalDate: new Date(Date.parse(shipDate) + int(18, 40) * 864e5).toISOString().slice(0, 10),
          container: `container-${idKey(cno)}`,
        }),
      ]);
      yield record(
        'HSI',
        'intelligence',
        'C//LES//REL TO USA, MEX',
        shipDate,
        [
          ent(`supply-${n}-${s}`, 'Supply', {
            supplier: sup.id,
            recipient: front,
            substance: substanceId(precursor),
            quantityKg: kg,
            date: shipDate,
          }),
          ent(`pay-tbml-${n}-${s}`, 'Payment', {
            payer: front,
            beneficiary: sup.id,
            amount: int(20, 400) * 1000,
            currency: 'USD',
            method: 'trade-based',
            date: shipDate,
            purpose: 'Invoice for declared goods',
          }),
        ],
        'Shipment records show precursor chemicals consigned to the front company under false declarations.',
      );
    }
    // Crypto payments to the supplier.
    const [frontChain, frontAddr] = wallet();
    yield record(
      'FINCEN',
      'intelligence',
      'U//FOUO/ORCON//ORCON TO DEA,HSI',
      day(),
      [
        ent(walletIdOf(frontAddr), 'CryptoWallet', { publicKey: frontAddr, currency: frontChain, holder: front }),
        ent(`pay-crypto-${n}`, 'Payment', {
          payer: front,
          beneficiary: sup.id,
          payerAccount: walletIdOf(frontAddr),
          beneficiaryAccount: sup.wallet,
          amount: int(10, 300) * 1000,
          currency: 'USD',
          method: 'crypto',
          date: day(),
        }),
      ],
      'Suspicious activity reporting links wallet payments from the front company to a precursor supplier.',
    );

    // Lab and pill presses (FGR reporting, releasable to the US).
    const labId = `fgr-lab-${n}`;
    const cellId = `fgr-org-${n}-cell`;
    const presses: string[] = [];
    const labEnts: RawEntity[] = [
      // Cells go by a family name and their plaza; their cartel is the Membership, not the name.
      ent(cellId, 'Organization', {
        name: `Célula de los ${pick(N.SPANISH_SURNAMES)} (${pick(['Culiacán', 'Tamazula', 'Cosalá', 'Zapopan', 'Tepic', 'Navolato', 'Mocorito'])})`,
        organizationType: 'lab cell',
        country: 'mx',
      }),
      ent(`mem-${idKey(cellId)}`, 'Membership', { member: cellId, organization: cartelId }),
      ent(labId, 'Lab', {
        name: `Laboratorio ${pick(['Tamazula', 'Cosalá', 'Badiraguato', 'Elota', 'Tepic', 'Zapopan'])}`,
        labType: pick(['synthesis', 'pill pressing', 'synthesis and pill pressing']),
        operator: cellId,
        addressEntity: placeId(pick(['mx-culiacan', 'mx-guadalajara'])),
        country: 'mx',
      }),
    ];
    for (let k = 0; k < int(1, 3); k++) {
      const pid = `fgr-press-${n}-${k}`;
      labEnts.push(
        ent(pid, 'Equipment', {
          name: 'Tablet press',
          equipmentType: pick(['pill press', 'pill press', 'die mold', 'encapsulator']),
          make: pick(['TDP', 'ZP', 'THDP', 'DHP']),
          model: pick(['TDP-5', 'ZP-9', 'THDP-3', 'TDP-1.5']),
          serialNumber: `${letters(2)}${digits(8)}`,
          owner: front,
        }),
      );
      presses.push(pid);
    }
    yield record(
      'FGR',
      'intelligence',
      'C//LES//REL TO USA, MEX',
      day(),
      labEnts,
      'Clandestine laboratory producing fentanyl pills for the organization, identified by surveillance.',
    );
    if (chance(0.4)) {
      const d = day();
      yield record('FGR', 'operational', 'C//LES//REL TO USA, MEX', d, [
        ent(`fgr-dismantle-${n}`, 'LabDismantlement', {
          name: 'Desmantelamiento de laboratorio',
          date: d,
          lab: labId,
          equipmentSeized: presses,
          agency: 'FGR',
          addressEntity: placeId('mx-culiacan'),
        }),
      ]);
    }

    // Transport cell: drivers, vehicles, seizures at the ports of entry.
    const hub = pick(hubs);
    for (let k = 0; k < int(3, 6); k++) {
      const nm = spanishName();
      const did = `hsi-p-${n}-d${k}`;
      const plate = chance(0.5) ? `${letters(3)}${digits(3)}${letters(1)}` : `${int(1, 9)}${letters(3)}${digits(3)}`;
      const vid = `vehicle-${plate}`;
      const ph = phoneOf(chance(0.5) ? '52' : '1');
      yield record(
        'HSI',
        'intelligence',
        'U//LES',
        day(),
        [
          ent(did, 'Person', { name: nm.full, birthDate: birthDate(), nationality: chance(0.7) ? 'mx' : 'us' }),
          ent(`mem-${idKey(did)}`, 'Membership', { member: did, organization: cartelId, role: 'driver' }),
          ent(vid, 'Vehicle', {
            registrationNumber: plate,
            registrationRegion: pick(['Baja California', 'Sonora', 'California', 'Arizona']),
            model: pick(['Nissan Sentra', 'Ford F-150', 'Honda Civic', 'Chevrolet Silverado', 'Toyota Camry']),
            type: 'car',
          }),
          ent(`use-${idKey(did, vid)}`, 'Usage', { holder: did, thing: vid }),
          phoneEnt(ph),
          usage(did, phoneId(ph), day()),
        ],
        'Subject is a courier for the organization, crossing with concealed fentanyl.',
      );
      // CBP's own records of crossings and seizures spell the name its own way.
      for (let s = 0; s < int(1, 4); s++) {
        const d = day();
        const poe = pick(poes);
        const pills = chance(0.7) ? int(2, 400) * 1000 : 0;
        const kg = pills ? Math.round(pills * 0.0001 * 100) / 100 : int(1, 60);
        const cbpPerson = `cbp-p-${n}-d${k}-${s}`;
        const sz = `cbp-seizure-${n}-${k}-${s}`;
        yield record('CBP', 'operational', 'U//LES', d, [
          ent(cbpPerson, 'Person', { name: borderSpelling(nm.full), birthDate: chance(0.8) ? undefined : birthDate() }),
          ent(vid, 'Vehicle', { registrationNumber: plate }),
          ent(sz, 'Seizure', {
            name: `Seizure at ${place(poe).name}`,
            date: d,
            drugType: pills
              ? 'Fentanyl (pills)'
              : pick(['Fentanyl (powder)', 'Fentanyl (powder)', 'Methamphetamine', 'Xylazine']),
            substance: substanceId(pills ? 'fentanyl' : pick(['fentanyl', 'methamphetamine', 'xylazine'])),
            weightKg: kg,
            pillCount: pills || undefined,
            concealment: pick(['gas tank', 'quarter panels', 'spare tire', 'dashboard', 'body carry', 'bumper']),
            addressEntity: placeId(poe),
            involved: [cbpPerson, vid],
            conveyance: vid,
            agency: 'CBP',
          }),
          ent(`cbp-arrest-${n}-${k}-${s}`, 'Arrest', {
            name: 'Arrest at port of entry',
            date: d,
            subject: cbpPerson,
            charges: '21 U.S.C. 952 importation of a controlled substance',
            agency: 'CBP',
            addressEntity: placeId(poe),
          }),
        ]);
      }
    }

    // Distribution hub in the US: distributors, their phones, local seizures.
    const dist: string[] = [];
    const local = hub === 'us-phoenix' ? 'AZDPS' : hub === 'us-losangeles' ? 'SDPD' : 'DEA';
    for (let k = 0; k < int(3, 5); k++) {
      const nameTxt = chance(0.5) ? englishName() : spanishName().full;
      const id = `dea-p-${n}-h${k}`;
      const ph = phoneOf('1');
      yield record(
        'DEA',
        'intelligence',
        k === 0 ? 'S//LES/NOFORN//GROUPS OCDETF' : 'U//LES',
        day(),
        [
          ent(id, 'Person', { name: nameTxt, birthDate: birthDate(), nationality: 'us', addressEntity: placeId(hub) }),
          ent(`assoc-${idKey(id)}`, 'Associate', { person: id, associate: leaders[1]!.id, relationship: 'buys from' }),
          phoneEnt(ph),
          usage(id, phoneId(ph), day()),
          ent(`caselink-${idKey(id)}`, 'CaseLink', { subject: id, case: caseId }),
          ent(`pay-cash-${id}`, 'Payment', {
            payer: id,
            beneficiary: leaders[2]!.id,
            amount: int(20, 900) * 1000,
            currency: 'USD',
            method: 'bulk cash',
            date: day(),
          }),
        ],
        'Wire intercepts show the subject distributing fentanyl pills supplied by the organization.',
      );
      dist.push(id);
    }
    for (let s = 0; s < int(1, 3); s++) {
      const d = day();
      const pills = int(1, 50) * 1000;
      yield record(local, 'operational', 'U//LES', d, [
        ent(`${local.toLowerCase()}-seizure-${n}-${s}`, 'Seizure', {
          name: `Search warrant, ${place(hub).name}`,
          date: d,
          drugType: 'Fentanyl (pills)',
          substance: substanceId('fentanyl'),
          pillCount: pills,
          weightKg: Math.round(pills * 0.0001 * 100) / 100,
          addressEntity: placeId(hub),
          involved: pick(dist),
          agency: local,
        }),
      ]);
    }

    // Money back to Mexico through a Chinese money-laundering broker (mirror swaps).
    const mlo = chineseName();
    const mloId = `hsi-p-${n}-mlo`;
    const acct = `hsi-acct-${n}`;
    yield record(
      'HSI',
      'intelligence',
      'U//LES',
      day(),
      [
        ent(mloId, 'Person', {
          name: mlo.pinyin,
          alias: mlo.western,
          nameScript: mlo.hanzi,
          nationality: 'cn',
          position: 'money broker',
          addressEntity: placeId(pick(['us-losangeles', 'us-newyork', 'us-chicago'])),
        }),
        ent(acct, 'BankAccount', {
          accountNumber: digits(12),
          bankName: pick(['Bank A (US)', 'Bank B (US)', 'Bank C (HK)']),
        }),
        ent(`own-${idKey(acct)}`, 'Ownership', { owner: mloId, asset: acct }),
        ent(`pay-ub-${n}`, 'Payment', {
          payer: leaders[2]!.id,
          beneficiary: mloId,
          amount: int(100, 3000) * 1000,
          currency: 'USD',
          method: 'underground banking',
          date: day(),
          beneficiaryAccount: acct,
        }),
      ],
      'Chinese money laundering organization broker collecting drug proceeds for the organization.',
    );

    // Online vendor shipping pills by mail and express; parcels interdicted.
    const site = `uspis-web-${n}`;
    const acctId = `uspis-acct-${n}`;
    const vendor = dist[0]!;
    yield record(
      'USPIS',
      'intelligence',
      'U//LES',
      day(),
      [
        ent(site, 'Website', {
          url: `http://${letters(6).toLowerCase()}${digits(3)}.onion/`,
          name: `${pick(['Pharma', 'Rx', 'Blues', 'M30'])} ${pick(['Direct', 'Express', 'King', 'Plug'])}`,
          platform: pick(N.ONLINE_PLATFORMS),
        }),
        ent(acctId, 'UserAccount', {
          username: `${pick(['blue', 'perc', 'm30', 'plug'])}_${digits(4)}`,
          service: pick(['Telegram', 'Instagram', 'Snapchat', 'Wickr']),
          owner: vendor,
        }),
        ent(`link-${idKey(site)}`, 'UnknownLink', { subject: vendor, object: site, role: 'operates' }),
      ],
      'Online vendor advertising counterfeit M30 pills containing fentanyl, shipping by mail.',
    );
    for (let s = 0; s < int(1, 3); s++) {
      const d = day();
      const tracking = `${pick(['9400', '9205', '7812'])}${digits(18)}`;
      const shipId = `uspis-parcel-${n}-${s}`;
      const pills = int(1, 20) * 100;
      const viaExpress = chance(0.5);
      yield record(viaExpress ? 'EXPRS' : 'USPIS', 'operational', viaExpress ? 'U//PROPIN' : 'U//LES', d, [
        ent(shipId, 'Shipment', {
          mode: viaExpress ? 'express' : 'mail',
          carrier: viaExpress ? 'express carrier' : 'USPS',
          billOfLading: tracking,
          declaredGoods: pick(['vitamins', 'phone case', 'clothing', 'candles']),
          grossWeightKg: int(1, 30) / 10,
          departureDate: d,
          originPort: placeId(hub),
          destinationPort: placeId(pick(hubs)),
          shipper: vendor,
        }),
      ]);
      yield record('USPIS', 'operational', 'U//LES', d, [
        ent(`uspis-interdiction-${n}-${s}`, 'Interdiction', {
          name: 'Parcel interdiction',
          date: d,
          shipment: shipId,
          outcome: `seized ${pills} counterfeit pills`,
          agency: 'USPIS',
          addressEntity: placeId(viaExpress ? pick(['us-memphis', 'us-louisville']) : 'us-jfk'),
        }),
      ]);
    }

    // Indictment of the leader (public court record).
    if (chance(0.5)) {
      const d = day();
      yield record('PUBLIC', 'public', 'U', d, [
        ent(`doj-p-${n}`, 'Person', { name: leaders[0]!.name, nationality: 'mx' }),
        ent(`doj-indictment-${n}`, 'Indictment', {
          name: 'Indictment',
          date: d,
          defendant: `doj-p-${n}`,
          court: pick(['S.D. Cal.', 'D. Ariz.', 'N.D. Ill.', 'S.D.N.Y.', 'W.D. Tex.']),
          charges: 'Conspiracy to import and distribute fentanyl; money laundering conspiracy',
          docket: `${int(22, 26)}-cr-${digits(5)}`,
        }),
      ]);
    }
    // An FBI OCDETF case on the same leader, compartmented.
    if (chance(0.3)) {
      yield record('FBI', 'case', 'S//NOFORN//GROUPS OCDETF', day(), [
        ent(`fbi-case-${n}`, 'Case', {
          name: `OCDETF ${letters(2)}-${digits(4)}`,
          caseNumber: `281${letters(1)}-${pick(['PX', 'SD', 'LA', 'EP'])}-${digits(7)}`,
          leadAgency: 'FBI',
          status: 'open',
        }),
        ent(`fbi-caselink-${n}`, 'CaseLink', { subject: leaders[0]!.id, case: `fbi-case-${n}` }),
      ]);
    }
  }
}
