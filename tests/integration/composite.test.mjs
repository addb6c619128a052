// Composite evidence: CPU evidence plus devices, each bound to the CPU's
// runtime data; one passport with EAR submodules. The real H100 case is
// in gpu.test.mjs; here the devices are Mock evidence.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, stopDaemon, post, get, teepass, tmp, sha256 } from './lib.mjs';
import { assertEarPassport } from './ear.mjs';

let d;
before(async () => { d = await startDaemon(); });
after(async () => { await stopDaemon(d); });

function evidenceFor(rdPath, extra = []) {
  return teepass(['mock-evidence', '--runtime-data', rdPath, ...extra]).trim();
}

test('CPU + device bound to the same runtime data: one passport with submods', async () => {
  const rd = join(tmp, 'composite-rd.json');
  const cpu = teepass(['mock-evidence', '--model', sha256('composite'), '--runtime-data', rd]).trim();
  const dev = evidenceFor(rd, ['--mr0', 'ee'.repeat(48)]);
  const runtime_data = readFileSync(rd).toString('base64');
  const r = await post(d, '/api/verify/tee-attestation', {
    attestation: cpu, runtime_data, devices: [{ provider: 'Mock', attestation: dev }],
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.valid, true, r.text);
  assert.equal(r.json.submods.dev0.valid, true);
  assert.equal(r.json.submods.dev0.binding_valid, true);
  assert.ok(r.json.checks.some((c) => c.check === 'device_dev0' && c.ok));
  const p = await get(d, `/api/passports/${r.json.passport.id}`);
  const sm = p.json.claims.submods;
  assert.deepEqual(Object.keys(sm).sort(), ['cpu0', 'dev0']);
  assert.equal(sm.dev0.provider, 'Mock');
  assert.equal(sm.dev0['ear.teepass.annotated-evidence'].mr0, 'ee'.repeat(48));
  assert.equal(sm.cpu0.provider, 'Mock');
  await assertEarPassport(d, r.json.passport.token, { development: true });
});

test('a device not bound to the CPU runtime data makes the whole verdict invalid', async () => {
  const rd = join(tmp, 'composite-rd2.json');
  const cpu = teepass(['mock-evidence', '--model', sha256('composite 2'), '--runtime-data', rd]).trim();
  const other = join(tmp, 'composite-other.json');
  const dev = teepass(['mock-evidence', '--model', sha256('another vm'), '--runtime-data', other]).trim();
  const r = await post(d, '/api/verify/tee-attestation', {
    attestation: cpu, runtime_data: readFileSync(rd).toString('base64'),
    devices: [{ provider: 'Mock', attestation: dev }],
  });
  assert.equal(r.json.valid, false);
  assert.equal(r.json.passport, undefined);
  assert.deepEqual(r.json.errors.map((e) => e.code), ['device_invalid']);
    assert.deepEqual(r.json.submods.dev0.errors.map((e) => e.code), ['device_not_bound']);
  assert.equal(r.json.submods.dev0.binding_valid, false);

  // A tampered device: invalid too.
  const bytes = Buffer.from(evidenceFor(rd), 'hex');
  bytes[60] ^= 1;
  const r2 = await post(d, '/api/verify/tee-attestation', {
    attestation: cpu, runtime_data: readFileSync(rd).toString('base64'),
    devices: [{ provider: 'Mock', attestation: bytes.toString('hex') }],
  });
  assert.equal(r2.json.valid, false);
  assert.deepEqual(r2.json.submods.dev0.errors.map((e) => e.code), ['mock_signature_invalid']);
});

test('composite requests: malformed devices are 400', async () => {
  const rd = join(tmp, 'composite-rd3.json');
  const cpu = teepass(['mock-evidence', '--model', sha256('c3'), '--runtime-data', rd]).trim();
  const runtime_data = readFileSync(rd).toString('base64');
  let r = await post(d, '/api/verify/tee-attestation', { attestation: cpu, devices: [{ provider: 'Mock', attestation: cpu }] });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'runtime_data');
  r = await post(d, '/api/verify/tee-attestation', { attestation: cpu, runtime_data, devices: [{ provider: 'Mock' }] });
  assert.equal(r.json.error.code, 'missing_field');
  r = await post(d, '/api/verify/tee-attestation', { attestation: cpu, runtime_data, devices: [{ provider: 'Mock', attestation: cpu, extra: 1 }] });
  assert.equal(r.json.error.code, 'unknown_field');
  r = await post(d, '/api/verify/tee-attestation', { attestation: cpu, runtime_data, devices: Array(9).fill({ provider: 'Mock', attestation: cpu }) });
  assert.equal(r.json.error.code, 'invalid_field');
  r = await post(d, '/api/verify/tee-attestation', { attestation: cpu, runtime_data, devices: ['x'] });
  assert.equal(r.json.error.code, 'invalid_field');
});
