import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { generateScenario, iso6346CheckDigit, SCENARIO_END } from '../src/scenario/generate.js';
import { parseRecord } from '../src/ingest/record-input.js';
import { memoryStore } from './helpers.js';
import { loadScenario } from '../src/scenario/load.js';

const digest = (seed: number, networks: number): string => {
  const h = createHash('sha256');
  for (const r of generateScenario({ seed, networks })) h.update(JSON.stringify(r));
  return h.digest('hex');
};

describe('the demo scenario generator', () => {
  const records = [...generateScenario({ seed: 7, networks: 6 })];
  const entities = records.flatMap((r) => r.entities);
  const values = (prop: string) => entities.flatMap((e) => e.properties[prop] ?? []);

  it('is deterministic for a seed and differs between seeds', () => {
    expect(digest(7, 3)).toBe(digest(7, 3));
    expect(digest(7, 3)).not.toBe(digest(8, 3));
  });

  it('produces only records that pass validation', () => {
    const errors = records.flatMap((r) => parseRecord(r, { source: r.source }).errors);
    expect(errors).toEqual([]);
  });

  it('covers the supply chain: suppliers, labs, presses, shipments, crossings, money, cases', () => {
    const schemas = new Set(entities.map((e) => e.schema));
    for (const s of [
      'Company',
      'Person',
      'Organization',
      'Lab',
      'Equipment',
      'Shipment',
      'Container',
      'Seizure',
      'Arrest',
      'Payment',
      'CryptoWallet',
      'BankAccount',
      'Case',
      'Supply',
      'Sanction',
      'Website',
      'UserAccount',
      'Interdiction',
    ])
      expect(schemas, s).toContain(s);
    expect(new Set(values('method'))).toEqual(new Set(['trade-based', 'crypto', 'bulk cash', 'underground banking']));
    expect(values('companyType')).toEqual(
      expect.arrayContaining(['chemical supplier', 'freight forwarder', 'front company']),
    );
  });

  it('is reported by several agencies under different markings', () => {
    expect(new Set(records.map((r) => r.source)).size).toBeGreaterThanOrEqual(8);
    expect(new Set(records.map((r) => r.marking)).size).toBeGreaterThanOrEqual(6);
  });

  it('names people and companies in Spanish, Chinese (Hanzi and pinyin) and English', () => {
    const names = [...values('name'), ...values('alias'), ...values('nameScript')].join(' ');
    expect(names).toMatch(/\p{Script=Han}{2,}/u);
    expect(names).toMatch(/[áéíóúñ]/);
    expect(names).toMatch(/[āáǎàēéěèīíǐìōóǒòūúǔù]/); // pinyin tone marks
    expect(names).toMatch(/S\.A\. de C\.V\./);
    expect(names).toMatch(/有限公司/);
  });

  it('spreads seizures over three fiscal years, and containers carry valid ISO 6346 check digits', () => {
    const dates = entities
      .filter((e) => e.schema === 'Seizure')
      .map((e) => e.properties.date![0]!)
      .sort();
    expect(dates[0]! >= '2023-10-01').toBe(true);
    expect(dates.at(-1)! <= SCENARIO_END).toBe(true);
    expect(new Set(dates.map((d) => d.slice(0, 4))).size).toBeGreaterThanOrEqual(3);
    for (const c of values('containerNumber')) expect(Number(c[10])).toBe(iso6346CheckDigit(c.slice(0, 10)));
    expect(iso6346CheckDigit('CSQU305438')).toBe(3); // the standard's own example
  });

  it('loads into the store, and loading it again changes nothing', async () => {
    const store = await memoryStore();
    const first = await loadScenario(store, { seed: 3, networks: 2 });
    expect(first.rejected).toBe(0);
    expect(first.inserted).toBeGreaterThan(50);
    const second = await loadScenario(store, { seed: 3, networks: 2 });
    expect(second).toMatchObject({ inserted: 0, updated: 0, unchanged: first.inserted });
    await store.close();
  });
});
