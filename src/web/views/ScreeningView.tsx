// Screening console: one name (any script) or a CSV batch, against the sanctions lists
// and the watchlist (which answers with a pointer only).
import { useState } from 'preact/hooks';
import { type Answer, get, post } from '../lib/api.ts';
import { useAsync, useAction } from '../lib/use-async.ts';
import { ErrorNotice, Section, fmt, pct } from '../components/ui.tsx';
import { VirtualList } from '../components/VirtualList.tsx';
import { screeningCsv } from '../../exchange/screening-csv.ts';
import { saveFile } from '../lib/save-file.ts';
import { useMarkings } from '../lib/banner.ts';
import { parseMarking, portionMarking } from '../../domain/markings.ts';

type Batch = Exclude<Answer<'/screen/batch', 'post'>, string>;
const val = (e: Event): string => (e.target as HTMLInputElement).value;
type ListInfo = Answer<'/screen/lists', 'get'>[number];
/** "(U//OC)" for a list a user added (its marking), nothing for a shipped (public) one. */
const portionOf = (m: string | null): string => (m ? `${portionMarking(parseMarking(m, 'MULTIPLE'))} ` : '');
const describeList = (x: ListInfo): string =>
  x.custom
    ? `${portionOf(x.marking)}${x.name} (added ${x.addedAt?.slice(0, 10)}${x.updatedAt !== x.addedAt ? `, updated ${x.updatedAt?.slice(0, 10)}` : ''}), ${fmt(x.entries)} entries`
    : `${x.name}, ${fmt(x.entries)} entries, published ${x.publishDate ?? 'date unknown'}`;

export function ScreeningView() {
  const lists = useAsync(() => get('/screen/lists'), []);
  const [f, setF] = useState({ name: '', birthDate: '', nationality: '' });
  const [single, setSingle] = useState<Answer<'/screen', 'post'>>();
  const screen = useAction(async () =>
    setSingle(
      await post('/screen', {
        name: f.name,
        ...(f.birthDate ? { birthDate: f.birthDate } : {}),
        ...(f.nationality ? { nationality: f.nationality } : {}),
      }),
    ),
  );
  const [batch, setBatch] = useState<Batch>();
  // The lists a user added are marked: the page's banner covers their names and their hits.
  useMarkings((lists.data ?? []).map((x) => x.marking));
  const runBatch = useAction(async (file: File) => {
    if (file.size > 10 * 1024 * 1024)
      throw new Error(`${file.name} is ${fmt(file.size / 1048576, 1)} MB; a batch may be at most 10 MB`);
    const r = await post('/screen/batch', { csv: await file.text() }, { query: { format: 'json' } });
    if (typeof r === 'string') throw new Error('The server answered CSV where JSON was asked for.');
    setBatch(r);
  });
  return (
    <div class="view" id="screening">
      <h1>Screening</h1>
      <p id="lists" class="hint">
        {lists.data &&
          `Screening against ${lists.data.map(describeList).join('; ')}. A hit's score is the share of hits like it that were the listed identity on a labelled tuning set.`}
      </p>
      <ErrorNotice error={lists.error ?? screen.error ?? runBatch.error} />
      <div class="grid2">
        <Section title="One name" id="single">
          <form
            id="screen"
            aria-label="Screen a name"
            onSubmit={(e) => {
              e.preventDefault();
              screen.run();
            }}
          >
            <input
              id="s-name"
              placeholder="Name, in any script"
              aria-label="Name"
              required
              maxLength={300}
              value={f.name}
              onInput={(e) => setF({ ...f, name: val(e) })}
            />
            <input
              id="s-dob"
              placeholder="Date of birth (YYYY-MM-DD)"
              aria-label="Date of birth"
              maxLength={10}
              value={f.birthDate}
              onInput={(e) => setF({ ...f, birthDate: val(e) })}
            />
            <input
              id="s-nat"
              placeholder="Nationality (MX)"
              aria-label="Nationality"
              maxLength={40}
              value={f.nationality}
              onInput={(e) => setF({ ...f, nationality: val(e) })}
            />
            <button type="submit" disabled={screen.busy}>
              Screen
            </button>
          </form>
          {single && (
            <>
              {single.watchlist.map((w) => (
                <p class="alert">
                  Watchlist: {w.result} (encounter {w.encounter}).
                </p>
              ))}
              <ol id="hits" aria-label="Screening hits">
                {single.hits.map((h) => (
                  <li>
                    <strong>{pct(h.score)} </strong>
                    {portionOf(h.marking)}
                    {h.name} — {h.list} {h.id} [{h.programs.join(', ')}]
                    <ul class="reasons">
                      {h.reasons.map((r) => (
                        <li>{r}</li>
                      ))}
                    </ul>
                  </li>
                ))}
                {!single.hits.length && <li>No hits scoring {pct(single.threshold)} or more.</li>}
              </ol>
            </>
          )}
        </Section>
        <Section title="Batch (CSV upload)" id="batch">
          <p class="hint">
            A CSV with a header: name, and optionally birthDate, nationality, kind. Up to 100,000 rows.
          </p>
          <label>
            CSV file{' '}
            <input
              id="batch-file"
              type="file"
              accept=".csv,text/csv"
              onChange={(e) => {
                const file = (e.target as HTMLInputElement).files?.[0];
                if (file) runBatch.run(file);
              }}
            />
          </label>
          {runBatch.busy && <p aria-busy="true">Screening…</p>}
          {batch && (
            <>
              <p id="batch-summary">
                {fmt(batch.screened)} of {fmt(batch.rows)} rows screened, {fmt(batch.withHits)} with hits (
                {fmt(batch.namesPerSecond)} names/s){batch.errors.length ? `; ${batch.errors.length} rows refused` : ''}
                .
              </p>
              <button
                type="button"
                id="batch-csv"
                onClick={() => saveFile('screening-results.csv', screeningCsv(batch.results, batch.errors), 'text/csv')}
              >
                Download results (CSV)
              </button>
              <ul class="errors">
                {batch.errors.slice(0, 20).map((e) => (
                  <li>
                    line {e.line}: {e.error}
                  </li>
                ))}
              </ul>
              <VirtualList
                id="batch-results"
                label="Batch results"
                rowHeight={32}
                items={batch.results.filter((r) => r.hits.length)}
                render={(r) => (
                  <span>
                    line {r.line}: {r.name} → <strong>{pct(r.hits[0]!.score)}</strong> {r.hits[0]!.name} (
                    {r.hits[0]!.list} {r.hits[0]!.id})
                  </span>
                )}
              />
            </>
          )}
        </Section>
      </div>
    </div>
  );
}
