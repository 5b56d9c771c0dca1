// The review UI: a static page that talks to the admin API (`/-/api/`) with the reviewer's token:
// one pasted in, or one single sign-on (`/-/sso/`) made, which sign-out revokes.
// Everything from the server is rendered with textContent, never as HTML.
'use strict';

const API = new URL('../api/', window.location.href);
const SSO = new URL('../sso/', window.location.href);
const TOKEN_KEY = 'airlock.token';
// Set when the token in use came from single sign-on (sign-out then revokes it).
const SSO_KEY = 'airlock.sso';
const $ = (id) => document.getElementById(id);

let state = 'quarantined';
// The list shows quarantine records of `state`, or the held versions advisories include.
let view = 'records';
let cursor = null;
let selected = null;
// Bumped at sign-out: answers to requests made before it are dropped, not shown.
let session = 0;
// Requests under way with the token in use: sign-out lets them end before it revokes the token,
// so none of them reaches the server after the token is gone and is refused.
const inFlight = new Set();

// An answer dropped because the reviewer signed out while it was on its way.
class SignedOut extends Error {}

function status(text, isError = false) {
  const el = $('status');
  el.textContent = text;
  el.className = isError ? 'error' : '';
}

// What went wrong, in the status line; an answer dropped at sign-out is no error.
function failed(err) {
  if (!(err instanceof SignedOut)) status(err.message, true);
}

async function api(path, init = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = { accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) };
  if (token) headers.authorization = `Bearer ${token}`;
  const at = session;
  const answer = send(new URL(path, API), { ...init, headers });
  inFlight.add(answer);
  // Settled either way, the answer is dropped when the reviewer signed out meanwhile.
  const outcome = await answer.then((body) => ({ body }), (err) => ({ err }));
  inFlight.delete(answer);
  if (at !== session) throw new SignedOut('signed out');
  if ('err' in outcome) throw outcome.err;
  return outcome.body;
}

// A JSON answer's body (null when empty); an error answer thrown as its message.
async function send(url, init) {
  const res = await fetch(url, init);
  const text = await res.text();
  const body = text === '' ? null : JSON.parse(text);
  if (!res.ok) throw new Error(body && typeof body.error === 'string' ? body.error : `HTTP ${res.status}`);
  return body;
}

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text;
  row.appendChild(td);
  return td;
}

function when(iso) {
  return iso ? iso.replace('T', ' ').slice(0, 16) : '—';
}

function heading(...names) {
  const tr = document.createElement('tr');
  for (const n of names) {
    const th = document.createElement('th');
    th.textContent = n;
    tr.appendChild(th);
  }
  $('records').querySelector('thead').replaceChildren(tr);
}

// Where an advisory is published: GitHub's database for GHSA ids, OSV's for the others.
function advisoryUrl(id) {
  return id.startsWith('GHSA-') ? `https://github.com/advisories/${encodeURIComponent(id)}` : `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
}

function severityText(v) {
  return `${v.severity}${v.score === null ? '' : ` (CVSS ${v.score})`}`;
}

// The versions Airlock holds (what clients downloaded) that imported advisories include, worst first.
async function loadExposure() {
  const r = await api(`vulnerabilities?${new URLSearchParams({ limit: '500' })}`);
  heading('Package', 'Severity', 'Advisories', 'Fixed in', 'Last used');
  const tbody = $('records').querySelector('tbody');
  tbody.replaceChildren();
  for (const item of r.items) {
    const v = item.vulnerabilities;
    const tr = document.createElement('tr');
    tr.className = `severity-${v.max_severity}`;
    cell(tr, `${item.name}@${item.version} (${item.ecosystem})`);
    cell(tr, v.max_score === null ? v.max_severity : `${v.max_severity} (${v.max_score})`);
    cell(tr, v.records.map((a) => a.id).join(', '));
    cell(tr, [...new Set(v.records.map((a) => a.fixed).filter((f) => f !== null))].join(', ') || '—');
    cell(tr, when(item.usedAt));
    tbody.appendChild(tr);
  }
  $('more').hidden = true;
  status(r.total === 0 ? `no held version has a known vulnerability (${r.packages} packages have advisories)` : `${r.total} held version(s) with known vulnerabilities`);
}

async function loadList(append = false) {
  if (view === 'vulnerable') return loadExposure();
  if (!append) heading('Package', 'Opened', 'Reason');
  const q = new URLSearchParams({ state, limit: '50' });
  if (append && cursor) q.set('cursor', cursor);
  const page = await api(`quarantine?${q}`);
  const tbody = $('records').querySelector('tbody');
  if (!append) tbody.replaceChildren();
  for (const rec of page.items) {
    const tr = document.createElement('tr');
    cell(tr, rec.purl);
    cell(tr, when(rec.createdAt));
    cell(tr, rec.reasons.length > 0 ? rec.reasons[0].message : '');
    tr.addEventListener('click', () => {
      for (const other of tbody.querySelectorAll('tr.selected')) other.classList.remove('selected');
      tr.classList.add('selected');
      void show(rec.id).catch(failed);
    });
    tbody.appendChild(tr);
  }
  cursor = page.nextCursor;
  $('more').hidden = cursor === null;
  status(`${tbody.children.length} ${state} record(s)`);
}

async function show(id) {
  const rec = await api(`quarantine/${encodeURIComponent(id)}`);
  selected = rec;
  $('detail').hidden = false;
  $('d-purl').textContent = rec.purl;
  $('d-id').textContent = rec.id;
  $('d-repo').textContent = rec.repo;
  $('d-state').textContent = rec.state;
  $('d-created').textContent = when(rec.createdAt);
  $('d-decided').textContent = rec.decidedBy ? `${rec.state} by ${rec.decidedBy} at ${when(rec.decidedAt)}: ${rec.decisionReason ?? ''}` : '—';
  $('d-expires').textContent = when(rec.expiresAt);
  // A release covers these bytes only.
  $('d-content').textContent = rec.contentDigest ?? '—';
  const reasons = $('d-reasons');
  reasons.replaceChildren();
  for (const r of rec.reasons) {
    const li = document.createElement('li');
    li.textContent = r.rule ? `${r.message} [${r.rule}]` : r.message;
    reasons.appendChild(li);
  }
  const vulns = rec.facts && rec.facts.vulnerabilities ? rec.facts.vulnerabilities.records : [];
  const vulnList = $('d-vuln-list');
  vulnList.replaceChildren();
  for (const v of vulns) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = advisoryUrl(v.id);
    a.rel = 'noopener noreferrer';
    a.target = '_blank';
    a.textContent = v.id;
    li.append(a, ` ${v.aliases.length > 0 ? `(${v.aliases.join(', ')}) ` : ''}${severityText(v)}, ${v.fixed === null ? 'no fixed version known' : `fixed in ${v.fixed}`}${v.summary ? `: ${v.summary}` : ''}`);
    vulnList.appendChild(li);
  }
  $('d-vulns').hidden = vulns.length === 0;
  $('d-facts').textContent = JSON.stringify(rec.facts, null, 2);
  $('c-summary').textContent = '';
  $('c-files').replaceChildren();
  $('review').hidden = rec.state === 'rejected';
  const decisions = await api(`decisions?${new URLSearchParams({ purl: rec.purl, limit: '20' })}`);
  const tbody = $('decisions').querySelector('tbody');
  tbody.replaceChildren();
  for (const d of decisions.items) {
    const tr = document.createElement('tr');
    cell(tr, when(d.createdAt));
    cell(tr, d.phase);
    cell(tr, d.verdict);
    cell(tr, d.reasons.map((r) => r.message).join('; '));
    tbody.appendChild(tr);
  }
}

function scriptsText(scripts) {
  const entries = scripts ? Object.entries(scripts) : [];
  return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k}: ${String(v)}`).join('; ');
}

function sizeText(c) {
  if (c.before === null) return `${c.after} bytes`;
  if (c.after === null) return `${c.before} bytes`;
  return `${c.before} → ${c.after} bytes`;
}

// One file's diff against the version before, one line per element (added and removed lines marked by class).
async function loadDiff(path) {
  const pre = $('c-diff');
  pre.hidden = false;
  pre.textContent = `comparing ${path}…`;
  const d = await api(`quarantine/${encodeURIComponent(selected.id)}/changes/diff?${new URLSearchParams({ path })}`);
  pre.replaceChildren();
  const text = d.unified === null ? `${path}: ${d.note}` : d.unified === '' ? `${path}: the same` : d.unified + (d.note ? `(${d.note})\n` : '');
  for (const line of text.split('\n')) {
    const span = document.createElement('span');
    span.textContent = `${line}\n`;
    if (line.startsWith('+') && !line.startsWith('+++')) span.className = 'added';
    else if (line.startsWith('-') && !line.startsWith('---')) span.className = 'removed';
    else if (line.startsWith('@@')) span.className = 'hunk';
    pre.appendChild(span);
  }
}

// Compares on request: the earlier release's tarball may have to be fetched first.
async function loadChanges() {
  if (!selected) return;
  $('c-summary').textContent = 'comparing…';
  const r = await api(`quarantine/${encodeURIComponent(selected.id)}/changes`);
  const n = r.counts;
  const before = scriptsText(r.installScripts.before);
  const after = scriptsText(r.installScripts.after);
  const scripts = r.base === null || before === after ? `install scripts: ${after}` : `install scripts: ${before} → ${after}`;
  $('c-summary').textContent =
    (r.base === null ? `the package's first release here: ${n.added} files` : `against ${r.base}: ${n.added} added, ${n.removed} removed, ${n.changed} changed, ${r.unchanged} unchanged`) +
    (r.truncated ? ' (lists cut at 500 each)' : '') +
    `; ${scripts}`;
  const list = $('c-files');
  list.replaceChildren();
  $('c-diff').hidden = true;
  for (const [mark, items] of [['+', r.added], ['−', r.removed], ['~', r.changed]]) {
    for (const c of items) {
      const li = document.createElement('li');
      li.textContent = `${mark} ${c.path} (${sizeText(c)})`;
      li.title = 'show the diff';
      li.className = 'file';
      li.addEventListener('click', () => void loadDiff(c.path).catch(failed));
      list.appendChild(li);
    }
  }
}

async function review(action) {
  if (!selected) return;
  const reason = $('r-reason').value.trim();
  const expires = $('r-expires').value.trim();
  const body = action === 'release' && expires !== '' ? { reason, expires } : { reason };
  const rec = await api(`quarantine/${encodeURIComponent(selected.id)}/${action}`, { method: 'POST', body: JSON.stringify(body) });
  $('r-reason').value = '';
  $('r-expires').value = '';
  await show(rec.id);
  await loadList();
  status(`${rec.purl}: ${rec.state}${rec.expiresAt ? ` until ${when(rec.expiresAt)}` : ''}`);
}

async function useToken() {
  const who = await api('whoami');
  $('who').textContent = who.kind === 'token' ? `${who.role}${who.label ? ` (${who.label})` : ''}` : 'anonymous';
  $('signout').hidden = false;
  await loadList();
}

// Not through api(): the token in use is not sent (a stale one would be refused), only the one given.
async function ssoPost(path, init) {
  return send(new URL(path, SSO), { method: 'POST', ...init });
}

// Back from the identity provider with a one-time code in the fragment: taken out of the URL (and
// the history) at once, then exchanged for the token, which is kept like a pasted one.
async function redeemSignIn(code) {
  const t = await ssoPost('session', { headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ code }) });
  sessionStorage.setItem(TOKEN_KEY, t.token);
  sessionStorage.setItem(SSO_KEY, '1');
  await useToken();
}

function signInCode() {
  const m = /^#sso=([A-Za-z0-9_-]{1,4096})$/.exec(window.location.hash);
  if (window.location.hash !== '') history.replaceState(null, '', window.location.pathname + window.location.search);
  return m ? m[1] : null;
}

// Whether single sign-on is configured (the button shows only then); `quiet`: a sign-in is being completed.
async function showSso(quiet) {
  const res = await fetch(new URL('config', SSO), { headers: { accept: 'application/json' } });
  const c = res.ok ? await res.json() : { enabled: false };
  $('sso').hidden = c.enabled !== true;
  if (c.enabled === true && !quiet && !sessionStorage.getItem(TOKEN_KEY)) status('enter an API token or sign in with SSO (reader to browse, approver to release or reject)');
}

async function signOut() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const fromSso = sessionStorage.getItem(SSO_KEY) === '1';
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(SSO_KEY);
  $('who').textContent = '';
  $('signout').hidden = true;
  $('detail').hidden = true;
  $('records').querySelector('tbody').replaceChildren();
  session++;
  await Promise.allSettled([...inFlight]);
  if (fromSso && token) await ssoPost('logout', { headers: { authorization: `Bearer ${token}` } });
  status(fromSso ? 'signed out: the token is revoked' : 'signed out: the token is forgotten in this browser');
}

document.addEventListener('DOMContentLoaded', () => {
  $('login').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
    $('token').value = '';
    void useToken().catch(failed);
  });
  for (const b of $('states').querySelectorAll('button')) {
    b.addEventListener('click', () => {
      for (const o of $('states').querySelectorAll('button')) o.classList.toggle('active', o === b);
      view = b.dataset.view === 'vulnerable' ? 'vulnerable' : 'records';
      if (b.dataset.state) state = b.dataset.state;
      void loadList().catch(failed);
    });
  }
  $('more').addEventListener('click', () => void loadList(true).catch(failed));
  $('c-load').addEventListener('click', () =>
    void loadChanges().catch((err) => {
      $('c-summary').textContent = '';
      failed(err);
    }),
  );
  $('review').addEventListener('submit', (e) => {
    e.preventDefault();
    const action = e.submitter && e.submitter.dataset.action === 'reject' ? 'reject' : 'release';
    void review(action).catch(failed);
  });
  $('sso').addEventListener('click', () => window.location.assign(new URL('login', SSO).href));
  $('signout').addEventListener('click', () => void signOut().catch(failed));
  const code = signInCode();
  if (code) void redeemSignIn(code).catch(failed);
  else if (sessionStorage.getItem(TOKEN_KEY)) void useToken().catch(failed);
  else status('enter an API token (reader to browse, approver to release or reject)');
  void showSso(code !== null).catch(() => {});
});
