// Substance knowledge: the reference list of controlled substances, precursors and
// laboratory supplies (public knowledge, so any signed-in user may read it), and
// whether a structure is a fentanyl-related substance. The CLI's classify once ran
// without a store; now it acts as a user and records who asked about which
// structure, as the API does.
import { Type } from '@sinclair/typebox';
import { audit } from '../store/audit.js';
import { fentanylClass } from '../chem/fentanyl-class.js';
import { CONTROL_LISTS, findSubstances, substances, SubstanceError, type ControlList } from '../chem/substances.js';
import { command, type Command } from './command.js';
import * as T from './answers/targeting.js';

const tags = ['substances'];

/** The CLI groups these commands make, with their help lines. */
export const GROUPS: Record<string, string> = {
  substances: 'the reference list of controlled substances, precursors and laboratory supplies; the fentanyl class',
};

export const COMMANDS: Command[] = [
  command({
    name: 'substances.classify',
    summary:
      'Does this structure (SMILES) fall within the fentanyl-related substances class? With the modifications (A-E) that apply',
    tags,
    method: 'POST',
    path: '/substances/fentanyl-class',
    response: { 200: T.FentanylClass },
    body: Type.Object({ smiles: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
    run: async ({ db, me }, { body }) => {
      const r = await fentanylClass(body.smiles);
      await audit(db, {
        actor: me.username,
        action: 'substance.classify',
        target: r.canonical,
        details: { fentanylRelated: r.fentanylRelated },
      });
      return r;
    },
  }),
  command({
    name: 'substances.search',
    summary:
      'Search the reference list of controlled substances, precursors and laboratory supplies (DEA List I/II, 1988 Convention Tables, Special Surveillance List)',
    tags,
    method: 'GET',
    path: '/substances',
    response: { 200: T.Substances },
    query: Type.Object(
      {
        q: Type.Optional(Type.String({ maxLength: 200, description: 'words of a name or synonym, or a CAS number' })),
        list: Type.Optional(Type.Union((Object.keys(CONTROL_LISTS) as ControlList[]).map((k) => Type.Literal(k)))),
        hs: Type.Optional(Type.String({ pattern: '^[0-9.]{2,12}$', description: 'an HS code or its prefix' })),
        category: Type.Optional(Type.String({ maxLength: 60 })),
      },
      { additionalProperties: false },
    ),
    run: async (_ctx, { query }) => ({ lists: CONTROL_LISTS, substances: findSubstances(query) }),
  }),
  command({
    name: 'substances.show',
    summary: 'One reference substance',
    tags,
    method: 'GET',
    path: '/substances/:key',
    response: { 200: T.Substance },
    params: Type.Object({ key: Type.String({ pattern: '^[a-z0-9-]{1,80}$' }) }),
    run: async (_ctx, { params }) => {
      const s = substances().find((x) => x.key === params.key);
      if (!s) throw new SubstanceError(`no reference substance ${params.key}`, 404);
      return s;
    },
  }),
];
