// teepass dashboard (issue 16, docs/dashboard.md). Plain JavaScript, no
// build step, no library. It reads only the public API. Every string that
// comes from the API (evidence claims, registry URLs, model names, error
// details) is hostile: it reaches the page only as text (textContent or
// attribute values set through the DOM), never as markup.
'use strict';

(() => {
  // The admin key: in this closure only, never in storage or the URL.
  let adminKey = '';

  // --- DOM helpers: the only way this file builds the page ---

  // el('td', {class: 'x'}, 'text', child, ...): strings become text nodes.
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    append(e, children);
    return e;
  }
  function append(e, children) {
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }
  const SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    return append(e, children);
  }
  // Each route's view renders only while it is the current route: a slow
  // answer for a page already left never overwrites the next one.
  let routeGen = 0;
  function screen() {
    const my = routeGen;
    return (...children) => (my === routeGen ? view(...children) : null);
  }
  function view(...children) {
    const v = document.getElementById('view');
    v.replaceChildren(...children.flat(Infinity).filter((c) => c));
    return v;
  }
  const text = (v) => (v === undefined || v === null ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const badge = (s) => el('span', { class: `badge ${/^[a-z_]+$/.test(String(s)) ? 's-' + s : ''}` }, text(s));
  const pre = (obj) => el('pre', { class: 'json' }, JSON.stringify(obj, null, 2));
  const link = (href, label) => el('a', { href }, label);
  const isUuid = (s) => typeof s === 'string' && /^[0-9a-f-]{36}$/i.test(s);

  // --- the API ---

  async function api(path, { method = 'GET', body, admin = false, accept } = {}) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (admin && adminKey) headers.Authorization = `Bearer ${adminKey}`;
    if (accept) headers.Accept = accept;
    const r = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store', credentials: 'omit',
    });
    const t = await r.text();
    let json = null;
    try { json = JSON.parse(t); } catch { /* not JSON */ }
    return { status: r.status, ok: r.ok, json, text: t };
  }
  function apiError(r) {
    const e = r.json && r.json.error;
    return el('p', { class: 'error', role: 'alert' },
      `HTTP ${r.status}`, e ? `: ${e.code} — ${e.message}` : '', e && e.field ? ` (field ${e.field})` : '');
  }
  function qs(params) {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) u.set(k, v);
    const s = u.toString();
    return s ? `?${s}` : '';
  }

  // --- base64url and the JWS check (WebCrypto) ---

  function b64urlBytes(s) {
    const b = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
    const out = new Uint8Array(b.length);
    for (let i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
    return out;
  }
  const b64urlJson = (s) => JSON.parse(new TextDecoder().decode(b64urlBytes(s)));

  // The JWK sets tried, in order: the published one, then (development
  // daemons only; 404 elsewhere) the one with the development key.
  const JWKS_URLS = ['/.well-known/jwks.json', '/.well-known/jwks-development.json'];

  // Verifies TOKEN's ES256 signature in this browser. Resolves to
  // {ok: true, kid, url} or {ok: false, reason}.
  async function verifyJws(token) {
    if (!window.crypto || !crypto.subtle)
      return { ok: false, reason: 'this page is not a secure context (https or localhost): WebCrypto is unavailable, so the browser cannot check the signature' };
    const parts = String(token).split('.');
    if (parts.length !== 3) return { ok: false, reason: 'the token is not a compact JWS' };
    let header;
    try { header = b64urlJson(parts[0]); } catch { return { ok: false, reason: 'the JWS header is not JSON' }; }
    if (header.alg !== 'ES256') return { ok: false, reason: `unexpected algorithm ${text(header.alg)}` };
    const tried = [];
    for (const url of JWKS_URLS) {
      const r = await api(url);
      if (!r.ok || !r.json || !Array.isArray(r.json.keys)) { tried.push(`${url} (HTTP ${r.status})`); continue; }
      const jwk = r.json.keys.find((k) => k.kid === header.kid);
      if (!jwk) { tried.push(`${url} (no key ${text(header.kid)})`); continue; }
      if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') return { ok: false, reason: `key ${text(header.kid)} is not a P-256 key` };
      const key = await crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, ext: true },
        { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
      const data = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
      const ok = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, b64urlBytes(parts[2]), data);
      if (!ok) return { ok: false, reason: `the signature does not verify with key ${header.kid} of ${url}` };
      return { ok: true, kid: header.kid, url };
    }
    return { ok: false, reason: `no published key has kid ${text(header.kid)}: tried ${tried.join(', ')}` };
  }

  // JSON with sorted keys, to compare two documents.
  const canonical = (v) => JSON.stringify(v, (k, x) => (x && typeof x === 'object' && !Array.isArray(x)
    ? Object.fromEntries(Object.keys(x).sort().map((key) => [key, x[key]])) : x));

  const fmtTime = (s) => (s ? String(s).replace('T', ' ').replace(/\.\d+/, '') : '—');

  // --- Passports ---

  const TEE_TYPES = ['IntelSgx', 'IntelTdx', 'AmdSevSnp', 'AwsNitro', 'NvidiaGpu', 'ArmPsa', 'ArmCca', 'Tpm', 'AzureSnpVtpm', 'AzureTdxVtpm', 'GcpVtpm', 'RaTls', 'Mock'];

  function select(name, options, value) {
    return el('select', { name, id: `f-${name}` }, el('option', { value: '' }, 'any'),
      options.map((o) => el('option', { value: o, selected: o === value }, o)));
  }
  // datetime-local (browser's zone) → RFC 3339 UTC, or '' when empty.
  function toRfc3339(v) {
    if (!v) return '';
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? '' : d.toISOString().replace(/\.\d+Z$/, 'Z');
  }

  // RFC 3339 → a datetime-local value in the browser's zone ('' if none).
  function toLocalInput(v) {
    const d = new Date(v || NaN);
    if (Number.isNaN(d.getTime())) return '';
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  }

  async function passportsView(params) {
    const view = screen(); // eslint-disable-line no-shadow
    const f = {
      tee_type: params.get('tee_type') || '', status: params.get('status') || '',
      endpoint_id: params.get('endpoint_id') || '', since: params.get('since') || '',
      until: params.get('until') || '', cursor: params.get('cursor') || '',
      limit: /^[0-9]{1,3}$/.test(params.get('limit') || '') ? params.get('limit') : '',
    };
    const form = el('form', { class: 'filters', id: 'passport-filters' },
      el('label', {}, 'TEE ', select('tee_type', TEE_TYPES, f.tee_type)),
      el('label', {}, 'status ', select('status', ['active', 'expired', 'revoked', 'superseded', 'affirming', 'warning'], f.status)),
      el('label', {}, 'endpoint ', el('input', { name: 'endpoint_id', value: f.endpoint_id, placeholder: 'endpoint id', size: 38 })),
      el('label', {}, 'since ', el('input', { name: 'since', type: 'datetime-local', step: 1, value: toLocalInput(f.since) })),
      el('label', {}, 'until ', el('input', { name: 'until', type: 'datetime-local', step: 1, value: toLocalInput(f.until) })),
      el('button', { type: 'submit' }, 'Filter'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const d = new FormData(form);
      location.hash = `#/passports${qs({
        tee_type: d.get('tee_type'), status: d.get('status'), endpoint_id: d.get('endpoint_id').trim(), limit: f.limit,
        since: toRfc3339(d.get('since')), until: toRfc3339(d.get('until')),
      })}`;
    });
    const active = [f.since && `since ${f.since}`, f.until && `until ${f.until}`].filter(Boolean).join(', ');
    view(el('h1', {}, 'Passports'), form, active ? el('p', { class: 'note' }, `time filter: ${active} `, link('#/passports', 'clear')) : null,
      el('p', { id: 'loading' }, 'loading…'));
    const r = await api(`/api/passports${qs({ ...f, limit: f.limit || 25 })}`);
    if (!r.ok) return view(el('h1', {}, 'Passports'), form, apiError(r));
    const rows = r.json.passports.map((p) => el('tr', { 'data-id': p.id },
      el('td', {}, link(`#/passport/${encodeURIComponent(p.id)}`, p.id)),
      el('td', {}, p.tee_type), el('td', {}, badge(p.status)), el('td', {}, badge(p.ear_status)),
      el('td', {}, p.hardware_attested ? 'yes' : 'no'), el('td', {}, fmtTime(p.created_at)),
      el('td', {}, fmtTime(p.expires_at)),
      el('td', {}, p.endpoint_id ? link(`#/endpoint/${encodeURIComponent(p.endpoint_id)}`, p.endpoint_id) : '—')));
    const table = el('table', { id: 'passport-list' },
      el('thead', {}, el('tr', {}, ['id', 'TEE', 'status', 'EAR', 'hardware', 'created', 'expires', 'endpoint'].map((h) => el('th', {}, h)))),
      el('tbody', {}, rows));
    const pager = el('p', { class: 'pager' },
      f.cursor ? link(`#/passports${qs({ ...f, cursor: '' })}`, '« newest') : null, ' ',
      r.json.next_cursor ? link(`#/passports${qs({ ...f, cursor: r.json.next_cursor })}`, 'older »') : null);
    view(el('h1', {}, 'Passports'), form,
      active ? el('p', { class: 'note' }, `time filter: ${active} `, link('#/passports', 'clear')) : null,
      rows.length ? table : el('p', {}, 'No passport matches.'), pager);
  }

  // The EAR status of each submodule: the EAR shape has a top-level
  // "submods" map, each with "ear.status"; older passports carry
  // "ear.status" at the top. Both are shown, whichever is present.
  function earTable(claims) {
    const rows = [];
    if (claims && claims['ear.status'] !== undefined)
      rows.push(['(passport)', claims['ear.status'], claims['ear.trustworthiness-vector'], claims.tee_type]);
    if (claims && claims.submods && typeof claims.submods === 'object')
      for (const [name, sm] of Object.entries(claims.submods))
        rows.push([name, sm && sm['ear.status'], sm && sm['ear.trustworthiness-vector'], sm && sm.tee_type]);
    if (!rows.length) return el('p', {}, 'The passport carries no EAR status.');
    return el('table', { id: 'ear' },
      el('thead', {}, el('tr', {}, ['submodule', 'ear.status', 'trustworthiness vector', 'TEE'].map((h) => el('th', {}, h)))),
      el('tbody', {}, rows.map(([n, s, tv, tee]) => el('tr', {},
        el('td', {}, n), el('td', {}, badge(s)),
        el('td', {}, tv && typeof tv === 'object'
          ? Object.entries(tv).map(([k, v]) => el('span', { class: 'tv' }, `${k}: ${v} (${ar4si(v)})`)) : '—'),
        el('td', {}, text(tee))))));
  }
  // AR4SI trustworthiness tiers (draft-ietf-rats-ar4si): 2..31 affirming,
  // 32..95 warning, 96..127 contraindicated, 0 no claim.
  function ar4si(v) {
    const n = Number(v);
    if (n === 0) return 'no claim';
    if (n >= -1 && n <= 1) return 'verifier error';
    const a = Math.abs(n);
    if (a <= 31) return 'affirming';
    if (a <= 95) return 'warning';
    return 'contraindicated';
  }

  async function passportView(id) {
    const view = screen(); // eslint-disable-line no-shadow
    view(el('h1', {}, 'Passport'), el('p', {}, 'loading…'));
    const r = await api(`/api/passports/${encodeURIComponent(id)}`);
    if (!r.ok) return view(el('h1', {}, 'Passport'), apiError(r));
    const p = r.json;
    const sig = el('p', { id: 'signature', class: 'pending' }, 'checking the signature in your browser…');
    const rev = el('p', { id: 'revocation', class: 'pending' }, 'looking up revocation…');
    const dl = el('dl', { class: 'facts' }, [
      ['id', p.id], ['TEE type', p.tee_type], ['hardware attested', p.hardware_attested ? 'yes' : 'no (development or mock evidence)'],
      ['EAR status', p.ear_status], ['created', fmtTime(p.created_at)], ['verified', fmtTime(p.verified_at)],
      ['expires', fmtTime(p.expires_at)], ['evidence sha256', p.evidence_sha256],
    ].map(([k, v]) => [el('dt', {}, k), el('dd', {}, text(v))]),
    el('dt', {}, 'endpoint'), el('dd', {}, p.endpoint_id ? link(`#/endpoint/${encodeURIComponent(p.endpoint_id)}`, p.endpoint_id) : '—'));
    const appr = el('div', { id: 'appraisal' }, el('p', { class: 'pending' }, 'judging the stored evidence again as issued…'));
    const re = p.reappraisal;
    view(el('h1', {}, 'Passport'), dl,
      re ? el('p', { id: 'reappraisal', class: 'bad' }, `✘ re-appraised ${text(re.outcome)} as of ${fmtTime(re.at)}: `,
        badge(re.ear_status), ', errors: ', (Array.isArray(re.errors) ? re.errors : []).map((e) => el('code', {}, text(e.code), ' '))) : '',
      el('h2', {}, 'Signature'), sig,
      el('h2', {}, 'Revocation (live)'), rev,
      el('h2', {}, 'EAR status per submodule'), earTable(p.claims),
      el('h2', {}, 'Per-check verdict (the stored evidence judged again as of its issue)'), appr,
      el('h2', {}, 'Claims (decoded)'), pre(p.claims),
      el('details', {}, el('summary', {}, 'token (JWS)'), el('pre', { class: 'token' }, text(p.token))));
    verifyJws(p.token).then((v) => {
      if (v.ok) {
        // The claims shown must be the ones signed, for this passport.
        let signed = null;
        try { signed = b64urlJson(p.token.split('.')[1]); } catch { /* */ }
        const why = !signed ? 'its payload is not JSON' : signed.jti !== p.id ? 'the token\'s jti is not this passport\'s id'
          : canonical(signed) !== canonical(p.claims) ? 'the claims shown differ from the signed ones' : '';
        sig.className = why ? 'bad' : 'ok';
        sig.textContent = why
          ? `✘ the signature verified with key ${v.kid}, but ${why}`
          : `✔ signature verified by your browser with key ${v.kid} (from ${v.url}); the claims shown are the signed ones`;
      } else {
        sig.className = 'bad';
        sig.textContent = `✘ signature NOT verified: ${v.reason}`;
      }
    }).catch((e) => { sig.className = 'bad'; sig.textContent = `✘ signature check failed: ${e && e.message}`; });
    // GET …/appraisal?at=issued re-runs the verification of the stored
    // evidence with the inputs it was issued with (docs/reappraisal.md):
    // every check with pass/fail and the reference values want/have.
    api(`/api/passports/${encodeURIComponent(id)}/appraisal?at=issued`).then((a) => {
      if (!a.ok) { appr.replaceChildren(apiError(a)); return; }
      const cmp = {};
      for (const c of Array.isArray(a.json.compared) ? a.json.compared : [])
        (cmp[c.check] = cmp[c.check] || []).push(c);
      appr.replaceChildren(el('p', {}, `as of ${fmtTime(a.json.at)} (issued): outcome `, badge(a.json.outcome)),
        ...verdictView(a.json.verdict || {}, null, cmp));
    });
    api(`/api/passports/${encodeURIComponent(id)}/status`).then((s) => {
      if (!s.ok) { rev.replaceChildren(apiError(s)); rev.className = 'bad'; return; }
      const j = s.json;
      rev.className = j.status === 'active' ? 'ok' : 'bad';
      rev.replaceChildren(badge(j.status), ` checked at ${fmtTime(j.checked_at)}`,
        j.revoked_at ? ` — revoked at ${fmtTime(j.revoked_at)}: ${text(j.revocation_reason)}` : '',
        j.status === 'expired' ? ` — expired at ${fmtTime(j.expires_at)}` : '');
    });
  }

  // --- Verify ---

  // What to do about a failed check, by error code (prefix match).
  const ADVICE = [
    [/^nonce_(unknown|expired)/, 'Ask for a new challenge (POST /api/challenges) and bind its nonce into fresh evidence.'],
    [/^nonce_replayed/, 'A nonce is good once: ask for a new challenge.'],
    [/measurement|mismatch|component_/, 'The workload is not the one expected: compare want/have, then either deploy the expected image or update the reference values (a new version).'],
    [/binding|report_data|runtime_data/, 'Send the exact runtime_data whose hash the evidence carries in its report data.'],
    [/tcb|advisor/, 'The platform\'s TCB is out of date: apply the vendor\'s firmware/microcode update, then attest again.'],
    [/crl|revoked/, 'A certificate in the chain is revoked: the platform key must be renewed by the vendor.'],
    [/expired|stale|too_old|max_evidence_age/, 'The evidence or its collateral is too old: produce fresh evidence or refresh the collateral.'],
    [/signature|chain|cert|root/, 'The evidence does not authenticate: it was altered, or comes from an untrusted platform. Capture it again from the TEE.'],
    [/collateral/, 'Collateral is missing or invalid: send it with the request or let teepassd fetch it from the vendor.'],
    [/malformed|truncated|unsupported|unknown|encoding|format/, 'The bytes are not evidence of a supported format: check the encoding (hex/base64) and the provider.'],
  ];
  const adviceFor = (code) => (ADVICE.find(([re]) => re.test(String(code))) || [null, 'See docs/api.md and docs/providers.md for this code.'])[1];

  // Evidence bytes from the paste box: hex stays hex, base64 stays base64
  // (the API reads both); a file is sent as base64.
  function bytesToB64(buf) {
    let s = '';
    const b = new Uint8Array(buf);
    for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
    return btoa(s);
  }

  function verifyView() {
    const view = screen(); // eslint-disable-line no-shadow
    const ev = el('textarea', { id: 'evidence', rows: 6, placeholder: 'evidence: hex, base64 or base64url — or drop a file here', spellcheck: 'false' });
    const file = el('input', { type: 'file', id: 'evidence-file' });
    const coll = el('textarea', { id: 'collateral', rows: 3, placeholder: 'optional collateral (JSON)', spellcheck: 'false' });
    const exp = el('textarea', { id: 'expected', rows: 3, spellcheck: 'false',
      placeholder: 'optional expected values (JSON), e.g. {"runtime": {"mrtd": "…"}, "model": "sha256:…"}' });
    const rd = el('input', { id: 'runtime-data', placeholder: 'optional runtime_data (base64)', size: 60 });
    const prov = select('provider', TEE_TYPES, '');
    const issue = el('input', { type: 'checkbox', id: 'issue-passport' });
    const out = el('section', { id: 'verdict', 'aria-live': 'polite' });
    const fileNote = el('span', { class: 'note' });
    let fileB64 = null;
    async function takeFile(f) {
      fileB64 = bytesToB64(await f.arrayBuffer());
      fileNote.textContent = ` file ${f.name} (${f.size} bytes) will be sent as base64`;
      ev.value = '';
    }
    file.addEventListener('change', () => file.files[0] && takeFile(file.files[0]));
    ev.addEventListener('dragover', (e) => { e.preventDefault(); ev.classList.add('drop'); });
    ev.addEventListener('dragleave', () => ev.classList.remove('drop'));
    ev.addEventListener('drop', (e) => {
      e.preventDefault(); ev.classList.remove('drop');
      if (e.dataTransfer.files[0]) takeFile(e.dataTransfer.files[0]);
    });
    ev.addEventListener('input', () => { fileB64 = null; fileNote.textContent = ''; });
    const form = el('form', { id: 'verify-form' },
      el('p', {}, ev), el('p', {}, file, fileNote),
      el('p', {}, el('label', {}, 'provider ', prov), ' (any: detected from the bytes)'),
      el('p', {}, rd), el('p', {}, coll), el('p', {}, exp),
      el('p', {}, el('label', {}, issue, ' issue a passport (stored) — unchecked, nothing is stored')),
      el('button', { type: 'submit', id: 'verify-submit' }, 'Verify'));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = { attestation: fileB64 || ev.value.replace(/\s+/g, ''), issue_passport: issue.checked };
      if (!body.attestation) { out.replaceChildren(el('p', { class: 'error' }, 'Paste evidence or choose a file.')); return; }
      if (prov.value) body.provider = prov.value;
      if (rd.value.trim()) body.runtime_data = rd.value.trim();
      if (coll.value.trim()) {
        try { body.collateral = JSON.parse(coll.value); } catch { out.replaceChildren(el('p', { class: 'error' }, 'The collateral is not JSON.')); return; }
      }
      if (exp.value.trim()) {
        try { body.expected = JSON.parse(exp.value); } catch { out.replaceChildren(el('p', { class: 'error' }, 'The expected values are not JSON.')); return; }
      }
      out.replaceChildren(el('p', {}, 'verifying…'));
      const r = await api('/api/verify/tee-attestation', { method: 'POST', body });
      out.replaceChildren(...(r.ok && r.json ? verdictView(r.json, body.expected) : [apiError(r)]));
    });
    view(el('h1', {}, 'Verify evidence'),
      el('p', { class: 'note' }, 'The evidence goes to POST /api/verify/tee-attestation. Without "issue a passport" nothing is stored.'),
      form, out);
  }

  // want/have of the expected-value checks, computed here from what was
  // sent (EXPECTED) and the claims the verdict reports: the verdict names
  // the failing claim, this shows both values side by side.
  const sameValue = (w, h) => (typeof w === 'string' && typeof h === 'string'
    ? w.replace(/^0x/i, '').toLowerCase() === h.replace(/^0x/i, '').toLowerCase()
    : JSON.stringify(w) === JSON.stringify(h));
  function comparisons(expected, v) {
    const out = {};
    if (!expected || typeof expected !== 'object') return out;
    const claims = v.claims || {}, bound = claims.runtime_data || {};
    const add = (check, name, want, have, ok) => (out[check] = out[check] || []).push({ name, want, have, ok });
    if (expected.runtime && typeof expected.runtime === 'object')
      for (const [k, w] of Object.entries(expected.runtime)) add('expected_runtime', k, w, claims[k], sameValue(w, claims[k]));
    for (const k of ['model', 'config'])
      if (expected[k] !== undefined) add(`expected_${k}`, k, expected[k], bound[k], sameValue(expected[k], bound[k]));
    if (Array.isArray(expected.auditors)) {
      const have = Array.isArray(bound.auditors) ? bound.auditors : undefined;
      add('expected_auditors', 'auditors', expected.auditors, have,
        !!have && sameValue([...expected.auditors].sort(), [...have].sort()));
    }
    return out;
  }
  const wantHave = (list, which) => (list || []).filter((c) => !c.ok).map((c) => el('div', {}, `${c.name}: ${text(c[which])}`));

  // CMP: the want/have lists by check when the server computed them (a
  // stored passport's appraisal), else computed from EXPECTED.
  function verdictView(v, expected, given) {
    const errs = Array.isArray(v.errors) ? v.errors : [];
    const cmp = given || comparisons(expected, v);
    const head = el('p', { id: 'verdict-head', class: v.valid ? 'ok' : 'bad' },
      v.valid ? '✔ valid' : '✘ refused', ' — status ', badge(v.status), ` — provider ${text(v.provider)}`,
      `, hardware verified: ${text(v.hardware_verified)}, verified at ${fmtTime(v.verified_at)}`);
    const checks = (Array.isArray(v.checks) ? v.checks : []).map((c) => {
      const extra = Object.entries(c).filter(([k]) => !['check', 'ok', 'want', 'have', 'code', 'detail'].includes(k));
      const err = errs.find((e) => e.check === c.check) || (c.code ? c : null);
      const code = (c.code || (err && err.code)) ?? '';
      return el('tr', { class: c.ok ? 'pass' : 'fail', 'data-check': c.check },
        el('td', {}, c.ok ? '✔ pass' : '✘ fail'), el('td', {}, text(c.check)),
        el('td', { class: 'mono want' }, c.want !== undefined ? text(c.want) : c.ok ? '' : wantHave(cmp[c.check], 'want')),
        el('td', { class: 'mono have' }, c.have !== undefined ? text(c.have) : c.ok ? '' : wantHave(cmp[c.check], 'have')),
        el('td', {}, code ? el('code', {}, code) : '', c.detail ? ` ${text(c.detail)}` : '',
          extra.length ? ` ${extra.map(([k, x]) => `${k}: ${text(x)}`).join('; ')}` : ''),
        el('td', {}, c.ok ? '' : adviceFor(code || c.check)));
    });
    const parts = [head,
      el('table', { id: 'verdict-checks' },
        el('thead', {}, el('tr', {}, ['result', 'check', 'want', 'have', 'detail', 'what to do'].map((h) => el('th', {}, h)))),
        el('tbody', {}, checks))];
    const allCmp = Object.values(cmp).flat();
    if (allCmp.length)
      parts.push(el('h3', {}, 'Expected values: want / have'), el('table', { id: 'verdict-compare' },
        el('thead', {}, el('tr', {}, ['', 'value', 'want (sent)', 'have (evidence)'].map((h) => el('th', {}, h)))),
        el('tbody', {}, allCmp.map((c) => el('tr', { class: c.ok ? 'pass' : 'fail' }, el('td', {}, c.ok ? '✔' : '✘'),
          el('td', {}, c.name), el('td', { class: 'mono' }, text(c.want)), el('td', { class: 'mono' }, text(c.have)))))));
    if (errs.length)
      parts.push(el('h3', {}, 'Errors'), el('ul', { id: 'verdict-errors' }, errs.map((e) => el('li', {},
        el('code', {}, text(e.code)), ' ', text(e.message), e.detail ? ` — ${text(e.detail)}` : '',
        el('br'), el('span', { class: 'advice' }, adviceFor(e.code))))));
    if (v.passport) parts.push(el('p', {}, 'Passport issued: ', link(`#/passport/${encodeURIComponent(v.passport.id)}`, v.passport.id)));
    parts.push(el('details', {}, el('summary', {}, 'verdict JSON'), pre(v)));
    return parts;
  }

  // --- Endpoints ---

  async function endpointsView(params) {
    const view = screen(); // eslint-disable-line no-shadow
    const f = { status: params.get('status') || '', tee_type: params.get('tee_type') || '', model: params.get('model') || '', cursor: params.get('cursor') || '' };
    const form = el('form', { class: 'filters' },
      el('label', {}, 'status ', select('status', ['attested', 'stale', 'failed', 'revoked', 'retired'], f.status)),
      el('label', {}, 'TEE ', select('tee_type', TEE_TYPES, f.tee_type)),
      el('label', {}, 'model ', el('input', { name: 'model', value: f.model })),
      el('button', { type: 'submit' }, 'Filter'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const d = new FormData(form);
      location.hash = `#/endpoints${qs({ status: d.get('status'), tee_type: d.get('tee_type'), model: d.get('model').trim() })}`;
    });
    view(el('h1', {}, 'Endpoints'), form, el('p', {}, 'loading…'));
    const r = await api(`/api/endpoints${qs({ ...f, limit: 50 })}`);
    if (!r.ok) return view(el('h1', {}, 'Endpoints'), form, apiError(r));
    const rows = r.json.endpoints.map((e) => el('tr', { 'data-id': e.id },
      el('td', {}, link(`#/endpoint/${encodeURIComponent(e.id)}`, text(e.url))),
      el('td', {}, text(e.model && e.model.name), el('br'), el('span', { class: 'mono' }, text(e.model && e.model.digest))),
      el('td', {}, text(e.tee_type)), el('td', {}, badge(e.status)),
      el('td', {}, text(e.reference_values && e.reference_values.version)),
      el('td', {}, fmtTime(e.last_attested_at))));
    view(el('h1', {}, 'Endpoints'), form,
      rows.length ? el('table', { id: 'endpoint-list' },
        el('thead', {}, el('tr', {}, ['url', 'model', 'TEE', 'status', 'ref. version', 'last attested'].map((h) => el('th', {}, h)))),
        el('tbody', {}, rows)) : el('p', {}, 'No endpoint matches.'),
      el('p', { class: 'pager' }, f.cursor ? link(`#/endpoints${qs({ ...f, cursor: '' })}`, '« newest') : null, ' ',
        r.json.next_cursor ? link(`#/endpoints${qs({ ...f, cursor: r.json.next_cursor })}`, 'older »') : null));
  }

  // A horizontal timeline of the endpoint's attestations, newest right:
  // passed green (grey once its passport expired, red once revoked),
  // failed orange.
  function timeline(attempts, passportStatus) {
    const W = 760, H = 70, pad = 30;
    const times = attempts.map((a) => Date.parse(a.at)).filter((t) => !Number.isNaN(t));
    if (!times.length) return el('p', {}, 'No attestation yet.');
    const lo = Math.min(...times), hi = Math.max(...times);
    const x = (t) => (hi === lo ? W / 2 : pad + ((t - lo) / (hi - lo)) * (W - 2 * pad));
    const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, id: 'timeline', role: 'img' },
      svg('title', {}, 'attestations over time'),
      svg('line', { x1: pad, y1: 30, x2: W - pad, y2: 30, stroke: '#888' }));
    for (const a of attempts) {
      const t = Date.parse(a.at);
      if (Number.isNaN(t)) continue;
      const ps = a.passport_id ? passportStatus.get(a.passport_id) : undefined;
      const fill = a.status === 'failed' ? '#e67e22' : ps === 'revoked' ? '#c0392b' : ps === 'expired' ? '#999' : '#2e8b57';
      g.append(svg('circle', { cx: x(t), cy: 30, r: 6, fill, class: `t-${a.status}` },
        svg('title', {}, `${fmtTime(a.at)} ${a.status}${a.passport_id ? ` ${a.passport_id}` : ''} (reference values v${text(a.reference_version)})`)));
    }
    g.append(svg('text', { x: pad, y: 60, 'font-size': 11 }, fmtTime(new Date(lo).toISOString())),
      svg('text', { x: W - pad, y: 60, 'font-size': 11, 'text-anchor': 'end' }, fmtTime(new Date(hi).toISOString())));
    return g;
  }

  const errorList = (errors) => el('ul', {}, (Array.isArray(errors) ? errors : [errors]).map((x) =>
    el('li', {}, el('code', {}, text(x && x.code)), ' ', text(x && (x.message || x.detail)), ' — ', adviceFor(x && x.code))));

  async function endpointView(id) {
    const view = screen(); // eslint-disable-line no-shadow
    view(el('h1', {}, 'Endpoint'), el('p', {}, 'loading…'));
    const r = await api(`/api/endpoints/${encodeURIComponent(id)}`);
    if (!r.ok) return view(el('h1', {}, 'Endpoint'), apiError(r));
    const e = r.json;
    const eid = isUuid(e.id) ? e.id : '';
    const [h, ps, rs] = await Promise.all([
      api(`/api/endpoints/${encodeURIComponent(eid)}/attestations${qs({ limit: 100 })}`),
      api(`/api/passports${qs({ endpoint_id: eid, limit: 100 })}`),
      api(`/api/endpoints/${encodeURIComponent(eid)}/reference-values`),
    ]);
    const hist = h.ok ? h.json.attestations : [];
    const passportStatus = new Map((ps.ok ? ps.json.passports : []).map((p) => [p.id, p.status]));
    const versions = rs.ok ? rs.json.reference_values : [];
    const rv = e.reference_values || {};
    view(el('h1', {}, 'Endpoint'),
      el('dl', { class: 'facts' }, [
        ['url', e.url], ['id', e.id], ['provider', e.provider_id], ['model', e.model && e.model.name],
        ['model digest', e.model && e.model.digest], ['TEE type', e.tee_type], ['created', fmtTime(e.created_at)],
        ['last attested', fmtTime(e.last_attested_at)], ['retired', fmtTime(e.retired_at)],
      ].map(([k, v]) => [el('dt', {}, k), el('dd', {}, text(v))]),
      el('dt', {}, 'status'), el('dd', { id: 'endpoint-status' }, badge(e.status)),
      el('dt', {}, 'current passport'), el('dd', {}, e.passport ? [link(`#/passport/${encodeURIComponent(e.passport.id)}`, e.passport.id), ' ', badge(e.passport.status)] : '—')),
      e.last_errors ? [el('h2', {}, 'Last attestation failed'), errorList(e.last_errors)] : null,
      el('h2', {}, 'Attestation history'), h.ok ? timeline(hist, passportStatus) : apiError(h),
      el('p', { class: 'note' }, 'Every attestation, passed or failed (GET /api/endpoints/{id}/attestations, newest 100).'),
      el('table', { id: 'endpoint-history' },
        el('thead', {}, el('tr', {}, ['at', 'result', 'passport', 'reference values', 'errors'].map((x) => el('th', {}, x)))),
        el('tbody', {}, hist.map((a) => el('tr', { class: a.status === 'failed' ? 'fail' : 'pass' },
          el('td', {}, fmtTime(a.at)), el('td', {}, badge(a.status)),
          el('td', {}, a.passport_id ? [link(`#/passport/${encodeURIComponent(a.passport_id)}`, a.passport_id), ' ',
            passportStatus.has(a.passport_id) ? badge(passportStatus.get(a.passport_id)) : ''] : '—'),
          el('td', {}, `v${text(a.reference_version)}`),
          el('td', {}, a.errors ? errorList(a.errors) : ''))))),
      el('h2', {}, `Reference values (current: version ${text(rv.version)})`),
      rs.ok ? el('div', { id: 'reference-versions' }, versions.map((v) => el('details', { open: v.version === rv.version },
        el('summary', {}, `version ${text(v.version)} — ${fmtTime(v.created_at)} — `, el('span', { class: 'mono' }, text(v.sha256))),
        pre(v.values)))) : apiError(rs));
  }

  // --- the admin key (memory only) ---

  function keyForm(onSet) {
    const input = el('input', { type: 'password', id: 'admin-key', autocomplete: 'off', placeholder: 'admin API key', size: 50 });
    const form = el('form', { id: 'admin-key-form' }, el('label', {}, 'Admin key ', input), ' ',
      el('button', { type: 'submit' }, 'Use'), ' ',
      el('button', { type: 'button', onclick: () => { adminKey = ''; onSet(); } }, 'Forget'));
    form.addEventListener('submit', (e) => { e.preventDefault(); adminKey = input.value.trim(); input.value = ''; onSet(); });
    return el('section', { class: 'keybox' }, form,
      el('p', { class: 'note' }, adminKey ? 'A key is held in this page\'s memory (gone on reload).' : 'No key held. It is kept in memory only, never stored.'));
  }

  // --- Collateral (admin) ---

  // Bars from now to each artifact's next_update; red under 7 days.
  function expiryChart(arts, now) {
    const rows = arts.filter((a) => a.next_update).map((a) => ({ a, t: Date.parse(a.next_update) })).filter((r) => !Number.isNaN(r.t))
      .sort((p, q) => p.t - q.t);
    if (!rows.length) return el('p', {}, 'No cached artifact has an expiry.');
    const W = 760, lh = 22, left = 260, H = rows.length * lh + 30;
    const span = Math.max(...rows.map((r) => r.t - now), 86400000);
    const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, id: 'expiry-chart', role: 'img' },
      svg('title', {}, 'collateral expiry (next update) from now'));
    rows.forEach(({ a, t }, i) => {
      const y = i * lh + 4, days = (t - now) / 86400000;
      const w = Math.max(2, ((Math.max(t - now, 0)) / span) * (W - left - 90));
      const color = days < 0 ? '#c0392b' : days < 7 ? '#e67e22' : '#2e8b57';
      g.append(svg('text', { x: 0, y: y + 14, 'font-size': 11 }, `${a.kind} ${String(a.key).slice(0, 24)}`),
        svg('rect', { x: left, y, width: w, height: lh - 6, fill: color }, svg('title', {}, `${a.kind} ${a.key}: next update ${fmtTime(a.next_update)}`)),
        svg('text', { x: left + w + 4, y: y + 14, 'font-size': 11 }, days < 0 ? `expired ${(-days).toFixed(1)} d ago` : `${days.toFixed(1)} d`));
    });
    g.append(svg('text', { x: left, y: H - 6, 'font-size': 11 }, `now by your browser's clock (${fmtTime(new Date(now).toISOString())}); orange: under 7 days, red: lapsed. "usable now" below is at the daemon's verification clock`));
    return g;
  }

  async function collateralView() {
    const view = screen(); // eslint-disable-line no-shadow
    const box = el('section', { id: 'collateral-body' });
    view(el('h1', {}, 'Collateral cache'), keyForm(collateralView),
      el('p', { class: 'note' }, 'GET /api/collateral is admin-only: it needs the admin key.'), box);
    if (!adminKey) return;
    const r = await api('/api/collateral', { admin: true });
    if (!r.ok) return box.replaceChildren(apiError(r));
    const arts = r.json.artifacts || [];
    box.replaceChildren(el('h2', {}, 'Expiry'), expiryChart(arts, Date.now()),
      el('table', { id: 'collateral-list' },
        el('thead', {}, el('tr', {}, ['kind', 'key', 'source', 'issued', 'next update', 'fetched', 'usable now', 'sha256'].map((h) => el('th', {}, h)))),
        el('tbody', {}, arts.map((a) => el('tr', {}, el('td', {}, text(a.kind)), el('td', { class: 'mono' }, text(a.key)),
          el('td', {}, text(a.source)), el('td', {}, fmtTime(a.issue_date)), el('td', {}, fmtTime(a.next_update)),
          el('td', {}, fmtTime(a.fetched_at)), el('td', {}, a.valid ? 'yes' : 'no'), el('td', { class: 'mono' }, text(a.sha256).slice(0, 16)))))));
  }

  // --- Admin: audit log and keys ---

  async function adminView(params) {
    const view = screen(); // eslint-disable-line no-shadow
    const box = el('section', { id: 'admin-body' });
    view(el('h1', {}, 'Admin'), keyForm(() => adminView(params)), box);
    const jw = await api('/.well-known/jwks.json');
    const signing = el('section', {}, el('h2', {}, 'Passport signing keys (public JWKS)'),
      jw.ok ? el('ul', { id: 'jwks-keys' }, jw.json.keys.map((k) => el('li', { class: 'mono' }, `${text(k.kid)} ${text(k.crv)}`))) : apiError(jw));
    if (!adminKey) return box.replaceChildren(signing);
    const before = params.get('before') || '';
    const r = await api(`/api/audit${qs({ limit: 50, before })}`, { admin: true });
    if (!r.ok) return box.replaceChildren(signing, apiError(r));
    const entries = r.json.entries || [];
    const keyCursor = params.get('keys_cursor') || '';
    const k = await api(`/api/keys${qs({ limit: 50, cursor: keyCursor })}`, { admin: true });
    const revoke = async (id) => {
      const d = await api(`/api/keys/${encodeURIComponent(id)}`, { method: 'DELETE', admin: true });
      if (!d.ok) return box.prepend(apiError(d));
      return adminView(params);
    };
    const keys = !k.ok ? apiError(k) : el('table', { id: 'api-keys' },
      el('thead', {}, el('tr', {}, ['id', 'scope', 'provider', 'label', 'created', 'revoked', ''].map((h) => el('th', {}, h)))),
      el('tbody', {}, (k.json.keys || []).map((key) => el('tr', { 'data-key': text(key.id) },
        el('td', { class: 'mono' }, text(key.id)), el('td', {}, text(key.scope)),
        el('td', { class: 'mono' }, key.provider_id ? text(key.provider_id) : '—'), el('td', {}, key.label == null ? '' : text(key.label)),
        el('td', {}, fmtTime(key.created_at)), el('td', {}, key.revoked_at ? fmtTime(key.revoked_at) : 'live'),
        el('td', {}, key.revoked_at ? '' : el('button', { type: 'button', class: 'revoke-key', onclick: () => revoke(key.id) }, 'Revoke'))))));
    box.replaceChildren(signing,
      el('h2', {}, 'API keys'),
      el('p', { class: 'note' }, 'From GET /api/keys: each key\'s id, scope and label; the tokens are shown once, at creation, and never stored.'),
      keys,
      k.ok && k.json.next_cursor ? el('p', {}, link(`#/admin${qs({ keys_cursor: k.json.next_cursor })}`, 'more keys »')) : null,
      el('h2', {}, 'Audit log'),
      el('table', { id: 'audit' },
        el('thead', {}, el('tr', {}, ['id', 'at', 'actor', 'action', 'target', 'detail'].map((h) => el('th', {}, h)))),
        el('tbody', {}, entries.map((e) => el('tr', {}, el('td', {}, text(e.id)), el('td', {}, fmtTime(e.at)),
          el('td', {}, text(e.actor)), el('td', {}, text(e.action)), el('td', { class: 'mono' }, text(e.target)),
          el('td', { class: 'mono' }, text(e.detail)))))),
      r.json.next_before ? el('p', {}, link(`#/admin${qs({ before: String(r.json.next_before) })}`, 'older »')) : null);
  }

  // --- routing (hash: the server serves one page) ---

  function route() {
    routeGen++;
    const h = location.hash.replace(/^#/, '') || '/passports';
    const [path, q] = h.split('?');
    const params = new URLSearchParams(q || '');
    const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
    for (const a of document.querySelectorAll('#nav a'))
      a.classList.toggle('current', a.getAttribute('href') === `#/${seg[0]}` || (seg[0] === 'passport' && a.getAttribute('href') === '#/passports') || (seg[0] === 'endpoint' && a.getAttribute('href') === '#/endpoints'));
    const run = {
      passports: () => passportsView(params), passport: () => passportView(seg[1] || ''),
      verify: () => verifyView(), endpoints: () => endpointsView(params), endpoint: () => endpointView(seg[1] || ''),
      collateral: () => collateralView(), admin: () => adminView(params),
    }[seg[0]];
    Promise.resolve(run ? run() : view(el('h1', {}, 'Not found'), el('p', {}, link('#/passports', 'passports'))))
      .catch((e) => view(el('h1', {}, 'Error'), el('p', { class: 'error' }, String(e && e.message))));
  }
  window.addEventListener('hashchange', route);
  route();
})();
