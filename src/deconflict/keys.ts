// Matching keys for deconfliction: a registered target and an entity in the store
// meet when they share a key. Identifiers are normalised and checked as in
// resolution (phones to E.164, VIN and container check digits, wallet checksums);
// names are matched by the screening engine, their exact folded form is a key too.
import { normalizeIdentifier, IdentifierError, type IdentifierKind } from '../resolve/identifiers.js';
import { normalizeName } from '../resolve/normalize.js';
import { foldForSearch } from '../domain/values.js';

import { TARGET_KINDS } from '../domain/deconfliction-terms.js';
export { TARGET_KINDS };
export type TargetKind = (typeof TARGET_KINDS)[number];

export interface TargetInput {
  kind: TargetKind;
  /** Name, number, address, VIN or plate, as the case agent has it. */
  value: string;
  /** People: YYYY, YYYY-MM or YYYY-MM-DD. */
  birthDate?: string;
  /** Phones in national form, passports: ISO alpha-2. Plates: the issuing state or province ("US-AZ", "MX-SON"). */
  country?: string;
  /** Online accounts: the service ("instagram", "telegram"). */
  service?: string;
}

export { IdentifierError };

// Keys shared by registered targets and values in the store, computed one way for both.
const alnumKey = (kind: string, v: string): string => `${kind}:${v.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;
const addressKey = (v: string): string | null => {
  const folded = foldForSearch(v).replace(/[.@+]/g, ' ').split(/\s+/).filter(Boolean).join(' ');
  return folded.length >= 6 ? `address:${folded}` : null;
};

export const nameKey = (name: string, kind: 'person' | 'organization'): string | null => {
  const n = normalizeName(name, kind);
  return n.tokens.length ? `name:${kind}:${n.compact}` : null;
};

/** The keys of a target, or an IdentifierError saying why the value is not valid for its kind. */
export function targetKeys(t: TargetInput): string[] {
  const v = t.value.trim();
  if (!v) throw new IdentifierError(`${t.kind}: empty`);
  const id = (kind: IdentifierKind, raw = v) => normalizeIdentifier(kind, raw, t.country);
  switch (t.kind) {
    case 'person':
    case 'company': {
      const k = nameKey(v, t.kind === 'person' ? 'person' : 'organization');
      if (!k) throw new IdentifierError(`${t.kind}: "${v}" has no name in it`);
      return [k];
    }
    case 'phone':
      return [id('phone')];
    case 'email':
      return [id('email')];
    case 'wallet':
      return [id('crypto')];
    case 'container':
      return [id('container')];
    case 'passport':
      return [id('passport')];
    case 'nationalId':
      return [id('nationalId')];
    case 'bankAccount':
      return [/^[A-Z]{2}\d{2}/i.test(v.replace(/\s/g, '')) ? id('iban') : id('account')];
    case 'caseNumber':
      return [alnumKey('case', v)];
    // An entity of the common picture that the case works: records touching it reach the case.
    case 'entity': {
      if (!/^[A-Za-z0-9][A-Za-z0-9._:+-]{0,199}$/.test(v))
        throw new IdentifierError(`entity: "${v}" is not an entity id`);
      return [`entity:${v}`];
    }
    case 'weapon':
      return [alnumKey('weapon', v)];
    case 'account': {
      const user = v.replace(/^@/, '').toLowerCase();
      if (!t.service) throw new IdentifierError('account: name the service (e.g. "telegram")');
      return [`account:${t.service.toLowerCase()}:${user}`];
    }
    case 'address': {
      const k = addressKey(v);
      if (!k) throw new IdentifierError(`address: "${v}" is too short to locate anything`);
      return [k];
    }
    case 'vehicle': {
      const c = v.toUpperCase().replace(/[^A-Z0-9]/g, '');
      if (c.length === 17) return [id('vin')];
      // A plate identifies a vehicle only with the state that issued it.
      if (!t.country || !/^[A-Z]{2}-[A-Z0-9]{1,3}$/i.test(t.country))
        throw new IdentifierError(
          `vehicle: "${v}" is not a 17-character VIN; a plate needs its issuing state as country, e.g. "US-AZ"`,
        );
      if (c.length < 2) throw new IdentifierError(`vehicle: "${v}" is too short for a plate`);
      return [`plate:${t.country.toUpperCase()}:${c}`];
    }
  }
}

const PROP_KIND: Record<string, IdentifierKind> = {
  phone: 'phone',
  number: 'phone',
  email: 'email',
  emailAddress: 'email',
  publicKey: 'crypto',
  containerNumber: 'container',
  passportNumber: 'passport',
  idNumber: 'nationalId',
  iban: 'iban',
  vin: 'vin',
  imoNumber: 'imo',
};

/** Keys of a value held in the store (schema and property name it), or none when it is not an identifier. */
export function statementKeys(
  schema: string,
  prop: string,
  value: string,
  isPerson: boolean,
  isOrg: boolean,
): string[] {
  if (prop === 'name' || prop === 'alias') {
    if (isPerson) return [nameKey(value, 'person')].filter((k): k is string => !!k);
    if (isOrg) return [nameKey(value, 'organization')].filter((k): k is string => !!k);
    return [];
  }
  if (prop === 'caseNumber') return [alnumKey('case', value)];
  if (prop === 'serialNumber' && schema === 'Weapon') return [alnumKey('weapon', value)];
  if (schema === 'Address' && prop === 'full') {
    const k = addressKey(value);
    return k ? [k] : [];
  }
  const kind = PROP_KIND[prop];
  if (!kind) return [];
  try {
    return [normalizeIdentifier(kind, value)];
  } catch {
    return []; // the store keeps what sources wrote; an unreadable identifier matches nothing
  }
}
