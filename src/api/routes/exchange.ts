// Partner exchange API: reports in from private-sector partners (rate-limited), their
// status and feedback, and releasable incidents out to partner countries.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Store } from '../../store/store.js';
import { audit } from '../../store/audit.js';
import { principal } from '../server.js';
import { submitPartnerReport, partnerReports, giveFeedback } from '../../exchange/partners.js';
import { exportIncidents } from '../../exchange/incidents.js';

const S = (max = 300) => Type.String({ minLength: 1, maxLength: max });
const Report = Type.Object(
  {
    kind: Type.Union([Type.Literal('shipment'), Type.Literal('listing'), Type.Literal('account')]),
    summary: S(4000),
    shipment: Type.Optional(
      Type.Object(
        {
          trackingNumber: S(60),
          shipperName: Type.Optional(S()),
          consigneeName: Type.Optional(S()),
          declaredGoods: Type.Optional(S()),
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
          seller: Type.Optional(S()),
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

export async function registerExchangeRoutes(app: FastifyInstance, store: Store): Promise<void> {
  const tags = ['partner exchange'];
  app.post(
    '/partner/reports',
    {
      config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags,
        body: Report,
        summary: 'Report a suspicious shipment, listing or account (partners); answers with a reference to follow',
      },
    },
    async (req, reply) =>
      reply.code(201).send(await submitPartnerReport(store, principal(req), req.body as Static<typeof Report>)),
  );
  app.get(
    '/partner/reports',
    {
      schema: {
        tags,
        summary: "Your agency's reports with their status and feedback (all reports for government users)",
      },
    },
    async (req) => partnerReports(store.db, principal(req)),
  );
  const Feedback = Type.Object(
    {
      status: Type.Union([Type.Literal('under review'), Type.Literal('actioned'), Type.Literal('closed')]),
      feedback: S(4000),
    },
    { additionalProperties: false },
  );
  app.post(
    '/partner/reports/:ref/feedback',
    {
      schema: {
        tags,
        params: Type.Object({ ref: S(40) }),
        body: Feedback,
        summary: 'Status and feedback the partner will see',
      },
    },
    async (req) => {
      const b = req.body as Static<typeof Feedback>;
      await giveFeedback(store.db, principal(req), (req.params as { ref: string }).ref, b.status, b.feedback);
      return { status: b.status };
    },
  );
  app.get(
    '/incidents/export',
    {
      schema: {
        tags,
        querystring: Type.Object({
          relTo: Type.String({ pattern: '^[A-Za-z]{3}$' }),
          since: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
          limit: Type.Integer({ minimum: 1, maximum: 20000, default: 5000 }),
        }),
        summary: 'Seizures and interdictions releasable to a partner country, as chokepoint-incident/1 JSON',
      },
    },
    async (req) => {
      const me = principal(req);
      const q = req.query as { relTo: string; since?: string; limit: number };
      const out = await exportIncidents(store, me, q.relTo, { since: q.since, limit: q.limit });
      await audit(store.db, {
        actor: me.username,
        action: 'incidents.export',
        target: q.relTo,
        details: { count: out.incidents.length },
      });
      return out;
    },
  );
}
