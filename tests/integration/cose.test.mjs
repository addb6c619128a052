// AWS Nitro documents and Arm PSA / CCA tokens over HTTP (expected values
// from the vectors' MANIFESTs; tests/data/{nitro,psa,cca}/PROVENANCE.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, stopDaemon, post, get, ROOT } from './lib.mjs';
import { assertEarPassport } from './ear.mjs';

const data = (p) => readFileSync(join(ROOT, 'tests/data', p));
const PCR = {
  pcr0: 'f4d48b81a460c9916d1e685119074bf24660afd3e34fae9fca0a0d28d9d5599936332687e6f66fc890ac8cf150142d8b',
  pcr1: 'bcdf05fefccaa8e55bf2c8d6dee9e79bbff31e34bf28a99aa19e6b29c37ee80b214a414b7607236edf26fcb78654e63f',
  pcr2: 'd8f114da658de5481f8d9ec73907feb553560787522f705c92d7d96beed8e15e2aa611984e098c576832c292e8dc469a',
};

test('Nitro document (dev clock inside its window): passport with pcr0-pcr2', async () => {
  const d = await startDaemon({ TEEPASS_DEV_FIXED_TIME: '2022-10-13T09:30:00Z' });
  try {
    const doc = data('nitro/evervault_beta_prod_20221013/attestation_doc.cbor');
    const r = await post(d, '/api/verify/tee-attestation', {
      attestation: doc.toString('base64'), expected: { runtime: PCR },
    });
    assert.equal(r.json.valid, true, r.text);
    assert.equal(r.json.provider, 'AwsNitro');
    assert.equal(r.json.fresh, true, 'signed timestamp 32 minutes before the clock');
    assert.equal(r.json.measurements_valid, true);
    const p = await get(d, `/api/passports/${r.json.passport.id}`);
    const cpu0 = p.json.claims.submods.cpu0;
    for (const [k, v] of Object.entries(PCR)) assert.equal(cpu0['ear.teepass.annotated-evidence'][k], v);
    assert.equal(cpu0.hardware_verified, true);
    await assertEarPassport(d, r.json.passport.token);
    // The passport cannot outlive the leaf certificate (~3 h).
    assert.ok(Date.parse(p.json.expires_at) <= Date.parse('2022-10-13T11:58:03Z'));

    // The debug-mode document is refused by the default policy.
    const dbg = await post(d, '/api/verify/tee-attestation', {
      attestation: data('nitro/evervault_ga_debug_20230918/attestation_doc.cbor').toString('base64'),
    });
    assert.equal(dbg.json.valid, false);
    assert.ok(dbg.json.errors.some((e) => e.code === 'certificate_expired'), 'its own window is 2023');
  } finally {
    await stopDaemon(d);
  }
  // Today: expired certificates, and far too old.
  const today = await startDaemon();
  try {
    const r = await post(today, '/api/verify/tee-attestation', {
      attestation: data('nitro/evervault_beta_prod_20221013/attestation_doc.cbor').toString('hex'),
    });
    assert.equal(r.json.valid, false);
    assert.equal(r.json.errors[0].code, 'certificate_expired');
  } finally {
    await stopDaemon(today);
  }
});

test('Arm PSA token with its provisioned IAK, and Arm CCA token with its CPAK', async () => {
  const d = await startDaemon();
  try {
    const psa = await post(d, '/api/verify/tee-attestation', {
      attestation: data('psa/tfm_psa_2_0_0/token.cbor').toString('base64'),
      collateral: { iak: data('psa/tfm_psa_2_0_0/iak_pub.pem').toString() },
    });
        assert.equal(psa.json.valid, true, psa.text);
    assert.equal(psa.json.provider, 'ArmPsa');
    // A key sent by the requester vouches for nothing: no hardware claim.
    assert.equal(psa.json.hardware_verified, false);
    assert.equal(psa.json.status, 'warning');
    const cca = await post(d, '/api/verify/tee-attestation', {
      attestation: data('cca/tfrmm_legacy_ccassd/token.cbor').toString('base64'),
      collateral: { cpak: data('cca/tfrmm_legacy_ccassd/cpak_pub.pem').toString() },
    });
    assert.equal(cca.json.valid, true, cca.text);
    assert.equal(cca.json.provider, 'ArmCca');
    await assertEarPassport(d, psa.json.passport.token);
    await assertEarPassport(d, cca.json.passport.token);
    // Without the provisioned key: refused, never passed.
    const nokey = await post(d, '/api/verify/tee-attestation', {
      attestation: data('psa/tfm_psa_2_0_0/token.cbor').toString('base64'),
    });
    assert.equal(nokey.json.valid, false);
    assert.ok(nokey.json.errors.some((e) => e.code === 'psa_key_missing'), nokey.text);
  } finally {
    await stopDaemon(d);
  }
});

test('Arm PSA with the IAK provisioned by the operator (collateral_dir): hardware-verified', async () => {
  const d = await startDaemon({ TEEPASS_COLLATERAL_DIR: join(ROOT, 'tests/data/psa/tfm_psa_2_0_0') });
  try {
    const r = await post(d, '/api/verify/tee-attestation', {
      attestation: data('psa/tfm_psa_2_0_0/token.cbor').toString('base64'),
    });
    assert.equal(r.json.valid, true, r.text);
    assert.equal(r.json.hardware_verified, true);
    assert.equal(r.json.status, 'affirming');
    assert.equal(r.json.claims.attestation_key_source, 'collateral_path/iak_pub.pem');
    // The same token was judged earlier on the requester's own IAK (a
    // warning): judged now on the operator's, it gets a passport of its
    // own, never the earlier one.
    const c = await assertEarPassport(d, r.json.passport.token);
    assert.equal(c.submods.cpu0['ear.status'], 'affirming');
  } finally {
    await stopDaemon(d);
  }
});

// Issue 18: PSA / CCA keys as JWK and JWKS (Veraison, Trustee), converted
// from the vectors' PEM keys by Node's crypto at test time.
test('Arm PSA / CCA keys as JWK and JWKS (request and operator directory)', async () => {
  const { createPublicKey, generateKeyPairSync } = await import('node:crypto');
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const jwkOf = (p) => createPublicKey(data(p)).export({ format: 'jwk' });
  const iak = jwkOf('psa/tfm_psa_2_0_0/iak_pub.pem');
  const cpak = jwkOf('cca/tfrmm_legacy_ccassd/cpak_pub.pem');
  const other = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
  // The CCA platform instance id (vectors/cca/MANIFEST.md).
  const ccaInstance = '0107060504030201000f0e0d0c0b0a090817161514131211101f1e1d1c1b1a1918';
  const dir = mkdtempSync(join(tmpdir(), 'tp-armjwk-'));
  writeFileSync(join(dir, 'iak_pub.jwk'), JSON.stringify(iak));
  const d = await startDaemon({ TEEPASS_COLLATERAL_DIR: dir });
  try {
    const psaToken = data('psa/tfm_psa_2_0_0/token.cbor').toString('base64');
    const ccaToken = data('cca/tfrmm_legacy_ccassd/token.cbor').toString('base64');
    const psa = await post(d, '/api/verify/tee-attestation', {
      attestation: psaToken, collateral: { iak },
    });
    assert.equal(psa.json.valid, true, psa.text);
    assert.equal(psa.json.hardware_verified, false);
    assert.equal(psa.json.claims.attestation_key_source, 'collateral.iak');
    const cca = await post(d, '/api/verify/tee-attestation', {
      attestation: ccaToken,
      collateral: { cpak: { keys: [{ ...other, kid: 'x' }, { ...cpak, kid: ccaInstance }] } },
    });
    assert.equal(cca.json.valid, true, cca.text);
    assert.equal(cca.json.provider, 'ArmCca');
    const unknown = await post(d, '/api/verify/tee-attestation', {
      attestation: ccaToken,
      collateral: { cpak: { keys: [{ ...other, kid: 'x' }, { ...cpak, kid: 'y' }] } },
    });
    assert.equal(unknown.json.valid, false);
    assert.deepEqual(unknown.json.errors.map((e) => e.code), ['arm_jwk_kid_unknown'], unknown.text);
    const priv = await post(d, '/api/verify/tee-attestation', {
      attestation: psaToken, collateral: { iak: { ...iak, d: 'AAAA' } },
    });
    assert.deepEqual(priv.json.errors.map((e) => e.code), ['arm_jwk_invalid'], priv.text);
    // The operator's iak_pub.jwk: provisioned, hardware-verified.
    const op = await post(d, '/api/verify/tee-attestation', { attestation: psaToken });
    assert.equal(op.json.valid, true, op.text);
    assert.equal(op.json.hardware_verified, true);
    assert.equal(op.json.claims.attestation_key_source, 'collateral_path/iak_pub.jwk');
  } finally {
    await stopDaemon(d);
    rmSync(dir, { recursive: true, force: true });
  }
});
