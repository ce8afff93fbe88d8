// The common-intelligence-picture summary for a time range, laid out for print: the
// browser's print dialog saves it as PDF, with the marking at the top and bottom of
// every page.
import { useState } from 'preact/hooks';
import { get } from '../lib/api.ts';
import { useAsync } from '../lib/use-async.ts';
import { useMarkings } from '../lib/banner.ts';
import { ErrorNotice, Loading, RangePicker, EntityLink, fmt, type Range } from '../components/ui.tsx';
import { StackedChart } from '../components/BarChart.tsx';
import { pivot } from './Dashboard.tsx';

const lastYear = (): Range => {
  const to = new Date();
  const from = new Date(to.getTime() - 364 * 86_400_000);
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
};
const change = (x: number | null): string => (x === null ? 'new' : `${x > 0 ? '+' : ''}${x}%`);

export function ReportView() {
  const [range, setRange] = useState<Range>(lastYear());
  const r = useAsync(() => get('/reports/cip', { query: range }), [range.from, range.to]);
  useMarkings([r.data?.marking]);
  const d = r.data;
  const m = d ? pivot(d.byMonth, 'kg') : undefined;
  return (
    <div class="view" id="report-view">
      <div class="no-print toolbar">
        <RangePicker value={range} onChange={setRange} />
        <button type="button" id="print" onClick={() => print()}>
          Print or save as PDF
        </button>
      </div>
      <ErrorNotice error={r.error} />
      <Loading when={r.loading && !d}>
        {d && (
          <article class="report" aria-labelledby="report-title">
            <p class="print-banner">{d.marking.replace(/\/\/OWNER [^/]+$/, '')}</p>
            <h1 id="report-title">{d.title}</h1>
            <p class="meta">
              {d.range.from} to {d.range.to}, compared with {d.previous.from} to {d.previous.to}. Generated{' '}
              {d.generatedAt.slice(0, 16).replace('T', ' ')} UTC by {d.generatedBy}, from the records this user may see.
            </p>
            <h2>Summary</h2>
            <ul id="trends">
              {d.trends.map((t) => (
                <li>{t}</li>
              ))}
            </ul>
            <h2>Key figures</h2>
            <table id="key-figures">
              <thead>
                <tr>
                  <th scope="col">Figure</th>
                  <th scope="col">This period</th>
                  <th scope="col">Period before</th>
                  <th scope="col">Change</th>
                </tr>
              </thead>
              <tbody>
                {d.keyFigures.map((f) => (
                  <tr>
                    <th scope="row">{f.label}</th>
                    <td>
                      {fmt(f.value, 1)} {f.unit}
                    </td>
                    <td>
                      {fmt(f.previous, 1)} {f.unit}
                    </td>
                    <td>{change(f.changePct)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h2>Seizures by drug</h2>
            <table>
              <thead>
                <tr>
                  <th scope="col">Drug</th>
                  <th scope="col">Seizures</th>
                  <th scope="col">kg</th>
                  <th scope="col">kg before</th>
                  <th scope="col">Pills</th>
                </tr>
              </thead>
              <tbody>
                {d.byDrug.map((x) => (
                  <tr>
                    <th scope="row">{x.drug}</th>
                    <td>{fmt(x.events)}</td>
                    <td>{fmt(x.kg, 1)}</td>
                    <td>{fmt(x.previousKg, 1)}</td>
                    <td>{fmt(x.pills)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {m && m.labels.length > 0 && (
              <StackedChart title="Kilograms seized by month and drug" labels={m.labels} series={m.series} unit="kg" />
            )}
            <h2>Top networks</h2>
            <ol id="networks">
              {d.topNetworks.map((n) => (
                <li>
                  {fmt(n.members)} entities, {fmt(n.seizures)} seizures, {n.sanctioned} sanctioned, {n.inCase} in open
                  cases; led by{' '}
                  {n.leading.map((l, i) => (
                    <>
                      {i ? ', ' : ''}
                      <EntityLink id={l.id} caption={l.caption} schema={l.schema} />
                    </>
                  ))}
                </li>
              ))}
            </ol>
            <h2>Top ports and places</h2>
            <table>
              <tbody>
                {d.topPorts.map((p) => (
                  <tr>
                    <th scope="row">{p.place.name}</th>
                    <td>{fmt(p.events)} seizures</td>
                    <td>{fmt(p.kg, 1)} kg</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h2>Top routes</h2>
            <table>
              <tbody>
                {d.topRoutes.map((x) => (
                  <tr>
                    <th scope="row">{x.route.join(' → ')}</th>
                    <td>{fmt(x.shipments)} shipments</td>
                    <td>{fmt(x.kg)} kg</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h2>Emerging substances</h2>
            {d.emerging.length ? (
              <ul>
                {d.emerging.map((e) => (
                  <li>
                    <time>{e.at.slice(0, 10)}</time> {e.message}
                  </li>
                ))}
              </ul>
            ) : (
              <p>None reported to your agency in this period.</p>
            )}
            <p class="print-banner">{d.marking.replace(/\/\/OWNER [^/]+$/, '')}</p>
          </article>
        )}
      </Loading>
    </div>
  );
}
