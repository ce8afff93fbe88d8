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
  $('app').hidden = true; $('login').hidden = false; $('logout').hidden = true; $('who').textContent = '';
}

async function start() {
  const me = await api('/auth/me');
  $('who').textContent = `${me.displayName} · ${me.agency} · cleared ${me.clearance}`;
  $('login').hidden = true; $('app').hidden = false; $('logout').hidden = false;
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
  $('results').replaceChildren(...r.results.map((e) => el('li', {}, el('button', { onclick: () => show(e.id).catch(showError) }, el('span', { className: 'portion' }, e.portion), `${e.caption} — ${e.schema}`))));
  if (!r.results.length) $('results').replaceChildren(el('li', {}, 'Nothing you may see matches.'));
}

async function show(id) {
  const e = await api(`/entities/${encodeURIComponent(id)}`);
  setBanner(e.marking);
  const rows = Object.entries(e.properties).flatMap(([prop, vals]) => vals.map((v) =>
    el('tr', {}, el('th', {}, prop), el('td', {}, el('span', { className: 'portion' }, v.portion), v.value),
      el('td', { className: 'prov' }, `${v.source ?? ''} ${v.sourceRecordId ?? ''} ${v.reportDate ?? ''} ${v.grade ?? ''}`))));
  const rel = await api(`/entities/${encodeURIComponent(id)}/relations`);
  const names = new Map(rel.entities.map((n) => [n.id, n]));
  const links = rel.edges.map((ed) => {
    const other = names.get(ed.source === id ? ed.target : ed.source);
    return el('li', {}, `${ed.source === id ? '→' : '←'} ${ed.label} `, el('button', { onclick: () => show(other.id).catch(showError) }, `${other?.caption ?? '?'} (${other?.schema ?? ''})`));
  });
  $('entity').replaceChildren(el('h2', {}, el('span', { className: 'portion' }, e.portion), e.caption), el('p', {}, `${e.schema} · ${e.id} · sources: ${e.sources.join(', ')}`),
    el('table', {}, el('tbody', {}, ...rows)), el('h3', {}, 'Relations'), el('ul', {}, ...links));
}

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
