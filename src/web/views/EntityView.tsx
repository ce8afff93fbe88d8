// One entity: every value with its portion marking and provenance (source, record,
// date, grade), its timeline of events, linked cases, possible matches to review,
// and its watchlist and sanctions status (screened on open, logged like any screening).
import { get, post } from '../lib/api.ts';
import { useAsync, useAction } from '../lib/use-async.ts';
import { useMarkings } from '../lib/banner.ts';
import { href } from '../lib/router.ts';
import { ErrorNotice, EntityLink, Loading, Portion, Section, pct } from '../components/ui.tsx';

const PERSONISH = /Person|Company|Organization|LegalEntity/;

export function EntityView({ id }: { id: string }) {
  const { data, error, loading, reload } = useAsync(async () => {
    const path = { id };
    const e = await get('/entities/{id}', { path });
    const [merged, events, relations, links, cases] = await Promise.all([
      e.sameAs.length ? get('/entities/{id}/merged', { path }) : Promise.resolve(null),
      get('/entities/{id}/events', { path }),
      get('/entities/{id}/relations', { path }),
      get('/links', { query: { entity: id, limit: 20 } }),
      get('/entities/{id}/cases', { path }),
    ]);
    return { e, merged, events, relations, links, cases };
  }, [id]);
  const d = data;
  useMarkings([
    d?.e.marking,
    ...(d?.events.map((x) => x.marking) ?? []),
    ...(d?.relations.entities.map((x) => x.portion) ?? []),
  ]);
  const name = d?.e.properties.name?.[0]?.value;
  const status = useAsync(
    async () =>
      name && PERSONISH.test(d!.e.schema)
        ? post('/screen', {
            name,
            ...(d!.e.properties.birthDate?.[0] ? { birthDate: d!.e.properties.birthDate[0].value } : {}),
          })
        : null,
    [name],
  );
  const judge = useAction(async (linkId: number, action: 'confirm' | 'reject') => {
    await post('/links/{id}/{action}', {}, { path: { id: linkId, action } });
    reload();
  });
  const caseEntities = d ? d.relations.entities.filter((x) => x.schema === 'Case') : [];
  const props = d ? (d.merged?.properties ?? d.e.properties) : {};
  return (
    <div class="view" id="entity">
      <ErrorNotice error={error ?? judge.error} />
      <Loading when={loading && !d}>
        {d && (
          <>
            <h1>
              <Portion m={d.e.portion} /> {d.e.caption}
            </h1>
            <p class="meta">
              {d.e.schema} · {d.e.id} · sources: {d.e.sources.join(', ')} ·{' '}
              <a href={href('graph', { focus: d.e.id })}>Explore in graph</a>
            </p>
            {d.merged && (
              <p class="merged">
                Merged with{' '}
                {d.merged.members
                  .filter((m) => m.id !== id)
                  .map((m) => `${m.caption} (${m.sources.join(', ')})`)
                  .join('; ')}
              </p>
            )}
            <div class="grid2">
              <Section title="Properties and provenance" id="props">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Property</th>
                      <th scope="col">Value</th>
                      <th scope="col">Source</th>
                    </tr>
                  </thead>
                  <tbody>
                    {Object.entries(props).flatMap(([p, vals]) =>
                      vals.map((v) => (
                        <tr>
                          <th scope="row">{p}</th>
                          <td>
                            <Portion m={v.portion} /> {v.value}
                          </td>
                          <td class="prov">
                            {[v.source, v.sourceRecordId, v.reportDate, v.grade].filter(Boolean).join(' ')}
                          </td>
                        </tr>
                      )),
                    )}
                  </tbody>
                </table>
              </Section>
              <Section title="Watchlist and sanctions" id="status">
                <ErrorNotice error={status.error} />
                {!PERSONISH.test(d.e.schema) ? (
                  <p class="hint">Screening applies to people and organisations.</p>
                ) : status.loading ? (
                  <p class="hint">Screening…</p>
                ) : (
                  status.data && (
                    <>
                      {status.data.watchlist.map((w) => (
                        <p class="alert">
                          Watchlist: {w.result} (encounter {w.encounter}).
                        </p>
                      ))}
                      <ul id="status-hits">
                        {status.data.hits.slice(0, 5).map((h) => (
                          <li>
                            <strong>{pct(h.score)}</strong> {h.name} — {h.list} {h.id} [{h.programs.join(', ')}]
                            <ul class="reasons">
                              {h.reasons.map((r) => (
                                <li>{r}</li>
                              ))}
                            </ul>
                          </li>
                        ))}
                      </ul>
                      {!status.data.hits.length && !status.data.watchlist.length && (
                        <p>No sanctions or watchlist hit.</p>
                      )}
                    </>
                  )
                )}
              </Section>
              <Section title="Timeline" id="timeline">
                <ol class="timeline">
                  {d.events.map((ev) => (
                    <li>
                      <time>{ev.properties.date?.[0]?.value ?? ev.properties.startDate?.[0]?.value ?? 'undated'}</time>{' '}
                      <EntityLink id={ev.id} caption={ev.caption} portion={ev.portion} schema={ev.schema} />
                    </li>
                  ))}
                </ol>
                {!d.events.length && <p class="hint">No events you may see involve this entity.</p>}
              </Section>
              <Section title="Relations and linked cases" id="relations">
                <ul id="entity-cases">
                  {d.cases.map((c) => (
                    <li>
                      Your case <strong>{c.caseNumber}</strong> {c.title} (target: {c.targetKind} “{c.targetValue}”)
                    </li>
                  ))}
                  {caseEntities.map((c) => (
                    <li>
                      Case record <EntityLink id={c.id} caption={c.caption} portion={c.portion} />
                    </li>
                  ))}
                </ul>
                {!d.cases.length && !caseEntities.length && (
                  <p class="hint">No case of your agency works this entity.</p>
                )}
                <ul>
                  {d.relations.edges.map((ed) => {
                    const other = d.relations.entities.find((x) => x.id === (ed.source === id ? ed.target : ed.source));
                    return (
                      <li>
                        {ed.source === id ? '→' : '←'} {ed.label}{' '}
                        {other ? (
                          <EntityLink
                            id={other.id}
                            caption={other.caption}
                            portion={other.portion}
                            schema={other.schema}
                          />
                        ) : (
                          '?'
                        )}
                      </li>
                    );
                  })}
                </ul>
              </Section>
              <Section title="Possible matches to review" id="matches">
                <ul>
                  {d.links.map((l) => {
                    const other = l.left?.id === id ? l.right : l.left;
                    return (
                      <li>
                        <strong>{pct(l.score)}</strong>{' '}
                        {other ? (
                          <EntityLink
                            id={other.id}
                            caption={other.caption}
                            portion={other.portion}
                            schema={other.schema}
                          />
                        ) : (
                          '?'
                        )}{' '}
                        <button type="button" onClick={() => judge.run(l.id, 'confirm')} disabled={judge.busy}>
                          Same
                        </button>{' '}
                        <button type="button" onClick={() => judge.run(l.id, 'reject')} disabled={judge.busy}>
                          Not the same
                        </button>
                        <ul class="reasons">
                          {l.reasons.map((r) => (
                            <li>{r}</li>
                          ))}
                        </ul>
                      </li>
                    );
                  })}
                </ul>
                {!d.links.length && <p class="hint">No open possible matches.</p>}
              </Section>
            </div>
          </>
        )}
      </Loading>
    </div>
  );
}
