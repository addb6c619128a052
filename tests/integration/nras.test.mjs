// The NRAS JWKS through the collateral service (issue 8): an NRAS detached
// EAT posted without collateral verifies with the key set teepassd fetched
// from the fake NVIDIA endpoint (tests/data's saved copy), checked and
// cached for at most an hour; the cache serves the next verification;
// offline without a cached set is a 503 naming it; a tampered set is never
// cached. Expected claims: tests/data/nvidia/PROVENANCE.md (MANIFEST of
// the Tinfoil H100 token: iat/nbf 1782698883 <= t < exp 1782702483).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { startDaemon, stopDaemon, post, psql, teepass, writeTmp, ROOT } from './lib.mjs';
import { startFakeVendor } from './fake_vendor.mjs';

const NRAS = join(ROOT, 'tests/data/nvidia/teep_tinfoil_h100_nras_20260629');
const T_OK = 1782700000; // inside the token's [nbf, exp)
const AT = new Date(T_OK * 1000).toISOString().replace('.000', '');
const EAT_NONCE = '080c405ce6789e1761445180029523df3ae49576043f7f0868413a38e5e9a84e';
const eat = readFileSync(join(NRAS, 'nras_eat.json')).toString('base64');
const jwksSha = createHash('sha256').update(readFileSync(join(NRAS, 'nras_jwks.json'))).digest('hex');
const VERIFY = '/api/verify/tee-attestation';
const ARTIFACT = 'nvidia_nras_jwks/nras';

let fake;
before(async () => { fake = await startFakeVendor(ROOT); });
after(async () => {
  await fake.close();
  psql('DELETE FROM collateral_artifacts');
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
const jwksRequests = () => fake.state.counts[fake.nrasJwksPath] || 0;

test('an NRAS token without collateral verifies with the fetched JWKS; the second makes no request', async () => {
  const d = await daemon();
  try {
    const r = await post(d, VERIFY, { attestation: eat, provider: 'NvidiaGpu' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.valid, true, JSON.stringify(r.json.errors));
    // NVIDIA's service's word with an unrooted key set: never hardware
    // verified, at most warning.
    assert.equal(r.json.hardware_verified, false);
    assert.equal(r.json.status, 'warning');
    assert.equal(r.json.claims.nonce, EAT_NONCE);
    assert.equal(r.json.claims.driver_version, '595.71.05');
    assert.equal(r.json.claims.gpu_model, 'GH100');
    assert.equal(jwksRequests(), 1, JSON.stringify(fake.state.counts));
    assert.equal(fake.state.total, 1);
    assert.deepEqual(cached(), [ARTIFACT]);
    const arts = r.json.collateral_artifacts;
    assert.equal(arts.length, 1);
    assert.equal(`${arts[0].kind}/${arts[0].key}`, ARTIFACT);
    assert.equal(arts[0].source, 'nvidia_nras');
    assert.equal(arts[0].sha256, jwksSha, 'the bytes served are the bytes cached');
    // A bounded life: an hour from the verification time (every x5c leaf
    // of the set outlives that).
    assert.equal(arts[0].next_update, new Date((T_OK + 3600) * 1000).toISOString().replace('.000', ''));
    assert.equal(psql("SELECT extract(epoch FROM next_update)::bigint - extract(epoch FROM issue_date)::bigint FROM collateral_artifacts"), '3600');

    const again = await post(d, VERIFY, { attestation: eat });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.valid, true, again.text);
    assert.equal(again.json.claims.nonce, EAT_NONCE);
    assert.equal(fake.state.total, 1, 'the cache served the second verification');
  } finally {
    await stopDaemon(d);
  }
});

test('offline without a cached JWKS: 503 naming it, no request; with one cached: verifies offline', async () => {
  const off = await daemon({ TEEPASS_OFFLINE: '1' });
  try {
    const r = await post(off, VERIFY, { attestation: eat });
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json.error.code, 'collateral_offline_missing');
    assert.equal(r.json.error.artifact, ARTIFACT);
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    assert.equal(fake.state.total, 0, 'offline: the vendor saw no request');
  } finally {
    await stopDaemon(off);
  }
  const on = await daemon();
  try {
    assert.equal((await post(on, VERIFY, { attestation: eat })).json.valid, true);
  } finally {
    await stopDaemon(on);
  }
  fake.reset();
  const off2 = await daemon({ TEEPASS_OFFLINE: '1' });
  try {
    const r = await post(off2, VERIFY, { attestation: eat });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.valid, true, r.text);
    assert.equal(fake.state.total, 0);
  } finally {
    await stopDaemon(off2);
  }
});

test('a tampered JWKS (not JSON, or no keys) is refused and never cached', async () => {
  const d = await daemon();
  try {
    for (const mode of ['notjson', 'nokeys']) {
      fake.set(mode);
      const r = await post(d, VERIFY, { attestation: eat });
      assert.equal(r.status, 503, `${mode}: ${r.text}`);
      assert.equal(r.json.error.code, 'collateral_vendor_invalid');
      assert.equal(r.json.error.artifact, ARTIFACT);
      assert.deepEqual(cached(), [], `${mode}: nothing cached`);
    }
    assert.equal(jwksRequests(), 2);
    // The genuine set is fetched again: nothing of the tampered ones
    // stood in for it.
    fake.set('ok');
    const r = await post(d, VERIFY, { attestation: eat });
    assert.equal(r.json.valid, true, r.text);
    assert.equal(jwksRequests(), 3);
    assert.deepEqual(cached(), [ARTIFACT]);
  } finally {
    await stopDaemon(d);
  }
});

test('a cached JWKS past its hour is not used: the set is fetched again', async () => {
  const d = await daemon();
  try {
    assert.equal((await post(d, VERIFY, { attestation: eat })).json.valid, true);
  } finally {
    await stopDaemon(d);
  }
  assert.equal(jwksRequests(), 1);
  // One hour later (the token itself has expired by then: exp is
  // 1782702483): the service asks NVIDIA again before verifying.
  const later = new Date((T_OK + 3600) * 1000).toISOString().replace('.000', '');
  const d2 = await daemon({ TEEPASS_DEV_FIXED_TIME: later });
  try {
    const r = await post(d2, VERIFY, { attestation: eat });
    assert.equal(r.status, 200, r.text);
    assert.equal(jwksRequests(), 2, 'an expired row is never served');
    assert.equal(r.json.valid, false);
    assert.ok(r.json.errors.some((e) => e.code === 'nras_token_expired'), r.text);
  } finally {
    await stopDaemon(d2);
  }
});

test('composite: a GPU device sent as an NRAS token without collateral gets the fetched JWKS', async () => {
  const d = await daemon();
  try {
    // The CPU's runtime data commits to the GPU token's eat_nonce.
    const rd = Buffer.from(JSON.stringify({ model: 'sha256:00', gpu_nonces: [EAT_NONCE] }));
    const rdPath = writeTmp('nras-composite-rd.json', rd);
    const cpu = teepass(['mock-evidence', '--runtime-data', rdPath, '--time', AT]).trim();
    const r = await post(d, VERIFY, {
      attestation: cpu,
      runtime_data: rd.toString('base64'),
      devices: [{ provider: 'NvidiaGpu', attestation: eat }],
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.valid, true, r.text);
    assert.equal(r.json.submods.gpu0.valid, true);
    assert.equal(r.json.submods.gpu0.binding_valid, true);
    assert.equal(r.json.submods.gpu0.hardware_verified, false);
    assert.deepEqual(r.json.collateral_artifacts.map((a) => `${a.kind}/${a.key}`), [ARTIFACT]);
    assert.equal(jwksRequests(), 1);
  } finally {
    await stopDaemon(d);
  }
  // Offline with nothing cached: the device's artifact is named.
  psql('DELETE FROM collateral_artifacts');
  const off = await daemon({ TEEPASS_OFFLINE: '1' });
  try {
    const rd = Buffer.from(JSON.stringify({ model: 'sha256:00', gpu_nonces: [EAT_NONCE] }));
    const rdPath = writeTmp('nras-composite-rd2.json', rd);
    const cpu = teepass(['mock-evidence', '--runtime-data', rdPath, '--time', AT]).trim();
    const r = await post(off, VERIFY, {
      attestation: cpu, runtime_data: rd.toString('base64'), devices: [{ provider: 'NvidiaGpu', attestation: eat }],
    });
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json.error.artifact, ARTIFACT);
  } finally {
    await stopDaemon(off);
  }
});
