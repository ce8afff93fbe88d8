// A STIX 2.1 bundle of exported objects, with the marking and extension definitions they
// use, written piece by piece (an export may be larger than memory should hold as one string).
import { randomUUID } from 'node:crypto';
import { formatMarking, type Marking } from '../../domain/markings.js';
import { extensionDefinition } from './mapping.js';
import {
  CHOKEPOINT_IDENTITY,
  CHOKEPOINT_MARKING_EXTENSION,
  chokepointMarkingExtensionDefinition,
  markingDefinitions,
  type StixObject,
} from './markings.js';

/** The STIX 2.1 media type (STIX 2.1, section 2; TAXII answers in application/taxii+json). */
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

/** The marking definitions of `markings` and the extension definitions `extensions`, each once. */
export function definitions(markings: Iterable<Marking>, extensions: Iterable<string>): StixObject[] {
  const out = new Map<string, StixObject>();
  const seen = new Set<string>();
  for (const m of markings) {
    const k = formatMarking(m);
    if (seen.has(k)) continue;
    seen.add(k);
    for (const d of markingDefinitions(m)) out.set(d.id, d);
  }
  for (const id of new Set(extensions)) {
    const d =
      id === CHOKEPOINT_MARKING_EXTENSION
        ? chokepointMarkingExtensionDefinition()
        : (extensionDefinition(id, CHOKEPOINT_IDENTITY) as StixObject | undefined);
    if (d) out.set(d.id, d);
  }
  return [...out.values()];
}

export interface BundlePage {
  objects: StixObject[];
  markings: Marking[];
  extensions: Iterable<string>;
}

/** A bundle's text, piece by piece: its objects as they come, then the definitions they use. */
export async function* bundleText(pages: AsyncIterable<BundlePage>): AsyncGenerator<string> {
  const markings: Marking[] = [];
  const extensions = new Set<string>();
  let n = 0;
  const head = `{"type":"bundle","id":"bundle--${randomUUID()}"`;
  for await (const page of pages) {
    markings.push(...page.markings);
    for (const e of page.extensions) extensions.add(e);
    for (const o of page.objects) yield `${n++ === 0 ? `${head},"objects":[\n` : ',\n'}${JSON.stringify(o)}`;
  }
  // A bundle's objects, when it has the property, are at least one (bundle.json).
  if (n === 0) {
    yield `${head}}\n`;
    return;
  }
  for (const d of definitions(markings, extensions)) yield `,\n${JSON.stringify(d)}`;
  yield '\n]}\n';
}
