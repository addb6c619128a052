// NVIDIA H100 evidence over HTTP, alone and in a composite request with
// CPU evidence (Mock here) whose bound runtime data lists the GPU's SPDM
// nonce. Expected values: tests/data/nvidia/PROVENANCE.md (MANIFEST).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, stopDaemon, post, get, teepass, tmp, ROOT, sha256 } from './lib.mjs';
import { assertEarPassport } from './ear.mjs';

const H100 = join(ROOT, 'tests/data/nvidia/nvtrust_sample_h100');
const NONCE = '931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb';
const gpuEvidence = () => readFileSync(join(H100, 'spdm_report.bin')).toString('base64');
const chain = () => readFileSync(join(H100, 'cert_chain.pem'), 'utf8');

let d;
before(async () => { d = await startDaemon(); });
after(async () => { await stopDaemon(d); });

test('H100 SPDM evidence alone: valid, no reference values -> warning', async () => {
  const r = await post(d, '/api/verify/tee-attestation', {
    attestation: gpuEvidence(), provider: 'NvidiaGpu', collateral: { cert_chain: chain() },
  });
  assert.equal(r.json.valid, true, r.text);
  assert.equal(r.json.provider, 'NvidiaGpu');
  assert.equal(r.json.hardware_verified, true);
  assert.equal(r.json.measurements_valid, null);
  assert.equal(r.json.status, 'warning');
  assert.equal(r.json.claims.nonce, NONCE);
  // GPU evidence alone is attester gpu0.
  const c = await assertEarPassport(d, r.json.passport.token);
  assert.deepEqual(Object.keys(c.submods), ['gpu0']);
  assert.equal(c.submods.gpu0['ear.status'], 'warning');
});

test('composite: Mock CPU + real H100 give one passport with cpu0 and gpu0', async () => {
  // The CPU's runtime data commits to the challenge the GPU answered.
  const rd = join(tmp, 'gpu-composite-rd.json');
  writeFileSync(rd, JSON.stringify({ model: sha256('llama'), gpu_nonces: [NONCE] }));
  const cpu = teepass(['mock-evidence', '--runtime-data', rd]).trim();
  const body = {
    attestation: cpu,
    runtime_data: readFileSync(rd).toString('base64'),
    devices: [{ provider: 'NvidiaGpu', attestation: gpuEvidence(), collateral: { cert_chain: chain() } }],
  };
  const r = await post(d, '/api/verify/tee-attestation', body);
  assert.equal(r.json.valid, true, r.text);
  assert.equal(r.json.submods.gpu0.valid, true);
  assert.equal(r.json.submods.gpu0.binding_valid, true);
  assert.equal(r.json.submods.gpu0.provider, 'NvidiaGpu');
  const p = await get(d, `/api/passports/${r.json.passport.id}`);
  const sm = p.json.claims.submods;
  assert.deepEqual(Object.keys(sm).sort(), ['cpu0', 'gpu0']);
  assert.equal(sm.gpu0.provider, 'NvidiaGpu');
  assert.equal(sm.gpu0.hardware_verified, true);
  assert.equal(sm.gpu0['ear.teepass.annotated-evidence'].nonce, NONCE);
  assert.equal(sm.cpu0.provider, 'Mock');
  // A Mock CPU makes it a development passport.
  await assertEarPassport(d, r.json.passport.token, { development: true });

  // The same GPU evidence with a CPU that never committed to its nonce:
  // the GPU is not proven to belong to this VM.
  const rd2 = join(tmp, 'gpu-composite-rd2.json');
  writeFileSync(rd2, JSON.stringify({ model: sha256('llama'), gpu_nonces: ['00'.repeat(32)] }));
  const cpu2 = teepass(['mock-evidence', '--runtime-data', rd2]).trim();
  const r2 = await post(d, '/api/verify/tee-attestation', {
    ...body, attestation: cpu2, runtime_data: readFileSync(rd2).toString('base64'),
  });
  assert.equal(r2.json.valid, false);
  assert.deepEqual(r2.json.errors.map((e) => e.code), ['device_invalid']);
  assert.deepEqual(r2.json.submods.gpu0.errors.map((e) => e.code), ['device_not_bound']);
  assert.equal(r2.json.passport, undefined);
});

// Issue 18: Blackwell (GB100) evidence from NVIDIA's attestation SDK test
// data (tests/data/nvidia/PROVENANCE.md), verified as Hopper's.
test('GB100 (Blackwell) SPDM evidence: valid, FWID from 2.23.133.5.4.1.1', async () => {
  const GB100 = join(ROOT, 'tests/data/nvidia/nvsdk_blackwell_575');
  const ev = readFileSync(join(GB100, 'spdm_report.bin'));
  const bwChain = readFileSync(join(GB100, 'cert_chain.pem'), 'utf8');
  const r = await post(d, '/api/verify/tee-attestation', {
    attestation: ev.toString('base64'), provider: 'NvidiaGpu', collateral: { cert_chain: bwChain },
  });
  assert.equal(r.json.valid, true, r.text);
  assert.equal(r.json.hardware_verified, true);
  assert.equal(r.json.claims.gpu_arch, 'Blackwell');
  assert.equal(r.json.claims.driver_version, '575.32');
  assert.equal(r.json.claims.vbios_version, '97.00.88.00.0F');
  const bad = Buffer.from(ev);
  bad[bad.length - 1] ^= 1;
  const f = await post(d, '/api/verify/tee-attestation', {
    attestation: bad.toString('base64'), provider: 'NvidiaGpu', collateral: { cert_chain: bwChain },
  });
  assert.equal(f.json.valid, false);
  assert.deepEqual(f.json.errors.map((e) => e.code), ['spdm_signature_invalid'], f.text);
});

// Issue 18: 8 GPUs in one composite passport (8 distinct real devices:
// NVIDIA's 4-GPU sample, 3 other H100 and the GB100), and the same GPU
// submitted twice in one request refused.
test('composite: 8 distinct GPUs give one passport; the same GPU twice is refused', async () => {
  const NVD = join(ROOT, 'tests/data/nvidia');
  const multi = JSON.parse(readFileSync(join(NVD, 'nvsdk_multi_gpu_hopper/multi_gpu_hopper.json')));
  const dev = (spdm, pem) => ({ provider: 'NvidiaGpu', attestation: spdm, collateral: { cert_chain: pem } });
  const file = (d, f) => readFileSync(join(NVD, d, f));
  const devices = [
    ...multi.map((o) => dev(o.evidence, Buffer.from(o.certificate, 'base64').toString())),
    ...['nvtrust_sample_h100', 'teep_tinfoil_h100_nras_20260629', 'trustee_coco_h100_trailing_byte', 'nvsdk_blackwell_575']
      .map((d) => dev(file(d, 'spdm_report.bin').toString('base64'), file(d, 'cert_chain.pem').toString())),
  ];
  assert.equal(devices.length, 8);
  // Each GPU's SPDM nonce, from its own verdict, for the CPU to commit to.
  const nonces = [];
  for (const x of devices) {
    const r = await post(d, '/api/verify/tee-attestation', x);
    assert.equal(r.json.valid, true, r.text);
    nonces.push(r.json.claims.nonce);
  }
  const rd = join(tmp, 'gpu-composite-8.json');
  writeFileSync(rd, JSON.stringify({ model: sha256('llama'), gpu_nonces: [...new Set(nonces)] }));
  const cpu = teepass(['mock-evidence', '--runtime-data', rd]).trim();
  const base = { attestation: cpu, runtime_data: readFileSync(rd).toString('base64') };
  const r = await post(d, '/api/verify/tee-attestation', { ...base, devices });
  assert.equal(r.json.valid, true, r.text);
  assert.deepEqual(Object.keys(r.json.submods).sort(),
    ['gpu0', 'gpu1', 'gpu2', 'gpu3', 'gpu4', 'gpu5', 'gpu6', 'gpu7']);
  assert.equal(r.json.submods.gpu7.claims.gpu_arch, 'Blackwell');
  assert.ok(r.json.passport, 'a passport');
  // GPU 0 again as the 8th device: the same device twice, no passport.
  const dup = await post(d, '/api/verify/tee-attestation', { ...base, devices: [...devices.slice(0, 7), devices[0]] });
  assert.equal(dup.json.valid, false);
  assert.deepEqual(dup.json.errors.map((e) => e.code), ['gpu_duplicate_device'], dup.text);
  assert.equal(dup.json.passport, undefined);
});
