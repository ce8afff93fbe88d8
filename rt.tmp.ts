import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countMisp } from '/work/wt-misp/src/exchange/misp/read.ts';
import { importRecords } from '/work/wt-misp/src/ingest/importer.ts';
import { recordsOf } from '/work/wt-misp/src/ingest/readers.ts';
import { exportFile } from '/work/wt-misp/src/ingest/export.ts';
import { exportStatements } from '/work/wt-misp/src/ingest/statements.ts';
import { Store } from '/work/wt-misp/src/store/store.ts';
import { openPglite } from '/work/wt-misp/src/store/db.ts';
import { createUser } from '/work/wt-misp/src/store/users.ts';
const files = ['sednit-event.json','samsam-objects-event.json','pubg-galaxy-event.json','ursnif-sighting-event.json'];
for (const f of files) {
  const c = countMisp(readFileSync(`/work/wt-misp/test/fixtures/misp/${f}`,'utf8'), { source: 'DEA', marking: 'U//FOUO' });
  console.log(f, JSON.stringify(c.counts), JSON.stringify(c.notMapped));
}
const mk = async () => Store.over(await openPglite());
const a = await mk(); const b = await mk();
const U = { password: 'correct horse battery staple', agency: 'DEA', clearance: 'S' as const, roles: ['analyst' as const] };
const ua = await createUser(a.db, { ...U, username: 'dea.a' });
const ub = await createUser(b.db, { ...U, username: 'dea.a' });
for (const f of files) {
  const r = await importRecords(a, ua, recordsOf('misp', { path: `/work/wt-misp/test/fixtures/misp/${f}` }, { source: 'DEA', marking: 'U//FOUO' }), { origin: f, crossReference: false });
  console.log(f, r.inserted, r.entities, r.statements, r.errors.slice(0,3), r.ids ? Object.keys(r.ids).length : 0);
}
let text = '';
for await (const p of exportFile(a, ua, 'misp', { purpose: 'round trip test' })) text += p;
const dir = mkdtempSync(join(tmpdir(), 'misp-'));
writeFileSync(join(dir, 'x.json'), text);
console.log('export bytes', text.length);
const r2 = await importRecords(b, ub, recordsOf('misp', { path: join(dir, 'x.json') }, { source: 'DEA' }), { origin: 'x', crossReference: false });
console.log('reimport', r2.inserted, r2.entities, r2.statements, JSON.stringify(r2.errors.slice(0,5)), r2.notMapped);
const st = async (s: Store, u: any) => { const out: string[] = []; for await (const l of exportStatements(s, u, { purpose: 'round trip test' })) out.push(JSON.stringify({e: l.entity_id, s: l.schema, p: l.prop, v: l.value, m: l.marking, em: l.entity_marking, r: l.source_record_id, rm: l.record.marking, d: l.record.report_date})); return out.sort(); };
const sa = await st(a, ua); const sb = await st(b, ub);
const A = new Set(sa), B = new Set(sb);
console.log('statements', sa.length, sb.length, 'onlyA', sa.filter(x=>!B.has(x)).slice(0,8), 'onlyB', sb.filter(x=>!A.has(x)).slice(0,8));
console.log(sa.slice(0,3));
const doc = JSON.parse(text);
const ev = doc.response.find((e: any) => e.Event.info.startsWith('Ursnif')).Event;
writeFileSync("/tmp/misp-export.json", text);
