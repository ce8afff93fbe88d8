// Seizures, labs, ports, routes and operations on an offline basemap: MapLibre GL
// over Natural Earth country shapes shipped in the bundle (world-atlas), so no tile
// server is ever contacted. A table lists the same features for keyboard and screen
// reader users, and for machines without WebGL.
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  Map as MapLibre,
  NavigationControl,
  setWorkerUrl,
  type GeoJSONSource,
  type FilterSpecification,
  type ExpressionSpecification,
  type MapMouseEvent,
  type ErrorEvent,
} from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
// MapLibre finds its worker next to its own module; bundled, it is an asset of its own.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { feature } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';
import type { FeatureCollection, Feature } from 'geojson';
import countries from 'world-atlas/countries-110m.json';
import { type Answer, get } from '../lib/api.ts';
import { useAsync } from '../lib/use-async.ts';
import { useMarkings } from '../lib/banner.ts';
import { ErrorNotice, Loading, RangePicker, defaultRange, fmt, type Range } from '../components/ui.tsx';
import { href } from '../lib/router.ts';

export const LAYERS = [
  { key: 'seizures', label: 'Seizures', color: '#c0392b' },
  { key: 'arrests', label: 'Arrests', color: '#8e44ad' },
  { key: 'labs', label: 'Labs dismantled', color: '#d35400' },
  { key: 'interdictions', label: 'Parcel and cargo interdictions', color: '#16a085' },
  { key: 'ports', label: 'Ports of entry and hubs', color: '#1f5fa8' },
  { key: 'routes', label: 'Shipment routes', color: '#b7950b' },
  { key: 'operations', label: 'Your operations', color: '#2e8b57' },
] as const;

setWorkerUrl(workerUrl);
const world = feature(
  countries as unknown as Topology,
  (countries as unknown as Topology).objects.countries as GeometryCollection,
) as unknown as FeatureCollection;

type Props = Answer<'/picture/map'>['features'][number]['properties'];
/** What the table says of a feature: the entity it opens, when, and its detail (each layer has its own properties). */
function described(p: Props): { entity?: string; when: string; detail: string } {
  switch (p.layer) {
    case 'ports':
      return { entity: p.id, when: '', detail: p.kind ?? '' };
    case 'routes':
      return { when: '', detail: [p.kg ? `${p.kg} kg` : '', `${p.shipments} shipments`].filter(Boolean).join(' · ') };
    case 'operations':
      return { when: p.startsAt, detail: '' };
    default:
      return {
        entity: p.id,
        when: p.date,
        detail: [p.drug, p.kg ? `${p.kg} kg` : '', p.place].filter(Boolean).join(' · '),
      };
  }
}

export function MapView() {
  const [range, setRange] = useState<Range>(defaultRange());
  const [on, setOn] = useState<Set<string>>(new Set(LAYERS.map((l) => l.key)));
  const { data, error, loading } = useAsync(
    () => get('/picture/map', { query: { ...range, layers: [...on].join(',') || 'ports' } }),
    [range.from, range.to, [...on].join()],
  );
  useMarkings([data?.marking]);
  const box = useRef<HTMLDivElement>(null);
  const map = useRef<MapLibre | undefined>(undefined);
  const [mapError, setMapError] = useState<Error>();
  const [selected, setSelected] = useState<Feature>();

  useEffect(() => {
    if (!box.current) return;
    try {
      const m = new MapLibre({
        container: box.current,
        center: [-100, 28],
        zoom: 2.2,
        attributionControl: false,
        style: {
          version: 8,
          sources: {
            world: { type: 'geojson', data: world },
            picture: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
          },
          layers: [
            { id: 'sea', type: 'background', paint: { 'background-color': '#dfe9f3' } },
            { id: 'land', type: 'fill', source: 'world', paint: { 'fill-color': '#f7f6f2' } },
            { id: 'borders', type: 'line', source: 'world', paint: { 'line-color': '#9aa5b1', 'line-width': 0.6 } },
            {
              id: 'routes',
              type: 'line',
              source: 'picture',
              filter: ['==', ['get', 'layer'], 'routes'],
              paint: {
                'line-color': '#b7950b',
                'line-width': ['min', 6, ['+', 1, ['/', ['get', 'shipments'], 2]]],
                'line-opacity': 0.8,
              },
            },
            {
              id: 'operations-area',
              type: 'fill',
              source: 'picture',
              filter: ['all', ['==', ['get', 'layer'], 'operations'], ['==', ['geometry-type'], 'Polygon']],
              paint: { 'fill-color': '#2e8b57', 'fill-opacity': 0.3 },
            },
            ...LAYERS.filter((l) => l.key !== 'routes').map((l) => ({
              id: `pt-${l.key}`,
              type: 'circle' as const,
              source: 'picture',
              filter: [
                'all',
                ['==', ['get', 'layer'], l.key],
                ['==', ['geometry-type'], 'Point'],
              ] as FilterSpecification,
              paint: {
                'circle-color': l.color,
                'circle-opacity': 0.75,
                'circle-stroke-color': '#fff',
                'circle-stroke-width': 1,
                'circle-radius':
                  l.key === 'seizures'
                    ? (['min', 14, ['+', 4, ['sqrt', ['get', 'kg']]]] as ExpressionSpecification)
                    : 5,
              },
            })),
          ],
        },
      });
      m.addControl(new NavigationControl({ showCompass: false }));
      m.on('click', (e: MapMouseEvent) => {
        const hit = m.queryRenderedFeatures(e.point).find((f: { source: string }) => f.source === 'picture');
        if (hit) setSelected({ type: 'Feature', geometry: hit.geometry, properties: hit.properties });
      });
      m.on('error', (e: ErrorEvent) => setMapError(new Error(`Map: ${e.error?.message ?? 'failed to draw'}`)));
      map.current = m;
      return () => m.remove();
    } catch (e) {
      setMapError(new Error(`The map could not start (${(e as Error).message}); the table below lists every feature.`));
    }
  }, []);

  useEffect(() => {
    const m = map.current;
    if (!m || !data) return;
    const apply = () => (m.getSource('picture') as GeoJSONSource | undefined)?.setData(data);
    if (m.isStyleLoaded()) apply();
    else m.once('load', apply);
  }, [data]);

  const toggle = (k: string) =>
    setOn((s) => {
      const n = new Set(s);
      if (n.has(k)) n.delete(k);
      else n.add(k);
      return n;
    });
  const rows = data?.features ?? [];
  return (
    <div class="view" id="map-view">
      <h1>Map</h1>
      <div class="toolbar">
        <RangePicker value={range} onChange={setRange} />
        <fieldset class="layers">
          <legend>Show</legend>
          {LAYERS.map((l) => (
            <label>
              <input type="checkbox" name={l.key} checked={on.has(l.key)} onChange={() => toggle(l.key)} />{' '}
              <span class="swatch" style={{ background: l.color }} /> {l.label}
            </label>
          ))}
        </fieldset>
      </div>
      <ErrorNotice error={error ?? mapError} />
      <div class="map" ref={box} role="region" aria-label="Map of the features listed below" />
      {selected && (
        <aside class="card" id="map-selected" aria-live="polite">
          <h2>{String(selected.properties?.name ?? '')}</h2>
          <p>
            {[
              selected.properties?.date,
              selected.properties?.drug,
              selected.properties?.kg ? `${selected.properties.kg} kg` : '',
              selected.properties?.place,
            ]
              .filter(Boolean)
              .join(' · ')}
          </p>
          {selected.properties?.id && selected.properties.layer !== 'operations' && (
            <a href={href(`entity/${encodeURIComponent(String(selected.properties.id))}`)}>Open</a>
          )}
        </aside>
      )}
      <Loading when={loading && !data}>
        <table id="map-features">
          <caption>{fmt(rows.length)} features</caption>
          <thead>
            <tr>
              <th scope="col">Layer</th>
              <th scope="col">What</th>
              <th scope="col">When</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, 500).map((f) => {
              const p = f.properties;
              const d = described(p);
              return (
                <tr data-layer={p.layer}>
                  <td>{LAYERS.find((l) => l.key === p.layer)?.label}</td>
                  <td>{d.entity ? <a href={href(`entity/${encodeURIComponent(d.entity)}`)}>{p.name}</a> : p.name}</td>
                  <td>{d.when.slice(0, 10)}</td>
                  <td>{d.detail}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {rows.length > 500 && <p class="hint">The first 500 of {fmt(rows.length)} are listed; all are on the map.</p>}
      </Loading>
    </div>
  );
}
