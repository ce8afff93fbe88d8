import { readFtm } from './src/ingest/readers.ts';
for (const f of ['yente-t1.ftm.json','yente-parteispenden.ftm.json','nomenklatura-donations.ijson']) {
  let n = 0, bad = 0; const msgs = new Map<string, number>();
  for await (const p of readFtm({ path: `../shared/data/ftm/fixtures/${f}` }, { source: 'OS', marking: 'U' as any })) {
    n++; if (p.errors.length) { bad++; for (const e of p.errors) { const k = e.path.replace(/\[\d+\]/g,'') + ': ' + e.message.slice(0, 90); msgs.set(k, (msgs.get(k) ?? 0) + 1); } }
  }
  console.log(f, n, bad); for (const [k, c] of [...msgs].sort((a,b)=>b[1]-a[1]).slice(0, 15)) console.log('  ', c, k);
}
