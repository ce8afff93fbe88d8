// The answers of substances (src/commands/substances.ts) and shipment targeting (targeting.ts).
import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp } from './shared.js';

export const FentanylClass = Type.Object({
  smiles: Type.String(),
  canonical: Type.String({ description: 'canonical SMILES, as RDKit writes it' }),
  fentanylRelated: Type.Boolean(),
  isFentanyl: Type.Boolean(),
  modifications: Type.Array(Type.Union((['A', 'B', 'C', 'D', 'E'] as const).map((m) => Type.Literal(m)))),
  explanation: Type.String(),
});

export const Substance = Type.Object({
  key: Type.String(),
  name: Type.String(),
  category: Type.String(),
  casNumber: Type.Optional(Type.String()),
  hsCodes: Type.Array(Type.String()),
  synonyms: Type.Array(Type.String()),
  control: Type.String(),
  lists: Type.Array(Type.String()),
  source: Type.String(),
});
export const Substances = Type.Object({
  lists: Type.Record(Type.String(), Type.String(), { description: 'the control lists by code' }),
  substances: Type.Array(Substance),
});

const Reason = Type.Object({
  rule: Type.String(),
  version: Type.Integer(),
  name: Type.String(),
  weight: Type.Number(),
  detail: Type.String(),
});
export const Queue = Type.Array(
  Type.Object({
    shipment: Type.String(),
    score: Type.Number(),
    hold: Nullable(Type.String({ description: 'why it may not be cleared (an objection)' })),
    reasons: Type.Array(Reason, { description: 'the reasons you may read' }),
    scoredAt: Timestamp(),
  }),
);
export const Rules = Type.Array(
  Type.Object({
    code: Type.String(),
    version: Type.Integer(),
    name: Type.String(),
    kind: Type.String(),
    params: Type.Unknown({ description: 'the rule’s parameters (JSON)' }),
    weight: Type.Number(),
    active: Type.Boolean(),
    examinedWhenFired: Type.Integer(),
    hits: Type.Integer(),
    hitRate: Nullable(Type.Number()),
  }),
);
export const RuleVersion = Type.Object({ code: Type.String(), version: Type.Integer() });

const Party = Type.Object({ name: Type.String(), address: Type.String() });
export const PreExportFiled = Type.Object({
  id: Type.Integer(),
  reference: Type.String(),
  notified: Type.Array(Type.String({ description: 'the authorities told' })),
});
export const PreExports = Type.Array(
  Type.Object({
    id: Type.Integer(),
    reference: Type.String(),
    exportingAgency: Type.String(),
    importingCountry: Type.String(),
    exporter: Party,
    importer: Party,
    consignee: Party,
    substance: Type.String(),
    casNumber: Nullable(Type.String()),
    quantityKg: Type.Number(),
    pointOfEntry: Type.String(),
    dispatchDate: Type.String(),
    transportDocument: Nullable(Type.String()),
    status: Type.String(),
    responseNote: Nullable(Type.String()),
    respondedBy: Nullable(Type.String()),
  }),
);
export const Responded = Type.Object({ status: Type.String(), held: Type.Integer({ description: 'shipments held' }) });
