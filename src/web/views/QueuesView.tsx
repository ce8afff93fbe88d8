// Work queues: watchlist nominations for review, and the targeting queue of the
// riskiest shipments with the rules that fired and an exam result to record.
import { useState } from 'preact/hooks';
import { get, post } from '../lib/api.ts';
import { oneOf } from '../lib/one-of.ts';
import { useAsync, useAction } from '../lib/use-async.ts';
import { ErrorNotice, Loading, EntityLink, pct } from '../components/ui.tsx';
import { userMay } from '../lib/session.ts';

const lines = (s: string): string[] =>
  s
    .split(/[\n,]/)
    .map((x) => x.trim())
    .filter(Boolean);
export function NominationsView() {
  const [status, setStatus] = useState('');
  const settings = useAsync(() => get('/watchlist/settings'), []);
  const categories = settings.data?.criteria.categories ?? [];
  const [n, setN] = useState({
    subjectKind: 'person' as 'person' | 'organization',
    names: '',
    birthDates: '',
    nationalities: '',
    usPerson: false,
    categories: new Set<string>(),
    basis: '',
    marking: '',
  });
  const [sent, setSent] = useState('');
  const nominate = useAction(async () => {
    const r = await post('/watchlist/nominations', {
      subjectKind: n.subjectKind,
      names: lines(n.names),
      ...(n.birthDates ? { birthDates: lines(n.birthDates) } : {}),
      ...(n.nationalities ? { nationalities: lines(n.nationalities.toUpperCase()) } : {}),
      usPerson: n.usPerson,
      categories: [...n.categories],
      basis: n.basis,
      marking: n.marking,
    });
    setSent(`Nomination ${r.reference} filed (${r.status}).`);
    list.reload();
  });
  const list = useAsync(() => get('/watchlist/nominations', { query: { status } }), [status]);
  const [note, setNote] = useState<Record<number, string>>({});
  const review = useAction(async (id: number, decision: 'accept' | 'reject' | 'request_more') => {
    if (!note[id]?.trim()) throw new Error('State the reason for the decision (it is kept with the nomination).');
    await post('/watchlist/nominations/{id}/review', { decision, note: note[id] }, { path: { id } });
    list.reload();
  });
  return (
    <div class="view" id="nominations">
      <h1>Watchlist nominations</h1>
      <label>
        Status{' '}
        <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
          {['', 'pending_review', 'more_info', 'pending_deconfliction', 'active', 'rejected', 'removed'].map((s) => (
            <option value={s}>{s || 'all'}</option>
          ))}
        </select>
      </label>
      <ErrorNotice error={list.error ?? review.error ?? nominate.error ?? settings.error} />
      <p role="status" id="nominate-done">
        {sent}
      </p>
      {userMay('nominate') && (
        <details class="card">
          <summary>Nominate a subject</summary>
          <form
            id="nominate-form"
            onSubmit={(e) => {
              e.preventDefault();
              nominate.run();
            }}
          >
            <label>
              Subject{' '}
              <select
                value={n.subjectKind}
                onChange={(e) =>
                  setN({ ...n, subjectKind: oneOf(['person', 'organization'], (e.target as HTMLSelectElement).value) })
                }
              >
                <option value="person">person</option>
                <option value="organization">organization</option>
              </select>
            </label>
            <label>
              Names (one per line){' '}
              <textarea
                required
                rows={2}
                value={n.names}
                onInput={(e) => setN({ ...n, names: (e.target as HTMLTextAreaElement).value })}
              />
            </label>
            <label>
              Dates of birth (YYYY-MM-DD, comma-separated){' '}
              <input
                maxLength={60}
                value={n.birthDates}
                onInput={(e) => setN({ ...n, birthDates: (e.target as HTMLInputElement).value })}
              />
            </label>
            <label>
              Nationalities (ISO, comma-separated){' '}
              <input
                maxLength={20}
                value={n.nationalities}
                onInput={(e) => setN({ ...n, nationalities: (e.target as HTMLInputElement).value })}
              />
            </label>
            <label>
              <input type="checkbox" checked={n.usPerson} onChange={() => setN({ ...n, usPerson: !n.usPerson })} /> U.S.
              person
            </label>
            <fieldset>
              <legend>Criteria met</legend>
              {categories.map((c) => (
                <label>
                  <input
                    type="checkbox"
                    checked={n.categories.has(c)}
                    onChange={() =>
                      setN((x) => {
                        const s2 = new Set(x.categories);
                        if (s2.has(c)) s2.delete(c);
                        else s2.add(c);
                        return { ...x, categories: s2 };
                      })
                    }
                  />{' '}
                  {c}
                </label>
              ))}
            </fieldset>
            <label>
              Basis (the facts that meet the criteria){' '}
              <textarea
                required
                rows={3}
                maxLength={20000}
                value={n.basis}
                onInput={(e) => setN({ ...n, basis: (e.target as HTMLTextAreaElement).value })}
              />
            </label>
            <label>
              Marking{' '}
              <input
                required
                maxLength={200}
                placeholder="e.g. C//LES (at most your clearance)"
                value={n.marking}
                onInput={(e) => setN({ ...n, marking: (e.target as HTMLInputElement).value })}
              />
            </label>
            <button type="submit" disabled={nominate.busy}>
              Nominate
            </button>
          </form>
        </details>
      )}
      <Loading when={list.loading && !list.data}>
        <table id="nomination-list">
          <thead>
            <tr>
              <th scope="col">Reference</th>
              <th scope="col">Subject</th>
              <th scope="col">Agency</th>
              <th scope="col">Status</th>
              <th scope="col">Review</th>
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((n) => (
              <tr>
                <td>{n.reference}</td>
                <td>
                  {n.names.join('; ')}{' '}
                  <span class="schema">
                    {n.subjectKind}
                    {n.usPerson ? ' · U.S. person' : ''}
                  </span>
                </td>
                <td>{n.agency}</td>
                <td>{n.status}</td>
                <td>
                  {userMay('reviewNominations') && ['pending_review', 'in_review'].includes(n.status) ? (
                    <span class="inline">
                      <input
                        aria-label={`Reason for ${n.reference}`}
                        placeholder="Reason"
                        maxLength={4000}
                        value={note[n.id] ?? ''}
                        onInput={(e) => setNote({ ...note, [n.id]: (e.target as HTMLInputElement).value })}
                      />
                      <button type="button" onClick={() => review.run(n.id, 'accept')}>
                        Accept
                      </button>{' '}
                      <button type="button" onClick={() => review.run(n.id, 'request_more')}>
                        Ask for more
                      </button>{' '}
                      <button type="button" onClick={() => review.run(n.id, 'reject')}>
                        Reject
                      </button>
                    </span>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {list.data && !list.data.length && <p class="hint">No nominations you may see.</p>}
      </Loading>
    </div>
  );
}

export function TargetingView() {
  const queue = useAsync(() => get('/targeting/queue', { query: { limit: 200 } }), []);
  const rules = useAsync(() => get('/targeting/rules'), []);
  const exam = useAction(async (id: string, result: 'hit' | 'no hit' | 'seized') => {
    await post('/targeting/shipments/{id}/exam', { result }, { path: { id } });
    queue.reload();
  });
  return (
    <div class="view" id="targeting">
      <h1>Targeting queue</h1>
      <ErrorNotice error={queue.error ?? exam.error ?? rules.error} />
      <Loading when={queue.loading && !queue.data}>
        <table id="targeting-queue">
          <thead>
            <tr>
              <th scope="col">Shipment</th>
              <th scope="col">Risk</th>
              <th scope="col">Why</th>
              <th scope="col">Exam result</th>
            </tr>
          </thead>
          <tbody>
            {(queue.data ?? []).map((s) => (
              <tr>
                <td>
                  <EntityLink id={s.shipment} caption={s.shipment} />
                  {s.hold ? <strong class="alert"> HELD: {s.hold}</strong> : null}
                </td>
                <td>{pct(s.score)}</td>
                <td>
                  <ul class="reasons">
                    {s.reasons.map((r) => (
                      <li>
                        <strong>{r.rule}</strong> {r.detail}
                      </li>
                    ))}
                  </ul>
                </td>
                <td>
                  <button type="button" onClick={() => exam.run(s.shipment, 'hit')}>
                    Hit
                  </button>{' '}
                  <button type="button" onClick={() => exam.run(s.shipment, 'no hit')}>
                    No hit
                  </button>{' '}
                  <button type="button" onClick={() => exam.run(s.shipment, 'seized')}>
                    Seized
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {queue.data && !queue.data.length && <p class="hint">Nothing queued that you may see.</p>}
      </Loading>
    </div>
  );
}
