// A real AMD SEV-SNP report over HTTP: verdict, hardware passport, and the
// passport checked by jose against the published JWKS. Samples and
// expected values: tests/data/snp/PROVENANCE.md (from the vectors'
// MANIFEST, written by an independent collector).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as jose from 'jose';
import { startDaemon, stopDaemon, post, get, psql, ROOT } from './lib.mjs';
import { assertEarPassport } from './ear.mjs';

const DATA = join(ROOT, 'tests/data/snp');
let d;
before(async () => { d = await startDaemon(); });
after(async () => { await stopDaemon(d); });

test('SNP Milan report + VCEK: valid, passport with measurement, host_data and TCB', async () => {
  const report = readFileSync(join(DATA, 'virtee_milan_v2/report.bin'));
  const vcek = readFileSync(join(DATA, 'virtee_milan_v2/vcek.der'));
  const r = await post(d, '/api/verify/tee-attestation', {
    attestation: report.toString('base64'),
    collateral: { vcek: vcek.toString('base64') },
    expected: { runtime: { measurement: '7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f' } },
  });
  assert.equal(r.status, 200, r.text);
  const v = r.json;
  assert.equal(v.valid, true, JSON.stringify(v.errors));
  assert.equal(v.provider, 'AmdSevSnp');
  assert.equal(v.hardware_verified, true);
  assert.equal(v.certificate_chain_valid, true);
  assert.equal(v.signature_valid, true);
  assert.equal(v.measurements_valid, true);
  assert.equal(v.claims.host_data, '00'.repeat(32));
  assert.equal(v.claims.reported_tcb.bl ?? v.claims.reported_tcb.bootloader, 3);
  assert.ok(v.passport, 'a passport');

  const p = await get(d, `/api/passports/${v.passport.id}`);
  assert.equal(p.json.provider, 'AmdSevSnp');
  assert.equal(p.json.hardware_verified, true);
  assert.equal(p.json.tee_type, 'AmdSevSnp', 'deprecated alias');
  assert.equal(p.json.hardware_attested, true, 'deprecated alias');
  const ev = p.json.claims.submods.cpu0['ear.teepass.annotated-evidence'];
  assert.equal(ev.measurement, v.claims.measurement);
  assert.ok(ev.host_data);
  assert.ok(ev.reported_tcb);
  assert.equal(psql(`select hardware_attested from passports where id = '${v.passport.id}'`), 't');

  // A relying party: the JWKS alone verifies a hardware passport.
  const jwks = jose.createLocalJWKSet((await get(d, '/.well-known/jwks.json')).json);
  const { payload } = await jose.jwtVerify(v.passport.token, jwks, { algorithms: ['ES256'] });
  const cpu0 = payload.submods.cpu0;
  assert.equal(cpu0.provider, 'AmdSevSnp');
  assert.equal(cpu0.hardware_verified, true);
  assert.equal(cpu0['ear.status'], v.status);
  assert.equal(cpu0['ear.teepass.annotated-evidence'].measurement, v.claims.measurement);
  assert.ok(cpu0.collateral_sha256 && Object.keys(cpu0.collateral_sha256).length > 0);
  await assertEarPassport(d, v.passport.token);
});

test('SNP: a flipped signed byte is refused over HTTP with no passport', async () => {
  const report = Buffer.from(readFileSync(join(DATA, 'virtee_milan_v2/report.bin')));
  report[0x90] ^= 1; // inside MEASUREMENT
  const vcek = readFileSync(join(DATA, 'virtee_milan_v2/vcek.der'));
  const r = await post(d, '/api/verify/tee-attestation', {
    attestation: report.toString('hex'), provider: 'sev-snp',
    collateral: { vcek: vcek.toString('base64') },
  });
  assert.equal(r.json.valid, false);
  assert.ok(r.json.errors.some((e) => e.code === 'snp_signature_invalid'), r.text);
  assert.equal(r.json.passport, undefined);
});

test('SNP debug guest: refused by the default policy', async () => {
  const report = readFileSync(join(DATA, 'gosev_milan_v2/report.bin'));
  const vcek = readFileSync(join(DATA, 'gosev_milan_v2/vcek.der'));
  const r = await post(d, '/api/verify/tee-attestation', {
    attestation: report.toString('base64'), collateral: { vcek: vcek.toString('base64') },
  });
  assert.equal(r.json.valid, false);
  assert.deepEqual(r.json.errors.map((e) => e.code), ['debug_not_allowed']);
});

// Issue 18: a Tinfoil attestation bundle (JSON: gzip-compressed report and
// its VCEK) as evidence, detected from its bytes. Expected values:
// ../shared/peer-samples/tinfoil-js/MANIFEST.md (tests/data/snp/PROVENANCE.md).
test('Tinfoil attestation bundle: detected, verified with its own VCEK; a gzip bomb refused', async () => {
  const { gzipSync } = await import('node:zlib');
  const text = readFileSync(join(DATA, 'tinfoil_js_genoa_v3/attestation-bundle.json'));
  const r = await post(d, '/api/verify/tee-attestation', { attestation: text.toString('base64') });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.valid, true, r.text);
  assert.equal(r.json.provider, 'AmdSevSnp');
  assert.equal(r.json.hardware_verified, true);
  assert.equal(r.json.claims.measurement,
    '09ef32acf90fcfeb6206d1a46c13145cef736ebbb83f18eaff680b686232031546ff5fd39c44599699ee8734cbbeb519');
  assert.equal(r.json.claims.report_data.slice(0, 64),
    '71c31f35d2b06077bbae7c1ddf0cc4020408c8f39c68b04cf3d029d40bdd45e7');
  const bundle = JSON.parse(text);
  bundle.enclaveAttestationReport.body = gzipSync(Buffer.alloc(8 * 1024 * 1024)).toString('base64');
  const bomb = await post(d, '/api/verify/tee-attestation', {
    attestation: Buffer.from(JSON.stringify(bundle)).toString('base64'),
  });
  assert.equal(bomb.status, 200, bomb.text);
  assert.equal(bomb.json.valid, false);
  assert.equal(bomb.json.provider, 'AmdSevSnp');
  assert.deepEqual(bomb.json.errors.map((e) => e.code), ['snp_bundle_too_large'], bomb.text);
  assert.equal(bomb.json.passport ?? null, null);
});
