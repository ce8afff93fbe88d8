// The common operating picture at a glance, for a time range, counting only what the
// reader may see (the server filters; the banner shows the highest marking used).
import { useState } from 'preact/hooks';
import { type Answer, get } from '../lib/api.ts';
import { useAsync } from '../lib/use-async.ts';
import { useMarkings } from '../lib/banner.ts';
import { ErrorNotice, Loading, RangePicker, Section, defaultRange, fmt, type Range } from '../components/ui.tsx';
import { StackedChart } from '../components/BarChart.tsx';
import { href } from '../lib/router.ts';

/** The dashboard's figures, as the API documents them. */
export type Dashboard = Answer<'/picture/dashboard'>;

/** Month × drug rows to chart series (one per drug). */
export function pivot(
  rows: Dashboard['byMonth'],
  value: 'events' | 'kg',
): { labels: string[]; series: { label: string; values: number[] }[] } {
  const labels = [...new Set(rows.map((r) => r.month))].sort();
  const drugs = [...new Set(rows.map((r) => r.drug))].sort();
  return {
    labels,
    series: drugs.map((d) => ({
      label: d,
      values: labels.map((m) => rows.filter((r) => r.month === m && r.drug === d).reduce((s, r) => s + r[value], 0)),
    })),
  };
}

export function DashboardView() {
  const [range, setRange] = useState<Range>(defaultRange());
  const {
    data: d,
    error,
    loading,
  } = useAsync(() => get('/picture/dashboard', { query: range }), [range.from, range.to]);
  useMarkings([d?.marking]);
  const ev = d ? pivot(d.byMonth, 'events') : undefined;
  const kg = d ? pivot(d.byMonth, 'kg') : undefined;
  return (
    <div class="view" id="dashboard">
      <h1>Dashboard</h1>
      <RangePicker value={range} onChange={setRange} />
      <ErrorNotice error={error} />
      <Loading when={loading && !d}>
        {d && (
          <>
            <dl class="kpis" aria-label="Key figures">
              <div>
                <dt>Seizures</dt>
                <dd id="kpi-seizures">{fmt(d.seizures)}</dd>
              </div>
              <div>
                <dt>Fentanyl seized</dt>
                <dd id="kpi-fentanyl">{fmt(d.fentanylKg, 1)} kg</dd>
              </div>
              <div>
                <dt>Counterfeit pills</dt>
                <dd id="kpi-pills">{fmt(d.pills)}</dd>
              </div>
              <div>
                <dt>Potentially lethal doses</dt>
                <dd id="kpi-doses">{fmt(d.lethalDoses)}</dd>
                <p class="hint">
                  {fmt(d.fentanylPowderKg, 1)} kg of fentanyl powder at 2 mg a dose; an upper bound, purity unknown
                </p>
              </div>
              <div>
                <dt>Open conflicts</dt>
                <dd id="kpi-conflicts">
                  <a href={href('deconfliction')}>{d.conflicts.targets + d.conflicts.operations}</a>
                </dd>
              </div>
            </dl>
            <div class="grid2">
              <Section title="Seizures by month and drug">
                {ev && (
                  <StackedChart title="Seizure events by month" labels={ev.labels} series={ev.series} unit="events" />
                )}
              </Section>
              <Section title="Weight seized by month and drug">
                {kg && (
                  <StackedChart title="Kilograms seized by month" labels={kg.labels} series={kg.series} unit="kg" />
                )}
              </Section>
              <Section title="Top ports of entry and places" id="top-ports">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Place</th>
                      <th scope="col">Seizures</th>
                      <th scope="col">kg</th>
                      <th scope="col">Pills</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.topPorts.map((p) => (
                      <tr>
                        <th scope="row">
                          <a href={href(`entity/${encodeURIComponent(p.place.id)}`)}>{p.place.name}</a>
                          {p.place.type ? <span class="schema"> · {p.place.type}</span> : null}
                        </th>
                        <td>{fmt(p.events)}</td>
                        <td>{fmt(p.kg, 1)}</td>
                        <td>{fmt(p.pills)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Section>
              <Section title="Top routes" id="top-routes">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Route</th>
                      <th scope="col">Shipments</th>
                      <th scope="col">kg</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.topRoutes.map((r) => (
                      <tr>
                        <th scope="row">
                          {r.route.join(' → ')}
                          <span class="schema"> · {r.modes.join(', ')}</span>
                        </th>
                        <td>{fmt(r.shipments)}</td>
                        <td>{fmt(r.kg)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {!d.topRoutes.length && <p class="hint">No shipments you may see in this range.</p>}
              </Section>
              <Section title="Emerging substances" id="emerging">
                <ul>
                  {d.emerging.map((n) => (
                    <li>
                      <time>{n.at.slice(0, 10)}</time> {n.message}
                    </li>
                  ))}
                </ul>
                {!d.emerging.length && <p class="hint">No new substances reported to your agency.</p>}
              </Section>
              <Section title="Notifications" id="notes">
                <ul>
                  {d.notifications.map((n) => (
                    <li>
                      <time>{n.at.slice(0, 10)}</time> <span class="schema">{n.kind}</span> {n.message}
                    </li>
                  ))}
                </ul>
                {!d.notifications.length && <p class="hint">Nothing new for your agency.</p>}
              </Section>
            </div>
          </>
        )}
      </Loading>
    </div>
  );
}
