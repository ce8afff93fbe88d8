// Watchlist nominations, review, equities, downgrade, screening encounters and redress, on both backends.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backends, auth, apiSuite } from './helpers.js';
import { downgrade, type DowngradeRule } from '../src/watchlist/downgrade.js';

describe('downgrade by rule', () => {
  const rule: DowngradeRule = {
    marking: 'U//LES',
    usPersonMarking: 'U//LES/NOFORN',
    fields: ['names', 'birthDates', 'identifiers'],
    identifierKinds: ['passport', 'phone'],
    usPersonIdentifierKinds: ['passport'],
  };
  it('releases only the fields and identifier kinds the rule names, and says what it withheld', () => {
    const r = downgrade(
      {
        subjectKind: 'person',
        names: ['Ana Ruiz'],
        birthDates: ['1980'],
        nationalities: ['mx'],
        identifiers: ['passport:G123', 'phone:+5215550000', 'iban:DE89370400440532013000'],
        usPerson: false,
      },
      rule,
    );
    expect(r).toEqual({
      names: ['Ana Ruiz'],
      birthDates: ['1980'],
      nationalities: [],
      identifiers: ['passport:G123', 'phone:+5215550000'],
      marking: 'U//LES',
      dropped: ['identifier iban', 'nationalities'],
    });
    const us = downgrade(
      {
        subjectKind: 'person',
        names: ['Ann Roe'],
        birthDates: [],
        nationalities: [],
        identifiers: ['passport:X1', 'phone:+16195550000'],
        usPerson: true,
      },
      rule,
    );
    expect(us).toMatchObject({ identifiers: ['passport:X1'], marking: 'U//LES/NOFORN', dropped: ['identifier phone'] });
  });

  it('never lets anything but identifying fields cross, whatever the rule', () => {
    const field = fc.constantFrom('names', 'birthDates', 'nationalities', 'identifiers') as fc.Arbitrary<'names'>;
    fc.assert(
      fc.property(
        fc.uniqueArray(field, { minLength: 0, maxLength: 4 }),
        fc.array(fc.constantFrom('passport', 'phone', 'email', 'iban')),
        fc.boolean(),
        (fields, kinds, us) => {
          const r = { ...rule, fields: ['names' as const, ...fields], identifierKinds: kinds };
          const out = downgrade(
            {
              subjectKind: 'person',
              names: ['X Y'],
              birthDates: ['1990'],
              nationalities: ['mx'],
              identifiers: ['passport:P1', 'email:a@b.cc'],
              usPerson: us,
            },
            r,
          );
          expect(Object.keys(out).sort()).toEqual([
            'birthDates',
            'dropped',
            'identifiers',
            'marking',
            'names',
            'nationalities',
          ]);
          for (const id of out.identifiers)
            expect((us ? r.usPersonIdentifierKinds : kinds).includes(id.split(':')[0]!)).toBe(true);
        },
      ),
    );
  });
});

for (const backend of backends) {
  describe(`watchlist nominations (${backend.name})`, () => {
    const api = apiSuite(backend, {
      nominator: { username: 'dea.analyst', agency: 'DEA', clearance: 'S', roles: ['analyst'] },
      reviewer: { username: 'tsc.reviewer', agency: 'FBI', clearance: 'TS', roles: ['watchlist_reviewer'] },
      caseAgent: { username: 'hsi.case', agency: 'HSI', clearance: 'S', roles: ['case_agent'] },
      screener: { username: 'cbp.screener', agency: 'CBP', clearance: 'U', roles: ['screener'] },
      partner: { username: 'fgr.screener', agency: 'FGR', clearance: 'S', roles: ['screener'], country: 'MEX' },
    });
    const BASIS =
      'Confidential source reporting (DEA-6 of 2031-01-03) places the subject as the broker of 4-AP shipments from Wuhan to Manzanillo.';
    const get = async (url: string, token: string) => (await api.app.inject({ url, headers: auth(token) })).json();
    const nomination = (o: Record<string, unknown> = {}) => ({
      subjectKind: 'person',
      names: ['Zhang Wei', '张伟'],
      birthDates: ['1979-05-02'],
      nationalities: ['cn'],
      identifiers: [
        { kind: 'passport', value: 'E12345678' },
        { kind: 'phone', value: '+86 138 0013 8000' },
      ],
      usPerson: false,
      categories: ['precursor supply'],
      basis: BASIS,
      marking: 'S//NOFORN',
      ...o,
    });
    let wl: { id: number; reference: string };

    it('checks the criteria and identifiers, naming what is missing', async () => {
      const thin = await api.post(
        '/watchlist/nominations',
        api.token.nominator,
        nomination({
          birthDates: [],
          nationalities: [],
          identifiers: [],
          basis: 'bad guy',
          categories: ['jaywalking'],
        }),
      );
      expect(thin.statusCode).toBe(422);
      expect(thin.json().error).toMatch(
        /minimum identifying data.*basis: state the derogatory information.*categories: .*not: jaywalking/,
      );
      expect(
        (
          await api.post(
            '/watchlist/nominations',
            api.token.nominator,
            nomination({ identifiers: [{ kind: 'container', value: 'MSCU1234560' }] }),
          )
        ).json().error,
      ).toMatch(/identifiers\[0\]: container: .*ISO 6346/);
      expect((await api.post('/watchlist/nominations', api.token.screener, nomination())).statusCode).toBe(403);
      expect(
        (await api.post('/watchlist/nominations', api.token.nominator, nomination({ marking: 'TS//NOFORN' })))
          .statusCode,
      ).toBe(403); // above the nominator's own clearance
    });

    it('lets a nominator mark a nomination as owned by their own agency only', async () => {
      const count = async () =>
        (await api.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM nominations'))[0]!.n;
      const before = await count();
      // DEA may read S//NOFORN//OWNER FBI but may not claim it for the FBI: ORCON, PROPIN and release follow the owner.
      const asFbi = await api.post(
        '/watchlist/nominations',
        api.token.nominator,
        nomination({ marking: 'S//NOFORN//OWNER FBI' }),
      );
      expect(asFbi.statusCode).toBe(403);
      expect(asFbi.json().error).toMatch(
        /marking owner FBI: you may only mark a nomination as owned by your agency \(DEA\)/,
      );
      expect(await count()).toBe(before);
    });

    it('goes through review: more information asked and given, then accepted', async () => {
      const r = await api.post('/watchlist/nominations', api.token.nominator, nomination());
      expect(r.statusCode).toBe(201);
      wl = r.json();
      expect(wl.reference).toMatch(/^WL-[0-9A-F]{10}$/);
      expect(
        (
          await api.post(`/watchlist/nominations/${wl.id}/review`, api.token.nominator, {
            decision: 'accept',
            note: 'x',
          })
        ).statusCode,
      ).toBe(403);
      expect(
        (
          await api.post(`/watchlist/nominations/${wl.id}/review`, api.token.reviewer, {
            decision: 'request_more',
            note: 'Add the company he brokers for.',
          })
        ).json().status,
      ).toBe('more_info');
      expect(
        (await get('/notifications', api.token.nominator)).some((n: { message: string }) =>
          /asks for more information: Add the company/.test(n.message),
        ),
      ).toBe(true);
      expect(
        (
          await api.post(`/watchlist/nominations/${wl.id}/amend`, api.token.nominator, {
            basis: 'He brokers for Wuhan Yuanhang Chemical Co., Ltd.',
          })
        ).statusCode,
      ).toBe(200);
      // An open HSI case holds his phone: the case owner is asked before the listing goes active.
      const c = (
        await api.post('/cases', api.token.caseAgent, {
          caseNumber: 'HSI-31-77',
          title: 'Manzanillo precursor flows',
          contactName: 'SA Diaz',
          contactPhone: '+1 213 555 0101',
        })
      ).json();
      await api.post(`/cases/${c.id}/targets`, api.token.caseAgent, {
        targets: [{ kind: 'phone', value: '+86 138 0013 8000' }],
      });
      const accepted = await api.post(`/watchlist/nominations/${wl.id}/review`, api.token.reviewer, {
        decision: 'accept',
        note: 'Meets the criteria.',
      });
      expect(accepted.json()).toEqual({ status: 'pending_deconfliction', casesAsked: 1 });
      const asked = (await get('/notifications', api.token.caseAgent)).find(
        (n: { kind: string }) => n.kind === 'watchlist.equities',
      );
      expect(asked.message).toMatch(
        new RegExp(`\\(${wl.reference}\\) concerns a target of your case HSI-31-77 \\(same phone\\)`),
      );
      expect(JSON.stringify(asked)).not.toContain('4-AP'); // the basis stays with the watchlist center
      // Not yet screenable.
      expect(
        (await api.post('/screen', api.token.screener, { name: 'Zhang Wei', birthDate: '1979-05-02' })).json()
          .watchlist,
      ).toEqual([]);
      expect(
        (
          await api.post(`/watchlist/nominations/${wl.id}/equities`, api.token.caseAgent, {
            caseId: c.id,
            response: 'no objection',
            note: 'Arrest planned anyway; list him.',
          })
        ).statusCode,
      ).toBe(200);
      const n = await get(`/watchlist/nominations/${wl.id}`, api.token.reviewer);
      expect(n.status).toBe('active');
      expect(n.history.map((h: { action: string }) => h.action)).toEqual([
        'nominate',
        'request_more',
        'amend',
        'accept',
        'equities.clear',
        'activate',
      ]);
      expect(n.screeningRecord).toEqual({
        names: ['Zhang Wei', '张伟'],
        birthDates: ['1979-05-02'],
        nationalities: ['cn'],
        identifiers: ['passport:E12345678', 'phone:+8613800138000'],
        marking: 'U//LES',
      });
    });

    it('tells a screener only "possible match: contact the watchlist center", and logs the encounter', async () => {
      const r = await api.post('/screen', api.token.screener, { name: 'ZHANG, Wei', birthDate: '1979-05-02' });
      expect(r.statusCode).toBe(200);
      const w = r.json().watchlist;
      expect(w).toEqual([
        { result: 'possible match: contact the watchlist center', encounter: expect.stringMatching(/^ENC-/) },
      ]);
      // The encounter reference is random hex, which can spell "DEA" by chance (a CI run saw ENC-DEA131284B).
      const shown = r.body.replaceAll(w[0].encounter, 'ENC-');
      for (const secret of ['4-AP', wl.reference, 'precursor supply', 'Wuhan', 'S//NOFORN', 'DEA'])
        expect(shown).not.toContain(secret);
      expect((await api.post('/screen', api.token.screener, { name: '张伟' })).json().watchlist).toHaveLength(1); // Hanzi too
      const logged = await get(`/watchlist/encounters?nomination=${wl.id}`, api.token.reviewer);
      expect(logged.map((e: { outcome: string; agency: string }) => [e.outcome, e.agency])).toEqual([
        ['possible match', 'CBP'],
        ['possible match', 'CBP'],
      ]);
      expect(
        (await api.app.inject({ url: '/watchlist/encounters', headers: auth(api.token.screener) })).statusCode,
      ).toBe(403);
      expect(
        (await api.app.inject({ url: `/watchlist/nominations/${wl.id}`, headers: auth(api.token.screener) }))
          .statusCode,
      ).toBe(404);
    });

    it('does not stop again a person the watchlist center cleared as a false positive', async () => {
      const stopped = await api.post('/screen', api.token.screener, { name: 'Zhang Wei', birthDate: '1979-05-02' });
      const enc = stopped.json().watchlist[0].encounter;
      expect(
        (
          await api.post(`/watchlist/encounters/${enc}/resolve`, api.token.reviewer, {
            outcome: 'false positive',
            note: 'Different man: a student from Chengdu, passport checked.',
          })
        ).statusCode,
      ).toBe(200);
      expect(
        (await api.post('/screen', api.token.screener, { name: 'Zhang Wei', birthDate: '1979-05-02' })).json()
          .watchlist,
      ).toEqual([]);
      const logged = await get(`/watchlist/encounters?nomination=${wl.id}`, api.token.reviewer);
      expect(logged[0].outcome).toBe('previously cleared'); // still logged
      expect(
        (await api.post('/screen', api.token.screener, { name: 'Zhang Wei', birthDate: '1979' })).json().watchlist,
      ).toHaveLength(1); // another fingerprint is stopped
    });

    it("keeps a U.S. person's record to the identifiers the rule allows, and from foreign partners", async () => {
      const r = (
        await api.post(
          '/watchlist/nominations',
          api.token.nominator,
          nomination({
            names: ['Brandon Tyler Miller'],
            nationalities: ['us'],
            usPerson: true,
            birthDates: ['1991-07-04'],
            identifiers: [
              { kind: 'passport', value: '561234567' },
              { kind: 'phone', value: '+1 602 555 0147' },
            ],
          }),
        )
      ).json();
      await api.post(`/watchlist/nominations/${r.id}/review`, api.token.reviewer, { decision: 'accept', note: 'ok' });
      const n = await get(`/watchlist/nominations/${r.id}`, api.token.reviewer);
      expect(n.screeningRecord).toMatchObject({ identifiers: ['passport:561234567'], marking: 'U//LES/NOFORN' });
      expect(
        (await api.post('/screen', api.token.screener, { name: 'Brandon Miller', birthDate: '1991-07-04' })).json()
          .watchlist,
      ).toHaveLength(1);
      expect(
        (await api.post('/screen', api.token.partner, { name: 'Brandon Miller', birthDate: '1991-07-04' })).json()
          .watchlist,
      ).toEqual([]);
    });

    it('returns a nomination to review when a case owner objects, and removes a listing with its reason', async () => {
      const c = (
        await api.post('/cases', api.token.caseAgent, {
          caseNumber: 'HSI-31-78',
          title: 'x',
          contactName: 'SA Diaz',
          contactPhone: '+1 213 555 0101',
        })
      ).json();
      await api.post(`/cases/${c.id}/targets`, api.token.caseAgent, {
        targets: [{ kind: 'person', value: 'Li Qiang', birthDate: '1985-02-11' }],
      });
      const r = (
        await api.post(
          '/watchlist/nominations',
          api.token.nominator,
          nomination({ names: ['LI Qiang'], birthDates: ['1985-02-11'], identifiers: [] }),
        )
      ).json();
      expect(
        (
          await api.post(`/watchlist/nominations/${r.id}/review`, api.token.reviewer, {
            decision: 'accept',
            note: 'ok',
          })
        ).json().casesAsked,
      ).toBe(1);
      await api.post(`/watchlist/nominations/${r.id}/equities`, api.token.caseAgent, {
        caseId: c.id,
        response: 'object',
        note: 'Listing now would tip off an undercover operation.',
      });
      expect((await get(`/watchlist/nominations/${r.id}`, api.token.reviewer)).status).toBe('pending_review');
      expect(
        (await get('/notifications', api.token.reviewer)).some(
          (n: { kind: string }) => n.kind === 'watchlist.objection',
        ),
      ).toBe(true);
      expect(
        (await api.post(`/watchlist/nominations/${wl.id}/remove`, api.token.reviewer, { reason: 'short' })).statusCode,
      ).toBe(400);
      expect(
        (
          await api.post(`/watchlist/nominations/${wl.id}/remove`, api.token.reviewer, {
            reason: 'Redress review: identity confusion with a namesake.',
          })
        ).statusCode,
      ).toBe(200);
      expect(
        (await api.post('/screen', api.token.screener, { name: 'Zhang Wei', birthDate: '1979' })).json().watchlist,
      ).toEqual([]);
      const [audit] = await api.store.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM audit_log WHERE action LIKE 'watchlist.%'",
      );
      expect(audit!.n).toBeGreaterThan(10);
    });

    it('takes redress requests without sign-in, and answers status without confirming or denying a listing', async () => {
      const filed = await api.app.inject({
        method: 'POST',
        url: '/redress',
        payload: {
          name: 'Zhang Wei',
          birthDate: '1979-05-02',
          contact: 'zw@example.org',
          details: 'I was questioned at San Ysidro twice.',
        },
      });
      expect(filed.statusCode).toBe(201);
      const other = (
        await api.app.inject({
          method: 'POST',
          url: '/redress',
          payload: { name: 'Pablo Kowalski', contact: 'pk@example.org', details: 'Delayed at LAX.' },
        })
      ).json();
      const a = (await api.app.inject({ url: `/redress/${filed.json().controlNumber}` })).json();
      const b = (await api.app.inject({ url: `/redress/${other.controlNumber}` })).json();
      expect(Object.keys(a)).toEqual(Object.keys(b));
      expect(a.status).toBe(b.status);
      expect(a.notice).toMatch(/neither confirms nor denies/);
      expect((await api.app.inject({ url: '/redress/RDR-XXXXX-XXXXX' })).statusCode).toBe(404);
      expect(
        (await api.post(`/redress/${other.controlNumber}/status`, api.token.screener, { status: 'closed', note: 'x' }))
          .statusCode,
      ).toBe(403);
      expect(
        (
          await api.post(`/redress/${other.controlNumber}/status`, api.token.reviewer, {
            status: 'under review',
            note: 'Checking',
          })
        ).statusCode,
      ).toBe(200);
    });
  });
}
