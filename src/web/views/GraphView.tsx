// The graph explorer (Cytoscape.js): start from an entity, expand neighbours, filter
// by type and date, highlight the key nodes (PageRank) and communities (Louvain) of
// the graph the reader may see, and show the shortest path between two entities.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import cytoscape, { type Core, type ElementDefinition } from 'cytoscape';
import { get, type Schema } from '../lib/api.ts';
import { useMarkings } from '../lib/banner.ts';
import { useAction } from '../lib/use-async.ts';
import { go, route } from '../lib/router.ts';
import { ErrorNotice, EntityLink } from '../components/ui.tsx';

type Node = Schema<'Entity'>;
type Edge = Schema<'Edge'>;
const COLORS: Record<string, string> = {
  Person: '#1f5fa8',
  Company: '#8e44ad',
  Organization: '#8e44ad',
  Seizure: '#c0392b',
  Arrest: '#c0392b',
  Shipment: '#b7950b',
  Address: '#7f8c8d',
  Lab: '#d35400',
  CryptoWallet: '#16a085',
  BankAccount: '#16a085',
  Phone: '#2e8b57',
  Vehicle: '#2c3e50',
  Case: '#000',
};
const COMMUNITY = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#bfef45'];
const dateOf = (n: Node): string | undefined => n.properties.date?.[0]?.value ?? n.properties.startDate?.[0]?.value;

export function GraphView() {
  const focus = route.value.params.get('focus') ?? '';
  const [nodes, setNodes] = useState(new Map<string, Node>());
  const [edges, setEdges] = useState(new Map<string, Edge>());
  const [hidden, setHidden] = useState(new Set<string>());
  const [dates, setDates] = useState({ from: '', to: '' });
  const [key, setKey] = useState(new Set<string>());
  const [community, setCommunity] = useState(new Map<string, number>());
  const [path, setPath] = useState<string[]>([]);
  const [pathTo, setPathTo] = useState('');
  const [note, setNote] = useState('');
  const box = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | undefined>(undefined);
  useMarkings([...nodes.values()].map((n) => n.portion));

  const expand = useAction(async (id: string, hops: number) => {
    const g = await get('/entities/{id}/neighbourhood', { path: { id }, query: { hops, limit: 300 } });
    setNodes((m) => {
      const n = new Map(m);
      for (const x of g.nodes) n.set(x.id, x);
      return n;
    });
    setEdges((m) => {
      const n = new Map(m);
      for (const e of g.edges) n.set(`${e.id}:${e.source}:${e.target}`, e);
      return n;
    });
    setNote(g.truncated ? 'The neighbourhood was cut at 300 entities; expand nodes to see more.' : '');
  });
  useEffect(() => {
    if (focus) {
      setNodes(new Map());
      setEdges(new Map());
      setPath([]);
      expand.run(focus, 2);
    }
  }, [focus]);

  const highlight = useAction(async () => {
    const pr = await get('/graph/measures', { query: { measure: 'pagerank', top: 25 } });
    setKey(new Set('top' in pr ? pr.top.map((t) => t.id) : []));
    const c = await get('/graph/measures', { query: { measure: 'communities', top: 8 } });
    const m = new Map<string, number>();
    if ('communities' in c) c.communities.forEach((x, i) => x.members.forEach((id) => m.set(id, i)));
    setCommunity(m);
  });
  const findPath = useAction(async () => {
    const r = await get('/graph/path', { query: { from: focus, to: pathTo.trim(), maxHops: 4 } });
    if (!r.found) {
      setPath([]);
      setNote(`No path you may see between ${focus} and ${pathTo} within 4 steps.`);
      return;
    }
    setNodes((m) => {
      const n = new Map(m);
      for (const x of r.nodes) n.set(x.id, x);
      return n;
    });
    setEdges((m) => {
      const n = new Map(m);
      for (const e of r.edges) n.set(`${e.id}:${e.source}:${e.target}`, e);
      return n;
    });
    setPath(r.nodes.map((n) => n.id));
    setNote(`Path: ${r.nodes.map((n) => n.caption).join(' → ')}`);
  });

  const schemas = useMemo(() => [...new Set([...nodes.values()].map((n) => n.schema))].sort(), [nodes]);
  const visible = [...nodes.values()].filter(
    (n) =>
      !hidden.has(n.schema) &&
      (() => {
        const d = dateOf(n);
        return !d || ((!dates.from || d >= dates.from) && (!dates.to || d <= dates.to));
      })(),
  );
  const visibleIds = new Set(visible.map((n) => n.id));

  useEffect(() => {
    if (!box.current) return;
    try {
      cy.current = cytoscape({
        container: box.current,
        style: [
          {
            selector: 'node',
            style: {
              label: 'data(label)',
              'font-size': 9,
              'background-color': 'data(color)',
              width: 'data(size)',
              height: 'data(size)',
              'text-wrap': 'ellipsis',
              'text-max-width': '120px',
            },
          },
          { selector: 'node.key', style: { 'border-width': 4, 'border-color': '#f1c40f' } },
          { selector: 'node.focus', style: { 'border-width': 4, 'border-color': '#000' } },
          {
            selector: 'edge',
            style: {
              width: 1,
              'line-color': '#aab',
              'target-arrow-shape': 'triangle',
              'target-arrow-color': '#aab',
              'curve-style': 'bezier',
              label: 'data(label)',
              'font-size': 7,
              color: '#667',
            },
          },
          {
            selector: '.path',
            style: {
              'line-color': '#e74c3c',
              'target-arrow-color': '#e74c3c',
              width: 3,
              'border-width': 4,
              'border-color': '#e74c3c',
            },
          },
        ],
      });
      cy.current.on('tap', 'node', (e) => go('graph', { focus: e.target.id() }));
    } catch (e) {
      setNote(`The graph could not be drawn: ${(e as Error).message}`);
    }
    return () => cy.current?.destroy();
  }, []);

  useEffect(() => {
    const c = cy.current;
    if (!c) return;
    const onPath = new Set(path);
    const els: ElementDefinition[] = [
      ...visible.map((n) => ({
        data: {
          id: n.id,
          label: n.caption,
          color: community.has(n.id)
            ? COMMUNITY[community.get(n.id)! % COMMUNITY.length]
            : (COLORS[n.schema] ?? '#95a5a6'),
          size: key.has(n.id) ? 30 : 18,
        },
        classes: [key.has(n.id) ? 'key' : '', n.id === focus ? 'focus' : '', onPath.has(n.id) ? 'path' : ''].join(' '),
      })),
      ...[...edges.values()]
        .filter((e) => visibleIds.has(e.source) && visibleIds.has(e.target))
        .map((e) => ({
          data: { id: `${e.id}:${e.source}:${e.target}`, source: e.source, target: e.target, label: e.label },
          classes: onPath.has(e.source) && onPath.has(e.target) ? 'path' : '',
        })),
    ];
    c.elements().remove();
    c.add(els);
    c.layout({ name: 'cose', animate: false, nodeDimensionsIncludeLabels: true }).run();
  }, [nodes, edges, hidden, dates, key, community, path]);

  return (
    <div class="view" id="graph-view">
      <h1>Graph explorer</h1>
      {!focus && <p class="hint">Open an entity and choose “Explore in graph”, or click a node to refocus.</p>}
      <div class="toolbar">
        <fieldset>
          <legend>Types</legend>
          {schemas.map((s) => (
            <label>
              <input
                type="checkbox"
                checked={!hidden.has(s)}
                onChange={() =>
                  setHidden((h) => {
                    const n = new Set(h);
                    if (n.has(s)) n.delete(s);
                    else n.add(s);
                    return n;
                  })
                }
              />{' '}
              {s}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Dated between</legend>
          <label>
            From{' '}
            <input
              type="date"
              value={dates.from}
              onChange={(e) => setDates({ ...dates, from: (e.target as HTMLInputElement).value })}
            />
          </label>
          <label>
            To{' '}
            <input
              type="date"
              value={dates.to}
              onChange={(e) => setDates({ ...dates, to: (e.target as HTMLInputElement).value })}
            />
          </label>
        </fieldset>
        <button type="button" id="highlight" onClick={() => highlight.run()} disabled={highlight.busy}>
          Highlight key nodes and communities
        </button>
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            findPath.run();
          }}
        >
          <label>
            Path to entity id{' '}
            <input
              id="path-to"
              value={pathTo}
              onInput={(e) => setPathTo((e.target as HTMLInputElement).value)}
              required
              maxLength={200}
            />
          </label>
          <button type="submit" disabled={!focus || findPath.busy}>
            Show path
          </button>
        </form>
      </div>
      <ErrorNotice error={expand.error ?? highlight.error ?? findPath.error} />
      <p id="graph-note" role="status">
        {note}
      </p>
      <div
        class="graph"
        ref={box}
        role="img"
        aria-label={`Graph of ${visible.length} entities; the list below names them`}
      />
      <details>
        <summary>{visible.length} entities in view</summary>
        <ul id="graph-nodes">
          {visible.map((n) => (
            <li>
              <EntityLink id={n.id} caption={n.caption} portion={n.portion} schema={n.schema} />
              {key.has(n.id) ? ' ★ key node' : ''}{' '}
              <button type="button" onClick={() => expand.run(n.id, 1)}>
                Expand
              </button>
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}
