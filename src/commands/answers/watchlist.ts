// The answers of the watchlist (src/commands/watchlist.ts): nominations to those who
// nominate and review them; to screening and the public, pointers and control numbers only.
import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp } from './shared.js';

const Kind = Type.Union([Type.Literal('person'), Type.Literal('organization')]);
export const Nominated = Type.Object({ id: Type.Integer(), reference: Type.String(), status: Type.String() });

const summary = {
  id: Type.Integer(),
  reference: Type.String(),
  subjectKind: Kind,
  names: Type.Array(Type.String()),
  status: Type.String({
    description: 'pending_review, more_info, pending_deconfliction, active, rejected or removed',
  }),
  agency: Type.String(),
  usPerson: Type.Boolean(),
};
export const Nominations = Type.Array(Type.Object(summary));
export const Nomination = Type.Object({
  ...summary,
  birthDates: Type.Array(Type.String()),
  nationalities: Type.Array(Type.String()),
  identifiers: Type.Array(Type.String()),
  categories: Type.Array(Type.String()),
  basis: Type.String(),
  marking: Type.String(),
  equitiesDue: Nullable(Timestamp()),
  equities: Type.Array(
    Type.Object({
      caseId: Type.Integer(),
      basis: Type.String(),
      response: Nullable(Type.String()),
      respondedAt: Nullable(Timestamp()),
    }),
  ),
  history: Type.Array(
    Type.Object({ at: Timestamp(), actor: Type.String(), action: Type.String(), note: Nullable(Type.String()) }),
  ),
  screeningRecord: Nullable(
    Type.Object(
      {
        names: Type.Array(Type.String()),
        birthDates: Type.Array(Type.String()),
        nationalities: Type.Array(Type.String()),
        identifiers: Type.Array(Type.String()),
        marking: Type.String(),
      },
      { description: 'what screening sees once it is active (the downgraded record)' },
    ),
  ),
});
export const Reviewed = Type.Object({ status: Type.String(), casesAsked: Type.Integer() });

export const Encounters = Type.Array(
  Type.Object({
    reference: Type.String(),
    at: Timestamp(),
    agency: Type.String(),
    query: Type.Object({
      name: Type.String(),
      kind: Type.Optional(Type.String()),
      birthDate: Type.Optional(Type.String()),
      countries: Type.Optional(Type.Array(Type.String())),
      identifiers: Type.Optional(Type.Array(Type.String())),
    }),
    score: Type.Number(),
    outcome: Type.String(),
    nomination: Type.String(),
    note: Nullable(Type.String()),
  }),
);

const OneOf = Type.Array(
  Type.Union([Type.Literal('birthDates'), Type.Literal('identifiers'), Type.Literal('nationalities')]),
);
export const Settings = Type.Object({
  criteria: Type.Object({
    minBasisChars: Type.Integer(),
    categories: Type.Array(Type.String()),
    person: Type.Object({ minNameTokens: Type.Integer(), oneOf: OneOf }),
    organization: Type.Object({ minNameTokens: Type.Integer(), oneOf: OneOf }),
  }),
  downgrade: Type.Object({
    marking: Type.String(),
    usPersonMarking: Type.String(),
    fields: Type.Array(
      Type.Union((['names', 'birthDates', 'nationalities', 'identifiers'] as const).map((f) => Type.Literal(f))),
    ),
    identifierKinds: Type.Array(Type.String()),
    usPersonIdentifierKinds: Type.Array(Type.String()),
  }),
  equitiesHours: Type.Number(),
});

const notice = Type.String({ description: 'neither confirms nor denies that anyone is or was listed' });
export const RedressFiled = Type.Object({ controlNumber: Type.String(), status: Type.String(), notice });
export const RedressStatus = Type.Object({
  controlNumber: Type.String(),
  status: Type.String({ description: 'received, under review or closed' }),
  received: Type.String({ description: 'YYYY-MM-DD' }),
  updated: Type.String({ description: 'YYYY-MM-DD' }),
  notice,
});
