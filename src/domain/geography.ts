// Geography codes and what contains them: a UN/LOCODE lies in its subdivision
// (when reference/places.csv knows the place) and its country; a subdivision
// ("US-AZ") lies in its country. Used to tell when two areas of work overlap.
import { readFileSync } from 'node:fs';
import { countryCodes } from './values.js';

let subdivisions: Map<string, string> | undefined; // "US|arizona" -> "US-AZ"
let places: Map<string, string> | undefined; // "USNOG" -> "US-AZ"

function load(): void {
  if (places) return;
  const read = (f: string) =>
    readFileSync(new URL(`../../reference/${f}`, import.meta.url), 'utf8')
      .trim()
      .split('\n')
      .slice(1);
  subdivisions = new Map();
  // Names in this table hold no commas or quotes for the countries that matter here; quoted rows are skipped.
  for (const line of read('unlocode/subdivision-codes.csv')) {
    const [cc, code, name] = line.split(',');
    if (cc && code && name && !line.includes('"')) subdivisions.set(`${cc}|${name.toLowerCase()}`, `${cc}-${code}`);
  }
  places = new Map();
  for (const line of read('places.csv')) {
    const f = line.split(',');
    const [country, region, locode] = [f[2]!, f[4]!, f[7]!];
    const sub = subdivisions.get(`${country.toUpperCase()}|${region.toLowerCase()}`);
    if (locode && sub) places.set(locode, sub);
  }
}

export class GeographyError extends Error {}

/** The code and every code that contains it: "USNOG" -> USNOG, US-AZ, US. */
export function expandGeography(code: string): string[] {
  load();
  const c = code.toUpperCase();
  const countries = countryCodes();
  if (/^[A-Z]{2}$/.test(c) && countries.has(c.toLowerCase())) return [c];
  if (/^[A-Z]{2}-[A-Z0-9]{1,3}$/.test(c) && countries.has(c.slice(0, 2).toLowerCase())) return [c, c.slice(0, 2)];
  if (/^[A-Z]{2}[A-Z2-9]{3}$/.test(c) && countries.has(c.slice(0, 2).toLowerCase())) {
    const sub = places!.get(c);
    return sub ? [c, sub, c.slice(0, 2)] : [c, c.slice(0, 2)];
  }
  throw new GeographyError(`"${code}" is not an ISO 3166 country or subdivision code, or a UN/LOCODE`);
}
