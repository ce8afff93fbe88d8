import { describe, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeName } from '../src/resolve/normalize.js';
import { normalizeIdentifier, cryptoChain } from '../src/resolve/identifiers.js';
import { jaroWinkler } from '../src/resolve/jaro-winkler.js';
import jaroWinklerLib from 'jaro-winkler';
import { ScreeningIndex } from '../src/resolve/screen-index.js';
import { generateEvalSet } from '../src/resolve/evalset.js';
import { evaluate } from '../src/resolve/evaluate.js';
import { loadOfacCsv, loadOfacXml, parseRemarks } from '../src/lists/ofac.js';
import { DEFAULT_THRESHOLD } from '../src/lists/registry.js';
import { ScreeningPool } from '../src/resolve/screen-pool.js';
import { Calibration, isotonicFit, readCalibrationFile, shippedCalibration } from '../src/resolve/calibrate.js';
import { fitCalibration } from '../src/resolve/fit-calibration.js';
import { nameSimilarity } from '../src/resolve/score.js';

describe('name normalisation', () => {
  it('folds accents and case, transliterates Han to pinyin and other scripts to Latin', () => {
    expect(normalizeName('José Ángel GARCÍA', 'person').tokens).toEqual(['jose', 'angel', 'garcia']);
    expect(normalizeName('王伟', 'person').tokens).toEqual(['wang', 'wei']);
    expect(normalizeName('Алексей Навальный', 'person').tokens).toEqual(['aleksey', 'navalnyy']);
  });

  it('drops particles and company legal forms, keeping the distinctive name', () => {
    expect(normalizeName('María de la Luz Ochoa', 'person').tokens).toEqual(['maria', 'luz', 'ochoa']);
    expect(normalizeName('Comercializadora Costa Azul S.A. de C.V.', 'organization').tokens).toEqual([
      'comercializadora',
      'costa',
      'azul',
    ]);
    expect(normalizeName('Hubei Kangda Chemical Co., Ltd.', 'organization').tokens).toEqual([
      'hubei',
      'kangda',
      'chemical',
    ]);
    expect(normalizeName('武汉远航化工有限公司', 'organization').tokens).toEqual([
      'wu',
      'han',
      'yuan',
      'hang',
      'hua',
      'gong',
    ]);
    expect(normalizeName('Limited', 'organization').tokens).toEqual(['limited']); // never empties a name
  });

  it('reads Spanish nicknames without their article, so "El Chapito" and "Chapito" are one alias', () => {
    expect(normalizeName('El Chapito', 'person').tokens).toEqual(['chapito']);
    expect(normalizeName('La Güera', 'person').tokens).toEqual(['guera']);
  });
});

describe('identifiers', () => {
  const ok = (kind: Parameters<typeof normalizeIdentifier>[0], v: string, c?: string) =>
    normalizeIdentifier(kind, v, c);
  it('normalise phones to E.164', () => {
    expect(ok('phone', '667 123 4567', 'mx')).toBe('phone:+526671234567');
    expect(ok('phone', '+52 (667) 123-4567')).toBe('phone:+526671234567');
    expect(() => ok('phone', '12')).toThrow(/not a possible phone number/);
  });
  it('check ISO 6346 containers, IMO numbers, VINs and IBANs by their check digits', () => {
    expect(ok('container', 'CSQU 305438 3')).toBe('container:CSQU3054383');
    expect(() => ok('container', 'CSQU3054384')).toThrow(/ISO 6346/);
    expect(ok('imo', 'IMO 9074729')).toBe('imo:9074729');
    expect(() => ok('imo', '9074728')).toThrow(/IMO/);
    expect(ok('vin', '1M8GDM9AXKP042788')).toBe('vin:1M8GDM9AXKP042788');
    expect(() => ok('vin', '1M8GDM9AYKP042788')).toThrow(/VIN/);
    expect(ok('iban', 'GB82 WEST 1234 5698 7654 32')).toBe('iban:GB82WEST12345698765432');
    expect(() => ok('iban', 'GB82WEST12345698765433')).toThrow(/IBAN/);
  });
  it('check crypto addresses per chain', () => {
    expect(cryptoChain('1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa')).toBe('BTC');
    expect(cryptoChain('1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb')).toBeUndefined();
    expect(cryptoChain('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq')).toBe('BTC');
    expect(cryptoChain('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp')).toBeUndefined();
    expect(cryptoChain('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed')).toBe('ETH'); // EIP-55 test vector
    expect(cryptoChain('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD')).toBeUndefined(); // one letter's case changed
    expect(cryptoChain('TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t')).toBe('TRON');
    expect(cryptoChain('TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u')).toBeUndefined();
  });
});

describe('Jaro-Winkler', () => {
  it('agrees with the reference package', () => {
    for (const [a, b] of [
      ['martha', 'marhta'],
      ['dwayne', 'duane'],
      ['dixon', 'dicksonx'],
      ['garcia', 'garsia'],
      ['a', 'b'],
      ['', 'x'],
      ['zambada', 'zambada'],
    ] as const) {
      expect(jaroWinkler(a, b)).toBeCloseTo(jaroWinklerLib(a, b), 6);
    }
  });
});

describe('OFAC SDN list', () => {
  const dir = new URL('../reference/ofac/', import.meta.url).pathname;
  const all = loadOfacCsv(dir);

  it('loads every entry of the shipped legacy CSV, and the drug programs', () => {
    expect(all.entries).toHaveLength(14965);
    const drug = loadOfacCsv(dir, { programs: ['SDNTK', 'ILLICIT-DRUGS-EO14059'] }).entries;
    expect(drug).toHaveLength(1714);
    expect(drug.filter((e) => e.kind === 'person')).toHaveLength(943);
  });

  it('reads names, aliases and the facts inside Remarks', () => {
    const mayo = all.entries.find((e) => e.id === 'ofac-7226')!;
    expect(mayo).toMatchObject({
      kind: 'person',
      birthDates: ['1948'],
      countries: ['mx'],
      programs: ['SDNTK', 'ILLICIT-DRUGS-EO14059'],
    });
    expect(mayo.names).toEqual(expect.arrayContaining(['ZAMBADA GARCIA, Ismael', 'Ismael ZAMBADA GARCIA', 'El Mayo']));
    const f = parseRemarks(
      "DOB 31 Jul 1964; alt. DOB 1965; POB Sinaloa, Mexico; nationality Mexico; Passport G123456 (Mexico); C.U.R.P. AUCJ640731HSLMNS05 (Mexico); Phone Number 8615815351839; Digital Currency Address - XBT 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa; a.k.a. 'El Jefe'.",
    );
    expect(f.birthDates).toEqual(['1964-07-31', '1965']);
    expect(f.countries).toEqual(['mx']);
    expect(f.aliases).toEqual(['El Jefe']);
    expect(f.identifiers).toEqual(
      expect.arrayContaining([
        'passport:G123456',
        'nationalId:AUCJ640731HSLMNS05',
        'phone:+8615815351839',
        'crypto:BTC:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa',
      ]),
    );
  });

  it('reads the official SDN.XML format, with its publication date', () => {
    // A two-entry file in the structure Treasury publishes.
    const xml = `<?xml version="1.0" standalone="yes"?>
<sdnList xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML">
  <publshInformation><Publish_Date>11/20/2026</Publish_Date><Record_Count>2</Record_Count></publshInformation>
  <sdnEntry><uid>7226</uid><lastName>ZAMBADA GARCIA</lastName><firstName>Ismael</firstName><sdnType>Individual</sdnType>
    <programList><program>SDNTK</program><program>ILLICIT-DRUGS-EO14059</program></programList>
    <akaList><aka><uid>1</uid><type>a.k.a.</type><category>strong</category><lastName>El Mayo</lastName></aka></akaList>
    <nationalityList><nationality><uid>2</uid><country>Mexico</country><mainEntry>true</mainEntry></nationality></nationalityList>
    <dateOfBirthList><dateOfBirthItem><uid>3</uid><dateOfBirth>1948</dateOfBirth><mainEntry>true</mainEntry></dateOfBirthItem></dateOfBirthList>
  </sdnEntry>
  <sdnEntry><uid>10900</uid><lastName>BELTRAN LEYVA ORGANIZATION</lastName><sdnType>Entity</sdnType>
    <programList><program>SDNTK</program></programList>
    <idList><id><uid>4</uid><idType>Email Address</idType><idNumber>blo@example.com</idNumber></id></idList>
  </sdnEntry>
</sdnList>`;
    const path = join(mkdtempSync(join(tmpdir(), 'cp-ofac-')), 'SDN.XML');
    writeFileSync(path, xml);
    const l = loadOfacXml(path);
    expect(l.publishDate).toBe('2026-11-20');
    expect(l.entries).toHaveLength(2);
    expect(l.entries[0]).toMatchObject({
      id: 'ofac-7226',
      kind: 'person',
      names: ['Ismael ZAMBADA GARCIA', 'El Mayo'],
      birthDates: ['1948'],
      countries: ['mx'],
    });
    expect(l.entries[1]).toMatchObject({ kind: 'organization', identifiers: ['email:blo@example.com'] });
    writeFileSync(path, '<notSdn/>');
    expect(() => loadOfacXml(path)).toThrow(/not an OFAC SDN.XML file/);
  });

  it('finds listed people under the spellings other sources use', () => {
    const idx = new ScreeningIndex();
    for (const e of all.entries) idx.add(e);
    const top = (name: string, birthDate?: string) =>
      idx.search({ name, birthDate }, { threshold: DEFAULT_THRESHOLD, limit: 3 })[0];
    expect(top('ISMAEL ZAMBADA GARCÍA')?.entry.id).toBe('ofac-7226');
    expect(top('El Mayo')?.entry.id).toBe('ofac-7226');
    expect(top('Zambada Garcia, Ismael', '1948')?.reasons).toEqual(
      expect.arrayContaining([expect.stringMatching(/date of birth matches/)]),
    );
    expect(top('Cartel de Jalisco Nueva Generación')?.entry.details?.name).toBe('CARTEL DE JALISCO NUEVA GENERACION');
    expect(top('Pablo Kowalski')).toBeUndefined();
  });
});

describe('Arabic script', () => {
  it('meets Latin spellings by consonant skeleton, and tells other names apart', () => {
    const sim = (a: string, b: string) =>
      nameSimilarity(normalizeName(a, 'person'), normalizeName(b, 'person'), false).score;
    expect(normalizeName('محمد حداد', 'person')).toMatchObject({ tokens: ['mhmd', 'hdd'], abjad: true });
    expect(sim('محمد حداد', 'HADDAD, Mohammed')).toBeGreaterThan(0.9);
    expect(sim('يوسف سليمان', 'Youssef Suleiman')).toBeGreaterThan(0.9);
    expect(sim('خالد منصور', 'Karim Mansour')).toBeLessThan(0.8);
    expect(shippedCalibration().probability(sim('سمير سليمان', 'Samir'))).toBeLessThan(DEFAULT_THRESHOLD); // one word of two is not the name
  });

  it('screens a name written in Arabic script against a Latin-script list', () => {
    const idx = new ScreeningIndex();
    idx.add({ id: 'a', list: 't', kind: 'person', names: ['OTHMAN, Omar'] });
    idx.add({ id: 'b', list: 't', kind: 'person', names: ['OTHMAN, Karim'] });
    idx.add({ id: 'c', list: 't', kind: 'person', names: ['Omar Rodriguez'] });
    expect(
      idx.search({ name: 'عمر عثمان' }, { threshold: DEFAULT_THRESHOLD, limit: 5 }).map((h) => h.entry.id),
    ).toEqual(['a']);
  });
});

describe('score calibration', () => {
  it('fits a non-decreasing map by pool-adjacent-violators', () => {
    const pts = isotonicFit([
      { raw: 0.1, match: false },
      { raw: 0.2, match: true },
      { raw: 0.3, match: false },
      { raw: 0.9, match: true },
      { raw: 0.95, match: true },
    ]);
    expect(pts).toEqual([
      [0.1, 0],
      [0.25, 0.5],
      [0.925, 1],
    ]);
    const c = new Calibration(pts);
    expect(c.probability(0.05)).toBe(0);
    expect(c.probability(0.25)).toBe(0.5);
    expect(c.probability(0.99)).toBe(1);
    expect(c.rawFor(0.5)).toBeCloseTo(0.25);
    expect(c.probability(c.rawFor(0.75))).toBeCloseTo(0.75);
    expect(
      () =>
        new Calibration([
          [0.2, 0.5],
          [0.1, 0.6],
        ]),
    ).toThrow(/increase/);
  });

  it('is what refitting on the tuning set gives (the shipped map is data from the fit, not edited)', async () => {
    const shipped = readCalibrationFile();
    const refit = await fitCalibration(loadOfacCsv(new URL('../reference/ofac/', import.meta.url).pathname).entries);
    expect(refit).toEqual(shipped);
  }, 60_000);

  it('says how often a hit is right: on a fresh set like the tuning set, hits scored about p are right about p of the time', () => {
    const set = generateEvalSet(303, 1500);
    const idx = new ScreeningIndex();
    for (const e of [...set.entries, ...loadOfacCsv(new URL('../reference/ofac/', import.meta.url).pathname).entries])
      idx.add(e);
    const bins = Array.from({ length: 5 }, () => ({ n: 0, p: 0, right: 0 }));
    for (const q of set.queries) {
      for (const h of idx.search({ name: q.name, birthDate: q.birthDate }, { threshold: 0.01, limit: 5 })) {
        const b = bins[Math.min(4, Math.floor(h.score * 5))]!;
        b.n++;
        b.p += h.score;
        b.right += h.entry.id === q.expect ? 1 : 0;
      }
    }
    const n = bins.reduce((a, b) => a + b.n, 0);
    const expectedCalibrationError = bins.reduce((a, b) => a + Math.abs(b.p - b.right), 0) / n;
    expect(n).toBeGreaterThan(1000);
    expect(expectedCalibrationError).toBeLessThan(0.03);
    expect(bins[4]!.right / bins[4]!.n).toBeGreaterThan(0.9);
  });
});

describe('screening quality', () => {
  it(`keeps precision and recall at or above 0.95 at the default threshold on a fresh labelled set`, () => {
    const set = generateEvalSet(303, 500); // neither the tuning (101) nor the benchmark's (202) seed
    const idx = new ScreeningIndex();
    for (const e of set.entries) idx.add(e);
    const q = evaluate(idx, set.queries, DEFAULT_THRESHOLD);
    expect(q.queries).toBeGreaterThan(1000);
    expect(q.precision).toBeGreaterThanOrEqual(0.95);
    expect(q.recall).toBeGreaterThanOrEqual(0.95);
  });
});

describe('batch screening on every core', () => {
  it('finds exactly what one thread finds', async () => {
    const set = generateEvalSet(404, 200);
    const idx = new ScreeningIndex();
    for (const e of set.entries) idx.add(e);
    const queries = set.queries.map((q) => ({ name: q.name, birthDate: q.birthDate }));
    const pool = await ScreeningPool.start(set.entries, 2);
    try {
      const { results } = await pool.screen(queries, { threshold: DEFAULT_THRESHOLD, limit: 5 });
      expect(results).toHaveLength(queries.length);
      results.forEach((hits, i) => {
        const single = idx.search(queries[i]!, { threshold: DEFAULT_THRESHOLD, limit: 5 });
        expect(hits.map((h) => h.id)).toEqual(single.map((h) => h.entry.id));
      });
    } finally {
      await pool.stop();
    }
  });
});
