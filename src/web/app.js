// Minimal analyst page: sign in, search, read an entity with portion markings and
// provenance. Values are inserted as text (never as HTML), so names cannot inject script.
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem('cp-token');

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, props);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

async function api(path, opts = {}) {
  const res = await fetch(path, { ...opts, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  const body = res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    if (res.status === 401 && token) signOut();
    throw new Error(body?.error ?? body?.message ?? `request failed (${res.status})`);
  }
  return body;
}

function showError(err) { $('error').textContent = err ? err.message : ''; }

function setBanner(marking) {
  const m = marking || 'UNCLASSIFIED';
  const cls = m.split('//')[0];
  const b = $('banner');
  b.textContent = m.replace(/\/\/OWNER [A-Z0-9_-]+$/, '');
  b.className = 'banner ' + ({ 'TOP SECRET': 'ts', SECRET: 's', CONFIDENTIAL: 'c', CUI: 'cui' }[cls] ?? (m.includes('//') ? 'u-caveat' : ''));
}

function signOut() {
  token = null;
  sessionStorage.removeItem('cp-token');
  $('app').hidden = true; $('tabs').hidden = true; $('login').hidden = false; $('logout').hidden = true; $('who').textContent = '';
}

async function start() {
  const me = await api('/auth/me');
  $('who').textContent = `${me.displayName} · ${me.agency} · cleared ${me.clearance}`;
  $('login').hidden = true; $('app').hidden = false; $('logout').hidden = false; $('tabs').hidden = false;
  const schemas = await api('/schemas');
  $('schema').replaceChildren(el('option', { value: '' }, 'All types'), ...schemas.filter((s) => !s.edge).map((s) => el('option', { value: s.name }, s.label)));
  const stats = await api('/stats');
  $('stats').replaceChildren(...Object.entries(stats.bySchema).map(([k, v]) => el('span', {}, `${k}: ${v}`)));
  await search();
}

async function search() {
  const params = new URLSearchParams({ limit: '50' });
  if ($('q').value) params.set('q', $('q').value);
  if ($('schema').value) params.set('schema', $('schema').value);
  const r = await api(`/entities?${params}`);
  // A merged identity is listed once, under its first member on the page.
  const folded = new Set();
  const results = r.results.filter((e) => {
    if (folded.has(e.id)) return false;
    for (const s of e.sameAs ?? []) folded.add(s);
    return true;
  });
  $('results').replaceChildren(...results.map((e) => el('li', {}, el('button', { onclick: () => show(e.id).catch(showError) }, el('span', { className: 'portion' }, e.portion), `${e.caption} — ${e.schema}${e.sameAs?.length ? ` (merged with ${e.sameAs.length})` : ''}`))));
  if (!r.results.length) $('results').replaceChildren(el('li', {}, 'Nothing you may see matches.'));
}

async function show(id) {
  const e = await api(`/entities/${encodeURIComponent(id)}`);
  setBanner(e.marking);
  // A confirmed merge shows every member's values (those this reader may see), each with its source.
  const merged = e.sameAs?.length ? await api(`/entities/${encodeURIComponent(id)}/merged`) : null;
  const rows = Object.entries(merged ? merged.properties : e.properties).flatMap(([prop, vals]) => vals.map((v) =>
    el('tr', {}, el('th', {}, prop), el('td', {}, el('span', { className: 'portion' }, v.portion), v.value),
      el('td', { className: 'prov' }, `${v.source ?? ''} ${v.sourceRecordId ?? ''} ${v.reportDate ?? ''} ${v.grade ?? ''}`))));
  const rel = await api(`/entities/${encodeURIComponent(id)}/relations`);
  const names = new Map(rel.entities.map((n) => [n.id, n]));
  const links = rel.edges.map((ed) => {
    const other = names.get(ed.source === id ? ed.target : ed.source);
    return el('li', {}, `${ed.source === id ? '→' : '←'} ${ed.label} `, el('button', { onclick: () => show(other.id).catch(showError) }, `${other?.caption ?? '?'} (${other?.schema ?? ''})`));
  });
  $('entity').replaceChildren(el('h2', {}, el('span', { className: 'portion' }, e.portion), e.caption), el('p', {}, `${e.schema} · ${e.id} · sources: ${e.sources.join(', ')}`),
    ...(merged ? [el('p', { className: 'merged' }, `Merged with ${merged.members.filter((m) => m.id !== id).map((m) => `${m.caption} (${m.sources.join(', ')})`).join('; ')}`)] : []),
    el('table', {}, el('tbody', {}, ...rows)), el('h3', {}, 'Relations'), el('ul', {}, ...links));
}

const pct = (x) => `${Math.round(x * 100)}%`;

async function showView(view) {
  const REPORT_FIELDS = {
  shipment: ['Tracking number / airway bill', 'Shipper name', 'Declared goods'],
  listing: ['Listing URL (https://…)', 'Platform', 'Seller name'],
  account: ['Service (e.g. Telegram)', 'Username', 'E-mail on the account'],
};
function reportLabels() {
  const [a, b, c] = REPORT_FIELDS[$('r-kind').value];
  $('r-l1').firstChild.textContent = `${a} `; $('r-l2').firstChild.textContent = `${b} `; $('r-l3').firstChild.textContent = `${c} `;
}
async function loadReports() {
  const rows = await api('/partner/reports');
  $('my-reports').replaceChildren(...rows.map((r) => el('li', {}, el('strong', {}, `${r.reference} `), `${r.kind} · ${r.status}`, r.feedback ? el('p', { className: 'merged' }, `Feedback: ${r.feedback}`) : '')));
  if (!rows.length) $('my-reports').replaceChildren(el('li', {}, 'No reports yet.'));
}
async function sendReport() {
  const kind = $('r-kind').value;
  const v = (id) => $(id).value.trim() || undefined;
  const body = { kind, summary: $('r-summary').value };
  if (kind === 'shipment') body.shipment = { trackingNumber: v('r-1'), shipperName: v('r-2'), declaredGoods: v('r-3') };
  else if (kind === 'listing') body.listing = { url: v('r-1'), platform: v('r-2'), seller: v('r-3') };
  else body.account = { service: v('r-1'), username: v('r-2') ?? '', email: v('r-3') };
  const r = await api('/partner/reports', { method: 'POST', body: JSON.stringify(body) });
  $('report-done').textContent = `Received: reference ${r.reference}. Keep it to follow your report.`;
  $('report').reset(); reportLabels();
  await loadReports();
}
$('r-kind').addEventListener('change', reportLabels);
$('report').addEventListener('submit', (ev) => { ev.preventDefault(); showError(null); sendReport().catch(showError); });

for (const b of document.querySelectorAll('#tabs button')) b.toggleAttribute('aria-current', b.dataset.view === view);
  for (const v of ['explore', 'screen', 'links', 'report']) $(`view-${v}`).hidden = v !== view;
  if (view === 'report') await loadReports();
  if (view === 'screen' && !$('lists').textContent) {
    const l = await api('/screen/lists');
    $('lists').textContent = `Screening against ${l.map((x) => `${x.name}, ${x.entries} entries, published ${x.publishDate ?? 'date unknown'}`).join('; ')}. A hit's score is the share of hits like it that were the listed identity on a labelled tuning set.`;
  }
  if (view === 'links') await loadLinks();
}

async function screen() {
  const body = { name: $('s-name').value };
  if ($('s-dob').value) body.birthDate = $('s-dob').value;
  if ($('s-nat').value) body.nationality = $('s-nat').value;
  const r = await api('/screen', { method: 'POST', body: JSON.stringify(body) });
  $('hits').replaceChildren(...r.hits.map((h) => el('li', {},
    el('strong', {}, `${pct(h.score)} `), `${h.name} — ${h.list} ${h.id} [${h.programs.join(', ')}]`,
    el('ul', { className: 'reasons' }, ...h.reasons.map((x) => el('li', {}, x))))));
  if (!r.hits.length) $('hits').replaceChildren(el('li', {}, `No hits scoring ${pct(r.threshold)} or more.`));
}

async function loadLinks() {
  const links = await api('/links?limit=50');
  const side = (e) => e ? el('button', { onclick: () => { showView('explore').then(() => show(e.id)).catch(showError); } }, el('span', { className: 'portion' }, e.portion), `${e.caption} (${e.schema})`) : '?';
  const judge = (id, action) => async () => {
    await api(`/links/${id}/${action}`, { method: 'POST', body: '{}' });
    await loadLinks();
  };
  $('link-list').replaceChildren(...links.map((l) => el('li', {},
    el('strong', {}, `${pct(l.score)} `), side(l.left), ' ≟ ', side(l.right), ' ',
    el('button', { onclick: () => judge(l.id, 'confirm')().catch(showError) }, 'Same'),
    el('button', { onclick: () => judge(l.id, 'reject')().catch(showError) }, 'Not the same'),
    el('ul', { className: 'reasons' }, ...l.reasons.map((x) => el('li', {}, x))))));
  if (!links.length) $('link-list').replaceChildren(el('li', {}, 'No open possible links that you may see.'));
}

for (const b of document.querySelectorAll('#tabs button')) b.addEventListener('click', () => { showError(null); showView(b.dataset.view).catch(showError); });
$('screen').addEventListener('submit', (ev) => { ev.preventDefault(); showError(null); screen().catch(showError); });
$('login').addEventListener('submit', async (ev) => {
  ev.preventDefault(); showError(null);
  try {
    const r = await api('/auth/login', { method: 'POST', body: JSON.stringify({ username: $('username').value, password: $('password').value }) });
    token = r.token; sessionStorage.setItem('cp-token', token);
    await start();
  } catch (err) { showError(err); }
});
$('search').addEventListener('submit', (ev) => { ev.preventDefault(); showError(null); search().catch(showError); });
$('logout').addEventListener('click', () => { api('/auth/logout', { method: 'POST', body: '{}' }).catch(() => {}); signOut(); });
if (token) start().catch((err) => { signOut(); showError(err); });
