import { readFileSync } from 'node:fs';

export type AgencyKind = 'federal' | 'state' | 'local' | 'foreign' | 'private' | 'public';

export interface Agency {
  code: string;
  name: string;
  country: string; // ISO alpha-3
  kind: AgencyKind;
  lawEnforcement: boolean;
}

/** Government agencies may read FOUO; private partners and the public may not. */
export function isGovernment(a: Agency): boolean {
  return a.kind !== 'private' && a.kind !== 'public';
}

export function defaultAgencies(): Agency[] {
  const url = new URL('../../reference/agencies.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { agencies: Agency[] }).agencies;
}
