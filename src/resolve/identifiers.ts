// Identifiers are matched exactly, after normalisation and, where the identifier
// has one, a check-digit or checksum test: a typo then fails loudly instead of
// silently matching nothing.
import { createHash } from 'node:crypto';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { iso6346CheckDigit, ibanValid, imoValid, vinValid } from '../domain/checksums.js';

export const IDENTIFIER_KINDS = [
  'phone',
  'email',
  'passport',
  'nationalId',
  'registration',
  'crypto',
  'plate',
  'vin',
  'container',
  'imo',
  'iban',
  'account',
] as const;
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

export class IdentifierError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdentifierError';
  }
}

const alnum = (v: string): string => v.toUpperCase().replace(/[^A-Z0-9]/g, '');

export { iso6346CheckDigit, ibanValid, imoValid, vinValid };

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58Decode(s: string): Uint8Array | undefined {
  let n = 0n;
  for (const ch of s) {
    const i = B58.indexOf(ch);
    if (i < 0) return undefined;
    n = n * 58n + BigInt(i);
  }
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.unshift(Number(n % 256n));
    n /= 256n;
  }
  for (const ch of s) {
    if (ch !== '1') break;
    bytes.unshift(0);
  }
  return Uint8Array.from(bytes);
}
const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();
function base58CheckVersion(s: string): number | undefined {
  const b = base58Decode(s);
  if (!b || b.length < 5) return undefined;
  const payload = b.subarray(0, b.length - 4);
  const sum = sha256(sha256(payload)).subarray(0, 4);
  return Buffer.compare(sum, Buffer.from(b.subarray(b.length - 4))) === 0 ? payload[0] : undefined;
}

function bech32Valid(addr: string): boolean {
  const CH = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
  const s = addr.toLowerCase();
  const pos = s.lastIndexOf('1');
  if (pos < 1 || pos + 7 > s.length || s.length > 90) return false;
  const hrp = s.slice(0, pos);
  const data = [...s.slice(pos + 1)].map((c) => CH.indexOf(c));
  if (data.some((d) => d < 0)) return false;
  const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let chk = 1;
  const values = [
    ...[...hrp].map((c) => c.charCodeAt(0) >> 5),
    0,
    ...[...hrp].map((c) => c.charCodeAt(0) & 31),
    ...data,
  ];
  for (const v of values) {
    const top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >> i) & 1) chk ^= GEN[i]!;
  }
  return chk === 1 || chk === 0x2bc830a3; // bech32 (v0) or bech32m (v1+)
}

/** EIP-55 mixed-case checksum; all-lower or all-upper addresses carry none. */
function eip55Valid(addr: string): boolean {
  const hex = addr.slice(2);
  if (hex === hex.toLowerCase() || hex === hex.toUpperCase()) return true;
  const hash = Buffer.from(keccak_256(new TextEncoder().encode(hex.toLowerCase()))).toString('hex');
  for (let i = 0; i < 40; i++) {
    const c = hex[i]!;
    if (/[a-f]/.test(c) && parseInt(hash[i]!, 16) >= 8) return false;
    if (/[A-F]/.test(c) && parseInt(hash[i]!, 16) < 8) return false;
  }
  return true;
}

/** The chain of a crypto address, validated; undefined when it is none we know. */
export function cryptoChain(addr: string): 'BTC' | 'ETH' | 'TRON' | undefined {
  if (/^0x[0-9a-fA-F]{40}$/.test(addr)) return eip55Valid(addr) ? 'ETH' : undefined;
  if (/^bc1[02-9ac-hj-np-z]{8,87}$/i.test(addr)) return bech32Valid(addr) ? 'BTC' : undefined;
  if (/^[13][1-9A-HJ-NP-Za-km-z]{25,34}$/.test(addr)) {
    const v = base58CheckVersion(addr);
    return v === 0x00 || v === 0x05 ? 'BTC' : undefined;
  }
  if (/^T[1-9A-HJ-NP-Za-km-z]{33}$/.test(addr)) return base58CheckVersion(addr) === 0x41 ? 'TRON' : undefined;
  return undefined;
}

/**
 * The canonical form of an identifier, as "kind:value", or an IdentifierError
 * saying why it is not one. `country` (ISO alpha-2) helps read national phone numbers.
 */
export function normalizeIdentifier(kind: IdentifierKind, raw: string, country?: string): string {
  const v = raw.trim();
  if (!v) throw new IdentifierError(`${kind}: empty`);
  switch (kind) {
    case 'phone': {
      const p = parsePhoneNumberFromString(v, country?.toUpperCase() as CountryCode | undefined);
      if (!p?.isPossible())
        throw new IdentifierError(
          `phone: "${v}" is not a possible phone number${country ? '' : ' (give it in E.164, +<country code>..., or name the country)'}`,
        );
      return `phone:${p.number}`;
    }
    case 'email': {
      if (!/^[^\s@<>()]+@[^\s@<>()]+\.[A-Za-z]{2,}$/.test(v))
        throw new IdentifierError(`email: "${v}" is not an e-mail address`);
      return `email:${v.toLowerCase()}`;
    }
    case 'crypto': {
      const chain = cryptoChain(v);
      if (!chain)
        throw new IdentifierError(`crypto: "${v}" is not a valid BTC, ETH or TRON address (checksum or format)`);
      return `crypto:${chain}:${chain === 'ETH' ? v.toLowerCase() : v}`;
    }
    case 'container': {
      const c = alnum(v);
      if (!/^[A-Z]{3}[UJZ]\d{7}$/.test(c) || iso6346CheckDigit(c.slice(0, 10)) !== Number(c[10]))
        throw new IdentifierError(`container: "${v}" fails the ISO 6346 check digit`);
      return `container:${c}`;
    }
    case 'imo': {
      const d = v.replace(/^IMO\s*/i, '').replace(/\D/g, '');
      if (!imoValid(d)) throw new IdentifierError(`imo: "${v}" fails the IMO check digit`);
      return `imo:${d}`;
    }
    case 'vin': {
      const c = alnum(v);
      if (!vinValid(c))
        throw new IdentifierError(`vin: "${v}" is not a valid VIN (17 characters, check digit in position 9)`);
      return `vin:${c}`;
    }
    case 'iban': {
      const c = alnum(v);
      if (!ibanValid(c)) throw new IdentifierError(`iban: "${v}" fails the IBAN checksum`);
      return `iban:${c}`;
    }
    default: {
      const c = alnum(v);
      if (c.length < 3) throw new IdentifierError(`${kind}: "${v}" is too short to identify anything`);
      return `${kind}:${c}`;
    }
  }
}
