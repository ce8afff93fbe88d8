import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  canRead,
  formatMarking,
  highestMarking,
  parseMarking,
  portionMarking,
  CLASSIFICATIONS,
  CAVEATS,
  normalizeMarking,
  type ReaderAccess,
} from '../src/domain/markings.js';

const usAnalyst: ReaderAccess = {
  clearance: 'S',
  agency: 'DEA',
  country: 'USA',
  groups: [],
  lawEnforcement: true,
  government: true,
};
const mexican: ReaderAccess = {
  clearance: 'S',
  agency: 'FGR',
  country: 'MEX',
  groups: [],
  lawEnforcement: true,
  government: true,
};
const carrier: ReaderAccess = {
  clearance: 'U',
  agency: 'EXPRS',
  country: 'USA',
  groups: [],
  lawEnforcement: false,
  government: false,
};
const treasury: ReaderAccess = {
  clearance: 'TS',
  agency: 'OFAC',
  country: 'USA',
  groups: [],
  lawEnforcement: false,
  government: true,
};

describe('markings', () => {
  it('parse the forms people type and print the banner', () => {
    const m = parseMarking('S//NF/LES', 'DEA');
    expect(m).toMatchObject({ classification: 'S', caveats: ['LES', 'NOFORN'], owner: 'DEA' });
    expect(formatMarking(m)).toBe('SECRET//LES/NOFORN//OWNER DEA');
    expect(portionMarking(m)).toBe('(S//LES/NF)');
    expect(formatMarking(parseMarking('CONFIDENTIAL//REL TO USA, MEX//OWNER FGR', 'X'))).toBe(
      'CONFIDENTIAL//REL TO USA, MEX//OWNER FGR',
    );
    expect(() => parseMarking('S//NOFORN//REL TO MEX', 'DEA')).toThrow(/cannot be combined/);
    expect(() => parseMarking('S//SPICY', 'DEA')).toThrow(/unknown caveat "SPICY"/);
  });

  it('round-trip through their canonical form', () => {
    const arb = fc
      .record({
        classification: fc.constantFrom(...CLASSIFICATIONS),
        caveats: fc.subarray([...CAVEATS]),
        relTo: fc.subarray(['MEX', 'CAN', 'GBR']),
        owner: fc.constantFrom('DEA', 'CBP'),
        compartments: fc.subarray(['OCDETF', 'ALPHA']),
        orconTo: fc.subarray(['HSI', 'FBI']),
      })
      .map((m) => normalizeMarking({ ...m, relTo: m.caveats.includes('NOFORN') ? [] : m.relTo }));
    fc.assert(
      fc.property(arb, (m) => {
        expect(parseMarking(formatMarking(m), 'ZZZ')).toEqual(m);
      }),
    );
  });

  it('follow the access rule', () => {
    expect(canRead(usAnalyst, parseMarking('S//LES/NOFORN', 'DEA'))).toBe(true);
    expect(canRead(usAnalyst, parseMarking('TS', 'DEA'))).toBe(false); // clearance
    expect(canRead(usAnalyst, parseMarking('U//GROUPS OCDETF', 'DEA'))).toBe(false); // need-to-know
    expect(canRead(mexican, parseMarking('C//LES//REL TO USA, MEX', 'HSI'))).toBe(true);
    expect(canRead(mexican, parseMarking('C//LES', 'HSI'))).toBe(false); // not released to Mexico
    expect(canRead(mexican, parseMarking('U', 'OFAC'))).toBe(true); // public
    expect(canRead(mexican, parseMarking('U//NOFORN', 'DEA'))).toBe(false);
    expect(canRead(treasury, parseMarking('U//LES', 'DEA'))).toBe(false); // not law enforcement
    expect(canRead(carrier, parseMarking('U//FOUO', 'CBP'))).toBe(false); // not government
    expect(canRead(carrier, parseMarking('U//PROPIN', 'EXPRS'))).toBe(true); // its own proprietary data
    expect(canRead(usAnalyst, parseMarking('U//ORCON', 'FINCEN'))).toBe(false); // originator controlled
    expect(canRead(usAnalyst, parseMarking('U//ORCON//ORCON TO DEA', 'FINCEN'))).toBe(true);
  });

  it('combine into the most restrictive banner for a page', () => {
    const top = highestMarking([
      parseMarking('U//LES//REL TO USA, MEX, CAN', 'DEA'),
      parseMarking('C//REL TO USA, MEX', 'DEA'),
    ])!;
    expect(formatMarking(top)).toBe('CONFIDENTIAL//LES//REL TO USA, MEX//OWNER DEA');
  });
});
