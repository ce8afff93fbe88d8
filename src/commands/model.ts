// The entity model, as data: FollowTheMoney's schemata and Chokepoint's, in the shape
// FtM's own model export has ({schemata, types}), so a partner's tooling can read
// what an entity of each schema may hold. Public knowledge: any signed-in user.
import { Type } from '@sinclair/typebox';
import { model, PROP_TYPES, type SchemaDef } from '../domain/model.js';
import { StatusError } from '../domain/errors.js';
import { command, type Command } from './command.js';

const tags = ['model'];

export const GROUPS: Record<string, string> = {
  schemas: 'the entity model: FollowTheMoney schemata and Chokepoint extensions',
};

function schemaView(s: SchemaDef) {
  const all = model.properties(s.name);
  return {
    ...s,
    // Every schema it is (itself first), as FtM's `schemata`.
    schemata: [...model.schemas.keys()].filter((a) => model.isA(s.name, a)),
    event: model.isEvent(s.name),
    inherited: Object.keys(all).filter((p) => !(p in s.properties)),
  };
}

export const COMMANDS: Command[] = [
  command({
    name: 'schemas.list',
    summary: 'The entity model: every schema (FtM and Chokepoint) with its own properties, and the property types',
    tags,
    method: 'GET',
    path: '/schemas',
    run: async () => ({
      schemata: Object.fromEntries([...model.schemas.values()].map((s) => [s.name, schemaView(s)])),
      types: PROP_TYPES,
    }),
  }),
  command({
    name: 'schemas.show',
    summary: 'One schema, with every property it has (inherited ones included)',
    tags,
    method: 'GET',
    path: '/schemas/:name',
    params: Type.Object({ name: Type.String({ pattern: '^[A-Za-z]{1,64}$' }) }),
    run: async (_ctx, { params }) => {
      const s = model.get(params.name);
      if (!s) throw new StatusError(`no schema ${params.name}`, 404);
      return { ...schemaView(s), properties: model.properties(s.name) };
    },
  }),
];
