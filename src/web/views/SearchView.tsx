// Search everything the reader may see; results in a virtualized list (up to 10,000
// fetched in pages), a merged identity listed once.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, q } from '../lib/api.ts';
import { useAsync } from '../lib/use-async.ts';
import { useMarkings } from '../lib/banner.ts';
import { go, route } from '../lib/router.ts';
import { ErrorNotice, EntityLink, fmt } from '../components/ui.tsx';
import { VirtualList } from '../components/VirtualList.tsx';

interface Result {
  id: string;
  schema: string;
  caption: string;
  portion: string;
  sameAs?: string[];
}
const PAGE = 200;
/** The API pages search results up to offset 10,000; refine the search beyond that. */
const MAX = 10_000;

export function SearchView() {
  const params = route.value.params;
  const [text, setText] = useState(params.get('q') ?? '');
  const [schema, setSchema] = useState(params.get('schema') ?? '');
  useEffect(() => {
    setText(params.get('q') ?? '');
    setSchema(params.get('schema') ?? '');
  }, [params.toString()]);
  const schemas = useAsync(async () => {
    const m = await api<{
      schemata: Record<string, { name: string; label: string; abstract: boolean; hidden: boolean; edge?: unknown }>;
    }>('/schemas');
    return Object.values(m.schemata).filter((s) => !s.abstract && !s.hidden);
  }, []);
  // Completions as the analyst types, after a pause (each lookup is a read, and audited).
  const [suggestions, setSuggestions] = useState<string[]>([]);
  useEffect(() => {
    const typed = text.trim();
    if (typed.length < 2) return setSuggestions([]);
    const t = setTimeout(() => {
      api<{ suggestions: { name: string }[] }>(`/entities/suggest${q({ q: typed, limit: 10 })}`).then(
        (r) => setSuggestions(r.suggestions.map((x) => x.name)),
        () => setSuggestions([]),
      );
    }, 250);
    return () => clearTimeout(t);
  }, [text]);
  // Pages already fetched are kept; "Load more" fetches the next 1,000 as five pages at once.
  const [more, setMore] = useState<{ items: Result[]; busy: boolean; error?: Error }>({ items: [], busy: false });
  useEffect(() => setMore({ items: [], busy: false }), [params.toString()]);
  const page = (offset: number) =>
    api<{ results: Result[]; total?: number }>(
      `/entities${q({ q: params.get('q') ?? undefined, schema: params.get('schema') ?? undefined, limit: PAGE, offset })}`,
    );
  const results = useAsync(async () => {
    const r = await page(0);
    return { total: r.total ?? r.results.length, first: r.results };
  }, [params.toString()]);
  const loadMore = async () => {
    const start = PAGE + more.items.length;
    setMore((m) => ({ ...m, busy: true, error: undefined }));
    try {
      const pages = await Promise.all(
        [0, 1, 2, 3, 4]
          .map((i) => start + i * PAGE)
          .filter((o) => o < Math.min(MAX, results.data?.total ?? 0))
          .map(page),
      );
      setMore((m) => ({ items: [...m.items, ...pages.flatMap((p) => p.results)], busy: false }));
    } catch (e) {
      setMore((m) => ({ ...m, busy: false, error: e as Error }));
    }
  };
  const all = useMemo(() => {
    if (!results.data) return undefined;
    const folded = new Set<string>();
    const seen = new Set<string>();
    const items = [...results.data.first, ...more.items].filter((e) => {
      if (folded.has(e.id) || seen.has(e.id)) return false;
      seen.add(e.id);
      for (const x of e.sameAs ?? []) folded.add(x);
      return true;
    });
    return { total: results.data.total, items, fetched: results.data.first.length + more.items.length };
  }, [results.data, more.items]);
  useMarkings(all?.items.slice(0, 500).map((r) => r.portion) ?? []);
  return (
    <div class="view" id="search-view">
      <h1>Search</h1>
      <form
        id="search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          go('search', { q: text.trim(), schema });
        }}
      >
        <input
          id="q"
          list="q-suggestions"
          autoComplete="off"
          value={text}
          onInput={(e) => setText((e.target as HTMLInputElement).value)}
          placeholder="Name, phone, container, wallet…"
          aria-label="Search"
          maxLength={200}
        />
        <datalist id="q-suggestions">
          {suggestions.map((n) => (
            <option value={n} />
          ))}
        </datalist>
        <select
          id="schema"
          aria-label="Type"
          value={schema}
          onChange={(e) => setSchema((e.target as HTMLSelectElement).value)}
        >
          <option value="">All types</option>
          {(schemas.data ?? [])
            .filter((s) => !s.edge)
            .map((s) => (
              <option value={s.name}>{s.label}</option>
            ))}
        </select>
        <button type="submit">Search</button>
      </form>
      <ErrorNotice error={results.error ?? schemas.error ?? more.error} />
      {all && (
        <>
          <p class="hint" id="result-count">
            {fmt(all.total)} found{all.total > all.fetched ? `; ${fmt(all.fetched)} loaded` : ''}
          </p>
          {all.items.length ? (
            <VirtualList
              id="results"
              label="Results"
              items={all.items}
              render={(e) => (
                <EntityLink
                  id={e.id}
                  caption={`${e.caption}${e.sameAs?.length ? ` (merged with ${e.sameAs.length})` : ''}`}
                  portion={e.portion}
                  schema={e.schema}
                />
              )}
            />
          ) : (
            <p>Nothing you may see matches.</p>
          )}
          {all.total > all.fetched && all.fetched < MAX && (
            <button type="button" disabled={more.busy} aria-busy={more.busy} onClick={() => void loadMore()}>
              {more.busy ? 'Loading…' : 'Load more'}
            </button>
          )}
        </>
      )}
    </div>
  );
}
