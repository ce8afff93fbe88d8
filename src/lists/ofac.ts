// OFAC's sanctions lists, read from Treasury's official formats: the legacy CSV files
// (sdn.csv, alt.csv, add.csv, sdn_comments.csv for the SDN list; cons_prim.csv,
// cons_alt.csv, cons_add.csv, cons_comments.csv for the consolidated non-SDN list: no
// header row, "-0-" for empty fields, CRLF, a trailing 0x1A byte, facts such as dates
// of birth and passports inside Remarks) and SDN.XML (the structured form).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { ListEntry } from '../resolve/screen-index.js';
import { normalizeIdentifier, type IdentifierKind } from '../resolve/identifiers.js';
import { countryCode } from './countries.js';

export interface LoadedList {
  /** The code hits name their list by (ListEntry.list), e.g. "OFAC-SDN". */
  list: string;
  name: string;
  publishDate: string | null;
  source: string;
  entries: ListEntry[];
}

/** "Linked To: NAME" in OFAC's data: a relation to another listed party, with its entry when it is in the same list. */
export interface LinkedTo {
  name: string;
  id?: string;
}

export interface VesselInfo {
  callSign?: string;
  vesselType?: string;
  flag?: string;
  owner?: string;
  tonnage?: string;
  grossRegisteredTonnage?: string;
}

const MONTHS: Record<string, string> = {
  jan: '01',
  feb: '02',
  mar: '03',
  apr: '04',
  may: '05',
  jun: '06',
  jul: '07',
  aug: '08',
  sep: '09',
  oct: '10',
  nov: '11',
  dec: '12',
};

/** "31 Jul 1964", "Jul 1964", "1948", "circa 1960" -> ISO (partial) dates; ranges give both ends. */
export function ofacDates(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:(\d{1,2}) )?(?:([A-Za-z]{3})[a-z]* )?(\d{4})/g)) {
    const [, d, mon, y] = m;
    const mm = mon ? MONTHS[mon.toLowerCase()] : undefined;
    out.push(mm ? (d ? `${y}-${mm}-${d.padStart(2, '0')}` : `${y}-${mm}`) : y!);
  }
  return out;
}

const ID_PATTERNS: [RegExp, IdentifierKind][] = [
  [/^Passport (\S+)/, 'passport'],
  [
    /^(?:C\.U\.R\.P\.|R\.F\.C\.|Cedula No\.|National ID No\.|NIT #|Electoral Registry No\.|Identification Number|Credencial electoral|C\.U\.I\.|D\.N\.I\.|Cartilla de Servicio Militar Nacional No\.)\s*#?\s*(\S+)/,
    'nationalId',
  ],
  [
    /^(?:Tax ID No\.|Registration Number|Folio Mercantil No\.|Matricula Mercantil No|Unified Social Credit Code \(USCC\)|RUC #|Business Registration Number|Company Number|Registration ID)\s*#?\s*(\S+)/,
    'registration',
  ],
  [/^Email Address (\S+)/, 'email'],
  [/^Vessel Registration Identification (?:IMO )?(\d{7})\b/, 'imo'],
];

export interface RemarkFacts {
  birthDates: string[];
  countries: string[];
  aliases: string[];
  identifiers: string[];
  birthPlace?: string;
  gender?: string;
  linkedTo: string[];
}

/** The normalised identifier, or its plain text form when no checksum accepts it. */
function identifier(kind: IdentifierKind, value: string, country?: string): string {
  try {
    return normalizeIdentifier(kind, value, country);
  } catch {
    // OFAC data has numbers in formats no checksum accepts; keep them as text identifiers.
    return `${kind}:${value.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;
  }
}

const CURRENCIES = new Set(['XBT', 'ETH', 'TRX', 'USDT', 'USDC']);
function currencyAddress(cur: string, addr: string): string {
  return CURRENCIES.has(cur) ? identifier('crypto', addr) : `crypto:${cur}:${addr}`;
}

/** Facts OFAC puts in the Remarks column, each "; "-separated. */
export function parseRemarks(remarks: string): RemarkFacts {
  const f: RemarkFacts = { birthDates: [], countries: [], aliases: [], identifiers: [], linkedTo: [] };
  for (let part of remarks.split(/;\s*/)) {
    part = part.trim().replace(/\.$/, '');
    if (!part) continue;
    const alt = part.replace(/^alt\.\s*/, '');
    let m: RegExpExecArray | null;
    if ((m = /^DOB (.+)$/.exec(alt))) f.birthDates.push(...ofacDates(m[1]!));
    else if ((m = /^POB (.+)$/.exec(alt))) f.birthPlace ??= m[1];
    else if ((m = /^(?:nationality|citizen) (.+)$/.exec(alt))) {
      const c = countryCode(m[1]!);
      if (c) f.countries.push(c);
    } else if ((m = /^Gender (\w+)/.exec(alt))) f.gender = m[1];
    else if ((m = /^[af]\.k\.a\.,?\s*'(.+)'$/.exec(alt))) f.aliases.push(m[1]!);
    else if ((m = /^Linked To: (.+)$/.exec(alt))) f.linkedTo.push(m[1]!);
    else if ((m = /^Phone Number (\S+)/.exec(alt)))
      f.identifiers.push(identifier('phone', m[1]!.startsWith('+') ? m[1]! : `+${m[1]}`));
    else if ((m = /^Digital Currency Address - (\w+) (\S+)/.exec(alt)))
      f.identifiers.push(currencyAddress(m[1]!, m[2]!));
    else {
      for (const [re, kind] of ID_PATTERNS) {
        const mm = re.exec(alt);
        if (mm) {
          const country = /\(([^)]+)\)\s*$/.exec(alt)?.[1];
          f.identifiers.push(identifier(kind, mm[1]!, country ? countryCode(country) : undefined));
          break;
        }
      }
    }
  }
  return f;
}

/**
 * Resolves each "Linked To" to the entry of that name in the same list. OFAC writes
 * the target's list name ("LOS CUINIS", "GUZMAN LOERA, Joaquin"); Remarks parsing
 * drops a sentence's final period, which may have been the end of "S.A.".
 */
function resolveLinks(entries: ListEntry[], keysOf: (e: ListEntry) => string[]): void {
  const byName = new Map<string, ListEntry>();
  for (const e of entries) for (const k of keysOf(e)) if (!byName.has(k.toUpperCase())) byName.set(k.toUpperCase(), e);
  for (const e of entries) {
    for (const l of (e.details?.linkedTo as LinkedTo[] | undefined) ?? []) {
      const key = l.name.toUpperCase();
      const target = byName.get(key) ?? byName.get(`${key}.`);
      if (target && target !== e) l.id = target.id;
    }
  }
}

export const clean = (v: string | undefined): string => (v === undefined || v.trim() === '-0-' ? '' : v.trim());

const LEGACY_CSV = { relax_quotes: true, relax_column_count: true, skip_empty_lines: true, trim: false } as const;
const legacyText = (path: string): string => readFileSync(path, 'latin1').replace(/\u001a/g, '');

/** Rows of a legacy CSV file (none when the file is absent). */
export function readLegacy(path: string): string[][] {
  return existsSync(path) ? (parseCsv(legacyText(path), LEGACY_CSV) as string[][]) : [];
}

/** The line row `index` of a legacy CSV file starts on: read again only to report an error. */
function lineOfRow(path: string, index: number): number | undefined {
  const records = parseCsv(legacyText(path), { ...LEGACY_CSV, info: true }) as unknown as { info: { lines: number } }[];
  return records[index]?.info.lines;
}

/** "ZAMBADA GARCIA, Ismael" -> "Ismael ZAMBADA GARCIA" (the original is kept too). */
export function personNames(name: string): string[] {
  const m = /^([^,]+),\s*(.+)$/.exec(name);
  return m ? [name, `${m[2]} ${m[1]}`] : [name];
}

const KIND: Record<string, ListEntry['kind']> = {
  individual: 'person',
  vessel: 'vessel',
  aircraft: 'aircraft',
  '': 'organization',
};

/** The two legacy CSV sets Treasury publishes: the SDN list and the consolidated (non-SDN) list. */
const LEGACY_SETS = {
  sdn: {
    list: 'OFAC-SDN',
    name: 'OFAC Specially Designated Nationals (SDN) list',
    files: ['sdn.csv', 'alt.csv', 'add.csv', 'sdn_comments.csv'],
    // OFAC numbers entries of both lists in one series, and 61 entries are on both:
    // the prefixes keep each list's entry distinct in the index and in hits.
    idPrefix: 'ofac-',
  },
  nonsdn: {
    list: 'OFAC-NON-SDN',
    name: 'OFAC Consolidated Sanctions List (non-SDN)',
    files: ['cons_prim.csv', 'cons_alt.csv', 'cons_add.csv', 'cons_comments.csv'],
    idPrefix: 'ofac-nonsdn-',
  },
} as const;

const vesselOf = (v: VesselInfo): VesselInfo | undefined => {
  const kept = Object.fromEntries(Object.entries(v).filter(([, x]) => x)) as VesselInfo;
  return Object.keys(kept).length ? kept : undefined;
};

/**
 * The legacy CSV set in `dir`: the SDN list (`set: 'sdn'`, the default) or the
 * consolidated non-SDN list (`set: 'nonsdn'`). `programs` keeps only entries in at
 * least one of them (e.g. ["SDNTK", "ILLICIT-DRUGS-EO14059"]); by default every entry.
 */
export function loadOfacCsv(
  dir: string,
  opts: { programs?: string[]; publishDate?: string | null; set?: keyof typeof LEGACY_SETS } = {},
): LoadedList {
  const set = LEGACY_SETS[opts.set ?? 'sdn'];
  const [primFile, altFile, addFile, commentsFile] = set.files;
  const prim = readLegacy(join(dir, primFile));
  if (!prim.length) throw new Error(`${dir}: no ${primFile} in OFAC's legacy CSV format`);
  const comments = new Map(readLegacy(join(dir, commentsFile)).map((row) => [row[0]!, clean(row[1])]));
  const aliases = new Map<string, string[]>();
  for (const row of readLegacy(join(dir, altFile))) {
    const name = clean(row[3]);
    if (name) aliases.set(row[0]!, [...(aliases.get(row[0]!) ?? []), name]);
  }
  const addrCountries = new Map<string, string[]>();
  for (const row of readLegacy(join(dir, addFile))) {
    const c = countryCode(clean(row[4]));
    if (c) addrCountries.set(row[0]!, [...(addrCountries.get(row[0]!) ?? []), c]);
  }
  const entries: ListEntry[] = [];
  for (const [i, r] of prim.entries()) {
    const id = clean(r[0]);
    const name = clean(r[1]);
    // A row without its number or name would load as an entry nobody can cite or match.
    if (!id || !name) {
      const path = join(dir, primFile);
      throw new Error(
        `${path}:${lineOfRow(path, i)}: an entry with no ${id ? 'name' : 'ent_num'}; the file is damaged`,
      );
    }
    const programs = clean(r[3])
      .split(/\]\s*\[/)
      .map((p) => p.replace(/[[\]]/g, '').trim())
      .filter(Boolean);
    const type = clean(r[2]).toLowerCase();
    const kind = KIND[type] ?? 'other';
    const remarks = `${clean(r[11])}${comments.get(id) ?? ''}`;
    const facts = parseRemarks(remarks);
    const names = [...(kind === 'person' ? personNames(name) : [name])];
    for (const a of [...(aliases.get(id) ?? []), ...facts.aliases])
      names.push(...(kind === 'person' ? personNames(a) : [a]));
    entries.push({
      id: `${set.idPrefix}${id}`,
      list: set.list,
      kind,
      names: [...new Set(names)],
      birthDates: [...new Set(facts.birthDates)],
      countries: [...new Set([...facts.countries, ...(addrCountries.get(id) ?? [])])],
      identifiers: [...new Set(facts.identifiers)],
      programs,
      details: {
        name,
        type: type || 'entity',
        remarks: remarks || undefined,
        birthPlace: facts.birthPlace,
        gender: facts.gender,
        linkedTo: facts.linkedTo.length ? facts.linkedTo.map((n): LinkedTo => ({ name: n })) : undefined,
        vessel: vesselOf({
          callSign: clean(r[5]),
          vesselType: clean(r[6]),
          tonnage: clean(r[7]),
          grossRegisteredTonnage: clean(r[8]),
          flag: clean(r[9]),
          owner: clean(r[10]),
        }),
      },
    });
  }
  resolveLinks(entries, (e) => [e.details!.name as string]);
  return {
    list: set.list,
    name: set.name,
    publishDate: opts.publishDate ?? null,
    source: `${dir} (legacy CSV)`,
    entries: opts.programs ? entries.filter((e) => e.programs!.some((p) => opts.programs!.includes(p))) : entries,
  };
}

type XmlNode = Record<string, unknown>;
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v).trim() : '');

/** The line (1-based) each opening tag `<name>` starts on, in document order. */
export function elementLines(xml: string, name: string): number[] {
  const lines: number[] = [];
  const re = new RegExp(`<(?:\\w+:)?${name}[\\s/>]`, 'g');
  let line = 1;
  let from = 0;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    for (let i = xml.indexOf('\n', from); i !== -1 && i < m.index; i = xml.indexOf('\n', i + 1)) line++;
    from = m.index;
    lines.push(line);
  }
  return lines;
}

/** Why an XML text is not well-formed (with its line), or undefined when it is. */
export function xmlDefect(xml: string): string | undefined {
  const v = XMLValidator.validate(xml);
  return v === true ? undefined : `line ${v.err.line}: ${v.err.msg}`;
}

// SDN.XML's idList holds facts about the entry beside the numbers that identify it.
// Read as identifiers, every man would share "nationalId:MALE" and every Russian bank
// the "Secondary sanctions risk" text; these are kept as facts instead.
const FACT_TYPES =
  /^(?:Gender|Website|Organization Established Date|Organization Type|Target Type|Secondary sanctions risk|Additional Sanctions Information|Executive Order|CAATSA|Listing Date|Effective Date|Purchase\/Sales|Transactions Prohibited|Nationality of Registration|Vessel Year of Build|Other Vessel (?:Flag|Type)|Former Vessel Flag|Aircraft (?:Manufacture Date|Model|Operator)|Equity Ticker|Issuer Name|Location)/i;

function xmlIdentifierKind(type: string): IdentifierKind {
  if (/passport/i.test(type)) return 'passport';
  if (/e-?mail/i.test(type)) return 'email';
  if (/phone|fax/i.test(type)) return 'phone';
  if (/^Vessel Registration Identification/i.test(type)) return 'imo';
  if (
    /regist|tax|folio|mercantil|company|business|legal entity|swift|\bbic\b|uscc|credit code|incorporation|trade license|gazette|chamber|\bisin\b|mmsi|aircraft|serial|\bruc\b|\bnit\b/i.test(
      type,
    )
  )
    return 'registration';
  return 'nationalId';
}

export interface SdnXmlOptions {
  programs?: string[];
}

/**
 * SDN.XML as published (https://sanctionslistservice.ofac.treas.gov), e.g. a file a
 * user downloaded today. Refused whole, with the reason, when it is not well-formed
 * or holds fewer or more entries than its Record_Count (a truncated download), or when
 * an entry has no uid or no name.
 */
export function loadOfacXml(path: string, opts: SdnXmlOptions = {}): LoadedList {
  const xml = readFileSync(path, 'utf8');
  const parser = new XMLParser({
    ignoreAttributes: true,
    removeNSPrefix: true,
    parseTagValue: false,
    trimValues: true,
  });
  // The parser reads a cut-off file without complaint (or fails on a cut tag), so
  // well-formedness is checked first; the count and the closed entries then tell.
  const defect = xmlDefect(xml);
  if (defect) {
    if (!/<(?:\w+:)?sdnList[\s/>]/.test(xml)) throw new Error(`${path}: not an OFAC SDN.XML file (no <sdnList>)`);
    const count = /<(?:\w+:)?Record_Count>\s*(\d+)\s*</.exec(xml)?.[1];
    const closed = xml.match(/<\/(?:\w+:)?sdnEntry\s*>|<(?:\w+:)?sdnEntry\s*\/>/g)?.length ?? 0;
    throw new Error(
      `${path}: ${count === undefined ? 'no Record_Count' : `Record_Count says ${count} entries`}, ${closed} read; ` +
        `the XML breaks off or is damaged (${defect}). The file is incomplete: download it again.`,
    );
  }
  const doc = parser.parse(xml) as { sdnList?: XmlNode };
  const root = doc.sdnList;
  if (!root || typeof root !== 'object') throw new Error(`${path}: not an OFAC SDN.XML file (no <sdnList>)`);
  const pub = (root.publshInformation ?? root.publishInformation) as XmlNode | undefined;
  const rawDate = text(pub?.Publish_Date);
  const md = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(rawDate);
  const publishDate = md ? `${md[3]}-${md[1]}-${md[2]}` : rawDate || null;
  const raw = asArray(root.sdnEntry as XmlNode | XmlNode[] | string);
  const countText = text(pub?.Record_Count);
  if (!/^\d+$/.test(countText))
    throw new Error(
      `${path}: no Record_Count in <publshInformation>, so a complete file cannot be told from a truncated one`,
    );
  if (raw.length !== Number(countText))
    throw new Error(
      `${path}: Record_Count says ${countText} entries, ${raw.length} read. The file is incomplete: download it again.`,
    );
  const lines = (): number[] => elementLines(xml, 'sdnEntry');
  const entries: ListEntry[] = [];
  const keys = new Map<string, string[]>();
  raw.forEach((item, i) => {
    const e: XmlNode = typeof item === 'object' && item ? item : {};
    const uid = text(e.uid);
    const full = (n: XmlNode): string => [text(n.firstName), text(n.lastName)].filter(Boolean).join(' ');
    const name = full(e);
    if (!uid || !name)
      throw new Error(
        `${path}:${lines()[i] ?? '?'}: <sdnEntry> with no ${uid ? 'name (lastName)' : 'uid'}; refusing the list rather than loading an entry nobody can cite or match`,
      );
    const programs = asArray((e.programList as XmlNode | undefined)?.program as string | string[])
      .map(text)
      .filter(Boolean);
    const type = text(e.sdnType).toLowerCase();
    const kind = KIND[type === 'entity' ? '' : type] ?? 'other';
    const names = [name, ...asArray((e.akaList as XmlNode | undefined)?.aka as XmlNode | XmlNode[]).map(full)].filter(
      Boolean,
    );
    const identifiers: string[] = [];
    const facts: { type: string; value: string }[] = [];
    let gender: string | undefined;
    for (const id of asArray((e.idList as XmlNode | undefined)?.id as XmlNode | XmlNode[])) {
      const t = text(id.idType);
      const num = text(id.idNumber);
      if (!num) continue;
      const country = countryCode(text(id.idCountry));
      const cur = /^Digital Currency Address - (\w+)/.exec(t);
      if (/^Gender$/i.test(t)) gender = num;
      else if (FACT_TYPES.test(t)) facts.push({ type: t.replace(/[\s:-]+$/, ''), value: num });
      else if (cur) identifiers.push(currencyAddress(cur[1]!, num));
      else {
        const k = xmlIdentifierKind(t);
        identifiers.push(identifier(k, k === 'phone' && !num.startsWith('+') ? `+${num}` : num, country));
      }
    }
    const dobs = asArray((e.dateOfBirthList as XmlNode | undefined)?.dateOfBirthItem as XmlNode | XmlNode[]).flatMap(
      (d) => ofacDates(text(d.dateOfBirth)),
    );
    const pobs = asArray((e.placeOfBirthList as XmlNode | undefined)?.placeOfBirthItem as XmlNode | XmlNode[])
      .sort((a, b) => Number(text(b.mainEntry) === 'true') - Number(text(a.mainEntry) === 'true'))
      .map((p) => text(p.placeOfBirth))
      .filter(Boolean);
    const countries = [
      ...asArray((e.nationalityList as XmlNode | undefined)?.nationality as XmlNode | XmlNode[]).map((n) =>
        countryCode(text(n.country)),
      ),
      ...asArray((e.citizenshipList as XmlNode | undefined)?.citizenship as XmlNode | XmlNode[]).map((n) =>
        countryCode(text(n.country)),
      ),
      ...asArray((e.addressList as XmlNode | undefined)?.address as XmlNode | XmlNode[]).map((a) =>
        countryCode(text(a.country)),
      ),
    ].filter((c): c is string => !!c);
    const remarks = text(e.remarks);
    // SDN.XML keeps "Linked To" only in remarks, e.g. "(Linked To: A; Linked To: B)".
    const linkedTo = parseRemarks(remarks.replace(/^\((.*)\)$/s, '$1')).linkedTo;
    const v = (e.vesselInfo ?? {}) as XmlNode;
    const entry: ListEntry = {
      id: `ofac-${uid}`,
      list: 'OFAC-SDN',
      kind,
      names: [...new Set(names)],
      birthDates: [...new Set(dobs)],
      countries: [...new Set(countries)],
      identifiers: [...new Set(identifiers)],
      programs,
      details: {
        name,
        type: type || 'entity',
        title: text(e.title) || undefined,
        remarks: remarks || undefined,
        gender,
        birthPlace: pobs[0],
        birthPlaces: pobs.length > 1 ? pobs : undefined,
        linkedTo: linkedTo.length ? linkedTo.map((n): LinkedTo => ({ name: n })) : undefined,
        vessel: vesselOf({
          callSign: text(v.callSign),
          vesselType: text(v.vesselType),
          flag: text(v.vesselFlag),
          owner: text(v.vesselOwner),
          tonnage: text(v.tonnage),
          grossRegisteredTonnage: text(v.grossRegisteredTonnage),
        }),
        facts: facts.length ? facts : undefined,
      },
    };
    entries.push(entry);
    // "Linked To" names a party as the legacy list writes it: "LAST, First".
    const last = text(e.lastName);
    const first = text(e.firstName);
    keys.set(entry.id, [name, first ? `${last}, ${first}` : last]);
  });
  resolveLinks(entries, (e) => keys.get(e.id) ?? []);
  return {
    list: 'OFAC-SDN',
    name: 'OFAC Specially Designated Nationals (SDN) list',
    publishDate,
    source: `${path} (SDN.XML)`,
    entries: opts.programs ? entries.filter((e) => e.programs!.some((p) => opts.programs!.includes(p))) : entries,
  };
}
