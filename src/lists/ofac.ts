// The OFAC Specially Designated Nationals list, read from Treasury's official
// formats: the legacy CSV files (sdn.csv, alt.csv, add.csv, sdn_comments.csv: no
// header row, "-0-" for empty fields, CRLF, a trailing 0x1A byte, facts such as dates
// of birth and passports inside Remarks) and SDN.XML (the structured form).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { XMLParser } from 'fast-xml-parser';
import type { ListEntry } from '../resolve/screen-index.js';
import { normalizeIdentifier, type IdentifierKind } from '../resolve/identifiers.js';
import { countryCode } from './countries.js';

export interface LoadedList {
  name: string;
  publishDate: string | null;
  source: string;
  entries: ListEntry[];
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

/** Facts OFAC puts in the Remarks column, each "; "-separated. */
export function parseRemarks(remarks: string): RemarkFacts {
  const f: RemarkFacts = { birthDates: [], countries: [], aliases: [], identifiers: [], linkedTo: [] };
  const add = (kind: IdentifierKind, value: string, country?: string): void => {
    try {
      f.identifiers.push(normalizeIdentifier(kind, value, country));
    } catch {
      // OFAC data has numbers in formats no checksum accepts; keep them as text identifiers.
      f.identifiers.push(`${kind}:${value.toUpperCase().replace(/[^A-Z0-9]/g, '')}`);
    }
  };
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
    else if ((m = /^Phone Number (\S+)/.exec(alt))) add('phone', m[1]!.startsWith('+') ? m[1]! : `+${m[1]}`);
    else if ((m = /^Digital Currency Address - (\w+) (\S+)/.exec(alt))) {
      const [, cur, addr] = m;
      if (cur === 'XBT' || cur === 'ETH' || cur === 'TRX' || cur === 'USDT' || cur === 'USDC') add('crypto', addr!);
      else f.identifiers.push(`crypto:${cur}:${addr}`);
    } else {
      for (const [re, kind] of ID_PATTERNS) {
        const mm = re.exec(alt);
        if (mm) {
          const country = /\(([^)]+)\)\s*$/.exec(alt)?.[1];
          add(kind, mm[1]!, country ? countryCode(country) : undefined);
          break;
        }
      }
    }
  }
  return f;
}

const clean = (v: string | undefined): string => (v === undefined || v.trim() === '-0-' ? '' : v.trim());

function readLegacy(path: string): string[][] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'latin1').replace(/\u001a/g, '');
  return parseCsv(text, {
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    trim: false,
  }) as string[][];
}

/** "ZAMBADA GARCIA, Ismael" -> "Ismael ZAMBADA GARCIA" (the original is kept too). */
function personNames(name: string): string[] {
  const m = /^([^,]+),\s*(.+)$/.exec(name);
  return m ? [name, `${m[2]} ${m[1]}`] : [name];
}

const KIND: Record<string, ListEntry['kind']> = {
  individual: 'person',
  vessel: 'vessel',
  aircraft: 'aircraft',
  '': 'organization',
};

/**
 * The legacy CSV set in `dir`. `programs` keeps only entries in at least one of
 * them (e.g. ["SDNTK", "ILLICIT-DRUGS-EO14059"]); by default every entry.
 */
export function loadOfacCsv(dir: string, opts: { programs?: string[]; publishDate?: string | null } = {}): LoadedList {
  const sdn = readLegacy(join(dir, 'sdn.csv'));
  if (!sdn.length) throw new Error(`${dir}: no sdn.csv in OFAC's legacy CSV format`);
  const comments = new Map(readLegacy(join(dir, 'sdn_comments.csv')).map((r) => [r[0]!, clean(r[1])]));
  const aliases = new Map<string, string[]>();
  for (const r of readLegacy(join(dir, 'alt.csv'))) {
    const name = clean(r[3]);
    if (name) aliases.set(r[0]!, [...(aliases.get(r[0]!) ?? []), name]);
  }
  const addrCountries = new Map<string, string[]>();
  for (const r of readLegacy(join(dir, 'add.csv'))) {
    const c = countryCode(clean(r[4]));
    if (c) addrCountries.set(r[0]!, [...(addrCountries.get(r[0]!) ?? []), c]);
  }
  const entries: ListEntry[] = [];
  for (const r of sdn) {
    const id = clean(r[0]);
    const name = clean(r[1]);
    if (!id || !name) continue;
    const programs = clean(r[3])
      .split(/\]\s*\[/)
      .map((p) => p.replace(/[[\]]/g, '').trim())
      .filter(Boolean);
    if (opts.programs && !programs.some((p) => opts.programs!.includes(p))) continue;
    const type = clean(r[2]).toLowerCase();
    const kind = KIND[type] ?? 'other';
    const remarks = `${clean(r[11])}${comments.get(id) ?? ''}`;
    const facts = parseRemarks(remarks);
    const names = [...(kind === 'person' ? personNames(name) : [name])];
    for (const a of [...(aliases.get(id) ?? []), ...facts.aliases])
      names.push(...(kind === 'person' ? personNames(a) : [a]));
    entries.push({
      id: `ofac-${id}`,
      list: 'OFAC-SDN',
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
        linkedTo: facts.linkedTo.length ? facts.linkedTo : undefined,
        vesselFlag: clean(r[9]) || undefined,
      },
    });
  }
  return {
    name: 'OFAC Specially Designated Nationals (SDN) list',
    publishDate: opts.publishDate ?? null,
    source: `${dir} (legacy CSV)`,
    entries,
  };
}

type XmlNode = Record<string, unknown>;
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** SDN.XML as published (https://sanctionslistservice.ofac.treas.gov), e.g. a file a user downloaded today. */
export function loadOfacXml(path: string, opts: { programs?: string[] } = {}): LoadedList {
  const parser = new XMLParser({
    ignoreAttributes: true,
    removeNSPrefix: true,
    parseTagValue: false,
    trimValues: true,
  });
  const doc = parser.parse(readFileSync(path, 'utf8')) as { sdnList?: XmlNode };
  const root = doc.sdnList;
  if (!root) throw new Error(`${path}: not an OFAC SDN.XML file (no <sdnList>)`);
  const pub = (root.publshInformation ?? root.publishInformation) as XmlNode | undefined;
  const rawDate = String(pub?.Publish_Date ?? '');
  const md = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(rawDate);
  const publishDate = md ? `${md[3]}-${md[1]}-${md[2]}` : rawDate || null;
  const entries: ListEntry[] = [];
  for (const e of asArray(root.sdnEntry as XmlNode | XmlNode[])) {
    const programs = asArray((e.programList as XmlNode | undefined)?.program as string | string[]).map(String);
    if (opts.programs && !programs.some((p) => opts.programs!.includes(p))) continue;
    const type = String(e.sdnType ?? '').toLowerCase();
    const kind = KIND[type === 'entity' ? '' : type] ?? 'other';
    const full = (n: XmlNode): string => [n.firstName, n.lastName].filter(Boolean).map(String).join(' ');
    const names = [
      full(e),
      ...asArray((e.akaList as XmlNode | undefined)?.aka as XmlNode | XmlNode[]).map(full),
    ].filter(Boolean);
    const identifiers: string[] = [];
    for (const i of asArray((e.idList as XmlNode | undefined)?.id as XmlNode | XmlNode[])) {
      const t = String(i.idType ?? '');
      const num = String(i.idNumber ?? '');
      const kindOf: IdentifierKind = /passport/i.test(t)
        ? 'passport'
        : /email/i.test(t)
          ? 'email'
          : /digital currency/i.test(t)
            ? 'crypto'
            : /registration|tax|folio|mercantil/i.test(t)
              ? 'registration'
              : 'nationalId';
      try {
        identifiers.push(normalizeIdentifier(kindOf, num));
      } catch {
        identifiers.push(`${kindOf}:${num.toUpperCase().replace(/[^A-Z0-9]/g, '')}`);
      }
    }
    const dobs = asArray((e.dateOfBirthList as XmlNode | undefined)?.dateOfBirthItem as XmlNode | XmlNode[]).flatMap(
      (d) => ofacDates(String(d.dateOfBirth ?? '')),
    );
    const countries = [
      ...asArray((e.nationalityList as XmlNode | undefined)?.nationality as XmlNode | XmlNode[]).map((n) =>
        countryCode(String(n.country ?? '')),
      ),
      ...asArray((e.citizenshipList as XmlNode | undefined)?.citizenship as XmlNode | XmlNode[]).map((n) =>
        countryCode(String(n.country ?? '')),
      ),
      ...asArray((e.addressList as XmlNode | undefined)?.address as XmlNode | XmlNode[]).map((a) =>
        countryCode(String(a.country ?? '')),
      ),
    ].filter((c): c is string => !!c);
    entries.push({
      id: `ofac-${e.uid}`,
      list: 'OFAC-SDN',
      kind,
      names: [...new Set(names)],
      birthDates: [...new Set(dobs)],
      countries: [...new Set(countries)],
      identifiers: [...new Set(identifiers)],
      programs,
      details: { name: full(e), type: type || 'entity', remarks: e.remarks ? String(e.remarks) : undefined },
    });
  }
  return { name: 'OFAC Specially Designated Nationals (SDN) list', publishDate, source: `${path} (SDN.XML)`, entries };
}
