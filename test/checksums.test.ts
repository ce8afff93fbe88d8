// ISO 6346 check digits where the weighted sum leaves a remainder of 10: the standard
// maps that remainder to the check digit 0 (the digit cannot be "10").
import { describe, expect, it } from 'vitest';
import { iso6346CheckDigit } from '../src/domain/checksums.js';
import { normalizeIdentifier } from '../src/resolve/identifiers.js';

// Registered owner codes (Maersk MSKU and MAEU, Textainer TGHU) with serials whose sum has remainder 10;
// the sums are worked out by hand from the letter table (M=24 S=30 K=21 U=32, A=10 E=15, T=31 G=18 H=19).
const REMAINDER_10 = [
  { number: 'MSKU0000080', sum: 4520 }, // 24 + 30*2 + 21*4 + 32*8 + 8*512 = 4520 = 11*410 + 10
  { number: 'MAEU0000040', sum: 2408 }, // 24 + 10*2 + 15*4 + 32*8 + 4*512 = 2408 = 11*218 + 10
  { number: 'TGHU0000040', sum: 2441 }, // 31 + 18*2 + 19*4 + 32*8 + 4*512 = 2441 = 11*221 + 10
];

describe('ISO 6346 container check digit', () => {
  it('is 0 when the remainder is 10', () => {
    for (const { number, sum } of REMAINDER_10) {
      expect(sum % 11, number).toBe(10);
      expect(iso6346CheckDigit(number.slice(0, 10)), number).toBe(0);
    }
  });

  it('accepts such a container number as an identifier and refuses it with any other last digit', () => {
    for (const { number } of REMAINDER_10) {
      expect(normalizeIdentifier('container', `${number.slice(0, 4)} ${number.slice(4, 10)} ${number[10]}`)).toBe(
        `container:${number}`,
      );
      for (const wrong of '123456789')
        expect(
          () => normalizeIdentifier('container', number.slice(0, 10) + wrong),
          `${number.slice(0, 10)}${wrong}`,
        ).toThrow(/check digit/);
    }
  });

  it("keeps the remainder as the digit otherwise (the standard's own example)", () => {
    expect(iso6346CheckDigit('CSQU305438')).toBe(3);
  });
});
