// The collateral service (issue 7) against a fake Intel PCS / AMD KDS on
// 127.0.0.1 serving the real collateral of tests/data: a quote or report
// posted without collateral verifies with what teepassd fetched, verified
// and cached in PostgreSQL; the cache serves the next ones; failures of
// the vendor are survived or reported as 503 naming the artifact.
// Expected verdicts (UpToDate for the TDX sample at 2025-07-10, the SGX
// sample's ConfigurationAndSWHardeningNeeded) are the MANIFESTs'
// (tests/data/*/PROVENANCE.md).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { startDaemon, stopDaemon, post, get, psql, teepass, sleep, ROOT, bearer, createAdminKey } from './lib.mjs';
import { startFakeVendor } from './fake_vendor.mjs';

const TDX = join(ROOT, 'tests/data/tdx/dcapqvl_v4_uptodate');
const SGX = join(ROOT, 'tests/data/sgx/dcapqvl_v3_processor_ca');
const AT = '2025-07-10T00:00:00Z'; // inside every TDX and SGX item's window
const MRTD = '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7';
const tdxQuote = readFileSync(join(TDX, 'quote.bin')).toString('hex');
const sgxQuote = readFileSync(join(SGX, 'quote.bin')).toString('hex');
const VERIFY = '/api/verify/tee-attestation';
// The FMSPC each sample's TCB Info was issued for (the vectors' collateral).
const fmspcOf = (dir) => JSON.parse(JSON.parse(readFileSync(join(dir, 'collateral.json'), 'utf8')).tcb_info).fmspc.toLowerCase();
const TDX_FMSPC = fmspcOf(TDX);
const SGX_FMSPC = fmspcOf(SGX);

let fake;
before(async () => { fake = await startFakeVendor(ROOT); });
after(async () => {
  await fake.close();
  psql('DELETE FROM collateral_artifacts'); // other files expect no cache
});
beforeEach(() => {
  psql('DELETE FROM collateral_artifacts');
  fake.set('ok');
  fake.reset();
});

const daemon = (env = {}) => startDaemon({
  TEEPASS_DEV_FIXED_TIME: AT, TEEPASS_COLLATERAL_TIMEOUT_MS: '1500', ...fake.env(), ...env,
});
const cached = () => psql("SELECT kind || '/' || key FROM collateral_artifacts ORDER BY 1").split('\n').filter(Boolean);
const TDX_ARTIFACTS = ['intel_pck_crl/platform', 'intel_qe_identity/tdx', 'intel_root_ca_crl/root', `intel_tcb_info/tdx/${TDX_FMSPC}`];

test('a TDX quote without collateral verifies with fetched collateral; the second makes no request', async () => {
  const d = await daemon();
  try {
    const r = await post(d, VERIFY, { attestation: tdxQuote, expected: { runtime: { mrtd: MRTD } } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.valid, true, JSON.stringify(r.json.errors));
    assert.equal(r.json.tcb_status, 'UpToDate');
    assert.equal(r.json.claims.mrtd, MRTD);
    assert.ok(r.json.passport?.token);
    assert.equal(fake.state.total, 4, JSON.stringify(fake.state.counts));
    assert.equal(fake.state.counts[`/tdx/certification/v4/tcb?fmspc=${TDX_FMSPC}`], 1);
    assert.equal(fake.state.counts['/sgx/certification/v4/pckcrl?ca=platform&encoding=der'], 1);
    assert.deepEqual(cached(), TDX_ARTIFACTS);
    const arts = r.json.collateral_artifacts;
    assert.deepEqual(arts.map((a) => `${a.kind}/${a.key}`).sort(), TDX_ARTIFACTS);
    assert.ok(arts.every((a) => a.source === 'intel_pcs' && /^[0-9a-f]{64}$/.test(a.sha256)));
    // The passport's collateral hashes are those of the items cached.
    const tcb = arts.find((a) => a.kind === 'intel_tcb_info');
    assert.equal(tcb.next_update, '2025-07-19T10:16:03Z');
    assert.equal(psql("SELECT sha256 FROM collateral_artifacts WHERE kind = 'intel_tcb_info'"), tcb.sha256);

    const again = await post(d, VERIFY, { attestation: tdxQuote });
    assert.equal(again.json.valid, true, again.text);
    assert.equal(fake.state.total, 4, 'the cache served the second verification');
    const m = await get(d, '/metrics');
    assert.match(m.text, /teepass_collateral_fetches_total\{vendor="intel",outcome="ok"\} 4\n/);
    assert.match(m.text, /teepass_collateral_cache_hits_total 4\n/);
    // At 2025-07-10T00:00Z the earliest (PCK CRL, 2025-07-19T10:00:35Z)
    // has 813635 s (226.0 hours) left, counted from the verification time
    // and less the wall-clock seconds since.
    const secs = Number(m.text.match(/teepass_collateral_earliest_expiry_seconds (-?[0-9]+)\n/)[1]);
    assert.ok(secs > 813635 - 300 && secs <= 813635, String(secs));
        assert.equal((await get(d, '/api/collateral')).status, 401, 'admin only');
    const list = await get(d, '/api/collateral', bearer(createAdminKey('collateral test')));
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json.artifacts.map((a) => `${a.kind}/${a.key}`), TDX_ARTIFACTS);
    assert.ok(list.json.artifacts.every((a) => a.valid === true));
  } finally { await stopDaemon(d); }
});

test('SGX quote (Processor CA) without collateral: warning with the MANIFEST status', async () => {
  const d = await daemon();
  try {
    const r = await post(d, VERIFY, { attestation: sgxQuote });
    assert.equal(r.json.valid, true, r.text);
    assert.equal(r.json.status, 'warning');
    assert.equal(r.json.tcb_status, 'ConfigurationAndSWHardeningNeeded');
    assert.deepEqual(r.json.advisory_ids, ['INTEL-SA-00289', 'INTEL-SA-00615']);
    assert.ok(cached().includes('intel_pck_crl/processor'));
    assert.ok(cached().includes('intel_qe_identity/sgx'));
  } finally { await stopDaemon(d); }
});

test('50 concurrent verifications over two instances sharing the database: one request per artifact', async () => {
  const a = await daemon();
  const b = await daemon();
  try {
    const rs = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      post(i % 2 ? a : b, VERIFY, { attestation: tdxQuote, issue_passport: false })));
    for (const r of rs) assert.equal(r.json?.valid, true, r.text);
    assert.equal(fake.state.total, 4, JSON.stringify(fake.state.counts));
    for (const n of Object.values(fake.state.counts)) assert.equal(n, 1);
  } finally { await stopDaemon(a); await stopDaemon(b); }
});

// A request on a new TCP connection (no keep-alive reuse).
function postFresh(d, path, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = httpRequest(d.base + path, {
      method: 'POST', agent: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) },
    }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(text), text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

test('a hanging vendor does not block verifications whose artifacts are cached', async () => {
  // 8 worker threads. The fetch of the SGX TCB Info hangs until the 6 s
  // timeout; the other SGX requests wait for it at most 2 s and answer
  // 503. While the fetch still hangs, cached TDX verifications are
  // answered at once. (libmicrohttpd ties a connection to the thread that
  // accepted it, so the TDX requests use new connections: one kept alive
  // on the thread blocked in the fetch would wait for it.)
  const d = await daemon({ TEEPASS_COLLATERAL_TIMEOUT_MS: '6000', TEEPASS_THREADS: '8' });
  try {
    assert.equal((await post(d, VERIFY, { attestation: tdxQuote })).json.valid, true);
    fake.set('hang');
    let sgxDone = 0;
    const t0 = Date.now();
    const sgx = Array.from({ length: 6 }, () => post(d, VERIFY, { attestation: sgxQuote })
      .then((r) => { sgxDone++; return { r, ms: Date.now() - t0 }; }));
    await sleep(2500);
    const t1 = Date.now();
    const tdx = await Promise.all(Array.from({ length: 10 }, () => postFresh(d, VERIFY, { attestation: tdxQuote })));
    const took = Date.now() - t1;
    for (const r of tdx) assert.equal(r.json.valid, true, r.text);
    assert.ok(took < 1500, `cached verifications took ${took} ms while the vendor hung`);
    assert.ok(Date.now() - t0 < 5900, 'answered while the vendor still hung');
    const all = await Promise.all(sgx);
    for (const { r } of all) {
      assert.equal(r.status, 503, r.text);
      assert.equal(r.json.error.code, 'collateral_unavailable');
      assert.equal(r.json.error.artifact, `intel_tcb_info/sgx/${SGX_FMSPC}`);
      assert.ok(r.headers.get('retry-after'));
    }
    assert.ok(all.some(({ ms }) => ms >= 5900), 'the hung fetch ended at the timeout');
    assert.equal(fake.state.counts[`/sgx/certification/v4/tcb?fmspc=${SGX_FMSPC}`], 1, 'one request for the artifact');
    assert.ok(!cached().some((k) => k.includes('sgx')));
  } finally { fake.release(); await stopDaemon(d); }
});

test('a tampered artifact is never cached (503 naming it), and the next good one is', async () => {
  const d = await daemon();
  try {
    fake.set('badsig', { match: /\/tcb\?/ });
    const r = await post(d, VERIFY, { attestation: tdxQuote });
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json.error.code, 'collateral_vendor_invalid');
    assert.equal(r.json.error.artifact, `intel_tcb_info/tdx/${TDX_FMSPC}`);
    assert.equal(psql("SELECT count(*) FROM collateral_artifacts WHERE kind = 'intel_tcb_info'"), '0');
    fake.set('badsig', { match: /pckcrl/ });
    const c = await post(d, VERIFY, { attestation: tdxQuote });
    assert.equal(c.status, 503, c.text);
    assert.equal(c.json.error.artifact, 'intel_pck_crl/platform');
    assert.equal(psql("SELECT count(*) FROM collateral_artifacts WHERE kind = 'intel_pck_crl'"), '0');
    fake.set('ok');
    assert.equal((await post(d, VERIFY, { attestation: tdxQuote })).json.valid, true);
    assert.deepEqual(cached(), TDX_ARTIFACTS);
  } finally { await stopDaemon(d); }
});

test('429 with Retry-After: 503 with that Retry-After, no request until it passes, then served', async () => {
  const d = await daemon();
  try {
    fake.set('429', { retryAfter: 2 });
    const r = await post(d, VERIFY, { attestation: tdxQuote });
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json.error.code, 'collateral_unavailable');
    assert.equal(r.headers.get('retry-after'), '2');
    const n = fake.state.total;
    const again = await post(d, VERIFY, { attestation: tdxQuote });
    assert.equal(again.status, 503);
    assert.equal(fake.state.total, n, 'backing off: no request to the vendor');
    fake.set('ok');
    await sleep(2100);
    assert.equal((await post(d, VERIFY, { attestation: tdxQuote })).json.valid, true);
    const m = await get(d, '/metrics');
    assert.match(m.text, /teepass_collateral_fetches_total\{vendor="intel",outcome="rate_limited"\} 1\n/);
  } finally { await stopDaemon(d); }
});

test('500, 404 and a truncated body: 503 naming the artifact, nothing cached; an outage keeps the cache serving', async () => {
  const d = await daemon();
  try {
    fake.set('truncate', { match: /qe\/identity/ });
    let r = await post(d, VERIFY, { attestation: tdxQuote });
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json.error.code, 'collateral_unavailable');
    assert.equal(r.json.error.artifact, 'intel_qe_identity/tdx');
    assert.equal(psql("SELECT count(*) FROM collateral_artifacts WHERE kind = 'intel_qe_identity'"), '0');
    await sleep(10100); // the back-off after a transport failure
    fake.set('404', { match: /qe\/identity/ });
    r = await post(d, VERIFY, { attestation: tdxQuote });
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json.error.code, 'collateral_not_found');
    fake.set('ok');
    assert.equal((await post(d, VERIFY, { attestation: tdxQuote })).json.valid, true);
    fake.set('500', { retryAfter: 1 });
    const n = fake.state.total;
    r = await post(d, VERIFY, { attestation: tdxQuote });
    assert.equal(r.json.valid, true, 'valid cached artifacts keep serving');
    assert.equal(fake.state.total, n);
    r = await post(d, VERIFY, { attestation: sgxQuote });
    assert.equal(r.status, 503);
    assert.equal(r.json.error.code, 'collateral_unavailable');
  } finally { await stopDaemon(d); }
});

test('offline with an imported bundle: verifies with zero requests; a missing artifact is named (503)', async () => {
  const out = teepass(['collateral', 'import', '--at', AT, join(TDX, 'collateral.json')]);
  assert.match(out, /intel_tcb_info\/tdx\//);
  assert.deepEqual(cached(), TDX_ARTIFACTS);
  assert.equal(psql("SELECT DISTINCT source FROM collateral_artifacts"), 'import');
  const d = await daemon({ TEEPASS_OFFLINE: '1' });
  try {
    const r = await post(d, VERIFY, { attestation: tdxQuote, expected: { runtime: { mrtd: MRTD } } });
    assert.equal(r.json.valid, true, r.text);
    assert.equal(r.json.tcb_status, 'UpToDate');
    assert.ok(r.json.collateral_artifacts.every((a) => a.source === 'import'));
    const s = await post(d, VERIFY, { attestation: sgxQuote });
    assert.equal(s.status, 503, s.text);
    assert.equal(s.json.error.code, 'collateral_offline_missing');
    assert.equal(s.json.error.artifact, `intel_tcb_info/sgx/${SGX_FMSPC}`);
    assert.equal(fake.state.total, 0, 'offline: the vendor saw no request');
  } finally { await stopDaemon(d); }
});

test('an imported artifact that does not verify is refused and not written', () => {
  const c = JSON.parse(readFileSync(join(TDX, 'collateral.json'), 'utf8'));
  c.tcb_info = c.tcb_info.replace('"tcbEvaluationDataNumber":17', '"tcbEvaluationDataNumber":18');
  const f = join(mkdtempSync(join(tmpdir(), 'tp-coll-')), 'tampered.json');
  writeFileSync(f, JSON.stringify(c));
  let failed = null;
  try { teepass(['collateral', 'import', '--at', AT, f], { stdio: 'pipe' }); } catch (e) { failed = e; }
  assert.ok(failed, 'import exits non-zero');
  assert.equal(failed.status, 1);
  assert.match(String(failed.stderr), /intel_tcb_info refused: signature/);
  assert.ok(!cached().some((k) => k.startsWith('intel_tcb_info')));
});

test('export then import round-trips the cache (sample layout accepted too)', () => {
  teepass(['collateral', 'import', '--at', AT, join(TDX, 'collateral.json'), join(SGX, 'collateral.json')]);
  const before = psql('SELECT kind, key, sha256 FROM collateral_artifacts ORDER BY 1, 2');
  const dir = join(mkdtempSync(join(tmpdir(), 'tp-coll-')), 'bundle');
  teepass(['collateral', 'export', dir]);
  assert.ok(readdirSync(join(dir, 'intel_tcb_info')).includes(`tdx_${TDX_FMSPC}.json`));
  assert.ok(readdirSync(join(dir, 'intel_pck_crl')).includes('platform.issuer_chain.pem'));
  // What export writes is what --collateral DIR reads: each quote
  // verifies from the bundle alone, which holds both platforms' artifacts.
  for (const d of [TDX, SGX]) {
    const v = JSON.parse(teepass(['verify', '--compact', '--collateral', dir, '--at', AT, join(d, 'quote.bin')]));
    assert.equal(v.valid, true, JSON.stringify(v.errors));
    assert.ok(v.checks.some((c) => c.check === 'tcb_level' && c.ok), JSON.stringify(v.checks));
  }
  psql('DELETE FROM collateral_artifacts');
  teepass(['collateral', 'import', '--at', AT, dir]);
  assert.equal(psql('SELECT kind, key, sha256 FROM collateral_artifacts ORDER BY 1, 2'), before);
  // The sample layout of tests/data/tdx/teep_tinfoil_v4_20260629.
  teepass(['collateral', 'import', '--at', '2026-06-29T02:08:05Z', join(ROOT, 'tests/data/tdx/teep_tinfoil_v4_20260629')]);
  assert.ok(cached().some((k) => /^intel_tcb_info\/tdx\/90c06/.test(k)), cached().join(','));
});

// PCK CRL nextUpdate 2025-07-19T10:00:35Z; TCB Info and QE Identity are
// valid until 10:16:03Z and 10:32:27Z (the sample's collateral).
const AFTER_CRL = '2025-07-19T10:05:00Z';

test('an expired cached CRL is never used: offline 503 naming it; online the stale CRL served is not cached', async () => {
  teepass(['collateral', 'import', '--at', AT, join(TDX, 'collateral.json')]);
  const crlRow = () => psql("SELECT sha256, next_update FROM collateral_artifacts WHERE kind = 'intel_pck_crl'");
  const row = crlRow();
  const off = await daemon({ TEEPASS_OFFLINE: '1', TEEPASS_DEV_FIXED_TIME: AFTER_CRL });
  try {
    const r = await post(off, VERIFY, { attestation: tdxQuote });
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json.error.code, 'collateral_offline_missing');
    assert.equal(r.json.error.artifact, 'intel_pck_crl/platform');
    assert.equal(fake.state.total, 0);
  } finally { await stopDaemon(off); }
  const on = await daemon({ TEEPASS_DEV_FIXED_TIME: AFTER_CRL });
  try {
    const r = await post(on, VERIFY, { attestation: tdxQuote });
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json.error.code, 'collateral_unavailable');
    assert.equal(r.json.error.artifact, 'intel_pck_crl/platform');
    assert.equal(fake.state.counts['/sgx/certification/v4/pckcrl?ca=platform&encoding=der'], 1);
    assert.equal(crlRow(), row, 'the stale CRL was not written');
    const m = await get(on, '/metrics');
    assert.match(m.text, /outcome="stale"\} 1\n/);
  } finally { await stopDaemon(on); }
});

test('SEV-SNP: a report without VCEK verifies with the VCEK fetched from KDS (v3 Genoa and v2 Milan)', async () => {
  const d = await startDaemon({ ...fake.env(), TEEPASS_COLLATERAL_TIMEOUT_MS: '1500' });
  try {
    for (const [name, product] of [['teep_tinfoil_genoa_v3_20260629', 'Genoa'], ['virtee_milan_v2', 'Milan']]) {
      const dir = join(ROOT, 'tests/data/snp', name);
      const report = readFileSync(join(dir, 'report.bin'));
      fake.reset();
      const r = await post(d, VERIFY, { attestation: report.toString('base64') });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.valid, true, `${name}: ${JSON.stringify(r.json.errors)}`);
      assert.equal(r.json.provider, 'AmdSevSnp');
      const hwid = report.subarray(0x1a0, 0x1e0).toString('hex');
      // The VCEK, then the product's ASK/ARK chain and CRL (KDS paths).
      const paths = Object.keys(fake.state.counts);
      assert.equal(paths.length, 3, paths.join(','));
      assert.ok(paths[0].startsWith(`/vcek/v1/${product}/${hwid}?blSPL=`), paths[0]);
      assert.deepEqual(paths.slice(1), [`/vcek/v1/${product}/cert_chain`, `/vcek/v1/${product}/crl`]);
      const a = r.json.collateral_artifacts;
      assert.deepEqual(a.map((x) => x.kind), ['amd_vcek', 'amd_cert_chain']);
      assert.ok(a[0].key.startsWith(`${product}/${hwid}/`));
      assert.equal(a[1].key, product);
      assert.ok(a.every((x) => x.source === 'amd_kds'));
      // The chain as cached is the KDS body byte for byte.
      const chain = readFileSync(join(ROOT, `config/trust/ask_ark_${product.toLowerCase()}.pem`));
      assert.equal(a[1].sha256, createHash('sha256').update(chain).digest('hex'));
      // No CRL to be had (404): valid, and revocation said unchecked.
      assert.equal(r.json.claims.amd_crl, 'unchecked');
      assert.ok(!cached().some((k) => k.startsWith('amd_crl/')));
      const again = await post(d, VERIFY, { attestation: report.toString('base64') });
      assert.equal(again.json.valid, true);
      assert.equal(again.json.claims.amd_crl, 'unchecked');
      assert.equal(fake.state.total, 3, 'the cache (and the missing CRL noted) served the second');
    }
  } finally { await stopDaemon(d); }
});

test('artifacts in the last tenth of their life are refreshed in the background while the cache serves', async () => {
  teepass(['collateral', 'import', '--at', AT, join(TDX, 'collateral.json')]);
  // 10 hours before the TCB Info, QE Identity and PCK CRL expire; the
  // Root CA CRL (until 2026-04-03) is not due.
  const d = await daemon({ TEEPASS_DEV_FIXED_TIME: '2025-07-19T00:00:00Z' });
  try {
    const r = await post(d, VERIFY, { attestation: tdxQuote });
    assert.equal(r.json.valid, true, r.text);
    assert.ok(r.json.collateral_artifacts.every((a) => a.source === 'import'), 'served from the cache');
    for (let i = 0; i < 50 && psql("SELECT count(*) FROM collateral_artifacts WHERE source = 'intel_pcs'") !== '3'; i++) await sleep(100);
    assert.equal(psql("SELECT kind FROM collateral_artifacts WHERE source = 'intel_pcs' ORDER BY 1").replace(/\n/g, ','),
      'intel_pck_crl,intel_qe_identity,intel_tcb_info');
    assert.equal(fake.state.total, 3, JSON.stringify(fake.state.counts));
    // At most one attempt per artifact per hour.
    assert.equal((await post(d, VERIFY, { attestation: tdxQuote })).json.valid, true);
    await sleep(300);
    assert.equal(fake.state.total, 3);
  } finally { await stopDaemon(d); }
});

test('TCB forecast: a quote against the standard and the early TCB Info (HTTP and CLI)', async () => {
  // The fake serves the same (real) TCB Info for update=early: the
  // expected statuses are the MANIFESTs' for both.
  const d = await daemon();
  try {
    const r = await post(d, '/api/tcb-status', { attestation: tdxQuote });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.tee, 'tdx');
    assert.equal(r.json.fmspc, TDX_FMSPC);
    for (const w of ['standard', 'early']) {
      assert.equal(r.json[w].tcb_status, 'UpToDate', JSON.stringify(r.json[w]));
      assert.deepEqual(r.json[w].short_of_up_to_date, []);
      assert.equal(r.json[w].next_update, '2025-07-19T10:16:03Z');
    }
    assert.equal(fake.state.counts[`/tdx/certification/v4/tcb?fmspc=${TDX_FMSPC}&update=early`], 1);
    assert.ok(cached().includes(`intel_tcb_info/tdx/${TDX_FMSPC}/early`));
    const s = await post(d, '/api/tcb-status', { attestation: sgxQuote });
    assert.equal(s.json.standard.tcb_status, 'ConfigurationAndSWHardeningNeeded', s.text);
    assert.deepEqual(s.json.standard.advisory_ids, ['INTEL-SA-00289', 'INTEL-SA-00615']);
    // This FMSPC's TCB Info has no UpToDate level at all (its levels are
    // ConfigurationAndSWHardeningNeeded, SWHardeningNeeded, OutOfDate*):
    // no component update reaches UpToDate.
    const levels = JSON.parse(JSON.parse(readFileSync(join(SGX, 'collateral.json'), 'utf8')).tcb_info).tcbLevels;
    assert.ok(!levels.some((l) => l.tcbStatus === 'UpToDate'));
    assert.equal(s.json.standard.short_of_up_to_date, null);
    const bad = await post(d, '/api/tcb-status', { attestation: '00'.repeat(64) });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.json.error.field, 'attestation');
  } finally { await stopDaemon(d); }
  const n = fake.state.total;
  const out = teepass(['tcb-status', '--at', AT, join(TDX, 'quote.bin')], { env: { ...process.env, ...fake.env() } });
  assert.equal(JSON.parse(out).standard.tcb_status, 'UpToDate');
  assert.equal(fake.state.total, n, 'the CLI used the cache the daemon filled');
});

test('the Intel API key goes to the Intel service only', async () => {
  const d = await daemon({ TEEPASS_INTEL_PCS_API_KEY: 'k-123', TEEPASS_INTEL_ROOT_CRL_URL: '' });
  try {
    assert.equal((await post(d, VERIFY, { attestation: tdxQuote })).json.valid, true);
    // Root CA CRL from the PCCS path when intel_root_crl_url is empty.
    assert.equal(fake.state.counts['/sgx/certification/v4/rootcacrl'], 1);
    assert.equal(fake.state.apiKeys[`/tdx/certification/v4/tcb`], 'k-123');
    const report = readFileSync(join(ROOT, 'tests/data/snp/virtee_milan_v2/report.bin'));
    assert.equal((await post(d, VERIFY, { attestation: report.toString('base64') })).json.valid, true);
    assert.ok(!Object.keys(fake.state.apiKeys).some((p) => p.startsWith('/vcek/')), 'never sent to AMD');
  } finally { await stopDaemon(d); }
});

// A CRL with ARK-Milan's names signed by a key made here (no real AMD
// CRL exists offline), valid from now for 30 days (DER).
function lookalikeArkCrl() {
  const dir = mkdtempSync(join(tmpdir(), 'tp-ark-'));
  const subj = '/OU=Engineering/C=US/L=Santa Clara/ST=CA/O=Advanced Micro Devices/CN=ARK-Milan';
  const run = (args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'ark.pem', '-subj', subj, '-days', '30']);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'crlnumber'), '01\n');
  writeFileSync(join(dir, 'ca.cnf'), `[ca]\ndefault_ca = x\n[x]\ndatabase = ${dir}/index.txt\ncrlnumber = ${dir}/crlnumber\ndefault_md = sha384\ndefault_crl_days = 30\n`);
  run(['ca', '-config', 'ca.cnf', '-gencrl', '-keyfile', 'key.pem', '-cert', 'ark.pem', '-out', 'crl.pem']);
  run(['crl', '-in', 'crl.pem', '-outform', 'DER', '-out', 'crl.der']);
  return readFileSync(join(dir, 'crl.der'));
}

const MILAN_REPORT = () => readFileSync(join(ROOT, 'tests/data/snp/virtee_milan_v2/report.bin')).toString('base64');

test('SEV-SNP: a KDS CRL signed by a look-alike ARK is refused and never cached; revocation stays unchecked', async () => {
  fake.state.amdCrl.Milan = lookalikeArkCrl();
  const d = await startDaemon({ ...fake.env(), TEEPASS_COLLATERAL_TIMEOUT_MS: '1500' });
  try {
    const r = await post(d, VERIFY, { attestation: MILAN_REPORT() });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.valid, true, JSON.stringify(r.json.errors));
    assert.equal(r.json.claims.amd_crl, 'unchecked');
    assert.equal(fake.state.counts['/vcek/v1/Milan/crl'], 1);
    assert.ok(!cached().some((k) => k.startsWith('amd_crl/')), cached().join(','));
    assert.ok(!r.json.collateral_artifacts.some((a) => a.kind === 'amd_crl'));
    const m = await get(d, '/metrics');
    assert.match(m.text, /teepass_collateral_fetches_total\{vendor="amd",outcome="invalid"\} 1\n/);
  } finally { await stopDaemon(d); }
});

test('SEV-SNP: a KDS cert_chain whose ARK is not the pinned one of the product is refused and never cached', async () => {
  // Genuine AMD certificates, but Genoa's ASK and ARK served for Milan.
  fake.state.amdChain.Milan = readFileSync(join(ROOT, 'config/trust/ask_ark_genoa.pem'));
  const d = await startDaemon({ ...fake.env(), TEEPASS_COLLATERAL_TIMEOUT_MS: '1500' });
  try {
    const r = await post(d, VERIFY, { attestation: MILAN_REPORT() });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.valid, true, JSON.stringify(r.json.errors));
    assert.equal(fake.state.counts['/vcek/v1/Milan/cert_chain'], 1);
    assert.ok(!cached().some((k) => k.startsWith('amd_cert_chain/')), cached().join(','));
    assert.deepEqual(r.json.collateral_artifacts.map((a) => a.kind), ['amd_vcek']);
    const m = await get(d, '/metrics');
    assert.match(m.text, /teepass_collateral_fetches_total\{vendor="amd",outcome="invalid"\} 1\n/);
  } finally { await stopDaemon(d); }
});

test('SEV-SNP: the KDS chain exported and imported serves an offline daemon with zero requests', async () => {
  const on = await startDaemon({ ...fake.env(), TEEPASS_COLLATERAL_TIMEOUT_MS: '1500' });
  try {
    assert.equal((await post(on, VERIFY, { attestation: MILAN_REPORT() })).json.valid, true);
  } finally { await stopDaemon(on); }
  const dir = mkdtempSync(join(tmpdir(), 'tp-amd-'));
  teepass(['collateral', 'export', dir]);
  assert.deepEqual(readFileSync(join(dir, 'amd_cert_chain', 'Milan.pem')),
    readFileSync(join(ROOT, 'config/trust/ask_ark_milan.pem')));
  psql('DELETE FROM collateral_artifacts');
  teepass(['collateral', 'import', dir]);
  assert.deepEqual(cached().map((k) => k.split('/')[0]), ['amd_cert_chain', 'amd_vcek']);
  // The sample layout's cert_chain.pem is read too (the product from its ARK).
  const sample = mkdtempSync(join(tmpdir(), 'tp-amd-'));
  writeFileSync(join(sample, 'cert_chain.pem'), readFileSync(join(ROOT, 'config/trust/ask_ark_genoa.pem')));
  teepass(['collateral', 'import', sample]);
  assert.ok(cached().includes('amd_cert_chain/Genoa'), cached().join(','));
  fake.reset();
  const off = await startDaemon({ ...fake.env(), TEEPASS_OFFLINE: '1' });
  try {
    const r = await post(off, VERIFY, { attestation: MILAN_REPORT() });
    assert.equal(r.json.valid, true, r.text);
    assert.deepEqual(r.json.collateral_artifacts.map((a) => `${a.kind}:${a.source}`), ['amd_vcek:import', 'amd_cert_chain:import']);
    assert.equal(r.json.claims.amd_crl, 'unchecked');
    assert.equal(fake.state.total, 0, 'offline: the vendor saw no request');
  } finally { await stopDaemon(off); }
});

// tests/data/collateral/PROVENANCE.md: the TDX sample's real collateral in
// the shape Intel's `pccsadmin fetch` writes (platform_collaterals.json).
const PCCSADMIN = join(ROOT, 'tests/data/collateral/pccsadmin_platform_collaterals.json');

test('a pccsadmin platform_collaterals.json is imported (each artifact verified) and serves an offline daemon with zero requests', async () => {
  teepass(['collateral', 'import', '--at', AT, PCCSADMIN]);
  assert.deepEqual(cached(), TDX_ARTIFACTS);
  const d = await daemon({ TEEPASS_OFFLINE: '1' });
  try {
    const r = await post(d, VERIFY, { attestation: tdxQuote, expected: { runtime: { mrtd: MRTD } } });
    assert.equal(r.json.valid, true, r.text);
    assert.equal(r.json.tcb_status, 'UpToDate');
    assert.ok(r.json.collateral_artifacts.every((a) => a.source === 'import'));
    assert.equal(fake.state.total, 0, 'offline: the vendor saw no request');
  } finally { await stopDaemon(d); }
});

test('a pccsadmin file with a tampered TCB Info or without the PCK CRL issuer chain: those are refused, not written', () => {
  const j = JSON.parse(readFileSync(PCCSADMIN, 'utf8'));
  j.collaterals.tcbinfos[0].tdx_tcbinfo.tcbInfo.tcbEvaluationDataNumber += 1;
  j.collaterals.certificates['SGX-PCK-Certificate-Issuer-Chain'] = {};
  const f = join(mkdtempSync(join(tmpdir(), 'tp-pccs-')), 'platform_collaterals.json');
  writeFileSync(f, JSON.stringify(j));
  let failed = null;
  try { teepass(['collateral', 'import', '--at', AT, f], { stdio: 'pipe' }); } catch (e) { failed = e; }
  assert.ok(failed, 'import exits non-zero');
  assert.equal(failed.status, 1);
  assert.match(String(failed.stderr), /intel_tcb_info refused: signature/);
  assert.match(String(failed.stderr), /pckcacrl\.\w+Crl refused: no PCK certificate issuer chain/);
  assert.deepEqual(cached(), ['intel_qe_identity/tdx', 'intel_root_ca_crl/root']);
});
