// Registries: pill presses and die molds (search by serial, alerts on machines seen
// unregistered, registered to someone else or reported), and task forces with the
// pairs likely to duplicate each other.
import { useState } from 'preact/hooks';
import { api, q, type ApiError } from '../lib/api.ts';
import { useAsync, useAction } from '../lib/use-async.ts';
import { ErrorNotice, Loading, Section, EntityLink } from '../components/ui.tsx';

interface Press { id: number; kind: string; make: string; model: string; serial: string; owner: string; country: string; status: string }
interface Alert { id: number; at: string; kind: string; serial: string; entityId: string | null; record: string | null; message: string }
export function PressesView() {
  const alerts = useAsync(() => api<Alert[]>('/presses/alerts'), []);
  const [serial, setSerial] = useState('');
  const [found, setFound] = useState<Press[]>();
  const [history, setHistory] = useState<{ events: { kind: string; at: string; fromOwner?: string; toOwner?: string; country?: string; note?: string }[] } & Press>();
  const search = useAction(async () => setFound(await api<Press[]>(`/presses${q({ serial })}`)));
  const open = useAction(async (id: number) => setHistory(await api(`/presses/${id}`)));
  return (
    <div class="view" id="presses">
      <h1>Pill press and die mold registry</h1>
      <ErrorNotice error={alerts.error ?? search.error ?? open.error} />
      <div class="grid2">
        <Section title="Find a machine by serial" id="press-search">
          <form class="inline" onSubmit={(e) => { e.preventDefault(); search.run(); }}>
            <input aria-label="Serial number" required maxLength={100} value={serial} onInput={(e) => setSerial((e.target as HTMLInputElement).value)} />
            <button type="submit">Find</button></form>
          {found && (found.length ? <ul>{found.map((p) => <li><button type="button" class="link" onClick={() => open.run(p.id)}>{p.kind} {p.make} {p.model} #{p.serial}</button> — {p.owner} ({p.country}), {p.status}</li>)}</ul> : <p>No registered machine has this serial.</p>)}
          {history && <div id="press-history"><h3>{history.make} {history.model} #{history.serial}</h3>
            <ol class="timeline">{history.events.map((e) => <li><time>{e.at.slice(0, 10)}</time> {e.kind} {e.fromOwner ? `from ${e.fromOwner} ` : ''}{e.toOwner ? `to ${e.toOwner} ` : ''}{e.country ?? ''} {e.note ?? ''}</li>)}</ol></div>}
        </Section>
        <Section title="Alerts" id="press-alerts">
          <Loading when={alerts.loading && !alerts.data}>
            <ul>{(alerts.data ?? []).map((a) => <li><time>{a.at.slice(0, 10)}</time> <strong>{a.kind}</strong> {a.message} {a.entityId && <EntityLink id={a.entityId} caption="open" />}</li>)}</ul>
            {alerts.data && !alerts.data.length && <p class="hint">No alerts.</p>}
          </Loading>
        </Section>
      </div>
    </div>
  );
}

interface TaskForce { id: number; name: string; kind: string; purpose: string; leadAgency: string; memberAgencies: string[]; geography: string[]; focus: string[]; targets: number }
interface Dup { a: { name: string }; b: { name: string }; score: number; sharedGeography: string[]; sharedFocus: string[]; sharedTargets: number; sharedAgencies: string[] }
export function TaskForcesView() {
  const list = useAsync(() => api<TaskForce[]>('/task-forces'), []);
  const dups = useAsync(() => api<Dup[]>('/task-forces/duplication'), []);
  return (
    <div class="view" id="task-forces">
      <h1>Task forces and fusion cells</h1>
      <ErrorNotice error={list.error ?? (dups.error && (dups.error as ApiError).status !== 403 ? dups.error : undefined)} />
      {dups.error && (dups.error as ApiError).status === 403 ? <p class="hint">The duplication review is for supervisors and administrators.</p> : <Section title="Possible duplication" id="duplication">
        <ul>{(dups.data ?? []).map((d) => <li><strong>{Math.round(d.score * 100)}%</strong> {d.a.name} ↔ {d.b.name}: {[d.sharedGeography.length ? `same area (${d.sharedGeography.join(', ')})` : '', d.sharedFocus.length ? `same focus (${d.sharedFocus.join(', ')})` : '', d.sharedTargets ? `${d.sharedTargets} shared targets` : '', d.sharedAgencies.length ? `agencies in both: ${d.sharedAgencies.join(', ')}` : ''].filter(Boolean).join('; ')}</li>)}</ul>
        {dups.data && !dups.data.length && <p class="hint">No likely duplication.</p>}
      </Section>}
      <Loading when={list.loading && !list.data}>
        <table id="task-force-list"><thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Lead</th><th scope="col">Members</th><th scope="col">Area</th><th scope="col">Focus</th><th scope="col">Targets</th></tr></thead>
          <tbody>{(list.data ?? []).map((t) => <tr><th scope="row">{t.name}</th><td>{t.kind}</td><td>{t.leadAgency}</td><td>{t.memberAgencies.join(', ')}</td><td>{t.geography.join(', ')}</td><td>{t.focus.join(', ')}</td><td>{t.targets}</td></tr>)}</tbody></table>
      </Loading>
    </div>
  );
}
