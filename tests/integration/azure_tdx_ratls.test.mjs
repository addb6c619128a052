// AzureTdxVtpm and RaTls evidence over HTTP, with the shipped samples and
// the Intel collateral shipped beside them, sent in the request
// (PROVENANCE.md of each folder: what they must conclude, and when):
//  - tests/data/azure/trustee_az_tdx_vtpm_v1 at 2025-03-01T00:00:00Z: TD
//    quote, TD report, vTPM quote all verify; the platform is OutOfDate
//    and the TD lacks SEPT_VE_DISABLE, so the default policy refuses it;
//  - tests/data/ratls/gramine_cert.pem at 2025-08-20T00:00:00Z: the SGX
//    quote in the certificate binds its key; a debug enclave on an
//    OutOfDate platform, refused by the default policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, stopDaemon, post, get, psql, bearer, createAdminKey, sha256, ROOT } from './lib.mjs';
import { randomBytes } from 'node:crypto';

const TDX = join(ROOT, 'tests/data/azure/trustee_az_tdx_vtpm_v1');
const RATLS = join(ROOT, 'tests/data/ratls');

// A collateral directory in the request's flat shape (load/intel.c).
function collateral(dir) {
  const t = (f) => readFileSync(join(dir, f), 'utf8');
  const hex = (f) => readFileSync(join(dir, f)).toString('hex');
  return {
    tcb_info: t('tcb_info.json'),
    tcb_info_issuer_chain: t('tcb_info_issuer_chain.pem'),
    qe_identity: t('qe_identity.json'),
    qe_identity_issuer_chain: t('qe_identity_issuer_chain.pem'),
    pck_crl: hex('pck_crl.der'),
    pck_crl_issuer_chain: t('pck_crl_issuer_chain.pem'),
    root_ca_crl: hex('root_ca_crl.der'),
  };
}

const codes = (r) => r.json.errors.map((e) => e.code).sort();

test('AzureTdxVtpm: the default policy refuses what the collateral says; with the overrides one passport; a changed byte is refused', async () => {
  const evidence = readFileSync(join(TDX, 'evidence.json'));
  const body = { attestation: evidence.toString('base64'), collateral: collateral(join(TDX, 'collateral')) };
  let d = await startDaemon({ TEEPASS_DEV_FIXED_TIME: '2025-03-01T00:00:00Z' });
  try {
    const r = await post(d, '/api/verify/tee-attestation', body);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.provider, 'AzureTdxVtpm');
    assert.equal(r.json.valid, false);
    assert.deepEqual(codes(r), ['tcb_out_of_date', 'tdx_sept_ve_disable_required']);
    assert.equal(r.json.signature_valid, true);
    assert.equal(r.json.tcb_status, 'OutOfDate');
    assert.equal(r.json.passport, undefined);
  } finally { await stopDaemon(d); }

  d = await startDaemon({
    TEEPASS_DEV_FIXED_TIME: '2025-03-01T00:00:00Z',
    'TEEPASS_DCAP.ALLOW_OUT_OF_DATE': '1',
    'TEEPASS_DCAP.REQUIRE_SEPT_VE_DISABLE': '0',
  });
  try {
    const r = await post(d, '/api/verify/tee-attestation', { ...body, provider: 'az-tdx-vtpm' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.valid, true, JSON.stringify(r.json.errors));
    assert.equal(r.json.provider, 'AzureTdxVtpm');
    assert.equal(r.json.hardware_verified, true);
    assert.equal(r.json.status, 'warning');
    assert.equal(r.json.claims.extra_data, '6368616c6c656e6765', 'the origin test\'s "challenge"');
    assert.equal(r.json.claims.fmspc, '00806f050000');
    assert.ok(r.json.checks.some((c) => c.check === 'td_report_match' && c.ok));
    const p = await get(d, `/api/passports/${r.json.passport.id}`);
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.provider, 'AzureTdxVtpm');

    // One byte of the variable data (what REPORTDATA binds) changed.
    const doc = JSON.parse(evidence);
    const hcl = Buffer.from(doc.hcl_report, 'base64url');
    const at = hcl.indexOf('"vmUniqueId":"') + 14;
    assert.ok(at > 14);
    hcl[at] = hcl[at] === 0x41 ? 0x42 : 0x41;
    doc.hcl_report = hcl.toString('base64url');
    const bad = await post(d, '/api/verify/tee-attestation', { ...body, attestation: Buffer.from(JSON.stringify(doc)).toString('base64') });
    assert.equal(bad.status, 200, bad.text);
    assert.equal(bad.json.valid, false);
    assert.deepEqual(codes(bad), ['azure_hcl_binding_mismatch']);
    assert.equal(bad.json.passport, undefined);
  } finally { await stopDaemon(d); }
});

test('RaTls: the Gramine certificate, PEM and DER; the default policy\'s verdict; an expired certificate refused', async () => {
  const pem = readFileSync(join(RATLS, 'gramine_cert.pem'));
  const coll = collateral(join(RATLS, 'collateral_sgx_00606a000000_2025-08'));
  let d = await startDaemon({ TEEPASS_DEV_FIXED_TIME: '2025-08-20T00:00:00Z' });
  try {
    const r = await post(d, '/api/verify/tee-attestation', { attestation: pem.toString('base64'), collateral: coll });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.provider, 'RaTls');
    assert.equal(r.json.valid, false);
    assert.deepEqual(codes(r), ['debug_not_allowed', 'tcb_out_of_date']);
    assert.equal(r.json.passport, undefined);
  } finally { await stopDaemon(d); }

  d = await startDaemon({
    TEEPASS_DEV_FIXED_TIME: '2025-08-20T00:00:00Z',
    TEEPASS_ALLOW_DEBUG: '1',
    'TEEPASS_DCAP.ALLOW_OUT_OF_DATE': '1',
  });
  try {
    const r = await post(d, '/api/verify/tee-attestation', { attestation: pem.toString('base64'), collateral: coll, provider: 'RaTls' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.valid, true, JSON.stringify(r.json.errors));
    assert.equal(r.json.hardware_verified, true);
    assert.equal(r.json.claims.tls_public_key_sha256, '5a5a5b2d177433048e9d62409d1acc4ec526c06e294d09e69a36cff9369e4851');
    assert.equal(r.json.claims.ratls_format, 'interoperable');
    const p = await get(d, `/api/passports/${r.json.passport.id}`);
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.provider, 'RaTls');

    // The same certificate as DER, hex-encoded, detected.
    const b64 = pem.toString('utf8').replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
    const der = Buffer.from(b64, 'base64');
    const r2 = await post(d, '/api/verify/tee-attestation', { attestation: der.toString('hex'), collateral: coll });
    assert.equal(r2.json.provider, 'RaTls');
    assert.equal(r2.json.valid, true, JSON.stringify(r2.json.errors));

    // One byte of the certificate's signed part changed.
    der[der.length - 80] ^= 0x01;
    const r3 = await post(d, '/api/verify/tee-attestation', { attestation: der.toString('hex'), collateral: coll, provider: 'RaTls' });
    assert.equal(r3.json.valid, false);
    assert.equal(r3.json.passport, undefined);

    const old = readFileSync(join(RATLS, 'rats_tls_cert.pem'));
    const r4 = await post(d, '/api/verify/tee-attestation', { attestation: old.toString('base64'), collateral: coll });
    assert.equal(r4.json.valid, false);
    assert.ok(codes(r4).includes('ratls_cert_expired'), JSON.stringify(r4.json.errors));
  } finally { await stopDaemon(d); }
});

// Without collateral in the request the daemon asks the collateral
// service for the quote's FMSPC, as for IntelTdx / IntelSgx: offline with
// an empty cache it cannot decide, and says which artifact it lacks.
test('AzureTdxVtpm and RaTls without collateral, offline: 503 naming the FMSPC\'s TCB Info, never passed', async () => {
  psql('DELETE FROM collateral_artifacts');
  const off = await startDaemon({ TEEPASS_DEV_FIXED_TIME: '2025-03-01T00:00:00Z', TEEPASS_OFFLINE: '1' });
  try {
    const a = await post(off, '/api/verify/tee-attestation', {
      attestation: readFileSync(join(TDX, 'evidence.json')).toString('base64'),
    });
    assert.equal(a.status, 503, a.text);
    assert.equal(a.json.error.code, 'collateral_offline_missing');
    assert.equal(a.json.error.artifact, 'intel_tcb_info/tdx/00806f050000');
    assert.equal(a.json.passport, undefined);
    const r = await post(off, '/api/verify/tee-attestation', {
      attestation: readFileSync(join(RATLS, 'gramine_cert.pem')).toString('base64'),
    });
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json.error.code, 'collateral_offline_missing');
    assert.equal(r.json.error.artifact, 'intel_tcb_info/sgx/00606a000000');
  } finally { await stopDaemon(off); }
});

// The registry takes both as an endpoint's provider, with reference
// values: for AzureTdxVtpm the TD's MRTD (read here from the TD quote's
// bytes, TD report body offset 136) and the quoted PCR 0 (the evidence's
// own pcrs[0]); for RaTls the certificate key's hash (PROVENANCE). An
// endpoint's model must be bound by runtime_data, which these public
// samples cannot bind: registration is refused for that alone, every
// other check, reference values included, passing.
test('AzureTdxVtpm and RaTls endpoints: provider accepted, reference values appraised', async () => {
  const d = await startDaemon({
    TEEPASS_DEV_FIXED_TIME: '2025-03-01T00:00:00Z',
    TEEPASS_ALLOW_DEBUG: '1',
    'TEEPASS_DCAP.ALLOW_OUT_OF_DATE': '1',
    'TEEPASS_DCAP.REQUIRE_SEPT_VE_DISABLE': '0',
  });
  try {
    const admin = createAdminKey('azure tdx / ratls endpoint tests');
    const pr = await post(d, '/api/providers', { name: `TDX CVM ${randomBytes(4).toString('hex')}` }, bearer(admin));
    assert.equal(pr.status, 201, pr.text);
    const key = pr.json.api_key.token;
    const evidence = readFileSync(join(TDX, 'evidence.json'));
    const doc = JSON.parse(evidence);
    const tdq = Buffer.from(doc.td_quote, 'base64url');
    const mrtd = tdq.subarray(48 + 136, 48 + 184).toString('hex');
    const pcr0 = doc.tpm_quote.pcrs[0].toLowerCase();
    const body = (provider, runtime, extra = {}) => ({
      url: `https://${randomBytes(6).toString('hex')}.example/v1`,
      model: { name: 'llama-3-70b', digest: sha256('tdx model') }, provider,
      reference_values: { runtime, ...extra },
      attestation: evidence.toString('base64'),
      collateral: collateral(join(TDX, 'collateral')),
    });
    const codesOf = (r) => (r.json.verdict?.errors || []).map((e) => e.code);
    const r = await post(d, '/api/endpoints', body('AzureTdxVtpm', { mrtd }, { pcrs: { sha256: { pcr0 } } }), bearer(key));
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.verdict.provider, 'AzureTdxVtpm');
    assert.deepEqual(codesOf(r), ['runtime_data_missing'], r.text);
    assert.ok(r.json.verdict.checks.some((c) => c.check === 'expected_runtime' && c.ok));
    assert.ok(r.json.verdict.checks.some((c) => c.check === 'expected_pcrs' && c.ok));
    const other = mrtd.slice(0, 95) + (mrtd[95] === '0' ? '1' : '0');
    const bad = await post(d, '/api/endpoints', body('AzureTdxVtpm', { mrtd: other }), bearer(key));
    assert.equal(bad.status, 422, bad.text);
    assert.ok(codesOf(bad).includes('measurement_mismatch'), bad.text);
  } finally { await stopDaemon(d); }

  const d2 = await startDaemon({
    TEEPASS_DEV_FIXED_TIME: '2025-08-20T00:00:00Z',
    TEEPASS_ALLOW_DEBUG: '1',
    'TEEPASS_DCAP.ALLOW_OUT_OF_DATE': '1',
  });
  try {
    const admin = createAdminKey('ratls endpoint tests');
    const pr = await post(d2, '/api/providers', { name: `RA-TLS ${randomBytes(4).toString('hex')}` }, bearer(admin));
    assert.equal(pr.status, 201, pr.text);
    const key = pr.json.api_key.token;
    const body = (tls) => ({
      url: `https://${randomBytes(6).toString('hex')}.example/v1`,
      model: { name: 'llama-3-70b', digest: sha256('ratls model') }, provider: 'RaTls',
      reference_values: { runtime: { tls_public_key_sha256: tls } },
      attestation: readFileSync(join(RATLS, 'gramine_cert.pem')).toString('base64'),
      collateral: collateral(join(RATLS, 'collateral_sgx_00606a000000_2025-08')),
    });
    const codesOf = (r) => (r.json.verdict?.errors || []).map((e) => e.code);
    const tls = '5a5a5b2d177433048e9d62409d1acc4ec526c06e294d09e69a36cff9369e4851';
    const r = await post(d2, '/api/endpoints', body(tls), bearer(key));
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.verdict.provider, 'RaTls');
    assert.deepEqual(codesOf(r), ['runtime_data_missing'], r.text);
    assert.ok(r.json.verdict.checks.some((c) => c.check === 'expected_runtime' && c.ok));
    const bad = await post(d2, '/api/endpoints', body(tls.replace(/^5/, '6')), bearer(key));
    assert.equal(bad.status, 422, bad.text);
    assert.ok(codesOf(bad).includes('measurement_mismatch'), bad.text);
  } finally { await stopDaemon(d2); }
});
