// The UN Security Council Consolidated Sanctions List, read from its official XML
// (https://scsanctions.un.org/resources/xml/en/consolidated.xml): <INDIVIDUAL> and
// <ENTITY> elements, no namespace. Its quirks: alias placeholders with empty QUALITY
// and ALIAS_NAME; dates of birth as DATE, YEAR, or FROM_YEAR/TO_YEAR with
// TYPE_OF_DATE (or only a NOTE such as "August 1961"); names also in original script;
// free text (COMMENTS1, even document types) with hard line breaks.
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import type { ListEntry } from '../resolve/screen-index.js';
import { normalizeIdentifier, type IdentifierKind } from '../resolve/identifiers.js';
import { countryCode } from './countries.js';
import { elementLines, ofacDates, xmlDefect, type LoadedList } from './ofac.js';

type XmlNode = Record<string, unknown>;
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
/** An element's text with its line breaks and runs of spaces made single spaces. */
const text = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number' ? String(v).replace(/\s+/g, ' ').trim() : '';
const node = (v: unknown): XmlNode => (typeof v === 'object' && v ? (v as XmlNode) : {});
/** The <VALUE>s of an element such as <NATIONALITY> or <DESIGNATION>. */
const values = (v: unknown): string[] => asArray(node(v).VALUE).map(text).filter(Boolean);

/** A range of years becomes each year in it (a listed "between 1973 and 1974" meets a query's 1974). */
const MAX_RANGE = 15;

function birthDates(d: XmlNode): { dates: string[]; text?: string } {
  const type = text(d.TYPE_OF_DATE).toLowerCase();
  const date = text(d.DATE);
  const year = text(d.YEAR);
  const from = Number(text(d.FROM_YEAR));
  const to = Number(text(d.TO_YEAR));
  const note = text(d.NOTE);
  let dates: string[] = [];
  let described = '';
  if (/^\d{4}-\d{2}-\d{2}/.test(date)) [dates, described] = [[date.slice(0, 10)], date.slice(0, 10)];
  else if (/^\d{4}$/.test(year)) [dates, described] = [[year], year];
  else if (from && to && to >= from && to - from <= MAX_RANGE) {
    dates = Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
    described = `${from} and ${to}`;
  } else if (note) dates = ofacDates(note); // "August 1961", "Nov. 1973"; "30-35 years old" gives none
  // As the list says it: "approximately 1966", "between 1973 and 1974", "August 1961".
  const said = [type && type !== 'exact' && described ? type : '', described, note].filter(Boolean).join(' ');
  return { dates, text: said || undefined };
}

function place(p: XmlNode): string | undefined {
  const parts = [text(p.STREET), text(p.CITY), text(p.STATE_PROVINCE), text(p.COUNTRY)].filter(Boolean);
  return parts.length ? parts.join(', ') : undefined;
}

function documents(docs: XmlNode[]): string[] {
  const out: string[] = [];
  for (const d of docs) {
    const number = text(d.NUMBER);
    if (!number) continue;
    const type = `${text(d.TYPE_OF_DOCUMENT)} ${text(d.TYPE_OF_DOCUMENT2)}`;
    const kind: IdentifierKind = /pass|pasaporte|passeport/i.test(type) ? 'passport' : 'nationalId';
    try {
      out.push(normalizeIdentifier(kind, number));
    } catch {
      // Numbers written with their issuer ("E-123 issued in Kabul") are kept as text.
      out.push(`${kind}:${number.toUpperCase().replace(/[^A-Z0-9]/g, '')}`);
    }
  }
  return out;
}

export interface UnListOptions {
  /** Keep only entries of these regimes (UN_LIST_TYPE, e.g. "Al-Qaida", "DPRK"). */
  programs?: string[];
}

/**
 * The consolidated list as the Security Council publishes it. Refused whole, with
 * the line, when the XML is not well-formed (a truncated download) or an entry has no
 * reference number or no name.
 */
export function loadUnXml(path: string, opts: UnListOptions = {}): LoadedList {
  const xml = readFileSync(path, 'utf8');
  // The list carries no count of its entries: well-formedness is what tells a cut-off file.
  const defect = xmlDefect(xml);
  if (defect) throw new Error(`${path}: the XML breaks off or is damaged (${defect}). Download it again.`);
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false });
  const root = node((parser.parse(xml) as XmlNode).CONSOLIDATED_LIST);
  if (!Object.keys(root).length)
    throw new Error(`${path}: not a UN Security Council consolidated list (no <CONSOLIDATED_LIST>)`);
  const generated = text(root['@dateGenerated']);
  const entries: ListEntry[] = [];
  for (const [tag, aliasTag, addressTag] of [
    ['INDIVIDUAL', 'INDIVIDUAL_ALIAS', 'INDIVIDUAL_ADDRESS'],
    ['ENTITY', 'ENTITY_ALIAS', 'ENTITY_ADDRESS'],
  ] as const) {
    const person = tag === 'INDIVIDUAL';
    const items = asArray(node(root[person ? 'INDIVIDUALS' : 'ENTITIES'])[tag]);
    let lines: number[] | undefined;
    items.forEach((item, i) => {
      const e = node(item);
      const ref = text(e.REFERENCE_NUMBER);
      const name = [e.FIRST_NAME, e.SECOND_NAME, e.THIRD_NAME, e.FOURTH_NAME].map(text).filter(Boolean).join(' ');
      if (!ref || !name) {
        lines ??= elementLines(xml, tag);
        throw new Error(
          `${path}:${lines[i] ?? '?'}: <${tag}> with no ${ref ? 'name' : 'REFERENCE_NUMBER'}; refusing the list rather than loading an entry nobody can cite or match`,
        );
      }
      const names = [name];
      const original = text(e.NAME_ORIGINAL_SCRIPT);
      if (original) names.push(original);
      // "Low" quality aliases are weak (FtM's weakAlias, not matchable): nicknames such
      // as "Rumuli" that would match far too many people. Shown, never matched.
      const weakAliases: string[] = [];
      for (const a of asArray(e[aliasTag]).map(node)) {
        const alias = text(a.ALIAS_NAME);
        if (!alias) continue; // the placeholder <QUALITY/><ALIAS_NAME/>
        if (text(a.QUALITY).toLowerCase() === 'low') weakAliases.push(alias);
        else names.push(alias);
      }
      const dob = asArray(e.INDIVIDUAL_DATE_OF_BIRTH).map((d) => birthDates(node(d)));
      const pob = asArray(e.INDIVIDUAL_PLACE_OF_BIRTH)
        .map((p) => place(node(p)))
        .filter((p): p is string => !!p);
      const addresses = asArray(e[addressTag]).map(node);
      const countries = [...values(e.NATIONALITY), ...addresses.map((a) => text(a.COUNTRY))]
        .map(countryCode)
        .filter((c): c is string => !!c);
      const program = text(e.UN_LIST_TYPE);
      const dobText = dob.map((d) => d.text).filter((t): t is string => !!t);
      const addressText = addresses.map(place).filter((a): a is string => !!a);
      entries.push({
        id: `un-${ref}`,
        list: 'UN-SC',
        kind: person ? 'person' : 'organization',
        names: [...new Set(names)],
        birthDates: [...new Set(dob.flatMap((d) => d.dates))],
        countries: [...new Set(countries)],
        identifiers: [...new Set(documents(asArray(e.INDIVIDUAL_DOCUMENT).map(node)))],
        programs: program ? [program] : [],
        details: {
          name,
          type: person ? 'individual' : 'entity',
          referenceNumber: ref,
          dataId: text(e.DATAID) || undefined,
          listedOn: text(e.LISTED_ON) || undefined,
          originalScriptName: original || undefined,
          weakAliases: weakAliases.length ? weakAliases : undefined,
          gender: text(e.GENDER) || undefined,
          birthDates: dobText.length ? dobText : undefined,
          birthPlace: pob[0],
          birthPlaces: pob.length > 1 ? pob : undefined,
          title: values(e.TITLE).join('; ') || undefined,
          designation: values(e.DESIGNATION).join('; ') || undefined,
          addresses: addressText.length ? addressText : undefined,
          remarks: text(e.COMMENTS1) || undefined,
        },
      });
    });
  }
  return {
    list: 'UN-SC',
    name: 'UN Security Council Consolidated Sanctions List',
    publishDate: /^\d{4}-\d{2}-\d{2}/.test(generated) ? generated.slice(0, 10) : null,
    source: `${path} (UN consolidated XML)`,
    entries: opts.programs ? entries.filter((e) => e.programs!.some((p) => opts.programs!.includes(p))) : entries,
  };
}
