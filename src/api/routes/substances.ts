// Substance knowledge API: the reference list of controlled substances, precursors
// and laboratory supplies (public knowledge, so any signed-in user may read it), and
// whether a structure is a fentanyl-related substance.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { audit } from '../../store/audit.js';
import { principal } from '../server.js';
import { fentanylClass } from '../../chem/fentanyl-class.js';
import { CONTROL_LISTS, findSubstances, substances, SubstanceError, type ControlList } from '../../chem/substances.js';

export async function registerSubstanceRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const Body = Type.Object({ smiles: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
  app.post(
    '/substances/fentanyl-class',
    {
      schema: {
        tags: ['substances'],
        body: Body,
        summary:
          'Does this structure (SMILES) fall within the fentanyl-related substances class? With the modifications (A-E) that apply',
      },
    },
    async (req) => {
      const me = principal(req);
      const r = await fentanylClass((req.body as { smiles: string }).smiles);
      await audit(store.db, {
        actor: me.username,
        action: 'substance.classify',
        target: r.canonical,
        details: { fentanylRelated: r.fentanylRelated },
      });
      return r;
    },
  );

  const Query = Type.Object(
    {
      q: Type.Optional(Type.String({ maxLength: 200, description: 'words of a name or synonym, or a CAS number' })),
      list: Type.Optional(Type.Union(Object.keys(CONTROL_LISTS).map((k) => Type.Literal(k)))),
      hs: Type.Optional(Type.String({ pattern: '^[0-9.]{2,12}$', description: 'an HS code or its prefix' })),
      category: Type.Optional(Type.String({ maxLength: 60 })),
    },
    { additionalProperties: false },
  );
  app.get(
    '/substances',
    {
      schema: {
        tags: ['substances'],
        querystring: Query,
        summary:
          'Search the reference list of controlled substances, precursors and laboratory supplies (DEA List I/II, 1988 Convention Tables, Special Surveillance List)',
      },
    },
    async (req) => {
      const q = req.query as { q?: string; list?: ControlList; hs?: string; category?: string };
      return { lists: CONTROL_LISTS, substances: findSubstances(q) };
    },
  );
  app.get(
    '/substances/:key',
    {
      schema: {
        tags: ['substances'],
        params: Type.Object({ key: Type.String({ pattern: '^[a-z0-9-]{1,80}$' }) }),
        summary: 'One reference substance',
      },
    },
    async (req) => {
      const key = (req.params as { key: string }).key;
      const s = substances().find((x) => x.key === key);
      if (!s) throw new SubstanceError(`no reference substance ${key}`, 404);
      return s;
    },
  );
}
