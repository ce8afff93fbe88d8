// MISP files in: a document ({"Event": …}, a bare event, a list, {"response": [...]}) or a
// MISP feed directory (manifest.json naming one <uuid>.json per event), read event by
// event into records (read.ts), and what a file holds, counted for the tests and the bench.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FieldError } from '../../ingest/record-input.js';
import type { Input, Parsed, ReadOptions } from '../../ingest/input.js';
import { mispMapping } from './mapping.js';
import { importMarkings } from './markings.js';
import { isObj, type Obj, UUID } from './ids.js';
import { emptyCounts, type MispCounts, readEvent } from './read.js';

/** The events of a MISP JSON document: {"Event": …}, a bare event, a list of either, or {"response": [...]}. */
function eventsOf(doc: unknown): Obj[] | string {
  const one = (x: unknown): Obj | undefined => (isObj(x) ? (isObj(x.Event) ? x.Event : x) : undefined);
  if (Array.isArray(doc)) return doc.map(one).filter((x): x is Obj => !!x);
  if (!isObj(doc)) return 'expected a MISP event ({"Event": {...}}), a list of events, or {"response": [...]}';
  if (Array.isArray(doc.response)) return eventsOf(doc.response);
  if (isObj(doc.Event)) return [doc.Event];
  if ('info' in doc || 'Attribute' in doc || 'Object' in doc) return [doc];
  const values = Object.values(doc);
  if (values.length && values.every((v) => isObj(v) && 'info' in v))
    return 'is a MISP feed manifest: import the feed directory that holds it (chokepoint import DIR --format misp)';
  return 'expected a MISP event ({"Event": {...}}), a list of events, or {"response": [...]}';
}

/** A document's events, or the error that it is none; named by file. */
function* documentEvents(text: string, file: string): Generator<{ ev?: Obj; error?: FieldError; file: string }> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    yield { file, error: { file, path: '', message: `malformed JSON: ${(e as Error).message}` } };
    return;
  }
  const evs = eventsOf(doc);
  if (typeof evs === 'string') yield { file, error: { file, path: '', message: evs } };
  else for (const ev of evs) yield { ev, file };
}

/** A MISP feed directory: manifest.json names the events, one <uuid>.json each. */
function* feedEvents(dir: string): Generator<{ ev?: Obj; error?: FieldError; file: string }> {
  const manifestPath = join(dir, 'manifest.json');
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (e) {
    yield {
      file: manifestPath,
      error: {
        file: manifestPath,
        path: '',
        message: `a MISP feed directory needs manifest.json: ${(e as Error).message}`,
      },
    };
    return;
  }
  if (!isObj(manifest)) {
    yield {
      file: manifestPath,
      error: { file: manifestPath, path: '', message: 'must map event uuids to their metadata' },
    };
    return;
  }
  const present = new Set(readdirSync(dir));
  for (const u of Object.keys(manifest)) {
    const file = join(dir, `${u}.json`);
    if (!UUID.test(u) || !present.has(`${u}.json`)) {
      yield {
        file: manifestPath,
        error: { file: manifestPath, path: u, message: `lists event ${u}, but the feed has no ${u}.json` },
      };
      continue;
    }
    yield* documentEvents(readFileSync(file, 'utf8'), file);
  }
}

/**
 * The records of a MISP file, list, or feed directory (`chokepoint import DIR`), one
 * per event. `mapping` may add markings for the data's own sharing groups and tags.
 */
export function mispReader(input: Input, ro: ReadOptions, mapping?: unknown): () => AsyncIterable<Parsed> {
  const extra = importMarkings(mapping, ro.source);
  const m = mispMapping();
  return async function* () {
    const name = 'path' in input ? input.path : input.name;
    const docs =
      'path' in input && statSync(input.path).isDirectory()
        ? feedEvents(input.path)
        : documentEvents('path' in input ? readFileSync(input.path, 'utf8') : input.text, name);
    for (const { ev, error, file } of docs) {
      if (error) yield { errors: [error] };
      else yield readEvent(ev!, { file, source: ro.source.toUpperCase(), ro, extra, m }).parsed;
    }
  };
}

/** Counts of a MISP document (what the tests and the bench report per file). */
export function countMisp(
  text: string,
  ro: ReadOptions,
  mapping?: unknown,
): { counts: MispCounts; notMapped: Record<string, number> } {
  const total = emptyCounts();
  const notMapped: Record<string, number> = {};
  const extra = importMarkings(mapping, ro.source);
  for (const { ev } of documentEvents(text, 'count')) {
    if (!ev) continue;
    const r = readEvent(ev, { file: 'count', source: ro.source.toUpperCase(), ro, extra, m: mispMapping() });
    total.events += r.counts.events;
    for (const k of Object.keys(total) as (keyof MispCounts)[]) {
      if (k === 'events') continue;
      const t = total[k] as Record<string, number>;
      for (const [f, n] of Object.entries(r.counts[k] as Record<string, number>)) t[f] = (t[f] ?? 0) + n;
    }
    for (const [k, n] of Object.entries(r.parsed.notMapped ?? {})) notMapped[k] = (notMapped[k] ?? 0) + n;
  }
  return { counts: total, notMapped };
}
