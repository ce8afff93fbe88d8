// Partner exchange: reports in from private-sector partners (rate-limited), their
// status and feedback, and releasable incidents out to partner countries.
import { Type } from '@sinclair/typebox';
import { audit } from '../store/audit.js';
import { submitPartnerReport, partnerReports, giveFeedback } from '../exchange/partners.js';
import { exportIncidents } from '../exchange/incidents.js';
import { command, type Command } from './command.js';
import { S } from './schemas.js';
import * as R from './answers/registries.js';

const tags = ['partner exchange'];
const Report = Type.Object(
  {
    kind: Type.Union([Type.Literal('shipment'), Type.Literal('listing'), Type.Literal('account')]),
    summary: S(4000),
    shipment: Type.Optional(
      Type.Object(
        {
          trackingNumber: S(60),
          shipperName: Type.Optional(S(300)),
          consigneeName: Type.Optional(S(300)),
          declaredGoods: Type.Optional(S(300)),
          originCountry: Type.Optional(S(3)),
          destinationCountry: Type.Optional(S(3)),
        },
        { additionalProperties: false },
      ),
    ),
    listing: Type.Optional(
      Type.Object(
        {
          url: Type.String({ maxLength: 2000, pattern: '^https?://' }),
          platform: Type.Optional(S(100)),
          seller: Type.Optional(S(300)),
        },
        { additionalProperties: false },
      ),
    ),
    account: Type.Optional(
      Type.Object(
        { service: S(60), username: S(200), email: Type.Optional(S(200)), phone: Type.Optional(S(40)) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
const Feedback = Type.Object(
  {
    status: Type.Union([Type.Literal('under review'), Type.Literal('actioned'), Type.Literal('closed')]),
    feedback: S(4000),
  },
  { additionalProperties: false },
);

/** The CLI groups these commands make, with their help lines. */
export const GROUPS: Record<string, string> = {
  partner: "private-sector partners' reports of suspicious shipments, listings and accounts, and their feedback",
  incidents: 'seizures and interdictions released to partner countries',
};

export const COMMANDS: Command[] = [
  command({
    name: 'partner.report',
    summary: 'Report a suspicious shipment, listing or account (partners); answers with a reference to follow',
    tags,
    method: 'POST',
    path: '/partner/reports',
    response: { 201: R.ReportReceived },
    body: Report,
    status: 201,
    http: { config: { rateLimit: { max: 30, timeWindow: '1 minute' } } },
    run: ({ store, me }, { body }) => submitPartnerReport(store, me, body),
  }),
  command({
    name: 'partner.reports',
    summary: "Your agency's reports with their status and feedback (all reports for government users)",
    tags,
    method: 'GET',
    path: '/partner/reports',
    response: { 200: R.PartnerReports },
    run: ({ db, me }) => partnerReports(db, me),
  }),
  command({
    name: 'partner.feedback',
    summary: 'Status and feedback the partner will see',
    tags,
    method: 'POST',
    path: '/partner/reports/:ref/feedback',
    response: {
      200: Type.Object({
        status: Type.Union([Type.Literal('under review'), Type.Literal('actioned'), Type.Literal('closed')]),
      }),
    },
    errors: [403],
    params: Type.Object({ ref: S(40) }),
    body: Feedback,
    run: async ({ db, me }, { params, body }) => {
      await giveFeedback(db, me, params.ref, body.status, body.feedback);
      return { status: body.status };
    },
  }),
  command({
    name: 'incidents.export',
    summary: 'Seizures and interdictions releasable to a partner country, as chokepoint-incident/1 JSON',
    tags,
    method: 'GET',
    path: '/incidents/export',
    response: { 200: R.Incidents },
    errors: [403, 422],
    query: Type.Object({
      relTo: Type.String({ pattern: '^[A-Za-z]{3}$' }),
      since: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
      limit: Type.Integer({ minimum: 1, maximum: 20000, default: 5000 }),
    }),
    run: async ({ store, me }, { query }) => {
      const out = await exportIncidents(store, me, query.relTo, { since: query.since, limit: query.limit });
      await audit(store.db, {
        actor: me.username,
        action: 'incidents.export',
        target: query.relTo,
        details: { count: out.incidents.length },
      });
      return out;
    },
  }),
];
