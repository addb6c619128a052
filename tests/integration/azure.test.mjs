// Azure SEV-SNP confidential VM evidence over HTTP: trustee's az-snp-vtpm
// v2 sample (tests/data/azure/trustee_az_snp_vtpm_v2, MANIFEST: VCEK valid
// 2025-01-28..2032-01-28, verified at 2026-01-01T00:00:00Z): the HCL
// report's SNP report to the pinned ARK, its REPORT_DATA binding the vTPM
// key, the vTPM quote by that key — one passport.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, stopDaemon, post, get, ROOT } from './lib.mjs';
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
