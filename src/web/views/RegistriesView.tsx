// Registries: pill presses and die molds (search by serial, alerts on machines seen
// unregistered, registered to someone else or reported), and task forces with the
// pairs likely to duplicate each other.
import { useState } from 'preact/hooks';
import { type Answer, get, post } from '../lib/api.ts';
import { oneOf } from '../lib/one-of.ts';
import { userMay } from '../lib/session.ts';
import { useAsync, useAction } from '../lib/use-async.ts';
import { ErrorNotice, Loading, Section, EntityLink } from '../components/ui.tsx';
import { PRESS_EVENT_KINDS, PRESS_KINDS, TASK_FORCE_FOCUS, TASK_FORCE_KINDS } from '../../domain/registry-terms.ts';

const val = (e: Event): string => (e.target as HTMLInputElement).value;
const commaList = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

type Press = Answer<'/presses'>[number];

export function PressesView() {
  const alerts = useAsync(() => get('/presses/alerts'), []);
  const [serial, setSerial] = useState('');
  const [found, setFound] = useState<Press[]>();
  const [history, setHistory] = useState<Answer<'/presses/{id}'>>();
  const search = useAction(async () => setFound(await get('/presses', { query: { serial } })));
  const open = useAction(async (id: number) => setHistory(await get('/presses/{id}', { path: { id } })));
  const [reg, setReg] = useState({
    kind: 'tablet press',
    make: '',
    model: '',
    serial: '',
    owner: '',
    location: '',
    country: '',
  });
  const [done, setDone] = useState('');
  const register = useAction(async () => {
    const r = await post('/presses', {
      ...reg,
      kind: oneOf(PRESS_KINDS, reg.kind),
      country: reg.country.toUpperCase(),
    });
    setDone(`Registered as machine ${r.id}.`);
    setSerial(reg.serial);
    setFound(await get('/presses', { query: { serial: reg.serial } }));
    alerts.reload();
  });
  const [ev, setEv] = useState({ kind: 'transfer', toOwner: '', country: '', note: '' });
  const record = useAction(async (id: number) => {
    setHistory(
      await post(
        '/presses/{id}/events',
        {
          kind: oneOf(PRESS_EVENT_KINDS, ev.kind),
          ...(ev.toOwner ? { toOwner: ev.toOwner } : {}),
          ...(ev.country ? { country: ev.country.toUpperCase() } : {}),
          ...(ev.note ? { note: ev.note } : {}),
        },
        { path: { id } },
      ),
    );
    alerts.reload();
  });
  return (
    <div class="view" id="presses">
      <h1>Pill press and die mold registry</h1>
      <ErrorNotice error={alerts.error ?? search.error ?? open.error ?? register.error ?? record.error} />
      <p role="status" id="press-done">
        {done}
      </p>
      <div class="grid2">
        <Section title="Find a machine by serial" id="press-search">
          <form
            class="inline"
            onSubmit={(e) => {
              e.preventDefault();
              search.run();
            }}
          >
            <input
              aria-label="Serial number"
              required
              maxLength={100}
              value={serial}
              onInput={(e) => setSerial((e.target as HTMLInputElement).value)}
            />
            <button type="submit">Find</button>
          </form>
          {found &&
            (found.length ? (
              <ul>
                {found.map((p) => (
                  <li>
                    <button type="button" class="link" onClick={() => open.run(p.id)}>
                      {p.kind} {p.make} {p.model} #{p.serial}
                    </button>{' '}
                    — {p.owner} ({p.country}), {p.status}
                  </li>
                ))}
              </ul>
            ) : (
              <p>No registered machine has this serial.</p>
            ))}
          {history && (
            <div id="press-history">
              <h3>
                {history.make} {history.model} #{history.serial}
              </h3>
              <ol class="timeline">
                {history.events.map((e) => (
                  <li>
                    <time>{e.at.slice(0, 10)}</time> {e.kind} {e.fromOwner ? `from ${e.fromOwner} ` : ''}
                    {e.toOwner ? `to ${e.toOwner} ` : ''}
                    {e.country ?? ''} {e.note ?? ''}
                  </li>
                ))}
              </ol>
              <form
                class="inline"
                aria-label="Record an event"
                onSubmit={(e) => {
                  e.preventDefault();
                  record.run(history.id);
                }}
              >
                <select aria-label="Event" value={ev.kind} onChange={(e) => setEv({ ...ev, kind: val(e) })}>
                  {PRESS_EVENT_KINDS.map((k) => (
                    <option>{k}</option>
                  ))}
                </select>
                <input
                  aria-label="New owner"
                  placeholder="New owner (transfer)"
                  maxLength={300}
                  value={ev.toOwner}
                  onInput={(e) => setEv({ ...ev, toOwner: val(e) })}
                />
                <input
                  aria-label="Country"
                  placeholder="Country (ISO)"
                  maxLength={2}
                  size={4}
                  value={ev.country}
                  onInput={(e) => setEv({ ...ev, country: val(e) })}
                />
                <input
                  aria-label="Note"
                  placeholder="Note"
                  maxLength={2000}
                  value={ev.note}
                  onInput={(e) => setEv({ ...ev, note: val(e) })}
                />
                <button type="submit" disabled={record.busy}>
                  Record
                </button>
              </form>
            </div>
          )}
        </Section>
        <Section title="Register a machine or die mold" id="press-register">
          <form
            id="press-form"
            onSubmit={(e) => {
              e.preventDefault();
              register.run();
            }}
          >
            <label>
              Kind{' '}
              <select value={reg.kind} onChange={(e) => setReg({ ...reg, kind: val(e) })}>
                {PRESS_KINDS.map((k) => (
                  <option>{k}</option>
                ))}
              </select>
            </label>
            {(['make', 'model', 'serial', 'owner', 'location'] as const).map((f) => (
              <label>
                {f[0]!.toUpperCase() + f.slice(1)}{' '}
                <input
                  name={f}
                  required
                  maxLength={f === 'owner' || f === 'location' ? 300 : 100}
                  value={reg[f]}
                  onInput={(e) => setReg({ ...reg, [f]: val(e) })}
                />
              </label>
            ))}
            <label>
              Country{' '}
              <input
                name="country"
                required
                pattern="[A-Za-z]{2}"
                title="ISO 3166 two-letter code"
                maxLength={2}
                size={4}
                value={reg.country}
                onInput={(e) => setReg({ ...reg, country: val(e) })}
              />
            </label>
            <button type="submit" disabled={register.busy}>
              Register
            </button>
          </form>
        </Section>
        <Section title="Alerts" id="press-alerts">
          <Loading when={alerts.loading && !alerts.data}>
            <ul>
              {(alerts.data ?? []).map((a) => (
                <li>
                  <time>{a.at.slice(0, 10)}</time> <strong>{a.kind}</strong> {a.message}{' '}
                  {a.entityId && <EntityLink id={a.entityId} caption="open" />}
                </li>
              ))}
            </ul>
            {alerts.data && !alerts.data.length && <p class="hint">No alerts.</p>}
          </Loading>
        </Section>
      </div>
    </div>
  );
}

export function TaskForcesView() {
  const list = useAsync(() => get('/task-forces'), []);
  // The duplication review is for supervisors and administrators.
  const dups = useAsync(async () => (userMay('manageTaskForces') ? get('/task-forces/duplication') : null), []);
  const [tf, setTf] = useState({
    name: '',
    kind: 'task force',
    purpose: '',
    leadAgency: '',
    memberAgencies: '',
    geography: '',
    focus: new Set<string>(),
  });
  const create = useAction(async () => {
    await post('/task-forces', {
      name: tf.name,
      kind: oneOf(TASK_FORCE_KINDS, tf.kind),
      purpose: tf.purpose,
      leadAgency: tf.leadAgency.toUpperCase(),
      memberAgencies: commaList(tf.memberAgencies.toUpperCase()),
      geography: commaList(tf.geography.toUpperCase()),
      focus: [...tf.focus].map((f) => oneOf(TASK_FORCE_FOCUS, f)),
    });
    setTf({
      name: '',
      kind: 'task force',
      purpose: '',
      leadAgency: '',
      memberAgencies: '',
      geography: '',
      focus: new Set(),
    });
    list.reload();
    dups.reload();
  });
  return (
    <div class="view" id="task-forces">
      <h1>Task forces and fusion cells</h1>
      {userMay('manageTaskForces') && (
        <Section title="Register a task force or fusion cell" id="tf-register">
          <form
            id="tf-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (!tf.focus.size) return;
              create.run();
            }}
          >
            <label>
              Name <input required maxLength={200} value={tf.name} onInput={(e) => setTf({ ...tf, name: val(e) })} />
            </label>
            <label>
              Kind{' '}
              <select value={tf.kind} onChange={(e) => setTf({ ...tf, kind: val(e) })}>
                {TASK_FORCE_KINDS.map((k) => (
                  <option>{k}</option>
                ))}
              </select>
            </label>
            <label>
              Purpose{' '}
              <input
                required
                maxLength={4000}
                size={50}
                value={tf.purpose}
                onInput={(e) => setTf({ ...tf, purpose: val(e) })}
              />
            </label>
            <label>
              Lead agency{' '}
              <input
                required
                maxLength={20}
                size={8}
                value={tf.leadAgency}
                onInput={(e) => setTf({ ...tf, leadAgency: val(e) })}
              />
            </label>
            <label>
              Member agencies (comma-separated){' '}
              <input
                maxLength={600}
                value={tf.memberAgencies}
                onInput={(e) => setTf({ ...tf, memberAgencies: val(e) })}
              />
            </label>
            <label>
              Area: countries or states (comma-separated ISO codes, e.g. US-AZ, MX-SIN){' '}
              <input
                required
                maxLength={600}
                value={tf.geography}
                onInput={(e) => setTf({ ...tf, geography: val(e) })}
              />
            </label>
            <fieldset>
              <legend>Focus (one or more)</legend>
              {TASK_FORCE_FOCUS.map((f) => (
                <label>
                  <input
                    type="checkbox"
                    checked={tf.focus.has(f)}
                    onChange={() =>
                      setTf((t) => {
                        const n = new Set(t.focus);
                        if (n.has(f)) n.delete(f);
                        else n.add(f);
                        return { ...t, focus: n };
                      })
                    }
                  />{' '}
                  {f}
                </label>
              ))}
            </fieldset>
            <button type="submit" disabled={create.busy}>
              Register
            </button>
            {!tf.focus.size && <p class="hint">Choose at least one focus.</p>}
          </form>
        </Section>
      )}
      <ErrorNotice error={create.error ?? list.error ?? dups.error} />
      {dups.data === null ? (
        <p class="hint">The duplication review is for supervisors and administrators.</p>
      ) : (
        <Section title="Possible duplication" id="duplication">
          <ul>
            {(dups.data ?? []).map((d) => (
              <li>
                <strong>{Math.round(d.score * 100)}%</strong> {d.a.name} ↔ {d.b.name}:{' '}
                {[
                  d.sharedGeography.length ? `same area (${d.sharedGeography.join(', ')})` : '',
                  d.sharedFocus.length ? `same focus (${d.sharedFocus.join(', ')})` : '',
                  d.sharedTargets ? `${d.sharedTargets} shared targets` : '',
                  d.sharedAgencies.length ? `agencies in both: ${d.sharedAgencies.join(', ')}` : '',
                ]
                  .filter(Boolean)
                  .join('; ')}
              </li>
            ))}
          </ul>
          {dups.data && !dups.data.length && <p class="hint">No likely duplication.</p>}
        </Section>
      )}
      <Loading when={list.loading && !list.data}>
        <table id="task-force-list">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Lead</th>
              <th scope="col">Members</th>
              <th scope="col">Area</th>
              <th scope="col">Focus</th>
              <th scope="col">Targets</th>
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((t) => (
              <tr>
                <th scope="row">{t.name}</th>
                <td>{t.kind}</td>
                <td>{t.leadAgency}</td>
                <td>{t.memberAgencies.join(', ')}</td>
                <td>{t.geography.join(', ')}</td>
                <td>{t.focus.join(', ')}</td>
                <td>{t.targets}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Loading>
    </div>
  );
}
