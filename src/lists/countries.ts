// Country names as sanctions lists write them -> ISO 3166-1 alpha-2 (lower case),
// from the shipped ISO table plus the short names OFAC uses and the UN's official
// names ("Iran (Islamic Republic of)", "Democratic People's Republic of Korea").
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

const ALIASES: Record<string, string> = {
  'united states': 'us',
  usa: 'us',
  'hong kong': 'hk',
  taiwan: 'tw',
  russia: 'ru',
  venezuela: 've',
  bolivia: 'bo',
  iran: 'ir',
  burma: 'mm',
  'korea, north': 'kp',
  'north korea': 'kp',
  'korea, south': 'kr',
  'south korea': 'kr',
  vietnam: 'vn',
  laos: 'la',
  syria: 'sy',
  tanzania: 'tz',
  macau: 'mo',
  macao: 'mo',
  'united kingdom': 'gb',
  netherlands: 'nl',
  'dominican republic': 'do',
  'czech republic': 'cz',
  moldova: 'md',
  "cote d'ivoire": 'ci',
  'cote d ivoire': 'ci',
  'congo, democratic republic of the': 'cd',
  turkey: 'tr',
  turkiye: 'tr',
  'british virgin islands': 'vg',
  'cayman islands': 'ky',
  bahamas: 'bs',
  'the bahamas': 'bs',
  philippines: 'ph',
  gambia: 'gm',
  'the gambia': 'gm',
  'west bank': 'ps',
  palestinian: 'ps',
  'united arab emirates': 'ae',
  china: 'cn',
  "china, people's republic of": 'cn',
  mexico: 'mx',
  sudan: 'sd',
  'south sudan': 'ss',
  niger: 'ne',
  comoros: 'km',
  'central african republic': 'cf',
  'marshall islands': 'mh',
  'micronesia, federated states of': 'fm',
  kosovo: 'xk',
  'region: crimea': 'ua',
  'united kingdom of great britain and northern ireland': 'gb',
  'china, hong kong special administrative region': 'hk',
  'china, macao special administrative region': 'mo',
};

/** Lower case, accents dropped ("Türkiye" and "Turkiye" alike), spaces collapsed. */
const fold = (s: string): string => s.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').replace(/\s+/g, ' ').trim();

let table: Map<string, string> | undefined;
function load(): Map<string, string> {
  if (table) return table;
  table = new Map(Object.entries(ALIASES));
  const rows = parse(readFileSync(new URL('../../reference/country-codes.csv', import.meta.url), 'utf8'), {
    columns: true,
  }) as { CountryCode: string; CountryName: string }[];
  for (const r of rows) {
    const code = r.CountryCode.toLowerCase();
    const name = fold(r.CountryName);
    table.set(name, code);
    table.set(name.replace(/\s*\(the\)\s*/g, ' ').trim(), code);
    table.set(name.replace(/\s*\([^)]*\)\s*/g, ' ').trim(), code);
    // "Korea, Democratic People's Republic of" is written in running order by the UN.
    const m = /^([^,]+),\s*(?:the\s+)?(.+)$/.exec(name);
    if (m) table.set(`${m[2]} ${m[1]}`.replace(/\s*\([^)]*\)\s*/g, ' ').trim(), code);
  }
  return table;
}

// Lists repeat a few hundred country names tens of thousands of times.
const seen = new Map<string, string | undefined>();

/** The ISO alpha-2 code of a country name, or undefined. */
export function countryCode(name: string): string | undefined {
  if (seen.has(name)) return seen.get(name);
  const key = fold(name).replace(/\.$/, '').trim();
  let code: string | undefined;
  if (/^[a-z]{2}$/.test(key)) code = key;
  else if (key) {
    const t = load();
    code = t.get(key) ?? t.get(key.replace(/\s*\([^)]*\)\s*/g, ' ').trim());
  }
  if (seen.size < 10_000) seen.set(name, code);
  return code;
}
