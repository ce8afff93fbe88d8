// Check digits of the identifiers that carry one (ISO 6346 containers, IBAN, IMO, VIN).

/** ISO 6346 letter values: A=10, B=12 ... skipping multiples of 11. */
const ISO6346: Record<string, number> = {};
{
  let v = 10;
  for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') {
    if (v % 11 === 0) v++;
    ISO6346[ch] = v++;
  }
}

/** ISO 6346 check digit of owner code, category and serial: weights 2^i, mod 11, mod 10. */
export function iso6346CheckDigit(first10: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const c = first10[i]!;
    sum += (c >= '0' && c <= '9' ? Number(c) : ISO6346[c]!) * 2 ** i;
  }
  return (sum % 11) % 10;
}

export function ibanValid(iban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban)) return false;
  let rem = 0;
  for (const ch of iban.slice(4) + iban.slice(0, 4)) {
    const d = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of d) rem = (rem * 10 + Number(digit)) % 97;
  }
  return rem === 1;
}

/** IMO ship number: 7 digits, the last = sum of the first six times 7..2, mod 10. */
export function imoValid(digits: string): boolean {
  if (!/^\d{7}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 6; i++) sum += Number(digits[i]) * (7 - i);
  return sum % 10 === Number(digits[6]);
}

/** North American VIN (ISO 3779 with the 49 CFR 565 check digit in position 9). */
export function vinValid(vin: string): boolean {
  if (!/^[A-HJ-NPR-Z0-9]{17}$/.test(vin)) return false;
  const tr = '0123456789.ABCDEFGH..JKLMN.P.R..STUVWXYZ';
  const weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const c = vin[i]!;
    const v = /\d/.test(c) ? Number(c) : tr.indexOf(c) % 10;
    sum += v * weights[i]!;
  }
  const check = sum % 11 === 10 ? 'X' : String(sum % 11);
  return vin[8] === check;
}

/** CAS Registry Number: the last digit is the sum of the others times their position from the right, mod 10. */
export function casValid(cas: string): boolean {
  const m = /^(\d{2,7})-(\d{2})-(\d)$/.exec(cas);
  if (!m) return false;
  const digits = (m[1]! + m[2]!).split('').reverse();
  return digits.reduce((sum, d, i) => sum + Number(d) * (i + 1), 0) % 10 === Number(m[3]);
}
