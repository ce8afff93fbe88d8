// The common-intelligence-picture summary for a time range: key figures against the
// period before, seizures by drug and month, top ports and routes, the largest
// networks (communities of the graph the reader may see) and emerging substances.
// Built only from what the reader may see, and marked with the highest marking used.
import type { Store } from '../store/store.js';
import type { Principal } from '../domain/users.js';
import { getEntities } from '../store/read.js';
import { projection } from '../graph/cache.js';
import { louvain, pageRank } from '../graph/measures.js';
import { targetable } from '../graph/analyze.js';
import {
  bannerOf,
  change,
  eventFacts,
  previousRange,
  routeFacts,
  seizureFigures,
  topPlaces,
  topRoutes,
  type Range,
} from './picture.js';

export interface Network {
  community: number;
  members: number;
  seizures: number;
  sanctioned: number;
  inCase: number;
  leading: { id: string; caption: string; schema: string }[];
}

/** The largest communities by seizures then size, each with its most central members. */
export async function topNetworks(store: Store, me: Principal, top = 5): Promise<Network[]> {
  const p = await projection(store, me);
  const g = p.graph;
  if (!g.n) return [];
  const { community } = louvain(g);
  const { rank } = pageRank(g);
  const by = new Map<number, { members: number[]; seizures: number; sanctioned: number; inCase: number }>();
  for (let v = 0; v < g.n; v++) {
    const c = by.get(community[v]!) ?? { members: [], seizures: 0, sanctioned: 0, inCase: 0 };
    c.members.push(v);
    c.seizures += p.seizures[v]!;
    c.sanctioned += p.sanctioned[v]!;
    c.inCase += p.inCase[v]!;
    by.set(community[v]!, c);
  }
  const chosen = [...by.entries()]
    .filter(([, c]) => c.members.length >= 3)
    .sort(([, a], [, b]) => b.seizures - a.seizures || b.members.length - a.members.length)
    .slice(0, top);
  const leadIds = chosen.map(([, c]) =>
    [...c.members]
      .filter((v) => targetable(p.schema[v]!))
      .sort((a, b) => rank[b]! - rank[a]!)
      .slice(0, 3)
      .map((v) => g.ids[v]!),
  );
  const views = await store.read(me, (tx) => getEntities(tx, store.markings, leadIds.flat()));
  const caption = new Map(views.map((e) => [e.id, e]));
  return chosen.map(([id, c], i) => ({
    community: id,
    members: c.members.length,
    seizures: c.seizures,
    sanctioned: c.sanctioned,
    inCase: c.inCase,
    leading: leadIds[i]!.filter((x) => caption.has(x)).map((x) => ({
      id: x,
      caption: caption.get(x)!.caption,
      schema: caption.get(x)!.schema,
    })),
  }));
}

export async function commonPictureReport(store: Store, me: Principal, range: Range) {
  const before = previousRange(range);
  const { now, prev, routes, marking } = await store.read(me, async (tx) => {
    const now = await eventFacts(tx, range);
    const prev = await eventFacts(tx, before);
    const routes = await routeFacts(tx, range);
    const marking = await bannerOf(
      tx,
      store.markings,
      [...now, ...routes].flatMap((x) => x.markingIds),
    );
    return { now, prev, routes, marking };
  });
  const a = seizureFigures(now),
    b = seizureFigures(prev);
  const count = (xs: typeof now, schema: string): number => xs.filter((e) => e.schema === schema).length;
  const figure = (label: string, value: number, was: number, unit = '') => ({
    label,
    value,
    previous: was,
    changePct: change(value, was),
    unit,
  });
  const emerging = await store.db.query<{ at: string; message: string }>(
    "SELECT at, message FROM notifications WHERE agency = $1 AND kind = 'substance.emerging' AND at::date BETWEEN $2 AND $3 ORDER BY at",
    [me.agency, range.from, range.to],
  );
  return {
    title: 'Common intelligence picture: illicit fentanyl supply chain',
    range,
    previous: before,
    generatedAt: new Date().toISOString(),
    generatedBy: `${me.username} (${me.agency})`,
    marking,
    keyFigures: [
      figure('Seizures', a.seizures, b.seizures),
      figure('Fentanyl seized', a.fentanylKg, b.fentanylKg, 'kg'),
      figure('Potentially lethal doses in fentanyl powder (2 mg each)', a.lethalDoses, b.lethalDoses),
      figure('Counterfeit pills seized', a.pills, b.pills),
      figure('Arrests', count(now, 'Arrest'), count(prev, 'Arrest')),
      figure('Labs dismantled', count(now, 'LabDismantlement'), count(prev, 'LabDismantlement')),
      figure('Parcel and cargo interdictions', count(now, 'Interdiction'), count(prev, 'Interdiction')),
    ],
    byDrug: a.byDrug.map((d) => ({ ...d, previousKg: b.byDrug.find((x) => x.drug === d.drug)?.kg ?? 0 })),
    byMonth: a.byMonth,
    topPorts: topPlaces(now),
    topRoutes: topRoutes(routes),
    topNetworks: await topNetworks(store, me),
    emerging,
    trends: trendSentences(a, b),
  };
}

/** Plain-language trend lines for the summary (the figures are in the tables). */
function trendSentences(a: ReturnType<typeof seizureFigures>, b: ReturnType<typeof seizureFigures>): string[] {
  const out: string[] = [];
  const pct = (x: number | null): string =>
    x === null
      ? 'with nothing to compare in the period before'
      : `${x >= 0 ? 'up' : 'down'} ${Math.abs(x)}% on the period before`;
  out.push(`${a.seizures} seizures, ${pct(change(a.seizures, b.seizures))}.`);
  out.push(
    `${a.fentanylKg} kg of fentanyl seized, ${pct(change(a.fentanylKg, b.fentanylKg))}: its ${a.fentanylPowderKg} kg of powder up to ${a.lethalDoses.toLocaleString('en-US')} potentially lethal doses (2 mg each).`,
  );
  const pillShare = a.seizures
    ? a.byDrug.filter((d) => /pill/i.test(d.drug)).reduce((s, d) => s + d.events, 0) / a.seizures
    : 0;
  const pillShareBefore = b.seizures
    ? b.byDrug.filter((d) => /pill/i.test(d.drug)).reduce((s, d) => s + d.events, 0) / b.seizures
    : 0;
  if (a.seizures)
    out.push(`Pills were ${Math.round(pillShare * 100)}% of seizures (${Math.round(pillShareBefore * 100)}% before).`);
  const risers = a.byDrug
    .map((d) => ({ d: d.drug, c: change(d.kg, b.byDrug.find((x) => x.drug === d.drug)?.kg ?? 0) }))
    .filter((x) => x.c !== null && x.c >= 50);
  for (const r of risers.slice(0, 3)) out.push(`${r.d}: seized weight up ${r.c}%.`);
  return out;
}
