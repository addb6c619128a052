// The dashboard (issue 16) in a real browser: Debian's chromium driven by
// puppeteer-core against a real teepassd + PostgreSQL. Without Chromium
// this file FAILS (it never skips): install it with scripts/install-deps.sh.
// Screenshots go to tests/integration/out/dashboard/ (gitignored).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as jose from 'jose';
import puppeteer from 'puppeteer-core';
import {
  startDaemon, stopDaemon, post, get, request, psql, ROOT, bearer, createAdminKey, mockEvidenceMr, sha256, mockEvidence,
} from './lib.mjs';
import { startFakeVendor } from './fake_vendor.mjs';

const CHROMIUM = process.env.TP_TEST_CHROMIUM || '/usr/bin/chromium';
const OUT = join(ROOT, 'tests/integration/out/dashboard');
const TDX = join(ROOT, 'tests/data/tdx/dcapqvl_v4_uptodate');
const AT = '2025-07-10T00:00:00Z'; // inside the TDX collateral's window
const MRTD = '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7';
const tdxBytes = readFileSync(join(TDX, 'quote.bin'));
const VERIFY = '/api/verify/tee-attestation';
// Hostile registry text: markup that would run if it were ever parsed.
const MARK = `xss-${randomBytes(4).toString('hex')}`;
const HOSTILE_NAME = `<script>console.log('${MARK}');alert('${MARK}')</script><img src=x onerror="console.log('${MARK}');alert(1)">`;
const HOSTILE_URL = `https://h${randomBytes(3).toString('hex')}.example/"><svg onload=alert(1)>`;

let fake, tdxd, regd, browser, admin, provider, endpoint, tdxPassport, mockPassport;
const consoleLog = [];
const dialogs = [];

async function newPage() {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.on('console', (m) => consoleLog.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => consoleLog.push(`pageerror: ${e.message}`));
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  return page;
}
const shot = (page, name) => page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
const textOf = (page, sel) => page.$eval(sel, (e) => e.textContent);

before(async () => {
  // Loudly, not a skip: the browser test is part of `make test`.
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: install Debian's chromium (scripts/install-deps.sh)`);
  mkdirSync(OUT, { recursive: true });
  browser = await puppeteer.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  fake = await startFakeVendor(ROOT);
  psql('DELETE FROM collateral_artifacts');
  // A daemon at the TDX sample's time, collateral from the fake vendor:
  // its TDX passport is signed by the production signing key, published
  // in /.well-known/jwks.json.
  tdxd = await startDaemon({ TEEPASS_DEV_FIXED_TIME: AT, TEEPASS_COLLATERAL_TIMEOUT_MS: '5000', ...fake.env() });
  const r = await post(tdxd, VERIFY, { attestation: tdxBytes.toString('hex'), expected: { runtime: { mrtd: MRTD } } });
  assert.equal(r.json?.valid, true, r.text);
  tdxPassport = r.json.passport;
  // The registry daemon on the wall clock: a Mock endpoint whose model
  // name and URL are hostile markup, and a mock passport.
  regd = await startDaemon();
  admin = createAdminKey('dashboard test');
  const p = await post(regd, '/api/providers', { name: `prov ${HOSTILE_NAME}` }, bearer(admin));
  assert.equal(p.status, 201, p.text);
  provider = p.json;
  const model = sha256(MARK);
  const e = await post(regd, '/api/endpoints', {
    url: HOSTILE_URL, model: { name: HOSTILE_NAME, digest: model }, tee_type: 'Mock',
    reference_values: {}, ...mockEvidenceMr({ model }),
  }, bearer(p.json.api_key.token));
  assert.equal(e.status, 201, e.text);
  endpoint = e.json;
  const { rdBytes, ...mock } = mockEvidence({ model: sha256(`m${MARK}`) });
  assert.ok(rdBytes.length > 0);
  const m = await post(regd, VERIFY, mock);
  assert.equal(m.json?.valid, true, m.text);
  mockPassport = m.json.passport;
});

after(async () => {
  if (browser) await browser.close();
  if (tdxd) await stopDaemon(tdxd);
  if (regd) await stopDaemon(regd);
  if (fake) await fake.close();
  psql('DELETE FROM collateral_artifacts'); // other files expect no cache
});

test('the page and its files: CSP, content types, ETag revalidation, no inline script', async () => {
  const idx = await fetch(`${tdxd.base}/`);
  const html = await idx.text();
  assert.equal(idx.status, 200);
  assert.match(idx.headers.get('content-type'), /^text\/html; charset=utf-8$/);
  const csp = idx.headers.get('content-security-policy');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /style-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(idx.headers.get('cache-control'), 'no-cache');
  const etag = idx.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{32}"$/);
  const again = await fetch(`${tdxd.base}/`, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  // Every <script> has a src; no style attribute, no inline handler.
  assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/);
  assert.doesNotMatch(html, /\sstyle=|\son[a-z]+=/i);
  const js = await fetch(`${tdxd.base}/ui/app.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  assert.match(await js.text(), /textContent|createTextNode/);
  assert.doesNotMatch(readFileSync(join(ROOT, 'web/app.js'), 'utf8'), /innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  const css = await fetch(`${tdxd.base}/ui/style.css`);
  assert.match(css.headers.get('content-type'), /^text\/css/);
  for (const bad of ['/ui/nope.js', '/ui/..%2fCMakeLists.txt', '/ui/index.htm'])
    assert.equal((await fetch(`${tdxd.base}${bad}`)).status, 404, bad);
  // The JSON API carries the policy too.
  assert.match((await fetch(`${tdxd.base}/healthz`)).headers.get('content-security-policy'), /default-src 'none'/);
});

test('passport list shows the issued passports; the time filter of the API bounds it', async () => {
  const page = await newPage();
  // 100 a page: passports other files' daemons left issuing on the shared
  // database must not push this file's two off the first page.
  await page.goto(`${tdxd.base}/#/passports?limit=100`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#passport-list');
  const ids = await page.$$eval('#passport-list tbody tr', (rs) => rs.map((r) => r.dataset.id));
  assert.ok(ids.includes(tdxPassport.id), ids.join(','));
  assert.ok(ids.includes(mockPassport.id), ids.join(','));
  await shot(page, 'passports');
  // Filter by TEE type through the form.
  await page.select('#f-tee_type', 'IntelTdx');
  await Promise.all([page.waitForFunction(() => location.hash.includes('tee_type=IntelTdx')), page.click('#passport-filters button')]);
  await page.waitForFunction((id) => {
    const rows = [...document.querySelectorAll('#passport-list tbody tr')];
    return rows.length > 0 && rows.every((r) => r.children[1].textContent === 'IntelTdx') && rows.some((r) => r.dataset.id === id);
  }, {}, tdxPassport.id);
  // since/until: a window after every passport has none; one around now has them.
  const created = (await get(tdxd, `/api/passports/${tdxPassport.id}`)).json.created_at;
  const inWin = (await get(tdxd, `/api/passports?since=${encodeURIComponent(created.replace(/\.\d+/, ''))}&limit=100`)).json.passports.map((x) => x.id);
  assert.ok(inWin.includes(tdxPassport.id));
  const before = (await get(tdxd, `/api/passports?until=${encodeURIComponent(created.replace(/\.\d+/, ''))}&limit=100`)).json.passports.map((x) => x.id);
  assert.ok(!before.includes(tdxPassport.id));
  await page.goto(`${tdxd.base}/#/passports?since=2999-01-01T00:00:00Z`, { waitUntil: 'networkidle0' });
  await page.waitForFunction(() => document.body.textContent.includes('No passport matches.'));
  // The form keeps the window and sends it back (the browser's zone → UTC).
  await Promise.all([page.waitForFunction(() => location.hash.includes('since=') && location.hash.includes('tee_type=AmdSevSnp')),
    page.select('#f-tee_type', 'AmdSevSnp').then(() => page.click('#passport-filters button'))]);
  assert.match(await page.evaluate(() => location.hash), /since=2999-01-01T00%3A00%3A00Z/);
  assert.equal((await get(tdxd, '/api/passports?since=yesterday')).json.error.field, 'since');
  // Keyset paging: one per page, "older »" follows next_cursor.
  const first2 = (await get(tdxd, '/api/passports?limit=2')).json.passports.map((x) => x.id);
  assert.equal(first2.length, 2);
  await page.goto(`${tdxd.base}/#/passports?limit=1`, { waitUntil: 'networkidle0' });
  await page.waitForFunction((id) => document.querySelector('#passport-list tbody tr')?.dataset.id === id, {}, first2[0]);
  await Promise.all([page.waitForFunction(() => location.hash.includes('cursor=')), page.click('.pager a')]);
  await page.waitForFunction((id) => document.querySelector('#passport-list tbody tr')?.dataset.id === id, {}, first2[1]);
  assert.equal(await page.$$eval('#passport-list tbody tr', (r) => r.length), 1);
  await page.close();
});

test('passport page: the browser verifies the signature against the JWKS; a swapped key is refused', async () => {
  const kid = jose.decodeProtectedHeader(tdxPassport.token).kid;
  const jwks = (await get(tdxd, '/.well-known/jwks.json')).json;
  assert.ok(jwks.keys.some((k) => k.kid === kid), 'the TDX passport is signed by a published key');
  const page = await newPage();
  await page.goto(`${tdxd.base}/#/passport/${tdxPassport.id}`, { waitUntil: 'networkidle0' });
  await page.waitForFunction(() => !document.querySelector('#signature').classList.contains('pending'));
  const sig = await textOf(page, '#signature');
  assert.equal(await page.$eval('#signature', (e) => e.className), 'ok', sig);
  assert.ok(sig.includes(`signature verified by your browser with key ${kid}`), sig);
  assert.ok(sig.includes('/.well-known/jwks.json'), sig);
  await page.waitForFunction(() => !document.querySelector('#revocation').classList.contains('pending'));
  assert.match(await textOf(page, '#revocation'), /active/);
  assert.match(await textOf(page, '#ear'), /affirming|warning/);
  // The per-check verdict: the stored evidence judged again with the
  // inputs it was issued with (GET …/appraisal?at=issued), each check of
  // the server's verdict shown with its result.
  const appraisal = (await get(tdxd, `/api/passports/${tdxPassport.id}/appraisal?at=issued`)).json;
  assert.equal(appraisal.outcome, 'unchanged', JSON.stringify(appraisal));
  await page.waitForFunction(() => !document.querySelector('#appraisal .pending'));
  const rows = await page.$$eval('#appraisal #verdict-checks tbody tr', (r) => r.map((x) => `${x.dataset.check} ${x.className}`));
  assert.ok(appraisal.verdict.checks.length >= 5);
  assert.deepEqual(rows, appraisal.verdict.checks.map((c) => `${c.check} ${c.ok ? 'pass' : 'fail'}`));
  assert.match(await textOf(page, '#appraisal'), /outcome\s*unchanged/);
  assert.ok((await textOf(page, 'pre.json')).includes(MRTD), 'decoded claims shown');
  assert.ok((await textOf(page, 'dl.facts')).includes(`id${tdxPassport.id}`), 'the passport facts');
  await shot(page, 'passport');

  // The same page with another key under that kid: WebCrypto refuses.
  const { publicKey } = await jose.generateKeyPair('ES256');
  const other = { ...(await jose.exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const p2 = await newPage();
  await p2.setRequestInterception(true);
  p2.on('request', (rq) => {
    if (rq.url().endsWith('/.well-known/jwks.json'))
      rq.respond({ status: 200, contentType: 'application/jwk-set+json', body: JSON.stringify({ keys: [other] }) });
    else rq.continue();
  });
  await p2.goto(`${tdxd.base}/#/passport/${tdxPassport.id}`, { waitUntil: 'networkidle0' });
  await p2.waitForFunction(() => !document.querySelector('#signature').classList.contains('pending'));
  assert.equal(await p2.$eval('#signature', (e) => e.className), 'bad');
  assert.match(await textOf(p2, '#signature'), /NOT verified/);
  await p2.close();

  // A mock passport is signed by the development key, never in
  // jwks.json: the page tries jwks-development.json next and says which
  // set (if any) verified it.
  const p3 = await newPage();
  await p3.goto(`${regd.base}/#/passport/${mockPassport.id}`, { waitUntil: 'networkidle0' });
  await p3.waitForFunction(() => !document.querySelector('#signature').classList.contains('pending'));
  const mockSig = await textOf(p3, '#signature');
  assert.ok(mockSig.includes('/.well-known/jwks-development.json'), mockSig);
  assert.ok(!mockSig.includes('(from /.well-known/jwks.json)'), mockSig);
  await p3.close();

  // EAR per submodule, rendered from whichever shape the claims have: a
  // passport answer with a "submods" map (each with its ear.status).
  const real = (await get(tdxd, `/api/passports/${tdxPassport.id}`)).json;
  const rest = { ...real.claims };
  delete rest['ear.status'];
  const shaped = { ...real, claims: { ...rest, submods: { cpu0: { 'ear.status': 'affirming', tee_type: 'IntelTdx' }, gpu0: { 'ear.status': 'warning', tee_type: 'NvidiaGpu' } } } };
  const p4 = await newPage();
  await p4.setRequestInterception(true);
  p4.on('request', (rq) => {
    if (new URL(rq.url()).pathname === `/api/passports/${tdxPassport.id}`)
      rq.respond({ status: 200, contentType: 'application/json', body: JSON.stringify(shaped) });
    else rq.continue();
  });
  await p4.goto(`${tdxd.base}/#/passport/${tdxPassport.id}`, { waitUntil: 'networkidle0' });
  await p4.waitForSelector('#ear');
  // Those claims are not the signed ones: the page says so.
  await p4.waitForFunction(() => !document.querySelector('#signature').classList.contains('pending'));
  assert.match(await textOf(p4, '#signature'), /claims shown differ from the signed ones/);
  const ear = await p4.$$eval('#ear tbody tr', (rs) => rs.map((r) => `${r.children[0].textContent}=${r.children[1].textContent}`));
  assert.deepEqual(ear, ['cpu0=affirming', 'gpu0=warning']);
  await p4.close();

  // Live revocation: revoked by the admin, the page says so.
  const rv = await post(tdxd, `/api/passports/${tdxPassport.id}/revoke`, { reason: 'dashboard test' }, bearer(admin));
  assert.equal(rv.status, 200, rv.text);
  await page.reload({ waitUntil: 'networkidle0' });
  await page.waitForFunction(() => !document.querySelector('#revocation').classList.contains('pending'));
  assert.match(await textOf(page, '#revocation'), /revoked.*dashboard test/);
  await page.close();
});

test('verify page: a refused verification shows the failing check and its code', async () => {
  const bad = Buffer.from(tdxBytes);
  bad[60] ^= 0x01; // a byte of the signed TD report
  const body = { attestation: bad.toString('hex'), issue_passport: false };
  const api = await post(tdxd, VERIFY, body);
  assert.equal(api.json.valid, false, api.text);
  const failing = api.json.checks.filter((c) => !c.ok).map((c) => c.check);
  assert.ok(failing.length > 0, api.text);
  const codes = api.json.errors.map((e) => e.code);
  const count = psql('SELECT count(*) FROM passports');

  const page = await newPage();
  await page.goto(`${tdxd.base}/#/verify`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#evidence');
  await page.$eval('#evidence', (e, v) => { e.value = v; }, body.attestation);
  await page.click('#verify-submit');
  await page.waitForSelector('#verdict-head');
  assert.match(await textOf(page, '#verdict-head'), /refused/);
  for (const c of failing) {
    const cls = await page.$eval(`#verdict-checks tr[data-check="${c}"]`, (e) => e.className);
    assert.equal(cls, 'fail', c);
  }
  const errs = await textOf(page, '#verdict-errors');
  for (const c of codes) assert.ok(errs.includes(c), `${c} in ${errs}`);
  await shot(page, 'verify-refused');
  assert.equal(psql('SELECT count(*) FROM passports'), count, 'nothing stored');

  // Authentic evidence, another expected MRTD: the failing check with its
  // want (what was sent) and have (what the evidence carries).
  const wrong = MRTD.slice(0, -2) + (MRTD.endsWith('00') ? '01' : '00');
  const expected = { runtime: { mrtd: wrong } };
  const api2 = await post(tdxd, VERIFY, { attestation: tdxBytes.toString('hex'), expected, issue_passport: false });
  assert.equal(api2.json.valid, false, api2.text);
  assert.ok(api2.json.errors.some((e) => e.code === 'measurement_mismatch'), api2.text);
  await page.goto(`${tdxd.base}/#/passports`, { waitUntil: 'networkidle0' });
  await page.goto(`${tdxd.base}/#/verify`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#expected');
  await page.$eval('#evidence', (e, v) => { e.value = v; }, tdxBytes.toString('hex'));
  await page.$eval('#expected', (e, v) => { e.value = v; }, JSON.stringify(expected));
  await page.click('#verify-submit');
  await page.waitForSelector('#verdict-head');
  const row = '#verdict-checks tr[data-check="expected_runtime"]';
  assert.equal(await page.$eval(row, (e) => e.className), 'fail');
  assert.equal(await textOf(page, `${row} td.want`), `mrtd: ${wrong}`);
  assert.equal(await textOf(page, `${row} td.have`), `mrtd: ${MRTD}`);
  assert.match(await textOf(page, `${row} td:last-child`), /reference values/);
  await shot(page, 'verify-mismatch');
  assert.equal(psql('SELECT count(*) FROM passports'), count, 'nothing stored');

  // A file (the binary quote, sent as base64) verifies; still nothing stored.
  const qfile = join(ROOT, 'tests/data/tdx/dcapqvl_v4_uptodate/quote.bin');
  await page.goto(`${tdxd.base}/#/passports`, { waitUntil: 'networkidle0' });
  await page.goto(`${tdxd.base}/#/verify`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#evidence-file');
  await (await page.$('#evidence-file')).uploadFile(qfile);
  await page.waitForFunction(() => document.querySelector('#verify-form .note')?.textContent.includes('base64'));
  await page.click('#verify-submit');
  await page.waitForSelector('#verdict-head');
  assert.match(await textOf(page, '#verdict-head'), /valid/);
  assert.equal(await page.$eval('#verdict-head', (e) => e.className), 'ok');
  assert.equal(await page.$$eval('#verdict-checks tr.fail', (r) => r.length), 0);
  assert.equal(psql('SELECT count(*) FROM passports'), count, 'nothing stored without asking');
  await page.close();
});

test('hostile registry strings are shown as text and never run', async () => {
  const page = await newPage();
  await page.goto(`${regd.base}/#/endpoints`, { waitUntil: 'networkidle0' });
  await page.waitForSelector(`#endpoint-list tr[data-id="${endpoint.id}"]`);
  const row = await textOf(page, `#endpoint-list tr[data-id="${endpoint.id}"]`);
  assert.ok(row.includes(HOSTILE_NAME), row);
  assert.ok(row.includes(HOSTILE_URL), row);
  await shot(page, 'endpoints');
  // A refused re-attestation (evidence of another model): the history shows
  // it beside the registration, with its error code.
  const bad = await request(regd, 'PUT', `/api/endpoints/${endpoint.id}/attestation`,
    mockEvidenceMr({ model: sha256(`other ${MARK}`) }), bearer(provider.api_key.token));
  assert.equal(bad.status, 200, bad.text);
  assert.equal(bad.json.status, 'failed', bad.text);
  const code = bad.json.last_errors[0].code;
  await page.goto(`${regd.base}/#/endpoint/${endpoint.id}`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#endpoint-history');
  const main = await textOf(page, 'main');
  assert.ok(main.includes(HOSTILE_NAME), main);
  assert.ok(await page.$('#timeline circle.t-attested'), 'the registration on the timeline');
  assert.ok(await page.$('#timeline circle.t-failed'), 'the refusal on the timeline');
  assert.equal(await page.$$eval('#endpoint-history tbody tr', (r) => r.length), 2);
  assert.ok((await textOf(page, '#endpoint-history tbody tr.fail')).includes(code), code);
  assert.match(await textOf(page, '#reference-versions'), /version 1/);
  await shot(page, 'endpoint');
  // No element was made from the strings, nothing ran.
  assert.equal(await page.$$eval('main img, main script, main svg[onload]', (x) => x.length), 0);
  // Server-rendered list (no JavaScript): escaped.
  const h = await get(regd, '/endpoints');
  assert.equal(h.status, 200);
  assert.match(h.headers.get('content-type'), /^text\/html/);
  assert.ok(!h.text.includes(HOSTILE_NAME) && h.text.includes('&lt;script&gt;console.log(&#39;'), 'escaped');
  const nojs = await browser.newPage();
  await nojs.setJavaScriptEnabled(false);
  await nojs.goto(`${regd.base}/endpoints`, { waitUntil: 'load' });
  assert.ok((await textOf(nojs, '#endpoints')).includes(HOSTILE_NAME));
  await nojs.goto(`${regd.base}/passports`, { waitUntil: 'load' });
  assert.ok((await textOf(nojs, '#passports')).includes(mockPassport.id));
  await nojs.goto(`${regd.base}/`, { waitUntil: 'load' });
  assert.ok((await textOf(nojs, 'main')).includes('read-only lists'), 'the <noscript> links');
  await nojs.close();
  await page.close();
  assert.deepEqual(dialogs, [], 'no dialog opened');
  assert.ok(!consoleLog.some((l) => l.includes(MARK)), consoleLog.join('\n'));
});

test('admin key in memory: audit log, keys, collateral expiry chart', async () => {
  const page = await newPage();
  await page.goto(`${tdxd.base}/#/collateral`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#admin-key');
  assert.equal(await page.$('#collateral-list'), null, 'nothing without a key');
  await page.type('#admin-key', admin);
  await page.click('#admin-key-form button[type=submit]');
  await page.waitForSelector('#collateral-list');
  const list = await textOf(page, '#collateral-list');
  assert.match(list, /intel_tcb_info/);
  assert.match(list, /intel_pcs/);
  const bars = await page.$$eval('#expiry-chart rect title', (t) => t.map((x) => x.textContent));
  assert.ok(bars.some((b) => b.includes('intel_tcb_info') && b.includes('2025-07-19 10:16:03')), bars.join('\n'));
  await shot(page, 'collateral');
  await page.goto(`${tdxd.base}/#/admin`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#audit');
  assert.match(await textOf(page, '#audit'), /endpoint\.registered/);
  assert.match(await textOf(page, '#audit'), /passport\.revoked|api_key\.created/);
  assert.ok(await page.$('#jwks-keys li'));
  // The key listing: the admin's own key by id, a provider key whose label
  // is hostile markup shown as text, revoked from the page.
  const adminId = admin.split('_')[1];
  assert.match(await textOf(page, '#api-keys'), new RegExp(adminId));
  const pk = await post(regd, `/api/providers/${provider.id}/keys`, { label: HOSTILE_NAME }, bearer(admin));
  assert.equal(pk.status, 201, pk.text);
  const pkId = pk.json.id;
  assert.match(pkId, /^[0-9a-f]{16}$/, pk.text);
  await page.reload({ waitUntil: 'networkidle0' });
  await page.waitForSelector('#admin-key');
  await page.type('#admin-key', admin);
  await page.click('#admin-key-form button[type=submit]');
  await page.waitForSelector(`#api-keys tr[data-key="${pkId}"] button.revoke-key`);
  const keyRow = await textOf(page, `#api-keys tr[data-key="${pkId}"]`);
  assert.ok(keyRow.includes(HOSTILE_NAME), keyRow);
  assert.ok(!keyRow.includes(pk.json.token), 'no token on the page');
  await page.click(`#api-keys tr[data-key="${pkId}"] button.revoke-key`);
  await page.waitForFunction((id) => {
    const row = document.querySelector(`#api-keys tr[data-key="${id}"]`);
    return row && !row.querySelector('button.revoke-key') && !/live/.test(row.textContent);
  }, {}, pkId);
  const listed = await get(regd, `/api/keys?provider_id=${provider.id}`, bearer(admin));
  assert.equal(listed.status, 200, listed.text);
  assert.ok(listed.json.keys.find((k) => k.id === pkId)?.revoked_at, listed.text);
  await shot(page, 'admin');
  // Kept in memory only: nothing in storage, gone on reload.
  assert.equal(await page.evaluate(() => localStorage.length + sessionStorage.length), 0);
  assert.ok(!(await page.evaluate(() => document.cookie + location.href)).includes(admin));
  await page.reload({ waitUntil: 'networkidle0' });
  await page.waitForSelector('#admin-key');
  assert.equal(await page.$('#audit'), null);
  await page.close();
  assert.ok(!consoleLog.some((l) => /Content Security Policy|Refused to/.test(l)), consoleLog.join('\n'));
});
