// MISP events out. One event per source record: a MISP event is one organisation's
// report at one time, and so is a Chokepoint record (source agency, record id, report
// date, grade, marking); grouping by case or by entity would mix sources and markings
// in one event. An entity several records speak of appears in each, with what that
// record said. Values whose record the reader may not read go to one event of their own.
//
// Each value is one attribute carrying its exact marking (chokepoint:marking, and the
// TLP tag where the table maps it exactly) and the distribution that keeps it where the
// marking would. What came from MISP goes back as it came (attributes, template objects,
// references, the event's own info and tags); everything else as Chokepoint's generic
// objects (ftm-<schema>), so another Chokepoint instance reads the export back with the
// same entities, ids, values and markings (test/misp.test.ts checks it on real events).
import { createHash } from 'node:crypto';
import { formatMarking, parseMarking, type Marking } from '../../domain/markings.js';
import { model } from '../../domain/model.js';
import type { EntityView, RecordMeta, ValueView } from '../../store/read.js';
import { kebab, type MispMapping } from './mapping.js';
import { distributionFor, markingTable, markingTags, narrow, underDistribution } from './markings.js';
import { uuidOfId, uuidV5 } from './ids.js';

export type Json = Record<string, unknown>;
type Attr = Json;

/** One record's part of the export: its entities with only the values it gave. */
interface Group {
  key: string;
  meta?: RecordMeta;
  entities: Map<string, { view: EntityView; props: Map<string, ValueView[]>; presence?: Marking }>;
}

const UNATTRIBUTED = '\u0000unattributed';
const keyOf = (source: string | null, recordId: string | null): string =>
  source && recordId ? `${source}\u0000${recordId}` : UNATTRIBUTED;
const sameMarking = (a: Marking, b: Marking): boolean => formatMarking(a) === formatMarking(b);
const markingOfValue = (v: ValueView): Marking => parseMarking(v.marking, 'UNKNOWN');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An id as exported: one that came from MISP without the writer's namespace (an importer gives its own again). */
const exportedId = (id: string): string => {
  const u = uuidOfId(id);
  return u ? `misp-${u}` : id;
};

/** Groups what the reader may read by the record that said it. */
export function groupByRecord(
  views: EntityView[],
  records: RecordMeta[],
  presences: { entityId: string; recordId: number; marking: Marking }[],
): Group[] {
  const metaByKey = new Map(records.map((r) => [keyOf(r.source, r.sourceRecordId), r]));
  const presence = new Map(presences.map((p) => [`${p.entityId}\u0000${p.recordId}`, p.marking]));
  const groups = new Map<string, Group>();
  for (const view of views)
    for (const [prop, values] of Object.entries(view.properties))
      for (const v of values) {
        const key = keyOf(v.source, v.sourceRecordId);
        const meta = metaByKey.get(key);
        const g = groups.get(key) ?? { key: meta ? key : UNATTRIBUTED, meta, entities: new Map() };
        groups.set(g.key, g);
        const e = g.entities.get(view.id) ?? {
          view,
          props: new Map<string, ValueView[]>(),
          presence: meta ? presence.get(`${view.id}\u0000${meta.id}`) : undefined,
        };
        g.entities.set(view.id, e);
        e.props.set(prop, [...(e.props.get(prop) ?? []), v]);
      }
  return [...groups.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** The uuid of a group's event: the record id when it is a uuid held by no other record here. */
function eventUuids(groups: Group[], unattributed: string): Map<Group, string> {
  const counts = new Map<string, number>();
  for (const g of groups) if (g.meta) counts.set(g.meta.sourceRecordId, (counts.get(g.meta.sourceRecordId) ?? 0) + 1);
  return new Map(
    groups.map((g) => [
      g,
      g.meta && UUID.test(g.meta.sourceRecordId) && counts.get(g.meta.sourceRecordId) === 1
        ? g.meta.sourceRecordId.toLowerCase()
        : g.meta
          ? uuidV5(`chokepoint:record:${g.meta.source}/${g.meta.sourceRecordId}`)
          : unattributed,
    ]),
  );
}

const ORDER = ['0', '1', '2', '3'];
const widest = (ds: string[]): string => ds.reduce((a, b) => (ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a), '0');

/** Who the events are for: values of records they may not read go to one event of theirs, written now. */
export interface ExportFor {
  /** Whether the reader may read a marking: a record's own marking is shown only then. */
  mayRead: (m: Marking) => boolean;
  /** The uuid of the reader's event of values whose record they may not read (one per reader scope, replaced as it changes). */
  unattributed: string;
  /** Seconds since 1970: the timestamp of that event. */
  now: number;
}

/** Builds the events of an export (MISP's JSON, as {"Event": {...}} each). */
export function toMispEvents(groups: Group[], m: MispMapping, reader: ExportFor): Json[] {
  const uuids = eventUuids(groups, reader.unattributed);
  // An entity spoken of by several records keeps its MISP uuid in one event only (MISP's uuids are unique
  // per instance): the first by record; elsewhere its elements get uuids of their own and name the entity.
  const home = new Map<string, Group>();
  for (const g of groups) for (const id of g.entities.keys()) if (!home.has(id)) home.set(id, g);
  return groups.map((g) => ({ Event: eventOf(g, uuids.get(g)!, home, m, reader) }));
}

function eventOf(g: Group, uuid: string, home: Map<string, Group>, m: MispMapping, reader: ExportFor): Json {
  const meta = g.meta;
  const source = meta?.source ?? 'CHOKEPOINT';
  const allValues = [...g.entities.values()].flatMap((e) => [...e.props.values()].flat());
  // The record's own marking when the reader may read it. A record is visible with any visible part, but its
  // marking may be one the reader may not read (a group's name, say): then the event travels under the
  // narrowest marking of what it holds, as the statements export does.
  const em =
    meta && reader.mayRead(meta.marking)
      ? meta.marking
      : { ...allValues.map(markingOfValue).reduce(narrow), owner: meta?.source ?? markingOfValue(allValues[0]!).owner };
  const written = meta?.written ?? reader.now;
  const timestamp = String(written);
  const attrUuid = (...parts: string[]): string => uuidV5(`${uuid}:${parts.join(':')}`);
  const tags = (mk: Marking, labels: string[] = []): Json[] =>
    [...markingTags(mk), ...labels].map((name) => ({ name }));
  const category = (type: string): string => m.attributes[type]?.category ?? m.categories[type] ?? 'Other';
  const attribute = (type: string, value: string, mk: Marking, id: string, extra: Json = {}): Attr => ({
    uuid: id,
    type,
    category: category(type),
    value,
    to_ids: false,
    disable_correlation: false,
    distribution: distributionFor(mk),
    timestamp,
    comment: '',
    ...extra,
    Tag: [...tags(mk), ...((extra.Tag as Json[] | undefined) ?? [])],
  });

  const eventEntityId = [...g.entities.keys()].find((id) => uuidOfId(id) === uuid);
  const ev = eventEntityId ? g.entities.get(eventEntityId) : undefined;
  const evAllowed = new Set([
    m.event.info,
    m.event.date,
    m.event.involved,
    m.event.labels,
    m.attributeComment,
    ...Object.values(m.event.attributes).map((a) => a.property),
  ]);
  const atEvent = (prop: string): boolean =>
    [m.event.info, m.event.date, m.event.labels].includes(prop) &&
    (ev?.props.get(prop) ?? []).every((v) => sameMarking(markingOfValue(v), em));
  // The entity that is the MISP event itself goes back into the event's own fields, when they hold it exactly.
  const eventEntity =
    ev &&
    home.get(eventEntityId!) === g &&
    ev.view.schema === m.event.schema &&
    (!ev.presence || sameMarking(ev.presence, em)) &&
    [...ev.props.keys()].every((p) => evAllowed.has(p)) &&
    [m.event.info, m.event.date, m.event.labels].every((p) => !ev.props.has(p) || atEvent(p)) &&
    (ev.props.get(m.event.info)?.length ?? 0) <= 1 &&
    (ev.props.get(m.event.date)?.length ?? 0) <= 1
      ? ev
      : undefined;

  const attributes: Attr[] = [];
  const objects: Json[] = [];
  const eventLabels: string[] = [];
  if (eventEntity) {
    for (const [type, row] of Object.entries(m.event.attributes))
      for (const v of eventEntity.props.get(row.property) ?? [])
        attributes.push(attribute(type, v.value, markingOfValue(v), attrUuid(row.property, v.value)));
    for (const v of eventEntity.props.get(m.event.labels) ?? []) eventLabels.push(v.value);
  }

  // Where each exported entity went (uuid of its object or attribute), for references.
  const placed = new Map<string, { uuid: string; object: boolean }>();
  const schemaOf = new Map<Json, string>();
  const exported = [...g.entities.values()].filter((e) => e !== eventEntity);
  const isHome = (id: string): boolean => home.get(id) === g;
  const elementUuid = (id: string): string => (isHome(id) && uuidOfId(id)) || uuidV5(`${uuid}:entity:${id}`);
  const links: typeof exported = [];
  // A relation's subject stays an object, so the relation can go back as its object reference.
  const subjects = new Set(
    exported
      .filter((e) => e.view.schema === m.references.schema)
      .flatMap((e) => (e.props.get(m.references.source) ?? []).map((v) => v.value)),
  );
  for (const e of exported) {
    if (e.view.schema === m.references.schema) {
      links.push(e);
      continue;
    }
    // Its existence marking in this record; for values of a record the reader may not read, the narrowest of them.
    const presence = e.presence ?? [...e.props.values()].flat().map(markingOfValue).reduce(narrow);
    const asAttr = subjects.has(e.view.id) ? undefined : attributeForm(e, presence, isHome(e.view.id), m);
    if (asAttr) {
      const { type, row, value, notes, labels } = asAttr;
      const u = uuidOfId(e.view.id)!;
      attributes.push(
        attribute(type, value, presence, u, {
          category: row.category ?? category(type),
          ...(notes ? { comment: notes } : {}),
          Tag: labels.map((name) => ({ name })),
        }),
      );
      placed.set(e.view.id, { uuid: u, object: false });
      continue;
    }
    const o = objectOf(e, presence, elementUuid(e.view.id), em, timestamp, m, attribute, attrUuid);
    objects.push(o);
    schemaOf.set(o, e.view.schema);
    placed.set(e.view.id, { uuid: o.uuid as string, object: true });
  }
  // Relations between two placed entities go back as object references, when a reference holds them exactly.
  for (const e of links) {
    const one = (p: string): ValueView | undefined => (e.props.get(p)?.length === 1 ? e.props.get(p)![0] : undefined);
    const s = one(m.references.source);
    const t = one(m.references.target);
    const role = e.props.get(m.references.type);
    const from = s && placed.get(s.value);
    const to = t && placed.get(t.value);
    const presence = e.presence ?? em;
    const values = [...e.props.values()].flat();
    const exact =
      from?.object &&
      to &&
      isHome(e.view.id) &&
      uuidOfId(e.view.id) &&
      (role?.length ?? 0) <= 1 &&
      [...e.props.keys()].every((p) => [m.references.source, m.references.target, m.references.type].includes(p)) &&
      values.every((v) => sameMarking(markingOfValue(v), presence)) &&
      sameMarking(
        presence,
        narrow(g.entities.get(s!.value)?.presence ?? presence, g.entities.get(t!.value)?.presence ?? presence),
      );
    if (exact) {
      const src = objects.find((o) => o.uuid === from.uuid)!;
      (src.ObjectReference as Json[]).push({
        uuid: uuidOfId(e.view.id),
        object_uuid: from.uuid,
        referenced_uuid: to.uuid,
        relationship_type: role?.[0]?.value ?? '',
        timestamp,
        comment: '',
      });
    } else {
      const o = objectOf(e, presence, elementUuid(e.view.id), em, timestamp, m, attribute, attrUuid);
      objects.push(o);
      schemaOf.set(o, e.view.schema);
    }
  }
  // Entity properties of Chokepoint's own objects also go as references, so MISP draws the graph.
  const placedExported = new Map([...placed].map(([id, p]) => [exportedId(id), p]));
  for (const o of objects) {
    const schemaName = schemaOf.get(o);
    if (!schemaName || !String(o.name).startsWith(m.generic.prefix)) continue;
    const props = model.properties(schemaName);
    for (const a of o.Attribute as Attr[]) {
      const rel = String(a.object_relation);
      const to = props[rel]?.type === 'entity' ? placedExported.get(String(a.value)) : undefined;
      if (to)
        (o.ObjectReference as Json[]).push({
          uuid: uuidV5(`${o.uuid}:ref:${rel}:${a.value}`),
          object_uuid: o.uuid,
          referenced_uuid: to.uuid,
          relationship_type: rel,
          timestamp,
          comment: '',
        });
    }
  }

  const tagsOfEvent: string[] = [...markingTags(em), ...eventLabels];
  if (!eventEntity) tagsOfEvent.push(`${markingTable().machineTags.record}="${meta?.sourceRecordId ?? uuid}"`);
  if (meta?.grade)
    tagsOfEvent.push(
      `admiralty-scale:source-reliability="${meta.grade[0]!.toLowerCase()}"`,
      `admiralty-scale:information-credibility="${meta.grade[1]}"`,
    );
  const info =
    eventEntity?.props.get(m.event.info)?.[0]?.value ??
    `${source} ${meta?.sourceRecordId ?? 'values of records you may not read'}: ${exported
      .slice(0, 3)
      .map((e) => e.view.caption)
      .join(', ')}${exported.length > 3 ? ', …' : ''}`;
  const date =
    eventEntity?.props.get(m.event.date)?.[0]?.value?.slice(0, 10) ??
    meta?.reportDate ??
    new Date(written * 1000).toISOString().slice(0, 10);
  const distributions = [
    distributionFor(em),
    ...attributes.map((a) => String(a.distribution)),
    ...objects.map((o) => String(o.distribution)),
  ];
  return {
    uuid,
    info,
    date,
    threat_level_id: '4',
    analysis: '2',
    published: true,
    timestamp,
    publish_timestamp: timestamp,
    // The widest of its parts, so the event does not narrow a value its own marking lets further (MISP caps parts by the event).
    distribution: widest(distributions),
    Orgc: { name: source, uuid: uuidV5(`chokepoint:agency:${source}`) },
    Tag: tagsOfEvent.map((name) => ({ name })),
    Attribute: attributes,
    Object: objects,
  };
}

/** An entity that is exactly one MISP attribute (a domain, a phone number), or undefined. */
function attributeForm(
  e: { view: EntityView; props: Map<string, ValueView[]> },
  presence: Marking,
  home: boolean,
  m: MispMapping,
):
  | { type: string; row: MispMapping['attributes'][string]; value: string; notes?: string; labels: string[] }
  | undefined {
  if (!home || !uuidOfId(e.view.id)) return undefined;
  const values = [...e.props.values()].flat();
  if (!values.every((v) => sameMarking(markingOfValue(v), presence))) return undefined;
  for (const [type, row] of Object.entries(m.attributes)) {
    if (!row.export || row.schema !== e.view.schema) continue;
    const key = e.props.get(row.property);
    if (key?.length !== 1) continue;
    const constants = Object.entries(row.constants ?? {});
    if (!constants.every(([p, c]) => e.props.get(p)?.length === 1 && e.props.get(p)![0]!.value === c)) continue;
    const notes = e.props.get(m.attributeComment);
    const allowed = new Set([row.property, m.attributeComment, m.event.labels, ...constants.map(([p]) => p)]);
    if ((notes?.length ?? 0) > 1 || [...e.props.keys()].some((p) => !allowed.has(p))) continue;
    return {
      type,
      row,
      value: key[0]!.value,
      notes: notes?.[0]?.value,
      labels: (e.props.get(m.event.labels) ?? []).map((v) => v.value),
    };
  }
  return undefined;
}

/** An entity as a MISP object: its template's when the mapping has one for its schema, else Chokepoint's own. */
function objectOf(
  e: { view: EntityView; props: Map<string, ValueView[]> },
  presence: Marking,
  uuid: string,
  em: Marking,
  timestamp: string,
  m: MispMapping,
  attribute: (type: string, value: string, mk: Marking, id: string, extra?: Json) => Attr,
  attrUuid: (...parts: string[]) => string,
): Json {
  const schema = e.view.schema;
  const found = Object.entries(m.objects).find(
    ([, o]) =>
      o.export &&
      o.schema === schema &&
      Object.entries(o.constants ?? {}).every(([p, c]) => e.props.get(p)?.some((v) => v.value === c)),
  );
  const [name, row] = found ?? [`${m.generic.prefix}${kebab(schema)}`, undefined];
  const props = model.properties(schema);
  const attrs: Attr[] = [];
  for (const [prop, values] of e.props) {
    if (Object.keys(row?.constants ?? {}).includes(prop)) continue;
    const rel = row ? Object.entries(row.relations).find(([, r]) => r.property === prop) : undefined;
    const type = rel?.[1].type ?? m.generic.types[props[prop]?.type ?? ''] ?? m.generic.defaultType;
    const entity = props[prop]?.type === 'entity';
    for (const v of values)
      attrs.push(
        attribute(type, entity ? exportedId(v.value) : v.value, markingOfValue(v), attrUuid(uuid, prop, v.value), {
          object_relation: rel?.[0] ?? prop,
        }),
      );
  }
  const distribution = widest(attrs.map((a) => String(a.distribution)));
  // The entity's id and existence marking, where a re-import would not give them back by itself.
  const derived = underDistribution(em, { distribution }, { sharingGroups: {}, tags: {} });
  if (uuidOfId(e.view.id) !== uuid || typeof derived === 'string' || !sameMarking(derived, presence))
    attrs.unshift(
      attribute(m.generic.defaultType, exportedId(e.view.id), presence, attrUuid(uuid, m.generic.idRelation), {
        object_relation: m.generic.idRelation,
        disable_correlation: true,
      }),
    );
  return {
    uuid,
    name,
    'meta-category': row?.template?.['meta-category'] ?? m.generic.metaCategory,
    description: row?.template?.description ?? model.get(schema)?.label ?? schema,
    template_uuid: row?.template?.uuid ?? uuidV5(`chokepoint:object-template:${name}`),
    template_version: String(row?.template?.version ?? 1),
    distribution,
    timestamp,
    comment: '',
    Attribute: attrs,
    ObjectReference: [],
  };
}

/** The md5 of each attribute value of an event (MISP's hashes.csv lines), composite values part by part as PyMISP does. */
export function attributeHashes(event: Json): string[] {
  const ev = event.Event as Json;
  const attrs = [...(ev.Attribute as Attr[]), ...(ev.Object as Json[]).flatMap((o) => o.Attribute as Attr[])];
  return attrs.flatMap((a) => {
    const type = String(a.type);
    const value = String(a.value);
    const parts = type.includes('|') || type === 'malware-sample' ? value.split('|') : [value];
    return parts.map((p) => createHash('md5').update(p, 'utf8').digest('hex'));
  });
}

/** An event's line in a feed's manifest.json (the fields PyMISP's manifest has). */
export function manifestEntry(event: Json): Json {
  const ev = event.Event as Json;
  return {
    Orgc: ev.Orgc,
    Tag: ev.Tag,
    info: ev.info,
    date: ev.date,
    analysis: Number(ev.analysis),
    threat_level_id: Number(ev.threat_level_id),
    timestamp: Number(ev.timestamp),
  };
}
