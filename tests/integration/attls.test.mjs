// Attested TLS to registered endpoints and one GPU per live endpoint
// (issue 18, docs/registry.md "Attested TLS"). TLS servers are started
// here, with keys and self-signed certificates made at test time by
// openssl; the evidence (Mock) binds the SHA-256 of a certificate's SPKI
// through its runtime data. The expected digests are computed here from
// the certificates, never read back from teepassd.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  startDaemon, stopDaemon, post, get, request, bearer, createAdminKey, psql,
  teepass, tmp, sha256, freePort, ROOT, writeTmp,
} from './lib.mjs';

// The verification clock, pinned; the evidence is made at this instant.
const NOW = '2026-12-01T12:00:00Z';
const uniq = () => randomBytes(6).toString('hex');
let d, provider;

// A fresh P-256 key and self-signed certificate (openssl, at test time).
function makeCert(cn) {
  const key = join(tmp, `tls-${cn}-${uniq()}.key`);
  const crt = key.replace(/\.key$/, '.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
    '-nodes', '-keyout', key, '-out', crt, '-days', '2', '-subj', `/CN=${cn}`], { stdio: 'ignore' });
  const cert = readFileSync(crt);
  const spki = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
  return { key: readFileSync(key), cert, spki: createHash('sha256').update(spki).digest('hex') };
}

// An https server on 127.0.0.1 with CERT; counts HTTP requests (the
// probe must send none). HANDLER answers them.
async function tlsServer(cert, handler = (req, res) => res.end('hello')) {
  const s = { requests: 0, names: [] };
  s.server = createServer({ key: cert.key, cert: cert.cert }, (req, res) => { s.requests++; handler(req, res); });
  // The SNI each handshake carried (false: none).
  s.server.on('secureConnection', (sock) => s.names.push(sock.servername));
  await new Promise((resolve) => s.server.listen(0, '127.0.0.1', resolve));
  s.port = s.server.address().port;
  s.url = `https://127.0.0.1:${s.port}/v1`;
  return s;
}
// What a failed assertion shows of a reply (not the whole passport).
const brief = (r) => JSON.stringify({ status: r.status, error: r.json?.error, errors: r.json?.verdict?.errors ?? r.json?.errors, status_: r.json?.status });
const closeServer = (s) => new Promise((resolve) => { s.server.closeAllConnections?.(); s.server.close(resolve); });

// Mock evidence whose runtime data binds the model and, when given, the
// TLS key digest (and GPU nonces).
function evidence({ model, spki, gpuNonces } = {}) {
  const rd = { model };
  if (spki !== undefined) rd.tls_spki_sha256 = spki;
  if (gpuNonces) rd.gpu_nonces = gpuNonces;
  const path = join(tmp, `attls-rd-${uniq()}.json`);
  writeFileSync(path, JSON.stringify(rd));
  const attestation = teepass(['mock-evidence', '--runtime-data', path, '--time', NOW]).trim();
  return { attestation, runtime_data: readFileSync(path).toString('base64') };
}

async function register({ url, spki, model = sha256(`model ${uniq()}`), devices, gpuNonces, extra = {} }) {
  const ev = evidence({ model, spki, gpuNonces });
  const t0 = Date.now();
  const r = await post(d, '/api/endpoints', {
    url, model: { name: 'llama', digest: model }, provider: 'Mock', reference_values: {},
    ...ev, ...(devices ? { devices } : {}), ...extra,
  }, bearer(provider));
  r.ms = Date.now() - t0; // the request alone, evidence made before
  return r;
}

// Polls GET /api/endpoints/{id} until PRED holds (the condition, never a
// fixed sleep), at most LIMIT ms.
async function waitFor(id, pred, limit = 30000) {
  const t0 = Date.now();
  let e;
  for (;;) {
    e = (await get(d, `/api/endpoints/${id}`)).json;
    if (pred(e)) return e;
    if (Date.now() - t0 > limit) assert.fail(`condition not reached: ${JSON.stringify(e)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  d = await startDaemon({
    TEEPASS_DEV_FIXED_TIME: NOW,
    TEEPASS_ENDPOINT_TLS_CHECK: '1',
    TEEPASS_ENDPOINT_TLS_ALLOWED_HOSTS: '127.0.0.1, localhost',
    TEEPASS_ENDPOINT_TLS_TIMEOUT_MS: '3000',
    TEEPASS_ENDPOINT_TLS_INTERVAL: '1',
  });
  const admin = createAdminKey('attls tests');
  const r = await post(d, '/api/providers', { name: 'attls provider' }, bearer(admin));
  assert.equal(r.status, 201, brief(r));
  provider = r.json.api_key.token;
});
after(async () => { await stopDaemon(d); });

test('the endpoint presents the bound key: attested, key recorded; another key later: the scheduler marks it failed', async (t) => {
  const good = makeCert('good');
  const other = makeCert('other');
  assert.notEqual(good.spki, other.spki);
  const s = await tlsServer(good);
  try {
    const r = await register({ url: s.url, spki: good.spki });
    const plain = await register({ url: `https://plain-${uniq()}.example/v1` });
    assert.equal(plain.status, 201, brief(plain));
    t.diagnostic(`POST /api/endpoints: ${r.ms} ms with the TLS check, ${plain.ms} ms without a bound key`);
    assert.equal(r.status, 201, brief(r));
    assert.equal(r.json.status, 'attested');
    assert.ok(r.json.verdict.checks.some((c) => c.check === 'endpoint_tls' && c.ok), brief(r));
    const id = r.json.id;
    assert.equal(psql(`select tls_binding || ' ' || tls_spki_sha256 from endpoints where id = '${id}'`), `runtime_data ${good.spki}`);
    assert.equal(r.json.tls.binding, 'runtime_data');
    assert.equal(r.json.tls.spki_sha256, good.spki);
    assert.ok(r.json.tls.checked_at, 'compared at registration');
    assert.equal(psql(`select k.tls_spki_sha256 from endpoint_attestations a join endpoint_tls_keys k using (passport_id) where a.endpoint_id = '${id}' order by a.id desc limit 1`), good.spki);
    assert.equal(s.requests, 0, 'a handshake only: no HTTP request');
    assert.deepEqual(s.names, [false], 'no SNI for an address literal');

    // Still the same key on the next rounds: stays attested. Wait for a
    // round to have checked it (tls_checked_at moves past registration).
    const t0 = psql(`select extract(epoch from tls_checked_at) from endpoints where id = '${id}'`);
    for (let i = 0; psql(`select extract(epoch from tls_checked_at) from endpoints where id = '${id}'`) === t0; i++) {
      assert.ok(i < 300, 'no scheduled check ran');
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal((await get(d, `/api/endpoints/${id}`)).json.status, 'attested');

    // The server switches to another key: the scheduler notices.
    s.server.setSecureContext({ key: other.key, cert: other.cert });
    const t0switch = Date.now();
    const e = await waitFor(id, (x) => x.status === 'failed');
    t.diagnostic(`key switch seen by the scheduler after ${Date.now() - t0switch} ms (interval 1 s)`);
    assert.deepEqual(e.last_errors.map((x) => x.code), ['tls_key_mismatch']);
    assert.match(e.last_errors[0].message, new RegExp(other.spki));
    assert.equal(psql(`select status || ' ' || (errors->0->>'code') from endpoint_attestations where endpoint_id = '${id}' order by id desc limit 1`),
      'failed tls_key_mismatch');
    assert.equal(psql(`select count(*) from audit_log where target = '${id}' and action = 'endpoint.tls_key_mismatch' and actor = 'teepassd'`), '1');
    assert.equal(s.requests, 0);

    // Re-attesting with evidence that binds the new key — made by the
    // CLI from the certificate itself (--tls-cert): attested again.
    const otherCrt = writeTmp(`other-${uniq()}.crt`, other.cert);
    const rdPath = join(tmp, `attls-cli-rd-${uniq()}.json`);
    const ev = {
      attestation: teepass(['mock-evidence', '--model', r.json.model.digest, '--tls-cert', otherCrt,
        '--runtime-data', rdPath, '--time', NOW]).trim(),
    };
    ev.runtime_data = readFileSync(rdPath).toString('base64');
    assert.equal(JSON.parse(readFileSync(rdPath)).tls_spki_sha256, other.spki);
    const put = await request(d, 'PUT', `/api/endpoints/${id}/attestation`, ev, bearer(provider));
    assert.equal(put.status, 200, brief(put));
    assert.equal(put.json.status, 'attested');
    assert.equal(psql(`select tls_spki_sha256 from endpoints where id = '${id}'`), other.spki);

    // A heartbeat whose evidence binds the old key while the server has
    // the new one: refused, recorded as failed.
    const stale = evidence({ model: r.json.model.digest, spki: good.spki });
    const bad = await request(d, 'PUT', `/api/endpoints/${id}/attestation`, stale, bearer(provider));
    assert.equal(bad.status, 422, brief(bad));
    assert.equal(bad.json.error.code, 'tls_key_mismatch');
    assert.equal(bad.json.verdict.valid, false);
    // The history: each passed attestation with the key it bound, the
    // scheduler's and the heartbeat's refusals with theirs in errors.
    const h = (await get(d, `/api/endpoints/${id}/attestations`)).json.attestations;
    assert.deepEqual(h.map((x) => [x.status, x.tls_spki_sha256, x.errors?.[0]?.code ?? null]), [
      ['failed', null, 'tls_key_mismatch'],
      ['attested', other.spki, null],
      ['failed', null, 'tls_key_mismatch'],
      ['attested', good.spki, null],
    ]);
    const after = (await get(d, `/api/endpoints/${id}`)).json;
    assert.equal(after.status, 'failed');
    assert.deepEqual(after.last_errors.map((x) => x.code), ['tls_key_mismatch']);
  } finally {
    await closeServer(s);
  }
});

test('registration refused when the server presents another key than the evidence binds', async () => {
  const good = makeCert('good2');
  const wrong = makeCert('wrong2');
  const s = await tlsServer(wrong);
  try {
    const r = await register({ url: s.url, spki: good.spki });
    assert.equal(r.status, 422, brief(r));
    assert.equal(r.json.error.code, 'tls_key_mismatch');
    assert.equal(r.json.verdict.valid, false);
    assert.ok(r.json.verdict.errors.some((e) => e.code === 'tls_key_mismatch' && e.message.includes(wrong.spki)));
    assert.equal(psql(`select count(*) from endpoints where url = '${s.url}'`), '0');
  } finally {
    await closeServer(s);
  }
});

test('a redirect is never followed: the key is the one at the registered URL', async () => {
  const good = makeCert('target');
  const wrong = makeCert('redirector');
  const target = await tlsServer(good);
  const redirector = await tlsServer(wrong, (req, res) => {
    res.writeHead(302, { Location: target.url });
    res.end();
  });
  try {
    const r = await register({ url: redirector.url, spki: good.spki });
    assert.equal(r.status, 422, brief(r));
    assert.equal(r.json.error.code, 'tls_key_mismatch');
    assert.equal(redirector.requests, 0, 'no HTTP request, so no redirect to follow');
    assert.equal(target.requests, 0);
    // The same evidence at the target's own URL is accepted.
    const ok = await register({ url: target.url, spki: good.spki });
    assert.equal(ok.status, 201, brief(ok));
  } finally {
    await closeServer(redirector);
    await closeServer(target);
  }
});

test('hosts not allow-listed, plain http and unreachable ports are refused; no bound key, no connection', async () => {
  const good = makeCert('allow');
  const s = await tlsServer(good);
  try {
    // 127.0.0.2 is loopback too, but not in the allow-list.
    const r = await register({ url: `https://127.0.0.2:${s.port}/v1`, spki: good.spki });
    assert.equal(r.status, 422, brief(r));
    assert.equal(r.json.error.code, 'tls_host_not_allowed');
    assert.deepEqual(s.names, [], 'never connected');
    // A host name (allow-listed): resolved, and sent as SNI.
    const byName = await register({ url: `https://LOCALHOST:${s.port}/v1`, spki: good.spki });
    assert.equal(byName.status, 201, brief(byName));
    assert.deepEqual(s.names, ['localhost']);
    const h = await register({ url: `http://127.0.0.1:${s.port}/v1`, spki: good.spki });
    assert.equal(h.status, 422, brief(h));
    assert.equal(h.json.error.code, 'tls_url_not_https');
    assert.equal(s.requests, 0);
  } finally {
    await closeServer(s);
  }
  // A server that accepts the connection and never answers the
  // handshake: refused within endpoint_tls_timeout_ms (3000 here).
  const silent = createNetServer((sock) => { silent.sockets.push(sock); });
  silent.sockets = [];
  await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const t0 = Date.now();
  const hang = await register({ url: `https://127.0.0.1:${silent.address().port}/v1`, spki: good.spki });
  const took = Date.now() - t0;
  assert.equal(hang.status, 422, brief(hang));
  assert.equal(hang.json.error.code, 'tls_unreachable');
  assert.ok(took >= 2500 && took < 8000, `refused after ${took} ms`);
  assert.ok(hang.json.verdict.errors.some((e) => /timed out/.test(e.message)), brief(hang));
  for (const x of silent.sockets) x.destroy();
  await new Promise((resolve) => silent.close(resolve));
  const closed = await freePort();
  const u = await register({ url: `https://127.0.0.1:${closed}/v1`, spki: good.spki });
  assert.equal(u.status, 422, brief(u));
  assert.equal(u.json.error.code, 'tls_unreachable');
  // A malformed binding is refused whatever the server.
  const m = await register({ url: `https://127.0.0.1:${closed}/v1`, spki: 'ab'.repeat(31) });
  assert.equal(m.status, 422, brief(m));
  assert.equal(m.json.error.code, 'tls_binding_invalid');
  // Evidence that binds no key: registered without any connection (the
  // port is closed and the host not allow-listed).
  const n = await register({ url: `https://not-allowed.example:${closed}/v1` });
  assert.equal(n.status, 201, brief(n));
  assert.equal(psql(`select tls_spki_sha256 is null from endpoints where id = '${n.json.id}'`), 't');
  assert.equal(n.json.tls, null);
});

test('one GPU on two live endpoints is refused; retiring the first frees it', async () => {
  // The real H100 (tests/data/nvidia, as gpu.test.mjs) in a composite
  // request whose Mock CPU commits to the GPU's SPDM nonce.
  const H100 = join(ROOT, 'tests/data/nvidia/nvtrust_sample_h100');
  const NONCE = '931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb';
  const devices = [{
    provider: 'NvidiaGpu', attestation: readFileSync(join(H100, 'spdm_report.bin')).toString('base64'),
    collateral: { cert_chain: readFileSync(join(H100, 'cert_chain.pem'), 'utf8') },
  }];
  const url1 = `https://gpu-a-${uniq()}.example/v1`;
  const url2 = `https://gpu-b-${uniq()}.example/v1`;
  const a = await register({ url: url1, devices, gpuNonces: [NONCE] });
  assert.equal(a.status, 201, brief(a));
  assert.equal(a.json.verdict.submods.gpu0.valid, true);
  const gpuId = a.json.verdict.submods.gpu0.claims.device_id;
  assert.ok(gpuId, 'the GPU has a device id');
  assert.equal(psql(`select endpoint_id || ' ' || submod from endpoint_devices where device_id = '${gpuId}'`), `${a.json.id} gpu0`);

  const b = await register({ url: url2, devices, gpuNonces: [NONCE] });
  assert.equal(b.status, 409, brief(b));
  assert.equal(b.json.error.code, 'device_in_use');
  assert.equal(psql(`select count(*) from endpoints where url = '${url2}'`), '0');

  // The first endpoint's own heartbeat with the same GPU is fine.
  const ev = evidence({ model: a.json.model.digest, gpuNonces: [NONCE] });
  const put = await request(d, 'PUT', `/api/endpoints/${a.json.id}/attestation`, { ...ev, devices }, bearer(provider));
  assert.equal(put.status, 200, brief(put));
  assert.equal(put.json.status, 'attested');

  // Retired, the first endpoint no longer holds the GPU.
  const del = await request(d, 'DELETE', `/api/endpoints/${a.json.id}`, undefined, bearer(provider));
  assert.equal(del.status, 200, brief(del));
  assert.equal(psql(`select count(*) from endpoint_devices where device_id = '${gpuId}'`), '0');
  const c = await register({ url: url2, devices, gpuNonces: [NONCE] });
  assert.equal(c.status, 201, brief(c));
  assert.equal(psql(`select endpoint_id from endpoint_devices where device_id = '${gpuId}'`), c.json.id);

  // The same GPU twice in one request: the composite check refuses it.
  const twice = await register({ url: `https://gpu-c-${uniq()}.example/v1`, devices: [...devices, ...devices], gpuNonces: [NONCE] });
  assert.equal(twice.status, 422, brief(twice));
  assert.ok(twice.json.verdict.errors.some((e) => e.code === 'gpu_duplicate_device'), brief(twice));
});

test('two registrations racing for one GPU: one endpoint gets it, the other 409 device_in_use', async () => {
  // Another real H100 (tests/data/nvidia/PROVENANCE.md); its SPDM nonce
  // from its own verdict, for the Mock CPU to commit to.
  const dir = join(ROOT, 'tests/data/nvidia/teep_tinfoil_h100_nras_20260629');
  const devices = [{
    provider: 'NvidiaGpu', attestation: readFileSync(join(dir, 'spdm_report.bin')).toString('base64'),
    collateral: { cert_chain: readFileSync(join(dir, 'cert_chain.pem'), 'utf8') },
  }];
  const alone = await post(d, '/api/verify/tee-attestation', devices[0]);
  assert.equal(alone.json.valid, true, brief(alone));
  const nonce = alone.json.claims.nonce;
  const gpuId = alone.json.claims.device_id;
  const urls = [0, 1].map((i) => `https://race-${i}-${uniq()}.example/v1`);
  const rs = await Promise.all(urls.map((url) => register({ url, devices, gpuNonces: [nonce] })));
  assert.deepEqual(rs.map((r) => r.status).sort(), [201, 409], rs.map(brief).join('\n'));
  const won = rs.find((r) => r.status === 201);
  const lost = rs.find((r) => r.status === 409);
  assert.equal(lost.json.error.code, 'device_in_use');
  assert.equal(psql(`select endpoint_id from endpoint_devices where device_id = '${gpuId}'`), won.json.id);
  assert.equal(psql(`select count(*) from endpoints where url in ('${urls[0]}', '${urls[1]}')`), '1');
});

// tls_binding "report_data_split": REPORT_DATA[0:32] = SHA-256(SPKI) and
// [32:64] = SHA-256(runtime data), computed here from the certificate
// and the runtime data (Mock --report-data takes the 64 bytes raw).
function splitEvidence({ model, spki, upper }) {
  const rd = Buffer.from(JSON.stringify({ model }));
  const high = upper ?? createHash('sha256').update(rd).digest('hex');
  const attestation = teepass(['mock-evidence', '--report-data', spki + high, '--time', NOW]).trim();
  return { attestation, runtime_data: rd.toString('base64') };
}

async function registerSplit({ url, spki, model = sha256(`model ${uniq()}`), upper }) {
  return post(d, '/api/endpoints', {
    url, model: { name: 'llama', digest: model }, provider: 'Mock', reference_values: {},
    tls_binding: 'report_data_split', ...splitEvidence({ model, spki, upper }),
  }, bearer(provider));
}

test('report_data_split: the key in REPORT_DATA[0:32] and the model through [32:64] register; key mismatch and a zero half are refused', async () => {
  const good = makeCert('split');
  const wrong = makeCert('split-wrong');
  const s = await tlsServer(good);
  try {
    const r = await registerSplit({ url: s.url, spki: good.spki });
    assert.equal(r.status, 201, brief(r));
    assert.equal(r.json.status, 'attested');
    assert.equal(r.json.tls.binding, 'report_data_split');
    assert.equal(r.json.tls.spki_sha256, good.spki);
    assert.ok(r.json.verdict.checks.some((c) => c.check === 'endpoint_tls' && c.ok), brief(r));
    assert.ok(r.json.verdict.checks.some((c) => c.check === 'runtime_data_binding' && c.ok), brief(r));
    assert.equal(psql(`select tls_binding || ' ' || tls_spki_sha256 from endpoints where id = '${r.json.id}'`), `report_data_split ${good.spki}`);
    // The heartbeat is read with the layout registered.
    const hb = await request(d, 'PUT', `/api/endpoints/${r.json.id}/attestation`,
      splitEvidence({ model: r.json.model.digest, spki: good.spki }), bearer(provider));
    assert.equal(hb.status, 200, brief(hb));
    assert.equal(hb.json.status, 'attested');
    // Another model digest in the runtime data: model_mismatch.
    const other = await request(d, 'PUT', `/api/endpoints/${r.json.id}/attestation`,
      splitEvidence({ model: sha256('another model'), spki: good.spki }), bearer(provider));
    assert.equal(other.json.status, 'failed', brief(other));
    assert.ok(other.json.verdict.errors.some((e) => e.code === 'model_mismatch'), brief(other));
  } finally {
    await closeServer(s);
  }
  const s2 = await tlsServer(wrong);
  try {
    // The server presents another key than [0:32] binds.
    const m = await registerSplit({ url: s2.url, spki: good.spki });
    assert.equal(m.status, 422, brief(m));
    assert.equal(m.json.error.code, 'tls_key_mismatch');
    assert.ok(m.json.verdict.errors.some((e) => e.code === 'tls_key_mismatch' && e.message.includes(wrong.spki)), brief(m));
    // Runtime data sent, [32:64] zero: nothing bound, said so.
    const z = await registerSplit({ url: s2.url, spki: wrong.spki, upper: '00'.repeat(32) });
    assert.equal(z.status, 422, brief(z));
    assert.ok(z.json.verdict.errors.some((e) => e.code === 'binding_half_zero'), brief(z));
    // The same evidence without the layout declared: the whole field is
    // read, and the runtime data is not bound.
    const model = sha256(`model ${uniq()}`);
    const u = await post(d, '/api/endpoints', {
      url: s2.url, model: { name: 'llama', digest: model }, provider: 'Mock', reference_values: {},
      tls_binding: 'report_data', ...splitEvidence({ model, spki: wrong.spki }),
    }, bearer(provider));
    assert.equal(u.status, 422, brief(u));
    assert.ok(u.json.verdict.errors.some((e) => e.code === 'binding_mismatch'), brief(u));
    assert.equal(psql(`select count(*) from endpoints where url = '${s2.url}'`), '0');
  } finally {
    await closeServer(s2);
  }
});

test('report_data_split through the verify API: endpoint_id reads the evidence with the endpoint\'s layout', async () => {
  const key = makeCert('split-verify');
  const s = await tlsServer(key);
  const model = sha256(`model ${uniq()}`);
  let split, plain;
  try {
    split = await registerSplit({ url: s.url, spki: key.spki, model });
    assert.equal(split.status, 201, brief(split));
    // The same model on an endpoint registered with the default layout
    // (its evidence binds no key, so it is never connected to).
    plain = await register({ url: `https://split-plain-${uniq()}.example/v1`, model });
    assert.equal(plain.status, 201, brief(plain));
    assert.equal(psql(`select tls_binding from endpoints where id = '${plain.json.id}'`), 'runtime_data');
  } finally {
    await closeServer(s);
  }
  // Fresh split evidence for the same key and model: [32:64] is
  // SHA-256 of these runtime-data bytes, computed here.
  const ev = splitEvidence({ model, spki: key.spki });
  const high = createHash('sha256').update(Buffer.from(ev.runtime_data, 'base64')).digest('hex');
  const ok = await post(d, '/api/verify/tee-attestation', { ...ev, endpoint_id: split.json.id });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.valid, true, brief(ok));
  assert.ok(ok.json.checks.some((c) => c.check === 'runtime_data_binding' && c.ok), ok.text);
  assert.equal(ok.json.claims.runtime_data.model, model);
  assert.equal(ok.json.claims.report_data, key.spki + high);
  assert.equal(psql(`select endpoint_id from passports where id = '${ok.json.passport.id}'`), split.json.id);
  // The appraisal records the layout, for re-appraisal.
  assert.equal(psql(`select count(*) from passports where id = '${ok.json.passport.id}' and (appraisal->>'runtime_data_upper')::boolean`), '1');
  // Another model's runtime data under the same [0:32]: [32:64] is not its digest.
  const wrongRd = Buffer.from(JSON.stringify({ model: sha256('another') })).toString('base64');
  const mism = await post(d, '/api/verify/tee-attestation', { attestation: ev.attestation, runtime_data: wrongRd, endpoint_id: split.json.id });
  assert.equal(mism.json.valid, false, brief(mism));
  assert.ok(mism.json.errors.some((e) => e.code === 'binding_mismatch'), brief(mism));

  // The same evidence against the endpoint without the split layout:
  // the whole field is read, nothing matches.
  const no = await post(d, '/api/verify/tee-attestation', { ...ev, endpoint_id: plain.json.id });
  assert.equal(no.status, 200, no.text);
  assert.equal(no.json.valid, false, brief(no));
  assert.ok(no.json.errors.some((e) => e.code === 'binding_mismatch'), brief(no));
  // And with no endpoint at all: the layout is never inferred.
  const bare = await post(d, '/api/verify/tee-attestation', ev);
  assert.equal(bare.json.valid, false, brief(bare));
  assert.ok(bare.json.errors.some((e) => e.code === 'binding_mismatch'), brief(bare));
});
