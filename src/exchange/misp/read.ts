// MISP events in: one event is one record (its uuid the source record id), read into
// the same record input every other format gives parseRecord, so validation, markings,
// idempotency and transactions are the importer's, unchanged. Attributes, objects,
// galaxy clusters, sightings and object references become entities by the mapping in
// reference/misp/mapping.json; their ids come from their MISP uuids, so importing an
// event again changes nothing. What the mapping has no place for is counted and
// reported (Parsed.notMapped), and an error names the file, the event and the MISP
// field (`Event[<uuid>].Object[3].Attribute[1].value`), not the record it became.
// Files, lists and feed directories of events are read by files.ts.
import { formatMarking, type Marking, type MarkingInput, toMarking } from '../../domain/markings.js';
import { model } from '../../domain/model.js';
import { cleanValue, isEntityId } from '../../domain/values.js';
import { parseRecord, type FieldError } from '../../ingest/record-input.js';
import type { Parsed, ReadOptions } from '../../ingest/input.js';
import { isObj, list, mispId, type Obj, str, UUID, uuidV5 } from './ids.js';
import { genericSchema, type MispMapping } from './mapping.js';
import { narrow, readTags, underDistribution, type Distribution, type ImportMarkings } from './markings.js';

/** Counts per file: what was read and what became part of a record. */
export interface MispCounts {
  events: number;
  attributes: { read: number; mapped: number };
  objects: { read: number; mapped: number };
  objectAttributes: { read: number; mapped: number };
  references: { read: number; mapped: number };
  tags: { read: number; markings: number; labels: number };
  galaxyClusters: { read: number; mapped: number };
  sightings: { read: number; mapped: number };
}
export const emptyCounts = (): MispCounts => ({
  events: 0,
  attributes: { read: 0, mapped: 0 },
  objects: { read: 0, mapped: 0 },
  objectAttributes: { read: 0, mapped: 0 },
  references: { read: 0, mapped: 0 },
  tags: { read: 0, markings: 0, labels: 0 },
  galaxyClusters: { read: 0, mapped: 0 },
  sightings: { read: 0, mapped: 0 },
});

/** One entity being assembled, with where each value came from (for error paths). */
class Draft {
  readonly props = new Map<string, { values: string[]; markings: Marking[]; origins: string[] }>();
  constructor(
    readonly id: string,
    readonly schema: string,
    readonly marking: Marking,
  ) {}
  add(prop: string, value: string, marking: Marking, origin: string): void {
    const p = this.props.get(prop) ?? { values: [], markings: [], origins: [] };
    p.values.push(value);
    p.markings.push(marking);
    p.origins.push(origin);
    this.props.set(prop, p);
  }
  has(prop: string, value: string): boolean {
    return this.props.get(prop)?.values.includes(value) ?? false;
  }
}

export interface EventReading {
  parsed: Parsed;
  counts: MispCounts;
}

interface EventContext {
  file: string;
  source: string;
  ro: ReadOptions;
  extra: ImportMarkings;
  m: MispMapping;
}

const tagNames = (el: Obj): string[] =>
  list(el.Tag)
    .map((t) => str(t.name))
    .filter((n): n is string => !!n);

/** Reads one MISP event into a record (or the errors that refuse it) and its counts. */
export function readEvent(ev: Obj, ctx: EventContext): EventReading {
  const { file, source, extra, m } = ctx;
  const counts = emptyCounts();
  counts.events = 1;
  const notMapped: Record<string, number> = {};
  const skip = (what: string): void => {
    notMapped[what] = (notMapped[what] ?? 0) + 1;
  };
  const errors: FieldError[] = [];
  const uuid = str(ev.uuid);
  const base = uuid ? `Event[${uuid}]` : 'Event';
  const fail = (path: string, message: string): void => {
    errors.push({ file, path: `${base}${path ? `.${path}` : ''}`, message });
  };
  if (!uuid || !UUID.test(uuid))
    fail('uuid', 'is required: the event uuid is the record id, so a re-import is idempotent');

  // The event's marking: its tags, else what the importer stated; then its distribution.
  const evTags = tagNames(ev);
  const evRead = readTags(evTags, source, extra);
  for (const e of evRead.errors) fail(`Tag[${e.index}]`, e.message);
  counts.tags.read += evTags.length;
  counts.tags.markings += evRead.markingTags;
  let eventMarking = evRead.marking;
  if (!eventMarking && ctx.ro.marking) {
    try {
      eventMarking = toMarking(ctx.ro.marking as MarkingInput, source);
    } catch (e) {
      fail('', `the stated marking: ${(e as Error).message}`);
    }
  } else if (!eventMarking)
    fail(
      'Tag',
      'carries no marking tag (tlp:…, chokepoint:marking="…"); state the marking of events without one (--marking, or "marking" in POST /import)',
    );
  const under = (mk: Marking, el: Distribution, path: string): Marking | undefined => {
    const r = underDistribution(mk, el, extra);
    if (typeof r === 'string') {
      fail(`${path}distribution`, r);
      return undefined;
    }
    return r;
  };
  if (eventMarking) eventMarking = under(eventMarking, ev, '');
  if (!eventMarking || errors.length) return { parsed: { errors }, counts };
  const em = eventMarking;

  const drafts: Draft[] = [];
  const byUuid = new Map<string, Draft>();
  const record = evRead.record;
  // A Chokepoint record exported as an event has no event entity of its own (chokepoint:record says which record it is).
  const eventEntity = record ? undefined : new Draft(mispId(uuid!), m.event.schema, em);
  if (eventEntity) {
    drafts.push(eventEntity);
    const info = str(ev.info);
    if (info) eventEntity.add(m.event.info, info, em, 'info');
    const date = str(ev.date);
    if (date) eventEntity.add(m.event.date, date, em, 'date');
  }
  const labelsOf = (d: Draft | undefined, labels: string[], mk: Marking, path: string): void => {
    for (const l of labels) {
      if (!d) {
        skip('tag (of an event without an event entity)');
        continue;
      }
      d.add(m.event.labels, l, mk, path);
      counts.tags.labels++;
    }
  };
  labelsOf(eventEntity, evRead.labels, em, 'Tag');

  /**
   * A mapped element's marking: its own marking tags, else the parent's; then the distribution of
   * each level above it and its own (MISP caps an attribute by its object's and event's distribution).
   */
  const markingOf = (
    el: Obj,
    parent: Marking,
    path: string,
    above: { el: Distribution; path: string }[],
  ): { mk?: Marking; labels: string[] } => {
    const r = readTags(tagNames(el), source, extra);
    counts.tags.markings += r.markingTags;
    for (const e of r.errors) fail(`${path}.Tag[${e.index}]`, e.message);
    let mk: Marking | undefined = r.marking ?? parent;
    for (const level of [...above, { el, path: `${path}.` }]) mk = mk && under(mk, level.el, level.path);
    return { mk: r.errors.length ? undefined : mk, labels: r.labels };
  };
  /** An element not mapped: its tags are read (and counted), its sightings reported with it. */
  const notMappedElement = (el: Obj, what: string): void => {
    counts.tags.read += tagNames(el).length;
    for (const _ of list(el.Sighting)) {
      counts.sightings.read++;
      skip('sighting (of an attribute not mapped)');
    }
    skip(what);
  };
  const idOf = (el: Obj, path: string): string => {
    const u = str(el.uuid);
    return u && UUID.test(u) ? mispId(u) : mispId(uuidV5(`${uuid}:${path}`));
  };
  /** A value that must fit its property, else is reported (lenient rows). */
  const fits = (schema: string, prop: string, value: string): boolean => {
    const def = model.properties(schema)[prop];
    try {
      if (def) cleanValue(def.type, value);
      return true;
    } catch {
      return false;
    }
  };

  // Sightings of an attribute: events involving the attribute's entity.
  const sightingsOf = (a: Obj, entity: Draft, mk: Marking, path: string): void => {
    list(a.Sighting).forEach((s, k) => {
      counts.sightings.read++;
      const label = m.sightings.types[str(s.type) ?? '0'];
      const ts = Number(str(s.date_sighting));
      if (!label || !Number.isFinite(ts)) return skip(`sighting type ${str(s.type)}`);
      const at = `${path}.Sighting[${k}]`;
      const d = new Draft(idOf(s, at), m.sightings.schema, mk);
      d.add(m.sightings.name, label, mk, `${at}.type`);
      d.add(m.sightings.date, new Date(ts * 1000).toISOString().replace('.000', ''), mk, `${at}.date_sighting`);
      d.add(m.sightings.involved, entity.id, mk, at);
      const org = isObj(s.Organisation) ? str(s.Organisation.name) : undefined;
      const src = str(s.source);
      d.add(
        m.sightings.summary,
        `MISP ${label.toLowerCase()}${org ? ` by ${org}` : ''}${src ? ` (source: ${src})` : ''}`,
        mk,
        at,
      );
      drafts.push(d);
      counts.sightings.mapped++;
    });
  };

  // Attributes of the event itself.
  list(ev.Attribute).forEach((a, i) => {
    const path = `Attribute[${i}]`;
    counts.attributes.read++;
    const type = str(a.type) ?? '';
    const value = str(a.value);
    const onEvent = m.event.attributes[type];
    const row = m.attributes[type];
    if (a.deleted === true) return notMappedElement(a, 'attribute (deleted in MISP)');
    if (value === undefined || (!onEvent && !row)) return notMappedElement(a, `attribute ${type}`);
    if (onEvent && !eventEntity) return notMappedElement(a, `attribute ${type} (of an event without an event entity)`);
    counts.tags.read += tagNames(a).length;
    const { mk, labels } = markingOf(a, em, path, [{ el: ev, path: '' }]);
    if (!mk) return;
    counts.attributes.mapped++;
    if (onEvent) {
      eventEntity!.add(onEvent.property, value, mk, `${path}.value`);
      const comment = str(a.comment);
      if (comment?.trim()) eventEntity!.add(m.attributeComment, comment, mk, `${path}.comment`);
      labelsOf(eventEntity, labels, mk, `${path}.Tag`);
      for (const _ of list(a.Sighting)) {
        counts.sightings.read++;
        skip('sighting (of an attribute kept on the event entity)');
      }
      return;
    }
    const d = new Draft(idOf(a, path), row!.schema, mk);
    d.add(row!.property, value, mk, `${path}.value`);
    for (const [p, v] of Object.entries(row!.constants ?? {})) d.add(p, v, mk, `${path}.type`);
    const comment = str(a.comment);
    if (comment?.trim()) d.add(m.attributeComment, comment, mk, `${path}.comment`);
    labelsOf(d, labels, mk, `${path}.Tag`);
    drafts.push(d);
    byUuid.set(str(a.uuid) ?? d.id, d);
    sightingsOf(a, d, mk, path);
  });

  // Objects: one entity each, by template (or Chokepoint's own ftm-* objects).
  const objectDrafts: { o: Obj; d: Draft; path: string; generic: boolean }[] = [];
  list(ev.Object).forEach((o, i) => {
    const path = `Object[${i}]`;
    counts.objects.read++;
    const name = str(o.name) ?? '';
    const attrs = list(o.Attribute);
    counts.objectAttributes.read += attrs.length;
    const generic = genericSchema(m, name);
    const row = m.objects[name];
    const schema = generic ?? row?.schema;
    if (o.deleted === true || !schema) {
      for (const a of attrs) notMappedElement(a, `object ${name} attribute ${str(a.object_relation) ?? str(a.type)}`);
      return skip(o.deleted === true ? 'object (deleted in MISP)' : `object ${name}`);
    }
    const om = under(em, o, `${path}.`);
    if (!om) return;
    const props = model.properties(schema);
    // Chokepoint's export names an entity whose id or existence marking the object alone would not give back.
    const idAt = attrs.findIndex((a) => str(a.object_relation) === m.generic.idRelation);
    const idAttr = attrs[idAt];
    const stated = str(idAttr?.value);
    let presence = om;
    if (idAttr) {
      counts.tags.read += tagNames(idAttr).length;
      const r = markingOf(idAttr, om, `${path}.Attribute[${idAt}]`, [
        { el: ev, path: '' },
        { el: o, path: `${path}.` },
      ]);
      if (!r.mk) return;
      presence = r.mk;
    }
    const d = new Draft(stated && isEntityId(stated) ? stated : idOf(o, path), schema, presence);
    const sighted: { a: Obj; mk: Marking; path: string }[] = [];
    attrs.forEach((a, j) => {
      const apath = `${path}.Attribute[${j}]`;
      const rel = str(a.object_relation) ?? '';
      const value = str(a.value);
      if (a === idAttr) {
        counts.objectAttributes.mapped++;
        return;
      }
      const r = generic ? undefined : row!.relations[rel];
      // Our own export names a property without a MISP relation by the property itself.
      const prop = r?.property ?? (props[rel] ? rel : undefined);
      if (a.deleted === true) return notMappedElement(a, 'object attribute (deleted in MISP)');
      if (value === undefined || !prop) return notMappedElement(a, `object ${name} attribute ${rel}`);
      if (r?.lenient && !fits(schema, prop, value))
        return notMappedElement(a, `object ${name} attribute ${rel} (a value that does not fit ${prop})`);
      counts.tags.read += tagNames(a).length;
      const { mk, labels } = markingOf(a, om, apath, [
        { el: ev, path: '' },
        { el: o, path: `${path}.` },
      ]);
      if (!mk) return;
      d.add(prop, value, mk, `${apath}.value`);
      const comment = str(a.comment);
      if (comment?.trim()) d.add(m.attributeComment, comment, mk, `${apath}.comment`);
      labelsOf(d, labels, mk, `${apath}.Tag`);
      const au = str(a.uuid);
      if (au) byUuid.set(au, d);
      sighted.push({ a, mk, path: apath });
      counts.objectAttributes.mapped++;
    });
    if (!d.props.size) return skip(`object ${name} (no attribute mapped)`);
    for (const [p, v] of Object.entries(row?.constants ?? {})) d.add(p, v, presence, `${path}.name`);
    const comment = str(o.comment);
    if (comment?.trim()) d.add(m.attributeComment, comment, presence, `${path}.comment`);
    drafts.push(d);
    byUuid.set(str(o.uuid) ?? d.id, d);
    objectDrafts.push({ o, d, path, generic: !!generic });
    counts.objects.mapped++;
    for (const s of sighted) sightingsOf(s.a, d, s.mk, s.path);
  });

  // Object references: relations between mapped entities (or, from our own objects, entity properties).
  const refSchema = m.references;
  for (const { o, d, path, generic } of objectDrafts) {
    const props = model.properties(d.schema);
    list(o.ObjectReference).forEach((r, k) => {
      counts.references.read++;
      const target = byUuid.get(str(r.referenced_uuid) ?? '');
      const type = str(r.relationship_type) ?? '';
      if (!target) return skip('object reference (to an element not mapped)');
      if (generic && props[type]?.type === 'entity') {
        // The attribute of the same name already gave it, with its own marking.
        if (!d.has(type, target.id))
          d.add(type, target.id, narrow(d.marking, target.marking), `${path}.ObjectReference[${k}]`);
        counts.references.mapped++;
        return;
      }
      const at = `${path}.ObjectReference[${k}]`;
      const mk = narrow(d.marking, target.marking);
      const link = new Draft(idOf(r, at), refSchema.schema, mk);
      link.add(refSchema.source, d.id, mk, `${at}.object_uuid`);
      link.add(refSchema.target, target.id, mk, `${at}.referenced_uuid`);
      if (type) link.add(refSchema.type, type, mk, `${at}.relationship_type`);
      drafts.push(link);
      counts.references.mapped++;
    });
  }
  // References of objects not mapped go with them.
  for (const o of list(ev.Object))
    if (!objectDrafts.some((x) => x.o === o))
      for (const _ of list(o.ObjectReference)) {
        counts.references.read++;
        skip('object reference (from an object not mapped)');
      }

  // Galaxy clusters: threat actors and the like become entities; every cluster's tag is a label anyway.
  const seen = new Set<string>();
  list(ev.Galaxy).forEach((g, i) => {
    const type = str(g.type) ?? '';
    list(g.GalaxyCluster).forEach((c, j) => {
      counts.galaxyClusters.read++;
      const row = m.galaxies[type];
      const value = str(c.value);
      if (!row || !value) return skip(`galaxy cluster ${type}`);
      const cu = str(c.uuid);
      const id = cu && UUID.test(cu) ? mispId(cu) : mispId(uuidV5(`misp-galaxy:${type}="${value}"`));
      if (seen.has(id)) return;
      seen.add(id);
      const at = `Galaxy[${i}].GalaxyCluster[${j}]`;
      const d = new Draft(id, row.schema, em);
      d.add(row.value, value, em, `${at}.value`);
      const meta = isObj(c.meta) ? c.meta : {};
      if (row.synonyms)
        for (const s of Array.isArray(meta.synonyms) ? meta.synonyms : [])
          if (typeof s === 'string' && s.trim() && s !== value) d.add(row.synonyms, s, em, `${at}.meta.synonyms`);
      const desc = str(c.description);
      if (row.description && desc?.trim()) d.add(row.description, desc, em, `${at}.description`);
      drafts.push(d);
      counts.galaxyClusters.mapped++;
    });
  });

  // The event entity names the things the event involves (not its relations and events).
  if (eventEntity)
    for (const d of drafts) {
      const def = model.get(d.schema);
      if (d !== eventEntity && !def?.edge && !def?.event) eventEntity.add(m.event.involved, d.id, em, 'Object');
    }

  // Into a record, and through the boundary every format passes. Entities, properties and values go in
  // a canonical order (values as the model cleans them), so the record's content hash is the same however
  // the event lists them: a MISP instance's export, or Chokepoint's own, of the same event is "unchanged".
  const origins = new Map<string, string>();
  const canonical = (schema: string, prop: string, v: string): string => {
    const def = model.properties(schema)[prop];
    try {
      return def ? cleanValue(def.type, v) : v;
    } catch {
      return v; // refused with its MISP path by parseRecord
    }
  };
  const entities = [...drafts]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((d, i) => {
      const properties: Record<string, string[]> = {};
      const propertyMarkings: Record<string, string> = {};
      for (const p of [...d.props.keys()].sort()) {
        const v = d.props.get(p)!;
        const values = v.values
          .map((x, j) => ({ value: canonical(d.schema, p, x), origin: v.origins[j]! }))
          .sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
        properties[p] = values.map((x) => x.value);
        values.forEach((x, j) => origins.set(`entities[${i}].properties.${p}[${j}]`, x.origin));
        origins.set(`entities[${i}].properties.${p}`, values[0]!.origin);
        const pm = v.markings.reduce(narrow);
        if (formatMarking(pm) !== formatMarking(d.marking)) propertyMarkings[p] = formatMarking(pm);
      }
      return {
        id: d.id,
        schema: d.schema,
        marking: formatMarking(d.marking),
        properties,
        ...(Object.keys(propertyMarkings).length ? { propertyMarkings } : {}),
      };
    });
  const date = str(ev.date);
  const parsed = parseRecord(
    {
      sourceRecordId: record ?? uuid,
      marking: formatMarking(em),
      kind: ctx.ro.kind ?? 'operational',
      reportDate: date,
      grade: evRead.grade ?? ctx.ro.grade,
      criminalBasis: ctx.ro.criminalBasis,
      sensitivity: ctx.ro.sensitivity,
      confidence: ctx.ro.confidence,
      entities,
    },
    { source, file, path: 'record' },
  );
  // Errors name the MISP field the value came from.
  const where = (p: string): string => {
    const rest = p.replace(/^record\.?/, '');
    const hit = origins.get(rest) ?? origins.get(rest.replace(/\[\d+\]$/, ''));
    if (hit) return `${base}.${hit}`;
    const field = { sourceRecordId: 'uuid', reportDate: 'date', marking: 'Tag', grade: 'Tag' }[rest];
    return field ? `${base}.${field}` : `${base} (${p})`;
  };
  return {
    parsed: {
      ...parsed,
      errors: parsed.errors.map((e) => ({ ...e, path: where(e.path) })),
      ...(Object.keys(notMapped).length ? { notMapped } : {}),
    },
    counts,
  };
}
