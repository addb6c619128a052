// The whole pipeline over HTTP: challenge -> Mock evidence -> verify ->
// passport -> fetch -> list, with the token checked by jose (a JOSE
// implementation we did not write).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import * as jose from 'jose';
import { startDaemon, stopDaemon, post, get, psql, mockEvidence, sha256 } from './lib.mjs';
import { assertEarPassport } from './ear.mjs';

let d;
before(async () => { d = await startDaemon(); });
after(async () => { await stopDaemon(d); });

const MODEL = sha256('model weights v1');
const CONFIG = sha256('serving config v1');
const AUDITORS = [sha256('guardrail a'), sha256('guardrail b')];

async function challenge() {
  const r = await post(d, '/api/challenges', '');
  assert.equal(r.status, 201);
  assert.match(r.json.nonce, /^[0-9a-f]{64}$/);
  assert.ok(Date.parse(r.json.expires_at) > Date.now());
  return r.json.nonce;
}

function passportRows(evidenceHex) {
  // evidence_sha256 of the raw bytes, computed by PostgreSQL itself (the
  // bytes are stored once, in evidence_blobs: migration 0007).
  return Number(psql(`select count(*) from passports where evidence_sha256 = encode(sha256(decode('${evidenceHex}', 'hex')), 'hex')`));
}

test('challenge, Mock evidence, verify, passport, fetch, list', async () => {
  const nonce = await challenge();
  const ev = mockEvidence({ model: MODEL, config: CONFIG, nonce, auditors: AUDITORS });
  const r = await post(d, '/api/verify/tee-attestation', {
    attestation: ev.attestation, runtime_data: ev.runtime_data, nonce,
    expected: { model: MODEL, config: CONFIG, auditors: [...AUDITORS].reverse() },
  });
  assert.equal(r.status, 200, r.text);
  const v = r.json;
  assert.equal(v.valid, true, JSON.stringify(v.errors));
  assert.equal(v.provider, 'Mock');
  assert.equal(v.status, 'warning', 'Mock is never more than warning');
  assert.equal(v.hardware_verified, false);
  assert.equal(v.binding_valid, true);
  assert.equal(v.measurements_valid, true);
  assert.equal(v.fresh, true);
  assert.deepEqual(v.errors, []);
  assert.ok(v.checks.some((c) => c.check === 'nonce_unused' && c.ok));
  assert.ok(v.passport && v.passport.token, 'a valid verdict carries a passport');

  // Committed before it was returned.
  assert.equal(psql(`select status || ' ' || tee_type || ' ' || hardware_attested from passports where id = '${v.passport.id}'`),
    'active Mock false');

  const byId = await get(d, `/api/passports/${v.passport.id}`);
  assert.equal(byId.status, 200);
  assert.equal(byId.json.token, v.passport.token);
  assert.equal(byId.json.status, 'active');
  assert.equal(byId.json.claims.model, MODEL);
  assert.equal(byId.json.claims.config, CONFIG);
  assert.equal(byId.json.provider, 'Mock');
  assert.equal(byId.json.hardware_verified, false);
  assert.equal(byId.json.tee_type, 'Mock', 'deprecated alias of provider');
  assert.equal(byId.json.hardware_attested, false, 'deprecated alias of hardware_verified');
  assert.equal(byId.json.claims.submods.cpu0.hardware_verified, false);
  // The challenge answered is the EAT nonce; expected config matched.
  const c = await assertEarPassport(d, v.passport.token, { development: true });
  assert.equal(c.eat_nonce, nonce);
  assert.equal(c.submods.cpu0['ear.trustworthiness-vector'].configuration, 2);
  assert.equal(c.submods.cpu0['ear.trustworthiness-vector'].hardware, 0, 'Mock makes no hardware claim');

  const bare = await get(d, `/api/passports/${v.passport.id}`, { Accept: 'application/jwt' });
  assert.equal(bare.status, 200);
  assert.match(bare.headers.get('content-type'), /^application\/jwt/);
  assert.equal(bare.text, v.passport.token);

  const list = await get(d, '/api/passports?provider=mock&limit=100');
  assert.equal(list.status, 200);
  assert.ok(list.json.passports.some((p) => p.id === v.passport.id));
  // The deprecated query name still filters the same way.
  const old = await get(d, '/api/passports?tee_type=mock&limit=100');
  assert.deepEqual(old.json.passports.map((p) => p.id), list.json.passports.map((p) => p.id));
});

test('Mock passport verifies with the mock key but never against the JWKS', async () => {
  const ev = mockEvidence({ model: MODEL });
  const r = await post(d, '/api/verify/tee-attestation', { attestation: ev.attestation, runtime_data: ev.runtime_data });
  assert.equal(r.json.valid, true, r.text);
  const token = r.json.passport.token;

  // The mock signing key's public half, derived here from the PEM file.
  const mockPub = createPublicKey(readFileSync(process.env.TEEPASS_MOCK_SIGNING_KEY));
  const { payload, protectedHeader } = await jose.jwtVerify(token, mockPub, { algorithms: ['ES256'] });
  assert.equal(protectedHeader.alg, 'ES256');
  assert.equal(payload.submods.cpu0.provider, 'Mock');
  assert.equal(payload.submods.cpu0.hardware_verified, false);
  assert.equal(payload.submods.cpu0['ear.status'], 'warning');
  assert.equal(payload.model, MODEL);
  assert.equal(payload.eat_profile, 'tag:github.com,2023:veraison/ear');
  assert.ok(payload.exp - payload.iat <= 24 * 3600);
  assert.equal(payload.jti, r.json.passport.id);

  // The kid is the RFC 7638 thumbprint, recomputed by jose.
  const jwk = await jose.exportJWK(mockPub);
  assert.equal(protectedHeader.kid, await jose.calculateJwkThumbprint(jwk, 'sha256'));

  const jwks = await get(d, '/.well-known/jwks.json');
  assert.equal(jwks.status, 200);
  assert.ok(jwks.json.keys.length >= 1);
  assert.ok(!jwks.json.keys.some((k) => k.kid === protectedHeader.kid), 'mock key must not be in the JWKS');
  const set = jose.createLocalJWKSet(jwks.json);
  await assert.rejects(jose.jwtVerify(token, set), 'a mock passport must fail against the JWKS');

  // Every JWKS key's kid is its thumbprint (checked by jose).
  for (const k of jwks.json.keys)
    assert.equal(k.kid, await jose.calculateJwkThumbprint({ kty: k.kty, crv: k.crv, x: k.x, y: k.y }, 'sha256'));
  // And the JWKS key is the configured signing key's public half.
  const signPub = await jose.exportJWK(createPublicKey(readFileSync(process.env.TEEPASS_SIGNING_KEY)));
  assert.ok(jwks.json.keys.some((k) => k.x === signPub.x && k.y === signPub.y));
});

test('a replayed nonce is refused, with no second passport', async () => {
  const nonce = await challenge();
  const ev = mockEvidence({ model: MODEL, nonce });
  const body = { attestation: ev.attestation, runtime_data: ev.runtime_data, nonce };
  const first = await post(d, '/api/verify/tee-attestation', body);
  assert.equal(first.json.valid, true, first.text);
  const again = await post(d, '/api/verify/tee-attestation', body);
  assert.equal(again.status, 200);
  assert.equal(again.json.valid, false);
  assert.equal(again.json.fresh, false);
  assert.deepEqual(again.json.errors.map((e) => e.code), ['nonce_replayed']);
  assert.equal(again.json.passport, undefined);
  assert.equal(passportRows(ev.attestation), 1);
});

test('a nonce that was never issued, or is not bound, is refused', async () => {
  const ev = mockEvidence({ model: MODEL, nonce: 'ab'.repeat(32) });
  const r = await post(d, '/api/verify/tee-attestation',
    { attestation: ev.attestation, runtime_data: ev.runtime_data, nonce: 'ab'.repeat(32) });
  assert.equal(r.json.valid, false);
  assert.deepEqual(r.json.errors.map((e) => e.code), ['nonce_unknown']);

  const nonce = await challenge();
  const unbound = mockEvidence({ model: MODEL });
  const r2 = await post(d, '/api/verify/tee-attestation',
    { attestation: unbound.attestation, runtime_data: unbound.runtime_data, nonce });
  assert.equal(r2.json.valid, false);
  assert.ok(r2.json.errors.some((e) => e.code === 'nonce_not_bound'), r2.text);
  assert.equal(passportRows(unbound.attestation), 0);
});

test('tampered evidence, wrong runtime_data, wrong expected model: invalid, no passport row', async () => {
  const ev = mockEvidence({ model: MODEL, config: CONFIG });
  // One flipped byte inside the signed region (a measurement register).
  const bytes = Buffer.from(ev.attestation, 'hex');
  bytes[100] ^= 0x01;
  const tampered = bytes.toString('hex');
  let r = await post(d, '/api/verify/tee-attestation', { attestation: tampered, runtime_data: ev.runtime_data });
  assert.equal(r.status, 200);
  assert.equal(r.json.valid, false);
  assert.equal(r.json.signature_valid, false);
  assert.equal(r.json.status, 'contraindicated');
  assert.deepEqual(r.json.errors.map((e) => e.code), ['mock_signature_invalid']);
  assert.equal(r.json.passport, undefined);
  assert.equal(passportRows(tampered), 0);

  const other = Buffer.from(JSON.stringify({ model: MODEL, config: 'sha256:evil' })).toString('base64');
  r = await post(d, '/api/verify/tee-attestation', { attestation: ev.attestation, runtime_data: other });
  assert.equal(r.json.valid, false);
  assert.equal(r.json.binding_valid, false);
  assert.deepEqual(r.json.errors.map((e) => e.code), ['binding_mismatch']);
  assert.equal(r.json.passport, undefined);

  r = await post(d, '/api/verify/tee-attestation', {
    attestation: ev.attestation, runtime_data: ev.runtime_data,
    expected: { model: sha256('another model') },
  });
  assert.equal(r.json.valid, false);
  assert.equal(r.json.measurements_valid, false);
  assert.deepEqual(r.json.errors.map((e) => e.code), ['model_mismatch']);
  assert.equal(r.json.passport, undefined);
  assert.equal(passportRows(ev.attestation), 0);

  r = await post(d, '/api/verify/tee-attestation', {
    attestation: ev.attestation, runtime_data: ev.runtime_data,
    expected: { runtime: { mr0: '00'.repeat(48) } },
  });
  assert.deepEqual(r.json.errors.map((e) => e.code), ['measurement_mismatch']);
});

test('same request twice gives the same passport (idempotent issue)', async () => {
  const ev = mockEvidence({ model: sha256('idempotent') });
  const body = { attestation: ev.attestation, runtime_data: ev.runtime_data };
  const a = await post(d, '/api/verify/tee-attestation', body);
  const b = await post(d, '/api/verify/tee-attestation', body);
  assert.equal(a.json.passport.id, b.json.passport.id);
  assert.equal(passportRows(ev.attestation), 1);
  const c = await post(d, '/api/verify/tee-attestation', { ...body, issue_passport: false });
  assert.equal(c.json.valid, true);
  assert.equal(c.json.passport, undefined);
});

test('keyset pagination: newest first, no overlap, filters', async () => {
  for (let i = 0; i < 3; i++) {
    const ev = mockEvidence({ model: sha256(`page ${i} ${Date.now()}`) });
    const r = await post(d, '/api/verify/tee-attestation', { attestation: ev.attestation, runtime_data: ev.runtime_data });
    assert.equal(r.json.valid, true);
  }
  const total = Number(psql("select count(*) from passports where tee_type = 'Mock'"));
  const seen = [];
  let cursor = null;
  for (let page = 0; page < 100; page++) {
    const q = `/api/passports?tee_type=Mock&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
    const r = await get(d, q);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.passports.length <= 2);
    seen.push(...r.json.passports);
    cursor = r.json.next_cursor;
    if (!cursor) break;
  }
  assert.equal(seen.length, total);
  assert.equal(new Set(seen.map((p) => p.id)).size, total, 'no passport twice');
  for (let i = 1; i < seen.length; i++)
    assert.ok(seen[i - 1].created_at >= seen[i].created_at, 'newest first');
  const active = await get(d, '/api/passports?status=active&limit=100');
  assert.ok(active.json.passports.every((p) => p.status === 'active'));
  assert.equal((await get(d, '/api/passports?limit=0')).json.error.code, 'invalid_limit');
  assert.equal((await get(d, '/api/passports?limit=101')).json.error.code, 'invalid_limit');
  assert.equal((await get(d, '/api/passports?cursor=bm9wZQ')).json.error.code, 'invalid_cursor');
  assert.equal((await get(d, '/api/passports?status=weird')).json.error.code, 'invalid_query');
});

test('browser dashboards: CORS on the GET routes, preflight answered', async () => {
  const r = await get(d, '/.well-known/jwks.json', { Origin: 'https://dash.example' });
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  assert.equal(r.headers.get('access-control-allow-credentials'), null);
  const l = await get(d, '/api/passports?limit=1', { Origin: 'https://dash.example' });
  assert.equal(l.headers.get('access-control-allow-origin'), '*');
  const pre = await fetch(d.base + '/api/passports', { method: 'OPTIONS', headers: { Origin: 'https://dash.example', 'Access-Control-Request-Method': 'GET' } });
  assert.equal(pre.status, 204);
  assert.match(pre.headers.get('access-control-allow-methods'), /GET/);
  // The verify route is not for browsers: no CORS header.
  const v = await post(d, '/api/verify/tee-attestation', '{}', { Origin: 'https://dash.example' });
  assert.equal(v.headers.get('access-control-allow-origin'), null);
});

test('unknown passport id and malformed id give 404', async () => {
  for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', "1'%20or%20'1'='1"]) {
    const r = await get(d, `/api/passports/${id}`);
    assert.equal(r.status, 404);
    assert.equal(r.json.error.code, 'passport_not_found');
  }
});

test('operations: healthz, readyz, metrics', async () => {
  assert.deepEqual((await get(d, '/healthz')).json, { status: 'ok' });
  const ready = await get(d, '/readyz');
  assert.equal(ready.json.status, 'ready');
  const m = await get(d, '/metrics');
  assert.equal(m.status, 200);
  assert.match(m.text, /teepass_verifications_total\{provider="Mock",valid="true"\} [1-9]/);
  assert.match(m.text, /teepass_passports_issued_total [1-9]/);
});
