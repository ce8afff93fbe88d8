// The sanctions lists screening runs against, read from the files their publishers
// put out: OFAC's SDN.XML (no real one ships: a current file is tens of MB and not
// available offline, so the fixtures below transcribe real entries of the shipped
// sdn.csv into SDN.XML's structure), OFAC's consolidated non-SDN list and the UN
// Security Council consolidated list (both shipped whole in reference/).
import { beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOfacCsv, loadOfacXml } from '../src/lists/ofac.js';
import { loadUnXml } from '../src/lists/un.js';
import { countryCode } from '../src/lists/countries.js';
import { ScreeningLists } from '../src/lists/registry.js';
import type { ListEntry } from '../src/resolve/screen-index.js';

const dir = mkdtempSync(join(tmpdir(), 'cp-lists-'));
const write = (name: string, content: string): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const reference = (p: string): string => fileURLToPath(new URL(`../reference/${p}`, import.meta.url));

// Four real SDN entries (sdn.csv ent_nums 7226, 15117, 15904, 4238) written as SDN.XML writes them.
const ENTRIES = [
  `  <sdnEntry>
    <uid>7226</uid>
    <firstName>Ismael</firstName>
    <lastName>ZAMBADA GARCIA</lastName>
    <sdnType>Individual</sdnType>
    <programList>
      <program>SDNTK</program>
      <program>ILLICIT-DRUGS-EO14059</program>
    </programList>
    <idList>
      <id>
        <uid>61711</uid>
        <idType>Gender</idType>
        <idNumber>Male</idNumber>
      </id>
    </idList>
    <akaList>
      <aka><uid>5174</uid><type>a.k.a.</type><category>strong</category><lastName>ZAMBADA</lastName><firstName>El Mayo</firstName></aka>
    </akaList>
    <addressList><address><uid>49244</uid><country>Mexico</country></address></addressList>
    <nationalityList><nationality><uid>4302</uid><country>Mexico</country><mainEntry>true</mainEntry></nationality></nationalityList>
    <dateOfBirthList><dateOfBirthItem><uid>4303</uid><dateOfBirth>1948</dateOfBirth><mainEntry>true</mainEntry></dateOfBirthItem></dateOfBirthList>
    <placeOfBirthList><placeOfBirthItem><uid>4304</uid><placeOfBirth>Sinaloa, Mexico</placeOfBirth><mainEntry>true</mainEntry></placeOfBirthItem></placeOfBirthList>
  </sdnEntry>`,
  `  <sdnEntry>
    <uid>15117</uid>
    <lastName>NATIONAL IRANIAN TANKER COMPANY</lastName>
    <sdnType>Entity</sdnType>
    <programList><program>IRAN</program><program>SDGT</program><program>IFSR</program><program>IFCA</program></programList>
    <idList>
      <id><uid>157001</uid><idType>Website</idType><idNumber>www.nitc.co.ir</idNumber></id>
      <id><uid>157002</uid><idType>Email Address</idType><idNumber>info@nitc.co.ir</idNumber></id>
      <id><uid>157003</uid><idType>Additional Sanctions Information -</idType><idNumber>Subject to Secondary Sanctions</idNumber></id>
    </idList>
  </sdnEntry>`,
  `  <sdnEntry>
    <uid>15904</uid>
    <lastName>DINO I</lastName>
    <sdnType>Vessel</sdnType>
    <remarks>(Linked To: NATIONAL IRANIAN TANKER COMPANY)</remarks>
    <programList><program>IRAN</program></programList>
    <idList>
      <id><uid>158001</uid><idType>Vessel Registration Identification</idType><idNumber>IMO 9569671</idNumber></id>
      <id><uid>158002</uid><idType>Former Vessel Flag</idType><idNumber>Tanzania</idNumber></id>
    </idList>
    <akaList><aka><uid>40685</uid><type>f.k.a.</type><category>strong</category><lastName>INFINITY</lastName></aka></akaList>
    <vesselInfo>
      <callSign>5IM411</callSign>
      <vesselType>Crude Oil Tanker</vesselType>
      <vesselFlag>Iran</vesselFlag>
      <vesselOwner>NITC</vesselOwner>
    </vesselInfo>
  </sdnEntry>`,
  `  <sdnEntry>
    <uid>4238</uid>
    <lastName>MAR AZUL</lastName>
    <sdnType>Vessel</sdnType>
    <programList><program>CUBA</program></programList>
    <vesselInfo>
      <callSign>CL2192</callSign>
      <vesselType>Tug</vesselType>
      <vesselFlag>Cuba</vesselFlag>
      <vesselOwner>Samir de Navegacion S.A.</vesselOwner>
      <grossRegisteredTonnage>212</grossRegisteredTonnage>
    </vesselInfo>
  </sdnEntry>`,
];

/** An SDN.XML as Treasury publishes it (CRLF line endings), with the Record_Count given. */
const sdnXml = (entries: string[], recordCount: number | null = entries.length): string =>
  [
    '<?xml version="1.0" standalone="yes"?>',
    '<sdnList xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML">',
    '  <publshInformation>',
    '    <Publish_Date>05/03/2024</Publish_Date>',
    ...(recordCount === null ? [] : [`    <Record_Count>${recordCount}</Record_Count>`]),
    '  </publshInformation>',
    ...entries,
    '</sdnList>',
  ]
    .join('\n')
    .replace(/\n/g, '\r\n');

describe('OFAC SDN.XML', () => {
  const complete = sdnXml(ENTRIES);
  const list = loadOfacXml(write('SDN.XML', complete));
  const entry = (id: string): ListEntry => list.entries.find((e) => e.id === id)!;

  it('reads every entry and the publication date', () => {
    expect(list).toMatchObject({ list: 'OFAC-SDN', publishDate: '2024-05-03' });
    expect(list.entries.map((e) => [e.id, e.kind])).toEqual([
      ['ofac-7226', 'person'],
      ['ofac-15117', 'organization'],
      ['ofac-15904', 'vessel'],
      ['ofac-4238', 'vessel'],
    ]);
  });

  it("reads Gender as the entry's gender, not as an identifier, and keeps the place of birth", () => {
    const mayo = entry('ofac-7226');
    expect(mayo.details).toMatchObject({ gender: 'Male', birthPlace: 'Sinaloa, Mexico' });
    expect(mayo.identifiers).toEqual([]);
    expect(mayo).toMatchObject({
      birthDates: ['1948'],
      countries: ['mx'],
      programs: ['SDNTK', 'ILLICIT-DRUGS-EO14059'],
    });
  });

  it('keeps facts of the idList that identify nothing as facts, and matches only on identifiers', () => {
    const nitc = entry('ofac-15117');
    expect(nitc.identifiers).toEqual(['email:info@nitc.co.ir']);
    expect(nitc.details!.facts).toEqual([
      { type: 'Website', value: 'www.nitc.co.ir' },
      { type: 'Additional Sanctions Information', value: 'Subject to Secondary Sanctions' },
    ]);
  });

  it('keeps vessel information, and the IMO number as an identifier', () => {
    expect(entry('ofac-15904')).toMatchObject({
      names: ['DINO I', 'INFINITY'],
      identifiers: ['imo:9569671'],
      details: {
        vessel: { callSign: '5IM411', vesselType: 'Crude Oil Tanker', flag: 'Iran', owner: 'NITC' },
        facts: [{ type: 'Former Vessel Flag', value: 'Tanzania' }],
      },
    });
    expect(entry('ofac-4238').details!.vessel).toEqual({
      callSign: 'CL2192',
      vesselType: 'Tug',
      flag: 'Cuba',
      owner: 'Samir de Navegacion S.A.',
      grossRegisteredTonnage: '212',
    });
  });

  it('keeps "Linked To" as a relation to the linked entry', () => {
    expect(entry('ofac-15904').details!.linkedTo).toEqual([
      { name: 'NATIONAL IRANIAN TANKER COMPANY', id: 'ofac-15117' },
    ]);
  });

  it('refuses a truncated download, saying how many entries were expected and how many read', () => {
    const cutInside = complete.slice(0, complete.indexOf('<lastName>DINO I'));
    expect(() => loadOfacXml(write('cut-inside.xml', cutInside))).toThrow(
      /Record_Count says 4 entries, 2 read; the XML breaks off .*line \d+.*download it again/,
    );
    const cutBetween = complete.slice(0, complete.indexOf('  <sdnEntry>\r\n    <uid>15904'));
    expect(() => loadOfacXml(write('cut-between.xml', cutBetween))).toThrow(/Record_Count says 4 entries, 2 read/);
    // Well-formed, but entries missing: the count alone tells.
    const short = sdnXml(ENTRIES.slice(0, 3), 4);
    expect(() => loadOfacXml(write('short.xml', short))).toThrow(
      /short\.xml: Record_Count says 4 entries, 3 read\. The file is incomplete: download it again/,
    );
    expect(() => loadOfacXml(write('no-count.xml', sdnXml(ENTRIES, null)))).toThrow(/no Record_Count/);
  });

  it('refuses an empty <sdnEntry>, or one with no name, with its line, rather than loading "ofac-undefined"', () => {
    const lines = sdnXml([ENTRIES[0]!, '  <sdnEntry>  </sdnEntry>', ENTRIES[1]!]).split('\r\n');
    const at = lines.indexOf('  <sdnEntry>  </sdnEntry>') + 1;
    expect(() => loadOfacXml(write('empty.xml', lines.join('\r\n')))).toThrow(
      new RegExp(`empty\\.xml:${at}: <sdnEntry> with no uid`),
    );
    const selfClosed = sdnXml([ENTRIES[0]!, ENTRIES[1]!, '  <sdnEntry/>']).split('\r\n');
    expect(() => loadOfacXml(write('self-closed.xml', selfClosed.join('\r\n')))).toThrow(
      new RegExp(`self-closed\\.xml:${selfClosed.indexOf('  <sdnEntry/>') + 1}: <sdnEntry> with no uid`),
    );
    const noName = sdnXml([ENTRIES[0]!, '  <sdnEntry><uid>99</uid><sdnType>Entity</sdnType></sdnEntry>']).split('\r\n');
    expect(() => loadOfacXml(write('no-name.xml', noName.join('\r\n')))).toThrow(
      new RegExp(`no-name\\.xml:${noName.length - 1}: <sdnEntry> with no name`),
    );
  });
});

describe("OFAC's legacy CSV", () => {
  it('keeps "Linked To" as a relation, vessel information, and IMO numbers from Remarks (shipped sdn.csv)', () => {
    const sdn = loadOfacCsv(reference('ofac/'));
    const byId = new Map(sdn.entries.map((e) => [e.id, e]));
    expect(byId.get('ofac-15904')).toMatchObject({
      identifiers: ['imo:9569671'],
      details: {
        vessel: { callSign: '5IM411', vesselType: 'Crude Oil Tanker', flag: 'Iran', owner: 'NITC' },
        linkedTo: [{ name: 'NATIONAL IRANIAN TANKER COMPANY', id: 'ofac-15117' }],
      },
    });
    // "Linked To: HERJEZ LTDA." loses its final period to the sentence; the link still finds HERJEZ LTDA.
    expect(byId.get('ofac-11812')!.details!.linkedTo).toEqual([{ name: 'HERJEZ LTDA', id: 'ofac-11862' }]);
    expect(byId.get('ofac-11862')!.details!.name).toBe('HERJEZ LTDA.');
    const links = sdn.entries.flatMap((e) => (e.details!.linkedTo as { id?: string }[] | undefined) ?? []);
    expect(links.length).toBe(6380);
    expect(links.filter((l) => l.id).length).toBe(6372); // the other 8 name parties not on this list
  });

  it('refuses a row with no ent_num or no name, with its line, rather than dropping it', () => {
    const d = mkdtempSync(join(dir, 'csv-'));
    writeFileSync(
      join(d, 'sdn.csv'),
      '7226,"ZAMBADA GARCIA, Ismael","individual","SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 1948."\r\n' +
        '7227,-0- ,"individual","SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\u001a',
    );
    expect(() => loadOfacCsv(d)).toThrow(/sdn\.csv:2: an entry with no name/);
  });

  it('reads the consolidated non-SDN list (cons_*.csv) as its own list', () => {
    const cons = loadOfacCsv(reference('ofac/nonsdn/'), { set: 'nonsdn', publishDate: '2025-12' });
    expect(cons).toMatchObject({ list: 'OFAC-NON-SDN', publishDate: '2025-12' });
    expect(cons.entries).toHaveLength(442);
    expect(cons.entries.filter((e) => e.kind === 'person')).toHaveLength(79);
    const programs = new Set(cons.entries.flatMap((e) => e.programs ?? []));
    for (const p of ['NS-PLC', 'UKRAINE-EO13662', 'CMIC-EO13959', 'RUSSIA-EO14024']) expect(programs).toContain(p);
    expect(cons.entries.find((e) => e.id === 'ofac-nonsdn-50476')).toMatchObject({
      list: 'OFAC-NON-SDN',
      names: expect.arrayContaining(['MARTELLY, Michel Joseph', 'Michel Joseph MARTELLY', 'Sweet Micky']),
      birthDates: ['1961-02-12'],
      programs: ['ILLICIT-DRUGS-EO14059'],
      details: { gender: 'Male', birthPlace: 'Port-au-Prince, Haiti' },
    });
  });
});

describe('UN Security Council consolidated list', () => {
  const un = loadUnXml(reference('un/UN_consolidated.xml'));
  const entry = (ref: string): ListEntry => un.entries.find((e) => e.id === `un-${ref}`)!;

  it('loads all 730 individuals and 273 entities, dated 2026-02-27', () => {
    expect(un).toMatchObject({ list: 'UN-SC', publishDate: '2026-02-27' });
    expect(un.entries.filter((e) => e.kind === 'person')).toHaveLength(730);
    expect(un.entries.filter((e) => e.kind === 'organization')).toHaveLength(273);
    expect(new Set(un.entries.map((e) => e.id)).size).toBe(1003);
  });

  it('skips the empty alias placeholders and keeps "Low" quality aliases out of matching', () => {
    expect(un.entries.every((e) => e.names.every((n) => n.trim()))).toBe(true);
    // CDi.001 has only the placeholder <QUALITY/><ALIAS_NAME/>.
    expect(entry('CDi.001').names).toEqual(['ERIC BADEGE']);
    expect(entry('CDi.003')).toMatchObject({
      names: ['GASTON IYAMUREMYE', 'Byiringiro Victor Rumuli', 'Victor Rumuri', 'Michel Byiringiro'],
      details: { weakAliases: ['Rumuli'] },
    });
    expect(un.entries.reduce((n, e) => n + ((e.details!.weakAliases as string[] | undefined)?.length ?? 0), 0)).toBe(
      615,
    );
  });

  it('reads names in original script, dates given as DATE, YEAR or FROM_YEAR/TO_YEAR, and free text without its line breaks', () => {
    expect(entry('QDi.290')).toMatchObject({
      names: expect.arrayContaining(['DOKU KHAMATOVICH UMAROV', 'Умаров Доку Хаматович']),
      birthDates: ['1964-04-13', '1965-04-13', '1964-05-12', '1955'],
      countries: ['ru'],
      programs: ['Al-Qaida'],
    });
    expect(entry('IQi.001').names).toEqual(['SADDAM HUSSEIN AL-TIKRITI', 'صدام حسين التكريتي']);
    expect(un.entries.filter((e) => e.details!.originalScriptName)).toHaveLength(378);
    expect(entry('CDi.001')).toMatchObject({ birthDates: ['1971'], details: { gender: 'Male' } });
    expect(entry('CDi.030')).toMatchObject({
      birthDates: ['1973', '1974'],
      details: { birthDates: ['between 1973 and 1974'] },
    });
    expect(entry('CDi.014').details!.birthDates).toEqual(['1962-03-17', 'approximately 1966']);
    const remarks = entry('CDi.002').details!.remarks as string;
    expect(remarks).toContain('on behalf of the DRC government’s Programme de Stabilisation');
    expect(un.entries.some((e) => /\n/.test(String(e.details!.remarks ?? '')))).toBe(false);
    expect(entry('CDi.003').details).toMatchObject({
      birthPlace: 'Musanze District, Northern Province, Rwanda',
      designation: 'FDLR Interim President; FDLR-FOCA 1st Vice-President; FDLR-FOCA Major General',
    });
    expect(entry('CFi.001').identifiers).toEqual(['passport:D00002264', 'nationalId:M4800002143743']);
    // The UN's names for countries.
    for (const [name, code] of [
      ["Democratic People's Republic of Korea", 'kp'],
      ['Iran (Islamic Republic of)', 'ir'],
      ['United Kingdom of Great Britain and Northern Ireland', 'gb'],
      ['United Republic of Tanzania', 'tz'],
      ['State of Palestine', 'ps'],
      ['Türkiye', 'tr'],
      ['China, Hong Kong Special Administrative Region', 'hk'],
      ['Democratic Republic of the Congo', 'cd'],
    ])
      expect(countryCode(name!), name).toBe(code);
    expect(entry('KPi.066').countries).toEqual(['kp']);
  });

  it('refuses a truncated file, or an entry with no reference number or name, with the line', () => {
    const xml = readFileSync(reference('un/UN_consolidated.xml'), 'utf8');
    expect(() => loadUnXml(write('un-cut.xml', xml.slice(0, 100_000)))).toThrow(
      /un-cut\.xml: the XML breaks off or is damaged \(line \d+: .*\)\. Download it again/,
    );
    const lines = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z">',
      '  <INDIVIDUALS>',
      '    <INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>ERIC</FIRST_NAME><SECOND_NAME>BADEGE</SECOND_NAME><REFERENCE_NUMBER>CDi.001</REFERENCE_NUMBER></INDIVIDUAL>',
      '    <INDIVIDUAL><DATAID>2</DATAID><FIRST_NAME>NO REFERENCE</FIRST_NAME></INDIVIDUAL>',
      '  </INDIVIDUALS>',
      '  <ENTITIES>',
      '    <ENTITY><DATAID>3</DATAID><REFERENCE_NUMBER>CDe.001</REFERENCE_NUMBER><FIRST_NAME/></ENTITY>',
      '  </ENTITIES>',
      '</CONSOLIDATED_LIST>',
    ];
    expect(() => loadUnXml(write('un-noref.xml', lines.join('\n')))).toThrow(
      /un-noref\.xml:5: <INDIVIDUAL> with no REFERENCE_NUMBER/,
    );
    lines.splice(4, 1);
    expect(() => loadUnXml(write('un-noname.xml', lines.join('\n')))).toThrow(
      /un-noname\.xml:7: <ENTITY> with no name/,
    );
    expect(() => loadUnXml(write('not-un.xml', '<sdnList/>'))).toThrow(/not a UN Security Council consolidated list/);
  });
});

describe('the screening lists together', () => {
  let lists: ScreeningLists;
  beforeAll(() => {
    lists = ScreeningLists.load();
  }, 120_000);
  const top = (name: string) => lists.screen({ name }, { limit: 5 });

  it('name each list with its publication date, source and counts', () => {
    expect(lists.lists).toEqual([
      expect.objectContaining({
        list: 'OFAC-SDN',
        publishDate: '2024-05-03',
        entries: 14965,
        drugProgramEntries: 1714,
        byKind: { person: 6854, organization: 6884, vessel: 851, aircraft: 376 },
      }),
      expect.objectContaining({
        list: 'OFAC-NON-SDN',
        name: 'OFAC Consolidated Sanctions List (non-SDN)',
        publishDate: '2025-12',
        source: expect.stringContaining('reference/ofac/nonsdn'),
        entries: 442,
        byKind: { person: 79, organization: 363 },
      }),
      expect.objectContaining({
        list: 'UN-SC',
        name: 'UN Security Council Consolidated Sanctions List',
        publishDate: '2026-02-27',
        source: expect.stringContaining('reference/un/UN_consolidated.xml'),
        entries: 1003,
        byKind: { person: 730, organization: 273 },
      }),
    ]);
  });

  it('find real UN names, in Latin and in original script, with the list each hit comes from', () => {
    const cyrillic = top('Умаров Доку Хаматович')[0]!;
    expect([cyrillic.entry.list, cyrillic.entry.id]).toEqual(['UN-SC', 'un-QDi.290']);
    const arabic = top('صدام حسين التكريتي')[0]!;
    expect([arabic.entry.list, arabic.entry.id]).toEqual(['UN-SC', 'un-IQi.001']);
    // The same people are on OFAC's list too: both listings answer, each naming its list.
    const latin = top('Saddam Hussein al-Tikriti').map((h) => [h.entry.list, h.entry.id]);
    expect(latin.slice(0, 2)).toEqual(
      expect.arrayContaining([
        ['UN-SC', 'un-IQi.001'],
        ['OFAC-SDN', 'ofac-7843'],
      ]),
    );
    expect(top('Doku Umarov').map((h) => h.entry.id)).toEqual(expect.arrayContaining(['un-QDi.290', 'ofac-12110']));
    expect(top('Allied Democratic Forces').map((h) => h.entry.id)).toContain('un-CDe.001');
    expect(top('Bosco Ntaganda').map((h) => h.entry.id)).toEqual(['ofac-11973', 'un-CDi.030']);
    // The UN lists him as born between 1973 and 1974: either year agrees.
    const bosco = lists.screen({ name: 'Bosco Ntaganda', birthDate: '1974' }).find((h) => h.entry.id === 'un-CDi.030');
    expect(bosco!.explanation.birthDate).toMatchObject({ result: 'match', matched: '1974' });
  });

  it('find names of the non-SDN list, and an entry on both OFAC lists once per list', () => {
    expect(top('Michel Joseph Martelly')[0]!.entry).toMatchObject({ list: 'OFAC-NON-SDN', id: 'ofac-nonsdn-50476' });
    const vtb = top('VTB Bank Public Joint Stock Company').map((h) => [h.entry.list, h.entry.id]);
    expect(vtb.slice(0, 2)).toEqual(
      expect.arrayContaining([
        ['OFAC-SDN', 'ofac-17013'],
        ['OFAC-NON-SDN', 'ofac-nonsdn-17013'],
      ]),
    );
  });
});

describe('the shipped list files', () => {
  const sha256 = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');
  it('are the published files unmodified (checksums in each list.json)', () => {
    for (const d of ['ofac/', 'ofac/nonsdn/', 'un/']) {
      const meta = JSON.parse(readFileSync(reference(`${d}list.json`), 'utf8')) as { sha256: Record<string, string> };
      for (const [f, sum] of Object.entries(meta.sha256))
        expect(sha256(reference(d + f)).startsWith(sum), d + f).toBe(true);
    }
  });
});
