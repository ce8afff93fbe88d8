// Key-node analysis through the API, over the demo scenario, inside each reader's marking scope.
import { describe, expect, it } from 'vitest';
import { backends, auth, apiSuite } from './helpers.js';
import { loadScenario } from '../src/scenario/load.js';
import { projectGraph, GraphTooLargeError } from '../src/graph/project.js';
import { SYSTEM } from '../src/store/write.js';

for (const backend of backends) {
  describe(`key-node analysis (${backend.name})`, () => {
    const api = apiSuite(
      backend,
      {
        dea: { username: 'dea.an', agency: 'DEA', clearance: 'S', roles: ['analyst'], groups: ['OCDETF'] },
        fgr: { username: 'fgr.li', agency: 'FGR', clearance: 'S', roles: ['partner'], country: 'MEX' },
      },
      async (store) => {
        await loadScenario(store, { seed: 5, networks: 4 });
      },
    );
    const get = async (url: string, token: string) => (await api.app.inject({ url, headers: auth(token) })).json();
    const visibleTo = async (agency: string, country: string) =>
      new Set(
        (
          await api.store.read(
            {
              ...SYSTEM,
              agency,
              country,
              clearance: 'S',
              groups: agency === 'DEA' ? ['OCDETF'] : [],
              lawEnforcement: true,
              government: true,
            },
            (tx) => tx.query<{ id: string }>('SELECT id FROM entities'),
          )
        ).map((r) => r.id),
      );

    it('ranks nodes of the minimum supply cut near the top, and says why each ranks', async () => {
      const r = await get('/graph/ranking?top=10&merges=suggested', api.token.dea);
      expect(r.maxFlow).toBeGreaterThan(0);
      const cutNode = r.targets.slice(0, 5).find((t: { inMinimumCut: boolean }) => t.inMinimumCut);
      expect(cutNode.why.join(' ')).toMatch(/minimum cut between \d+ precursor sources and \d+ retail outlets/);
      for (const t of r.targets) expect(t.why.length).toBeGreaterThan(0);
      expect(r.targets.map((t: { schema: string }) => t.schema)).toContain('Company');
    });

    it('analyses only what the reader may see', async () => {
      for (const [token, agency, country] of [
        [api.token.dea, 'DEA', 'USA'],
        [api.token.fgr, 'FGR', 'MEX'],
      ] as const) {
        const visible = await visibleTo(agency, country);
        const r = await get('/graph/measures?measure=pagerank&top=1000', token);
        expect(r.top.length).toBeGreaterThan(0);
        for (const t of r.top) expect(visible.has(t.id), `${agency} sees ${t.id}`).toBe(true);
        const rk = await get('/graph/ranking?top=1000', token);
        for (const t of rk.targets) expect(visible.has(t.id)).toBe(true);
      }
      expect((await get('/graph/measures?measure=pagerank&top=1000', api.token.fgr)).nodes).toBeLessThan(
        (await get('/graph/measures?measure=pagerank&top=1000', api.token.dea)).nodes,
      );
    });

    it('simulates a disruption: flow lost, reachability, rerouting and next-best routes', async () => {
      const plan = await get('/graph/interdiction?k=2&merges=suggested', api.token.dea);
      expect(plan.plan).toHaveLength(2);
      expect(plan.plan[1].flowAfter).toBeLessThan(plan.initial);
      const sim = (
        await api.post('/graph/simulate', api.token.dea, {
          remove: [plan.plan[0].id, 'no-such-entity'],
          merges: 'suggested',
        })
      ).json();
      expect(sim.flowBefore).toBe(plan.initial);
      expect(sim.flowAfter).toBe(plan.plan[0].flowAfter);
      expect(sim.flowLostPct).toBeGreaterThan(0);
      expect(sim.unknown).toEqual(['no-such-entity']);
      for (const path of sim.nextBestPaths) expect(path).not.toContain(plan.plan[0].id);
      expect((await api.post('/graph/simulate', api.token.dea, { remove: [] })).statusCode).toBe(400);
    });

    it('gives exact betweenness on small graphs, communities, and refuses graphs over the cap', async () => {
      const b = await get('/graph/measures?measure=betweenness&top=5', api.token.dea);
      expect(b.note).toBe('exact');
      const s = await get('/graph/measures?measure=betweenness&top=5&samples=64', api.token.dea);
      expect(s.errorBound).toBeGreaterThan(0);
      const c = await get('/graph/measures?measure=communities&top=3', api.token.dea);
      expect(c.count).toBeGreaterThan(1);
      expect(c.modularity).toBeGreaterThan(0.3);
      await expect(
        api.store.read({ ...SYSTEM, groups: [] }, (tx) => projectGraph(tx, { maxEdges: 10 })),
      ).rejects.toBeInstanceOf(GraphTooLargeError);
      expect(
        (await api.app.inject({ url: '/graph/measures?measure=eigen', headers: auth(api.token.dea) })).statusCode,
      ).toBe(400);
    });
  });
}
