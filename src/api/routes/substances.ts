// Substance knowledge API: is a structure a fentanyl-related substance?
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { audit } from '../../store/audit.js';
import { principal } from '../server.js';
import { fentanylClass } from '../../chem/fentanyl-class.js';

export async function registerSubstanceRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const Body = Type.Object({ smiles: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
  app.post('/substances/fentanyl-class', { schema: { tags: ['substances'], body: Body, summary: 'Does this structure (SMILES) fall within the fentanyl-related substances class? With the modifications (A-E) that apply' } }, async (req) => {
    const me = principal(req);
    const r = await fentanylClass((req.body as { smiles: string }).smiles);
    await audit(store.db, { actor: me.username, action: 'substance.classify', target: r.canonical, details: { fentanylRelated: r.fentanylRelated } });
    return r;
  });
}
