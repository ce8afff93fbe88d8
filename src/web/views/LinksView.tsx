// Possible links: pairs that may be one person or organisation. "Same" merges them
// (every record and marking is kept); "Not the same" means never suggest the pair again.
import { get, post, type Schema } from '../lib/api.ts';
import { useAsync, useAction } from '../lib/use-async.ts';
import { useMarkings } from '../lib/banner.ts';
import { ErrorNotice, EntityLink, Loading, pct } from '../components/ui.tsx';

type Side = Schema<'EntityRef'>;

export function LinksView() {
  const links = useAsync(() => get('/links', { query: { limit: 100 } }), []);
  useMarkings((links.data ?? []).flatMap((l) => [l.left?.portion, l.right?.portion]));
  const judge = useAction(async (id: number, action: 'confirm' | 'reject') => {
    await post('/links/{id}/{action}', {}, { path: { id, action } });
    links.reload();
  });
  const side = (s?: Side) =>
    s ? <EntityLink id={s.id} caption={s.caption} portion={s.portion} schema={s.schema} /> : '?';
  return (
    <div class="view" id="links">
      <h1>Possible links</h1>
      <p class="hint">
        Pairs of records that may be the same person or organisation, found when the data was written. Confirm merges
        them (every source record and marking is kept); reject means never suggest the pair again.
      </p>
      <ErrorNotice error={links.error ?? judge.error} />
      <Loading when={links.loading && !links.data}>
        <ol id="link-list" aria-label="Possible links">
          {(links.data ?? []).map((l) => (
            <li>
              <strong>{pct(l.score)} </strong>
              {side(l.left)} ≟ {side(l.right)}{' '}
              <button type="button" disabled={judge.busy} onClick={() => judge.run(l.id, 'confirm')}>
                Same
              </button>{' '}
              <button type="button" disabled={judge.busy} onClick={() => judge.run(l.id, 'reject')}>
                Not the same
              </button>
              <ul class="reasons">
                {l.reasons.map((r) => (
                  <li>{r}</li>
                ))}
              </ul>
            </li>
          ))}
        </ol>
        {links.data && !links.data.length && <p>No open possible links that you may see.</p>}
      </Loading>
    </div>
  );
}
