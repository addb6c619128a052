// Azure SEV-SNP confidential VM evidence over HTTP: trustee's az-snp-vtpm
// v2 sample (tests/data/azure/trustee_az_snp_vtpm_v2, MANIFEST: VCEK valid
// 2025-01-28..2032-01-28, verified at 2026-01-01T00:00:00Z): the HCL
// report's SNP report to the pinned ARK, its REPORT_DATA binding the vTPM
// key, the vTPM quote by that key — one passport.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, stopDaemon, post, get, psql, bearer, createAdminKey, sha256, ROOT } from './lib.mjs';
import { randomBytes } from 'node:crypto';
import { startFakeVendor } from './fake_vendor.mjs';
import { assertEarPassport } from './ear.mjs';

const DIR = join(ROOT, 'tests/data/azure/trustee_az_snp_vtpm_v2');
const evidence = readFileSync(join(DIR, 'evidence.json'));

test('AzureSnpVtpm: detected, hardware-verified, one passport; a changed HCL byte is refused', async () => {
  const d = await startDaemon({ TEEPASS_DEV_FIXED_TIME: '2026-01-01T00:00:00Z' });
  try {
    const r = await post(d, '/api/verify/tee-attestation', { attestation: evidence.toString('base64') });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.provider, 'AzureSnpVtpm');
    assert.equal(r.json.valid, true, JSON.stringify(r.json.errors));
    assert.equal(r.json.hardware_verified, true);
    assert.equal(Object.keys(r.json.claims.pcrs.sha256).length, 24);
    const p = await get(d, `/api/passports/${r.json.passport.id}`);
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.provider, 'AzureSnpVtpm');
    assert.equal(p.json.tee_type, 'AzureSnpVtpm', 'deprecated alias');
    await assertEarPassport(d, r.json.passport.token);
    // One digit of the variable data's user-data (what REPORT_DATA
    // binds) changed to another digit, the encoding kept as it came.
    const doc = JSON.parse(evidence);
    const hcl = Buffer.from(doc.hcl_report, 'base64');
    const at = hcl.indexOf('"user-data":"') + 13;
    assert.ok(at > 13);
    hcl[at] = hcl[at] === 0x30 ? 0x31 : 0x30;
    const u = hcl.toString('base64url');
    doc.hcl_report = u + '='.repeat((4 - (u.length % 4)) % 4);
    const bad = await post(d, '/api/verify/tee-attestation', { attestation: Buffer.from(JSON.stringify(doc)).toString('base64') });
    assert.equal(bad.json.valid, false);
    assert.deepEqual(bad.json.errors.map((e) => e.code), ['azure_hcl_binding_mismatch']);
    assert.equal(bad.json.passport, undefined);
  } finally { await stopDaemon(d); }
});

// The SNP report inside the HCL report is checked as AmdSevSnp checks it,
// revocation included: with KDS reachable, the daemon asks for the AMD
// chain and CRL of the product whose ASK issued the bundle's VCEK (the
// fake KDS serves the real chain and, as no real AMD CRL exists offline,
// 404 for the CRL: revocation is then recorded as unchecked, never as
// passed). A CRL sent in the request's collateral is used, and one that
// is not AMD's is refused.
test('AzureSnpVtpm: the AMD chain and CRL of its VCEK\'s product are fetched, cached and used', async () => {
  const fake = await startFakeVendor(ROOT);
  psql('DELETE FROM collateral_artifacts');
  const d = await startDaemon({ TEEPASS_DEV_FIXED_TIME: '2026-01-01T00:00:00Z', TEEPASS_COLLATERAL_TIMEOUT_MS: '1500', ...fake.env() });
  try {
    const r = await post(d, '/api/verify/tee-attestation', { attestation: evidence.toString('base64') });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.valid, true, JSON.stringify(r.json.errors));
    assert.equal(r.json.hardware_verified, true);
    const asked = Object.keys(fake.state.counts).sort();
    assert.deepEqual(asked, ['/vcek/v1/Milan/cert_chain', '/vcek/v1/Milan/crl'], JSON.stringify(fake.state.counts));
    assert.equal(r.json.claims.amd_crl, 'unchecked');
    const kinds = psql("SELECT kind || '/' || key FROM collateral_artifacts ORDER BY 1").split('\n').filter(Boolean);
    assert.deepEqual(kinds, ['amd_cert_chain/Milan']);
    // A CRL in the request that is not signed by ARK-Milan.
    const bad = await post(d, '/api/verify/tee-attestation', {
      attestation: evidence.toString('base64'),
      collateral: { crl: Buffer.from('not a CRL').toString('base64') },
    });
    assert.equal(bad.status, 200, bad.text);
    assert.equal(bad.json.valid, false);
    assert.ok(bad.json.errors.some((e) => e.code === 'collateral_invalid'), JSON.stringify(bad.json.errors));
  } finally {
    await stopDaemon(d);
    await fake.close();
    psql('DELETE FROM collateral_artifacts');
  }
});

// The registry takes an Azure CVM as an endpoint's tee_type
// (AzureSnpVtpm or its alias) with reference values of its SNP
// measurement and a quoted PCR. An endpoint's model must be bound by the
// evidence (runtime_data in the quote's extraData); the public sample
// binds data nobody published, so its registration is refused for that
// alone — every other check, reference values included, passes.
test('AzureSnpVtpm endpoints: tee_type accepted, measurement and PCR reference values appraised', async () => {
  const d = await startDaemon({ TEEPASS_DEV_FIXED_TIME: '2026-01-01T00:00:00Z' });
  try {
    const admin = createAdminKey('azure endpoint tests');
    const pr = await post(d, '/api/providers', { name: `Azure CVM ${randomBytes(4).toString('hex')}` }, bearer(admin));
    assert.equal(pr.status, 201, pr.text);
    const key = pr.json.api_key.token;
    // MANIFEST (trustee_az_snp_vtpm_v2): SNP MEASUREMENT and PCR 0.
    const measurement = '5b0ce64ad1c1f6375dbda5f760b98526ca1bcf91b8195091afc28e7b024251d68fe32e05af34048d6607678cd23283ff';
    const pcr0 = '84275b2f4312cd4fc6cbe6b152ad3c3683e513d9f1e23c34fca160c8cca7a6a7';
    const body = (tee_type, p0 = pcr0) => ({
      url: `https://${randomBytes(6).toString('hex')}.example/v1`,
      model: { name: 'llama-3-70b', digest: sha256('azure model') }, tee_type,
      reference_values: { runtime: { measurement }, pcrs: { sha256: { pcr0: p0 } } },
      attestation: evidence.toString('base64'),
    });
    const codesOf = (r) => (r.json.verdict?.errors || []).map((e) => e.code);
    for (const t of ['AzureSnpVtpm', 'az-snp-vtpm']) {
      const r = await post(d, '/api/endpoints', body(t), bearer(key));
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json.verdict.provider, 'AzureSnpVtpm');
      assert.deepEqual(codesOf(r), ['runtime_data_missing'], r.text);
      assert.ok(r.json.verdict.checks.some((c) => c.check === 'expected_pcrs' && c.ok));
      assert.ok(r.json.verdict.checks.some((c) => c.check === 'expected_runtime' && c.ok));
    }
    const other = pcr0.slice(0, 63) + (pcr0[63] === '0' ? '1' : '0');
    const bad = await post(d, '/api/endpoints', body('AzureSnpVtpm', other), bearer(key));
    assert.equal(bad.status, 422, bad.text);
    assert.ok(codesOf(bad).includes('measurement_mismatch'), bad.text);
    const wrong = await post(d, '/api/endpoints', body('GcpVtpm'), bearer(key));
    assert.notEqual(wrong.status, 201, wrong.text);
    assert.ok(JSON.stringify(wrong.json).includes('provider_mismatch'), wrong.text);
  } finally { await stopDaemon(d); }
});
