// Downgrade by rule: the identifying fields of a (possibly classified) nomination
// that a configured rule allows become an unclassified screening record. Only
// named fields cross, identifiers only of the named kinds, and a U.S. person's
// record carries fewer identifiers and a NOFORN marking. The derogatory basis,
// categories, nominator and marking never cross: they are not fields a rule can name.
export interface DowngradeRule {
  marking: string;
  usPersonMarking: string;
  fields: ('names' | 'birthDates' | 'nationalities' | 'identifiers')[];
  identifierKinds: string[];
  usPersonIdentifierKinds: string[];
}

export interface Identifying {
  subjectKind: 'person' | 'organization';
  names: string[];
  birthDates: string[];
  nationalities: string[];
  /** Normalised "kind:value". */
  identifiers: string[];
  usPerson: boolean;
}

export interface ScreeningRecord {
  names: string[];
  birthDates: string[];
  nationalities: string[];
  identifiers: string[];
  marking: string;
  /** What the rule withheld, for the audit trail (field names and identifier kinds, never values). */
  dropped: string[];
}

export function downgrade(n: Identifying, rule: DowngradeRule): ScreeningRecord {
  if (!rule.fields.includes('names')) throw new Error('downgrade rule: a screening record needs names');
  const allowed = new Set(n.usPerson ? rule.usPersonIdentifierKinds : rule.identifierKinds);
  const dropped: string[] = [];
  const take = <T>(field: 'birthDates' | 'nationalities', v: T[]): T[] => {
    if (rule.fields.includes(field)) return v;
    if (v.length) dropped.push(field);
    return [];
  };
  let identifiers: string[] = [];
  if (rule.fields.includes('identifiers')) {
    for (const id of n.identifiers) {
      const kind = id.slice(0, id.indexOf(':'));
      if (allowed.has(kind)) identifiers.push(id);
      else dropped.push(`identifier ${kind}`);
    }
  } else if (n.identifiers.length) dropped.push('identifiers');
  identifiers = [...new Set(identifiers)];
  return {
    names: [...n.names],
    birthDates: take('birthDates', n.birthDates),
    nationalities: take('nationalities', n.nationalities),
    identifiers,
    marking: n.usPerson ? rule.usPersonMarking : rule.marking,
    dropped: [...new Set(dropped)],
  };
}
