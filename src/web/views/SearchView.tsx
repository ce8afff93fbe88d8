// Search everything the reader may see; results in a virtualized list (up to 10,000
// fetched in pages), a merged identity listed once.
import { useEffect, useState } from 'preact/hooks';
import { api, q } from '../lib/api.ts';
import { useAsync } from '../lib/use-async.ts';
import { useMarkings } from '../lib/banner.ts';
import { go, route } from '../lib/router.ts';
import { ErrorNotice, EntityLink, fmt } from '../components/ui.tsx';
import { VirtualList } from '../components/VirtualList.tsx';

interface Result { id: string; schema: string; caption: string; portion: string; sameAs?: string[] }
const PAGE = 200;

export function SearchView() {
  const params = route.value.params;
  const [text, setText] = useState(params.get('q') ?? '');
  const [schema, setSchema] = useState(params.get('schema') ?? '');
  useEffect(() => { setText(params.get('q') ?? ''); setSchema(params.get('schema') ?? ''); }, [params.toString()]);
  const schemas = useAsync(() => api<{ name: string; label: string; edge?: unknown }[]>('/schemas'), []);
  const [max, setMax] = useState(PAGE);
  useEffect(() => setMax(PAGE), [params.toString()]);
  const results = useAsync(async () => {
    const out: Result[] = [];
    let total = 0;
    for (let offset = 0; offset < max; offset += PAGE) {
      const r = await api<{ results: Result[]; total?: number }>(`/entities${q({ q: params.get('q') ?? undefined, schema: params.get('schema') ?? undefined, limit: PAGE, offset })}`);
      out.push(...r.results);
      total = r.total ?? out.length;
      if (r.results.length < PAGE) break;
    }
    const folded = new Set<string>();
    return { total, items: out.filter((e) => { if (folded.has(e.id)) return false; for (const s of e.sameAs ?? []) folded.add(s); return true; }) };
  }, [params.toString(), max]);
  useMarkings(results.data?.items.slice(0, 500).map((r) => r.portion) ?? []);
  return (
    <div class="view" id="search-view">
      <h1>Search</h1>
      <form id="search" role="search" onSubmit={(e) => { e.preventDefault(); go('search', { q: text.trim(), schema }); }}>
        <input id="q" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} placeholder="Name, phone, container, wallet…" aria-label="Search" maxLength={200} />
        <select id="schema" aria-label="Type" value={schema} onChange={(e) => setSchema((e.target as HTMLSelectElement).value)}>
          <option value="">All types</option>
          {(schemas.data ?? []).filter((s) => !s.edge).map((s) => <option value={s.name}>{s.label}</option>)}
        </select>
        <button type="submit">Search</button>
      </form>
      <ErrorNotice error={results.error ?? schemas.error} />
      {results.data && <>
        <p class="hint" id="result-count">{fmt(results.data.total)} found{results.data.total > results.data.items.length ? `; ${fmt(results.data.items.length)} loaded` : ''}</p>
        {results.data.items.length ? <VirtualList id="results" label="Results" items={results.data.items} render={(e) => <EntityLink id={e.id} caption={`${e.caption}${e.sameAs?.length ? ` (merged with ${e.sameAs.length})` : ''}`} portion={e.portion} schema={e.schema} />} />
          : <p>Nothing you may see matches.</p>}
        {results.data.total > results.data.items.length && max < 10_000 && <button type="button" onClick={() => setMax((m) => Math.min(10_000, m * 5))}>Load more</button>}
      </>}
    </div>
  );
}
