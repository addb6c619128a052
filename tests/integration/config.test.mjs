// Configuration validation, development mode, graceful shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { chmodSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, stopDaemon, post, psql, mockEvidence, sha256, BIN, ROOT, tmp } from './lib.mjs';
import { startFakeVendor } from './fake_vendor.mjs';

// A production issuer unless the test says otherwise (undefined: unset).
function runDaemon(env) {
  const all = { ...process.env, TEEPASS_LISTEN: '127.0.0.1:0', TEEPASS_ISSUER: 'https://attest.example.org', ...env };
  for (const [k, v] of Object.entries(all)) if (v === undefined) delete all[k];
  return spawnSync(join(BIN, 'teepassd'), [], { env: all, encoding: 'utf8', timeout: 30000 });
}

test('the fixed clock is refused outside development mode', () => {
  const r = runDaemon({ TEEPASS_DEV_MODE: '0', TEEPASS_DEV_FIXED_TIME: '2025-07-01T00:00:00Z' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /DEV_FIXED_TIME is refused outside development mode/);
});

test('production refuses the example issuer, saying what to set', () => {
  const r = runDaemon({ TEEPASS_DEV_MODE: '0', TEEPASS_ISSUER: undefined });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /issuer is the example https:\/\/teepass\.example: set TEEPASS_ISSUER/);
  // Development mode keeps the example issuer.
  assert.doesNotMatch(runDaemon({ TEEPASS_DEV_MODE: '1', TEEPASS_ISSUER: undefined, TEEPASS_LISTEN: 'nowhere' }).stderr, /TEEPASS_ISSUER/);
});

test('bad values are refused at start with a message that says what to do', () => {
  let r = runDaemon({ TEEPASS_LISTEN: 'nowhere' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /listen: want host:port/);
  r = runDaemon({ TEEPASS_DATABASE_URL: '' });
  assert.match(r.stderr, /set TEEPASS_DATABASE_URL/);
  r = runDaemon({ TEEPASS_PASSPORT_TTL: '90000' });
  assert.match(r.stderr, /passport_ttl: want seconds from 60 to 86400/);
  r = runDaemon({ TEEPASS_NO_SUCH_KEY: '1' });
  assert.match(r.stderr, /unknown configuration key "no_such_key"/);
});

test('a signing key readable by others is refused', () => {
  const p = join(tmp, 'open.pem');
  copyFileSync(process.env.TEEPASS_SIGNING_KEY, p);
  chmodSync(p, 0o644);
  const r = runDaemon({ TEEPASS_SIGNING_KEY: p });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /readable by group or others.*chmod 600/);
});

test('Mock evidence is refused outside development mode', async () => {
  const d = await startDaemon({ TEEPASS_DEV_MODE: '0', TEEPASS_ISSUER: 'https://attest.example.org' });
  try {
    const ev = mockEvidence({ model: sha256('prod') });
    const r = await post(d, '/api/verify/tee-attestation', { attestation: ev.attestation, runtime_data: ev.runtime_data });
    assert.equal(r.json.valid, false);
    assert.deepEqual(r.json.errors.map((e) => e.code), ['mock_disabled']);
    assert.equal(r.json.passport, undefined);
  } finally {
    await stopDaemon(d);
  }
});

test('debug Mock evidence is refused unless allowed; old evidence is refused', async () => {
  const d = await startDaemon();
  try {
    const dbg = mockEvidence({ model: sha256('dbg'), debug: true });
    let r = await post(d, '/api/verify/tee-attestation', { attestation: dbg.attestation, runtime_data: dbg.runtime_data });
    assert.deepEqual(r.json.errors.map((e) => e.code), ['debug_not_allowed']);
    const old = mockEvidence({ model: sha256('old'), time: '2020-01-01T00:00:00Z' });
    r = await post(d, '/api/verify/tee-attestation', { attestation: old.attestation, runtime_data: old.runtime_data });
    assert.equal(r.json.fresh, false);
    assert.deepEqual(r.json.errors.map((e) => e.code), ['evidence_too_old']);
  } finally {
    await stopDaemon(d);
  }
  // With the development clock fixed at the evidence's time, it verifies.
  const d2 = await startDaemon({ TEEPASS_DEV_FIXED_TIME: '2020-01-01T01:00:00Z' });
  try {
    const old = mockEvidence({ model: sha256('old'), time: '2020-01-01T00:00:00Z' });
    const r = await post(d2, '/api/verify/tee-attestation', { attestation: old.attestation, runtime_data: old.runtime_data });
    assert.equal(r.json.valid, true, r.text);
    assert.equal(r.json.verified_at, '2020-01-01T01:00:00Z');
  } finally {
    await stopDaemon(d2);
  }
});

// A POST on a new TCP connection (no keep-alive reuse): libmicrohttpd
// ties a connection to the thread that accepted it, so each request gets
// a thread of its own. Rejects if the connection is dropped.
function postFresh(d, path, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = httpRequest(d.base + path, {
      method: 'POST', agent: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('reply cut short')));
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, json, text });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

// Polls COND (every 10 ms) until true; fails after MS naming WHAT.
async function until(cond, what, ms = 15000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('SIGTERM lets in-flight requests finish, then exits 0', async () => {
  // Requests that are certainly in flight at SIGTERM: verifications of
  // evidence without collateral, each held inside teepassd by its first
  // fetch from a fake vendor that answers nothing until told to. Each
  // evidence needs artifacts no other one does (PATHS: the vendor paths
  // only it asks for), so "the vendor holds a request on one of its
  // paths" means "this request reached the handler and is in it".
  const AT = '2025-07-10T00:00:00Z'; // inside the TDX and SGX collateral windows
  const fmspc = (dir) => JSON.parse(JSON.parse(readFileSync(join(ROOT, 'tests/data', dir, 'collateral.json'), 'utf8')).tcb_info).fmspc.toLowerCase();
  const chipId = (dir) => readFileSync(join(ROOT, 'tests/data/snp', dir, 'report.bin')).subarray(0x1a0, 0x1e0).toString('hex');
  const cases = [
    { provider: 'IntelTdx', file: 'tdx/dcapqvl_v4_uptodate/quote.bin',
      paths: [`/tdx/certification/v4/tcb?fmspc=${fmspc('tdx/dcapqvl_v4_uptodate')}`, '/tdx/certification/v4/qe/identity', '/sgx/certification/v4/pckcrl?ca=platform&encoding=der'] },
    { provider: 'IntelSgx', file: 'sgx/dcapqvl_v3_processor_ca/quote.bin',
      paths: [`/sgx/certification/v4/tcb?fmspc=${fmspc('sgx/dcapqvl_v3_processor_ca')}`, '/sgx/certification/v4/qe/identity', '/sgx/certification/v4/pckcrl?ca=processor&encoding=der'] },
    { provider: 'AmdSevSnp', file: 'snp/virtee_milan_v2/report.bin', paths: [`/vcek/v1/Milan/${chipId('virtee_milan_v2')}`] },
    { provider: 'AmdSevSnp', file: 'snp/gosev_milan_v2/report.bin', paths: [`/vcek/v1/Milan/${chipId('gosev_milan_v2')}`] },
  ];
  const fake = await startFakeVendor(ROOT);
  psql('DELETE FROM collateral_artifacts');
  const d = await startDaemon({
    ...fake.env(), TEEPASS_DEV_FIXED_TIME: AT, TEEPASS_THREADS: String(2 * cases.length),
    TEEPASS_COLLATERAL_TIMEOUT_MS: '20000',
  });
  let exited = false;
  try {
    fake.set('hold');
    const held = (c) => fake.state.held.some((h) => c.paths.some((p) => h.path.startsWith(p)));
    const settled = [];
    const inflight = [];
    // One at a time: the next is sent once the previous one is held, so
    // each lands on a thread that is not blocked.
    for (const [i, c] of cases.entries()) {
      const evidence = readFileSync(join(ROOT, 'tests/data', c.file)).toString('base64');
      inflight.push(postFresh(d, '/api/verify/tee-attestation', { attestation: evidence, issue_passport: false })
        .finally(() => { settled[i] = true; }));
      await until(() => held(c) || settled[i], `the ${c.file} request at the vendor`);
      assert.ok(!settled[i], `${c.file}: answered before its collateral was served`);
    }
    d.proc.kill('SIGTERM');
    await until(() => /finishing in-flight requests/.test(d.log) || d.proc.exitCode !== null,
      'teepassd to take the signal');
    // The signal is taken; every request is still waiting on the vendor.
    assert.equal(d.proc.exitCode, null, d.log);
    assert.equal(settled.filter(Boolean).length, 0, 'no request was answered (or dropped) yet');
    fake.serveHeld();
    const results = await Promise.allSettled(inflight);
    // Every request that was in flight at SIGTERM is answered in full:
    // a connection dropped, a reply cut short, a 503 (a fetch given up)
    // all fail here.
    for (const [i, res] of results.entries()) {
      assert.equal(res.status, 'fulfilled', `${cases[i].file}: ${res.reason}\n${d.log}`);
      assert.equal(res.value.status, 200, `${cases[i].file}: ${res.value.text}`);
      assert.equal(res.value.json?.provider, cases[i].provider, res.value.text);
    }
    // The Intel samples verify at AT with what the vendor then served.
    for (const i of [0, 1]) assert.equal(results[i].value.json.valid, true, results[i].value.text);
    const { code } = await d.exited;
    exited = true;
    assert.equal(code, 0, d.log);
    assert.doesNotMatch(d.log, /stopping with \d+ requests in flight/);
    assert.doesNotMatch(d.log, /(AddressSanitizer|LeakSanitizer|runtime error:)/);
  } finally {
    if (!exited && d.proc.exitCode === null) d.proc.kill('SIGKILL');
    await fake.close();
    psql('DELETE FROM collateral_artifacts'); // other files expect no cache
  }
});
