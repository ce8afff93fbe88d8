// The access property tests can fail: each clause of the rule, weakened in SQL (the
// readable_markings view, swapped into a scratch PGlite store) or dropped from canRead
// (ACCESS_CLAUSES), is caught by the agreement property SQL == canRead over the
// generated cases, and the test prints the case that kills it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { ACCESS_CLAUSES, canRead, formatMarking, type Marking, type ReaderAccess } from '../src/domain/markings.js';
import type { Store } from '../src/store/store.js';
import { memoryStore } from './helpers.js';
import { agreement, Disagreement } from './access-cases.js';

/** The view as the migration creates it (comments dropped: one of them holds a semicolon). */
const VIEW = /CREATE VIEW readable_markings AS[^;]*;/.exec(
  readFileSync(new URL('../src/store/migrations/001_init.sql', import.meta.url), 'utf8').replace(/--[^\n]*/g, ''),
)![0];

/** Weakenings of the SQL rule: each replaces one exact piece of the view's text. */
const SQL_MUTANTS: { clause: string; from: string; to: string }[] = [
  { clause: 'clearance dropped', from: "m.level <= current_setting('cp.level')::int", to: 'true' },
  {
    clause: 'clearance: <= becomes <= level + 1',
    from: "m.level <= current_setting('cp.level')::int",
    to: "m.level <= current_setting('cp.level')::int + 1",
  },
  {
    clause: 'groups dropped',
    from: "m.compartments <@ string_to_array(current_setting('cp.groups'), ',')",
    to: 'true',
  },
  { clause: 'groups: all (<@) becomes any (&&)', from: 'm.compartments <@', to: 'm.compartments &&' },
  {
    clause: 'groups: all becomes any, or none',
    from: "m.compartments <@ string_to_array(current_setting('cp.groups'), ',')",
    to: "(cardinality(m.compartments) = 0 OR m.compartments && string_to_array(current_setting('cp.groups'), ','))",
  },
  { clause: 'LES dropped', from: "(NOT ('LES' = ANY (m.caveats)) OR current_setting('cp.le') = '1')", to: 'true' },
  {
    clause: 'LES tested against government',
    from: "current_setting('cp.le') = '1'",
    to: "current_setting('cp.gov') = '1'",
  },
  { clause: 'FOUO dropped', from: "(NOT ('FOUO' = ANY (m.caveats)) OR current_setting('cp.gov') = '1')", to: 'true' },
  {
    clause: 'FOUO tested against law enforcement',
    from: "(NOT ('FOUO' = ANY (m.caveats)) OR current_setting('cp.gov') = '1')",
    to: "(NOT ('FOUO' = ANY (m.caveats)) OR current_setting('cp.le') = '1')",
  },
  {
    clause: 'PROPIN dropped',
    from: "(NOT ('PROPIN' = ANY (m.caveats)) OR current_setting('cp.gov') = '1' OR m.owner = current_setting('cp.agency'))",
    to: 'true',
  },
  {
    clause: 'PROPIN: any agency as owner',
    from: "current_setting('cp.gov') = '1' OR m.owner = current_setting('cp.agency'))",
    to: "current_setting('cp.gov') = '1' OR m.owner IS NOT NULL)",
  },
  {
    clause: 'PROPIN: the owner alternative dropped',
    from: " OR m.owner = current_setting('cp.agency'))\n  AND (NOT ('ORCON'",
    to: ")\n  AND (NOT ('ORCON'",
  },
  {
    clause: 'ORCON dropped',
    from: "(NOT ('ORCON' = ANY (m.caveats)) OR m.owner = current_setting('cp.agency') OR current_setting('cp.agency') = ANY (m.orcon_to))",
    to: 'true',
  },
  {
    clause: 'ORCON: ORCON TO ignored (any approved list)',
    from: "current_setting('cp.agency') = ANY (m.orcon_to)",
    to: 'cardinality(m.orcon_to) > 0',
  },
  {
    clause: 'ORCON: the ORCON TO alternative dropped',
    from: " OR current_setting('cp.agency') = ANY (m.orcon_to)",
    to: '',
  },
  { clause: 'NOFORN dropped', from: "NOT ('NOFORN' = ANY (m.caveats))\n           AND ", to: '' },
  { clause: 'REL TO dropped', from: "current_setting('cp.country') = ANY (m.rel_to) OR ", to: 'true OR ' },
  {
    clause: 'REL TO: any REL TO list releases',
    from: "current_setting('cp.country') = ANY (m.rel_to)",
    to: 'cardinality(m.rel_to) > 0',
  },
  {
    clause: 'public: any level without caveats',
    from: '(m.level = 0 AND cardinality(m.caveats) = 0)',
    to: '(cardinality(m.caveats) = 0)',
  },
  {
    clause: 'public: unclassified with caveats',
    from: '(m.level = 0 AND cardinality(m.caveats) = 0)',
    to: '(m.level = 0)',
  },
  { clause: 'foreign readers treated as US', from: "current_setting('cp.country') = 'USA'\n", to: 'true\n' },
  { clause: 'US readers treated as foreign', from: "current_setting('cp.country') = 'USA'\n       OR ", to: '' },
];

const describeCase = (e: Disagreement) =>
  `${formatMarking(e.marking)} read by ${JSON.stringify(e.reader)}: SQL ${e.sql ? 'shows' : 'hides'} it, canRead ${e.sql ? 'hides' : 'shows'} it`;

describe('the access property tests catch every weakened clause (PGlite)', () => {
  let store: Store;
  beforeAll(async () => {
    store = await memoryStore();
  });
  afterAll(() => store.close());

  const setView = (sql: string) => store.db.exec(sql.replace('CREATE VIEW', 'CREATE OR REPLACE VIEW'));

  /** Runs the agreement property against `rule`; the disagreement it finds, if any. */
  async function counterexample(rule: (r: ReaderAccess, m: Marking) => boolean): Promise<Disagreement | undefined> {
    const out = await fc.check(agreement(store, rule), { numRuns: 400, endOnFailure: true });
    if (!out.failed) return undefined;
    if (!(out.errorInstance instanceof Disagreement)) throw out.errorInstance; // a broken mutant or harness, not a kill
    return out.errorInstance;
  }

  it("the unmutated view and canRead agree (so a failure below is the mutant's)", async () => {
    expect(await counterexample(canRead)).toBeUndefined();
  });

  for (const m of SQL_MUTANTS) {
    it(`SQL: ${m.clause}`, async () => {
      expect(VIEW.split(m.from).length - 1, `"${m.from}" once in the view`).toBe(1);
      await setView(VIEW.replace(m.from, m.to));
      try {
        const found = await counterexample(canRead);
        expect(found, `mutant "${m.clause}" survives`).toBeDefined();
        console.log(`killed SQL mutant "${m.clause}": ${describeCase(found!)}`);
      } finally {
        await setView(VIEW);
      }
    });
  }

  for (const dropped of ACCESS_CLAUSES) {
    it(`canRead: clause ${dropped.name} dropped`, async () => {
      const found = await counterexample((r, m) => ACCESS_CLAUSES.every((c) => c === dropped || c.holds(r, m)));
      expect(found, `canRead without ${dropped.name} survives`).toBeDefined();
      console.log(`killed canRead without "${dropped.name}": ${describeCase(found!)}`);
    });
  }
});
