// The EAR checker (ear.mjs) refuses what draft-ietf-rats-ear refuses; key
// discovery: the development JWKS, the issuer metadata, cacheable JWKS;
// verifications counted by EAR status. The passports of every provider
// are checked with it in that provider's own test (dcap, snp, cose, tpm,
// azure, gcp, gpu, composite, flow).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import * as jose from 'jose';
import { startDaemon, stopDaemon, post, get, mockEvidence, sha256 } from './lib.mjs';
import { earProblems, assertEarPassport, EAR_PROFILE } from './ear.mjs';

let d;
before(async () => { d = await startDaemon(); });
after(async () => { await stopDaemon(d); });

let seq = 0;
async function mockPassport() {
  // A model of its own each time: a new passport, never the idempotent one.
  const ev = mockEvidence({ model: sha256(`ear passport ${seq++}`) });
  const r = await post(d, '/api/verify/tee-attestation', { attestation: ev.attestation, runtime_data: ev.runtime_data });
  assert.equal(r.json.valid, true, r.text);
  return r.json.passport.token;
}

test('the checker accepts a teepass passport and refuses each departure from the draft', async () => {
  const good = jose.decodeJwt(await mockPassport());
  assert.deepEqual(earProblems(good), []);
  assert.equal(good.eat_profile, EAR_PROFILE);
  const bad = (f) => { const c = structuredClone(good); f(c); return earProblems(c); };
  const cpu = (c) => c.submods.cpu0;
  const cases = {
    'no submods': (c) => { delete c.submods; },
    'empty submods': (c) => { c.submods = {}; },
    'no profile': (c) => { delete c.eat_profile; },
    'private profile': (c) => { c.eat_profile = 'tag:teepass,2026:passport/v1'; },
    'no iat': (c) => { delete c.iat; },
    'iat a string': (c) => { c.iat = '1000'; },
    'no verifier-id': (c) => { delete c['ear.verifier-id']; },
    'verifier-id without build': (c) => { delete c['ear.verifier-id'].build; },
    'nonce, not eat_nonce': (c) => { c.nonce = 'ab'.repeat(32); },
    'eat_nonce too short': (c) => { c.eat_nonce = 'abc'; },
    'eat_nonce too long': (c) => { c.eat_nonce = 'a'.repeat(89); },
    'top-level ear.status': (c) => { c['ear.status'] = 'warning'; },
    'no ear.status': (c) => { delete cpu(c)['ear.status']; },
    'unknown status': (c) => { cpu(c)['ear.status'] = 'fine'; },
    'no vector': (c) => { delete cpu(c)['ear.trustworthiness-vector']; },
    'a claim missing': (c) => { delete cpu(c)['ear.trustworthiness-vector']['sourced-data']; },
    'unknown claim': (c) => { cpu(c)['ear.trustworthiness-vector'].vibes = 2; },
    'value not AR4SI': (c) => { cpu(c)['ear.trustworthiness-vector'].hardware = 3; },
    'value out of range': (c) => { cpu(c)['ear.trustworthiness-vector']['file-system'] = 200; },
    'status better than its vector': (c) => { cpu(c)['ear.trustworthiness-vector'].hardware = 96; },
    'no policy id': (c) => { delete cpu(c)['ear.appraisal-policy-id']; },
    'cnf without jwk': (c) => { c.cnf = { kid: 'x' }; },
    'cnf with a private key': (c) => { c.cnf = { jwk: { kty: 'EC', d: 'x' } }; },
  };
  for (const [name, f] of Object.entries(cases)) assert.ok(bad(f).length > 0, `${name} must be refused`);
});

test('a development passport verifies against jwks-development.json and never against jwks.json', async () => {
  const token = await mockPassport();
  await assertEarPassport(d, token, { development: true });
  const dev = await get(d, '/.well-known/jwks-development.json');
  assert.equal(dev.status, 200);
  assert.match(dev.headers.get('content-type'), /^application\/jwk-set\+json/);
  // It is the configured mock signing key, and only it.
  const pub = await jose.exportJWK(createPublicKey(readFileSync(process.env.TEEPASS_MOCK_SIGNING_KEY)));
  assert.equal(dev.json.keys.length, 1);
  assert.deepEqual([dev.json.keys[0].x, dev.json.keys[0].y], [pub.x, pub.y]);
  await jose.jwtVerify(token, jose.createLocalJWKSet(dev.json), { algorithms: ['ES256'] });
  await assert.rejects(jose.jwtVerify(token, jose.createLocalJWKSet((await get(d, '/.well-known/jwks.json')).json)));
});

test('issuer metadata names the issuer, jwks_uri, ES256 and the status endpoint; JWKS are cacheable', async () => {
  const m = await get(d, '/.well-known/openid-configuration');
  assert.equal(m.status, 200);
  const iss = jose.decodeJwt(await mockPassport()).iss;
  assert.equal(m.json.issuer, iss, 'the iss of its passports');
  assert.equal(m.json.jwks_uri, `${iss.replace(/\/+$/, '')}/.well-known/jwks.json`);
  assert.equal(m.json.development_jwks_uri, `${iss.replace(/\/+$/, '')}/.well-known/jwks-development.json`);
  assert.deepEqual(m.json.passport_signing_alg_values_supported, ['ES256']);
  assert.equal(m.json.passport_status_endpoint, `${iss.replace(/\/+$/, '')}/api/passports/{id}/status`);
  assert.deepEqual(m.json.eat_profiles_supported, [EAR_PROFILE]);
  for (const path of ['/.well-known/jwks.json', '/.well-known/jwks-development.json', '/.well-known/openid-configuration']) {
    const r = await get(d, path);
    assert.equal(r.headers.get('cache-control'), 'public, max-age=300', path);
  }
});

test('production: no development JWKS, the configured issuer, the configured JWKS max-age', async () => {
  const p = await startDaemon({ TEEPASS_DEV_MODE: '0', TEEPASS_ISSUER: 'https://attest.example.org/', TEEPASS_JWKS_MAX_AGE: '120' });
  try {
    const dev = await get(p, '/.well-known/jwks-development.json');
    assert.equal(dev.status, 404);
    assert.equal(dev.json.error.code, 'development_keys_disabled');
    const m = await get(p, '/.well-known/openid-configuration');
    assert.equal(m.json.issuer, 'https://attest.example.org/');
    assert.equal(m.json.jwks_uri, 'https://attest.example.org/.well-known/jwks.json');
    assert.equal(m.json.development_jwks_uri, undefined);
    const j = await get(p, '/.well-known/jwks.json');
    assert.equal(j.headers.get('cache-control'), 'public, max-age=120');
  } finally {
    await stopDaemon(p);
  }
});

test('verifications are counted by EAR status', async () => {
  const count = async (status) => {
    const t = (await get(d, '/metrics')).text;
    const m = t.match(new RegExp(`^teepass_verifications_by_status_total\\{status="${status}"\\} (\\d+)$`, 'm'));
    assert.ok(m, t);
    return Number(m[1]);
  };
  const [w0, c0, n0] = [await count('warning'), await count('contraindicated'), await count('none')];
  await mockPassport();
  const ev = mockEvidence({ model: sha256('tampered') });
  const bytes = Buffer.from(ev.attestation, 'hex');
  bytes[bytes.length - 1] ^= 1;
  const bad = await post(d, '/api/verify/tee-attestation', { attestation: bytes.toString('hex'), runtime_data: ev.runtime_data });
  assert.equal(bad.json.status, 'contraindicated', bad.text);
  const none = await post(d, '/api/verify/tee-attestation', { attestation: Buffer.from('not evidence of any kind').toString('base64') });
  assert.equal(none.json.status, 'none', none.text);
  assert.deepEqual([await count('warning'), await count('contraindicated'), await count('none')], [w0 + 1, c0 + 1, n0 + 1]);
});
