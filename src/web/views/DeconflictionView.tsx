// Deconfliction console: your agency's cases and targets, planned operations, and the
// conflicts each has raised (your side in full, the other side as a pointer only).
import { useState } from 'preact/hooks';
import { get, post } from '../lib/api.ts';
import { oneOf } from '../lib/one-of.ts';
import { useAsync, useAction } from '../lib/use-async.ts';
import { ErrorNotice, Loading, Section } from '../components/ui.tsx';
import { OPERATION_TYPES, OUTCOMES, TARGET_KINDS } from '../../domain/deconfliction-terms.ts';
import { userMay } from '../lib/session.ts';

const val = (e: Event): string => (e.target as HTMLInputElement).value;

export function DeconflictionView() {
  const data = useAsync(
    async () => ({
      targets: await get('/deconfliction/targets'),
      ops: await get('/deconfliction/operations'),
      cases: userMay('manageCases') ? await get('/cases') : [],
      operations: userMay('planOperations') ? await get('/operations') : [],
      // The watch-center queue is for watch officers.
      watch: userMay('watchCenter') ? await get('/watch-center/queue') : null,
    }),
    [],
  );
  const [outcome, setOutcome] = useState<Record<number, { outcome: string; note: string }>>({});
  const claim = useAction(async (id: number) => {
    await post('/watch-center/{id}/claim', undefined, { path: { id } });
    data.reload();
  });
  const settle = useAction(async (id: number) => {
    const o = outcome[id] ?? { outcome: 'proceed', note: '' };
    if (!o.note.trim()) throw new Error('Record what both sides agreed (the note is kept with the outcome).');
    await post('/watch-center/{id}/resolve', { outcome: oneOf(OUTCOMES, o.outcome), note: o.note }, { path: { id } });
    data.reload();
  });
  const ack = useAction(async (kind: 'targets' | 'operations', id: number) => {
    if (kind === 'targets') await post('/deconfliction/targets/{id}/ack', undefined, { path: { id } });
    else await post('/deconfliction/operations/{id}/ack', undefined, { path: { id } });
    data.reload();
  });
  const [target, setTarget] = useState({ caseId: '', kind: 'person', value: '' });
  const addTarget = useAction(async () => {
    const r = await post(
      '/cases/{id}/targets',
      { targets: [{ kind: oneOf(TARGET_KINDS, target.kind), value: target.value }] },
      { path: { id: Number(target.caseId) } },
    );
    setResult(
      r.conflicts.length
        ? `Registered; ${r.conflicts.length} conflict(s) found: see below.`
        : 'Registered; no conflict.',
    );
    data.reload();
  });
  const [kase, setKase] = useState({ caseNumber: '', title: '', contactName: '', contactPhone: '' });
  const openCase = useAction(async () => {
    const c = await post('/cases', kase);
    setResult(`Case ${c.caseNumber} opened; register its targets to deconflict them.`);
    setTarget((t) => ({ ...t, caseId: String(c.id) }));
    setKase({ caseNumber: '', title: '', contactName: '', contactPhone: '' });
    data.reload();
  });
  const [op, setOp] = useState({
    type: 'raid',
    title: '',
    lat: '',
    lon: '',
    radiusM: '',
    startsAt: '',
    endsAt: '',
    contactName: '',
    contactPhone: '',
  });
  const [result, setResult] = useState('');
  const submitOp = useAction(async () => {
    const r = await post('/operations', {
      type: oneOf(OPERATION_TYPES, op.type),
      title: op.title,
      location: { lat: Number(op.lat), lon: Number(op.lon), ...(op.radiusM ? { radiusM: Number(op.radiusM) } : {}) },
      startsAt: new Date(op.startsAt).toISOString(),
      endsAt: new Date(op.endsAt).toISOString(),
      contactName: op.contactName,
      contactPhone: op.contactPhone,
    });
    setResult(`Operation ${r.status}${r.conflicts.length ? `: ${r.conflicts.length} conflict(s)` : ''}.`);
    data.reload();
  });
  const d = data.data;
  return (
    <div class="view" id="deconfliction">
      <h1>Deconfliction</h1>
      <ErrorNotice
        error={
          data.error ?? ack.error ?? addTarget.error ?? submitOp.error ?? claim.error ?? settle.error ?? openCase.error
        }
      />
      <p role="status" id="deconf-result">
        {result}
      </p>
      <Loading when={data.loading && !d}>
        {d && (
          <div class="grid2">
            {d.watch && (
              <Section title={`Watch center: escalated conflicts (${d.watch.length})`} id="watch-center">
                <ul>
                  {d.watch.map((w) => (
                    <li>
                      <strong>#{w.id}</strong> {w.reason}, escalated {w.escalatedAt.slice(0, 16)}:{' '}
                      {w.sides
                        .map(
                          (x) =>
                            `${x.agencyName} (${x.type}, ${x.contactName} ${x.contactPhone}${x.acknowledged ? ', acknowledged' : ''})`,
                        )
                        .join(' and ')}
                      {w.claimedBy ? (
                        ` · claimed by ${w.claimedBy}`
                      ) : (
                        <>
                          {' '}
                          <button type="button" onClick={() => claim.run(w.id)}>
                            Claim
                          </button>
                        </>
                      )}
                      {w.claimedBy && (
                        <span class="inline">
                          {' '}
                          <select
                            aria-label="Outcome"
                            value={outcome[w.id]?.outcome ?? 'proceed'}
                            onChange={(e) =>
                              setOutcome({ ...outcome, [w.id]: { note: outcome[w.id]?.note ?? '', outcome: val(e) } })
                            }
                          >
                            {OUTCOMES.map((o) => (
                              <option>{o}</option>
                            ))}
                          </select>
                          <input
                            aria-label="Note"
                            placeholder="What both sides agreed"
                            maxLength={2000}
                            value={outcome[w.id]?.note ?? ''}
                            onInput={(e) =>
                              setOutcome({
                                ...outcome,
                                [w.id]: { outcome: outcome[w.id]?.outcome ?? 'proceed', note: val(e) },
                              })
                            }
                          />
                          <button type="button" onClick={() => settle.run(w.id)}>
                            Record outcome
                          </button>
                        </span>
                      )}
                    </li>
                  ))}
                </ul>
                {!d.watch.length && <p class="hint">Nothing escalated.</p>}
              </Section>
            )}
            <Section title={`Target conflicts (${d.targets.length})`} id="target-conflicts">
              <ul>
                {d.targets.map((c) => (
                  <li>
                    <strong>{c.yourCase.caseNumber}</strong> {c.yourTarget.kind} “{c.yourTarget.value}” ({c.basis}) —
                    also worked by <strong>{c.other.agencyName}</strong>: contact {c.other.contactName},{' '}
                    {c.other.contactPhone}
                    {c.acknowledgedByYou ? (
                      ' · acknowledged'
                    ) : (
                      <>
                        {' '}
                        <button type="button" onClick={() => ack.run('targets', c.id)}>
                          Acknowledge
                        </button>
                      </>
                    )}
                  </li>
                ))}
              </ul>
              {!d.targets.length && <p class="hint">No target conflicts.</p>}
            </Section>
            <Section title={`Operation conflicts (${d.ops.length})`} id="op-conflicts">
              <ul>
                {d.ops.map((c) => (
                  <li>
                    <strong>{c.yourOperation.title}</strong> ({c.reason}) — {c.other.agencyName} plans an operation that
                    conflicts: contact {c.other.contactName}, {c.other.contactPhone}
                    {c.escalatedAt ? ' · escalated to the watch center' : ''}
                    {c.acknowledgedByYou ? (
                      ' · acknowledged'
                    ) : (
                      <>
                        {' '}
                        <button type="button" onClick={() => ack.run('operations', c.id)}>
                          Acknowledge
                        </button>
                      </>
                    )}
                  </li>
                ))}
              </ul>
              {!d.ops.length && <p class="hint">No operation conflicts.</p>}
            </Section>
            <Section title="Register a target" id="add-target">
              {d.cases.length ? (
                <form
                  id="target-form"
                  onSubmit={(e) => {
                    e.preventDefault();
                    addTarget.run();
                  }}
                >
                  <label>
                    Case{' '}
                    <select required value={target.caseId} onChange={(e) => setTarget({ ...target, caseId: val(e) })}>
                      <option value="">Choose…</option>
                      {d.cases
                        .filter((c) => c.status !== 'closed')
                        .map((c) => (
                          <option value={String(c.id)}>
                            {c.caseNumber} {c.title}
                          </option>
                        ))}
                    </select>
                  </label>
                  <label>
                    Kind{' '}
                    <select value={target.kind} onChange={(e) => setTarget({ ...target, kind: val(e) })}>
                      {TARGET_KINDS.map((k) => (
                        <option>{k}</option>
                      ))}
                    </select>
                  </label>
                  <label>
                    Value{' '}
                    <input
                      required
                      maxLength={300}
                      value={target.value}
                      onInput={(e) => setTarget({ ...target, value: val(e) })}
                    />
                  </label>
                  <button type="submit" disabled={addTarget.busy}>
                    Register and check
                  </button>
                </form>
              ) : (
                <p class="hint">Your agency has no open case you may manage.</p>
              )}
              {userMay('manageCases') && (
                <>
                  <h3>Open a case</h3>
                  <form
                    id="case-form"
                    onSubmit={(e) => {
                      e.preventDefault();
                      openCase.run();
                    }}
                  >
                    <label>
                      Case number{' '}
                      <input
                        required
                        maxLength={60}
                        value={kase.caseNumber}
                        onInput={(e) => setKase({ ...kase, caseNumber: val(e) })}
                      />
                    </label>
                    <label>
                      Title{' '}
                      <input
                        required
                        maxLength={300}
                        value={kase.title}
                        onInput={(e) => setKase({ ...kase, title: val(e) })}
                      />
                    </label>
                    <label>
                      Contact{' '}
                      <input
                        required
                        maxLength={120}
                        value={kase.contactName}
                        onInput={(e) => setKase({ ...kase, contactName: val(e) })}
                      />
                    </label>
                    <label>
                      Phone{' '}
                      <input
                        required
                        pattern="[+0-9 ()./-]{5,40}"
                        value={kase.contactPhone}
                        onInput={(e) => setKase({ ...kase, contactPhone: val(e) })}
                      />
                    </label>
                    <button type="submit" disabled={openCase.busy}>
                      Open case
                    </button>
                  </form>
                </>
              )}
            </Section>
            {userMay('planOperations') && (
              <Section title="Plan an operation" id="plan-op">
                <form
                  id="op-form"
                  onSubmit={(e) => {
                    e.preventDefault();
                    submitOp.run();
                  }}
                >
                  <label>
                    Type{' '}
                    <select value={op.type} onChange={(e) => setOp({ ...op, type: val(e) })}>
                      {OPERATION_TYPES.map((t) => (
                        <option>{t}</option>
                      ))}
                    </select>
                  </label>
                  <label>
                    Title{' '}
                    <input required maxLength={300} value={op.title} onInput={(e) => setOp({ ...op, title: val(e) })} />
                  </label>
                  <label>
                    Latitude{' '}
                    <input
                      required
                      type="number"
                      step="any"
                      min={-90}
                      max={90}
                      value={op.lat}
                      onInput={(e) => setOp({ ...op, lat: val(e) })}
                    />
                  </label>
                  <label>
                    Longitude{' '}
                    <input
                      required
                      type="number"
                      step="any"
                      min={-180}
                      max={180}
                      value={op.lon}
                      onInput={(e) => setOp({ ...op, lon: val(e) })}
                    />
                  </label>
                  <label>
                    Radius (m){' '}
                    <input
                      type="number"
                      min={1}
                      max={50000}
                      value={op.radiusM}
                      onInput={(e) => setOp({ ...op, radiusM: val(e) })}
                    />
                  </label>
                  <label>
                    Starts{' '}
                    <input
                      required
                      type="datetime-local"
                      value={op.startsAt}
                      onInput={(e) => setOp({ ...op, startsAt: val(e) })}
                    />
                  </label>
                  <label>
                    Ends{' '}
                    <input
                      required
                      type="datetime-local"
                      value={op.endsAt}
                      onInput={(e) => setOp({ ...op, endsAt: val(e) })}
                    />
                  </label>
                  <label>
                    Contact{' '}
                    <input
                      required
                      maxLength={120}
                      value={op.contactName}
                      onInput={(e) => setOp({ ...op, contactName: val(e) })}
                    />
                  </label>
                  <label>
                    Phone{' '}
                    <input
                      required
                      pattern="[+0-9 ()./-]{5,40}"
                      value={op.contactPhone}
                      onInput={(e) => setOp({ ...op, contactPhone: val(e) })}
                    />
                  </label>
                  <button type="submit" disabled={submitOp.busy}>
                    Submit for deconfliction
                  </button>
                </form>
                <h3>Your agency's operations</h3>
                <ul>
                  {d.operations.slice(0, 50).map((o) => (
                    <li>
                      {o.startsAt.slice(0, 16)} {o.type} — {o.title} ({o.status})
                    </li>
                  ))}
                </ul>
              </Section>
            )}
          </div>
        )}
      </Loading>
    </div>
  );
}
