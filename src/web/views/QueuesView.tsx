// Work queues: watchlist nominations for review, and the targeting queue of the
// riskiest shipments with the rules that fired and an exam result to record.
import { useState } from 'preact/hooks';
import { api, q } from '../lib/api.ts';
import { useAsync, useAction } from '../lib/use-async.ts';
import { ErrorNotice, Loading, EntityLink, pct } from '../components/ui.tsx';

interface Nomination { id: number; reference: string; subjectKind: string; names: string[]; status: string; agency: string; usPerson: boolean }
export function NominationsView() {
  const [status, setStatus] = useState('');
  const list = useAsync(() => api<Nomination[]>(`/watchlist/nominations${q({ status })}`), [status]);
  const [note, setNote] = useState<Record<number, string>>({});
  const review = useAction(async (id: number, decision: 'accept' | 'reject' | 'request_more') => {
    if (!note[id]?.trim()) throw new Error('State the reason for the decision (it is kept with the nomination).');
    await api(`/watchlist/nominations/${id}/review`, { method: 'POST', body: { decision, note: note[id] } });
    list.reload();
  });
  return (
    <div class="view" id="nominations">
      <h1>Watchlist nominations</h1>
      <label>Status <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
        {['', 'pending_review', 'more_information', 'equities', 'active', 'rejected', 'removed'].map((s) => <option value={s}>{s || 'all'}</option>)}</select></label>
      <ErrorNotice error={list.error ?? review.error} />
      <Loading when={list.loading && !list.data}>
        <table id="nomination-list"><thead><tr><th scope="col">Reference</th><th scope="col">Subject</th><th scope="col">Agency</th><th scope="col">Status</th><th scope="col">Review</th></tr></thead>
          <tbody>{(list.data ?? []).map((n) => <tr><td>{n.reference}</td><td>{n.names.join('; ')} <span class="schema">{n.subjectKind}{n.usPerson ? ' · U.S. person' : ''}</span></td><td>{n.agency}</td><td>{n.status}</td>
            <td>{['pending_review', 'in_review'].includes(n.status) ? <span class="inline">
              <input aria-label={`Reason for ${n.reference}`} placeholder="Reason" maxLength={4000} value={note[n.id] ?? ''} onInput={(e) => setNote({ ...note, [n.id]: (e.target as HTMLInputElement).value })} />
              <button type="button" onClick={() => review.run(n.id, 'accept')}>Accept</button> <button type="button" onClick={() => review.run(n.id, 'request_more')}>Ask for more</button> <button type="button" onClick={() => review.run(n.id, 'reject')}>Reject</button></span> : '—'}</td></tr>)}</tbody></table>
        {list.data && !list.data.length && <p class="hint">No nominations you may see.</p>}
      </Loading>
    </div>
  );
}

interface Scored { shipment: string; score: number; hold: string | null; reasons: { rule: string; version?: number; points?: number; why?: string; detail?: string }[] }
export function TargetingView() {
  const queue = useAsync(() => api<Scored[]>('/targeting/queue?limit=200'), []);
  const rules = useAsync(() => api<{ code: string; name: string; hitRate?: number | null; fired?: number }[]>('/targeting/rules'), []);
  const exam = useAction(async (id: string, result: 'hit' | 'no hit' | 'seized') => { await api(`/targeting/shipments/${encodeURIComponent(id)}/exam`, { method: 'POST', body: { result } }); queue.reload(); });
  return (
    <div class="view" id="targeting">
      <h1>Targeting queue</h1>
      <ErrorNotice error={queue.error ?? exam.error ?? rules.error} />
      <Loading when={queue.loading && !queue.data}>
        <table id="targeting-queue"><thead><tr><th scope="col">Shipment</th><th scope="col">Risk</th><th scope="col">Why</th><th scope="col">Exam result</th></tr></thead>
          <tbody>{(queue.data ?? []).map((s) => <tr><td><EntityLink id={s.shipment} caption={s.shipment} />{s.hold ? <strong class="alert"> HELD: {s.hold}</strong> : null}</td><td>{pct(s.score)}</td>
            <td><ul class="reasons">{s.reasons.map((r) => <li><strong>{r.rule}</strong> {r.why ?? r.detail ?? ''}</li>)}</ul></td>
            <td><button type="button" onClick={() => exam.run(s.shipment, 'hit')}>Hit</button> <button type="button" onClick={() => exam.run(s.shipment, 'no hit')}>No hit</button> <button type="button" onClick={() => exam.run(s.shipment, 'seized')}>Seized</button></td></tr>)}</tbody></table>
        {queue.data && !queue.data.length && <p class="hint">Nothing queued that you may see.</p>}
      </Loading>
    </div>
  );
}
