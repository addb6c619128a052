// Issue 18, protected PCIe: a composite request with the 8 H100 and 4
// NVSwitch (LS10) evidences of NVIDIA's public PPCIe sample
// (tests/data/nvidia/nvtrust_ppcie_hgx_590, PROVENANCE.md) — one SDK
// evidence list per device entry — is checked for NVIDIA's GPU <-> switch
// topology (verify/nvidia/gpu_topology.h). NVIDIA's PPCIe verifier
// expects this sample to attest, topology included; the refusals leave
// out or swap real devices. The Mock CPU commits to the SPDM nonce the
// devices' own verdicts report.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, stopDaemon, post, teepass, tmp, ROOT, sha256 } from './lib.mjs';

const NOW = '2026-02-01T00:00:00Z'; // inside the device chains' validity
const PP = join(ROOT, 'tests/data/nvidia/nvtrust_ppcie_hgx_590');
const gpus = JSON.parse(readFileSync(join(PP, 'gpu_evidence.json')));
const switches = JSON.parse(readFileSync(join(PP, 'switch_evidence.json')));
const dev = (list) => ({ provider: 'NvidiaGpu', attestation: Buffer.from(JSON.stringify(list)).toString('base64') });
const topo = (r) => r.json.checks.find((c) => c.check === 'gpu_topology');
let d, base;

before(async () => {
  d = await startDaemon({ TEEPASS_DEV_FIXED_TIME: NOW });
  // The devices' SPDM nonces, from their own verdicts.
  const nonces = new Set();
  for (const list of [gpus, switches]) {
    const r = await post(d, '/api/verify/tee-attestation', dev(list));
    assert.equal(r.json.valid, true, r.text);
    for (const g of Object.values(r.json.claims.gpus)) nonces.add(g.nonce);
  }
  const rd = join(tmp, `ppcie-rd-${process.pid}.json`);
  writeFileSync(rd, JSON.stringify({ model: sha256('ppcie'), gpu_nonces: [...nonces] }));
  base = { attestation: teepass(['mock-evidence', '--runtime-data', rd, '--time', NOW]).trim(), runtime_data: readFileSync(rd).toString('base64') };
});
after(async () => { await stopDaemon(d); });

test('8 GPUs and 4 NVSwitches of one HGX machine: the topology holds, one composite passport', async () => {
  const r = await post(d, '/api/verify/tee-attestation', { ...base, devices: [dev(gpus), dev(switches)] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.valid, true, r.text);
  assert.equal(topo(r)?.ok, true, r.text);
  assert.equal(Object.keys(r.json.submods.gpu1.claims.gpus).length, 4);
  assert.ok(Object.values(r.json.submods.gpu1.claims.gpus).every((s) => s.device_kind === 'nvswitch'));
  assert.ok(r.json.passport, 'a passport');
  // GPUs alone (no switch evidence): no topology claimed, none checked.
  const alone = await post(d, '/api/verify/tee-attestation', { ...base, devices: [dev(gpus)] });
  assert.equal(alone.json.valid, true, alone.text);
  assert.equal(topo(alone), undefined);
});

test('a switch left out, a GPU left out, a switch twice: gpu_topology_mismatch, no passport', async () => {
  const cases = [
    [dev(gpus), dev(switches.slice(0, 3))],
    [dev(gpus.slice(0, 7)), dev(switches)],
    [dev(gpus), dev([...switches.slice(0, 3), switches[0]])],
    [dev(switches)],
  ];
  for (const devices of cases) {
    const r = await post(d, '/api/verify/tee-attestation', { ...base, devices });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.valid, false, r.text);
    assert.ok(r.json.errors.some((e) => e.code === 'gpu_topology_mismatch'), r.text);
    assert.equal(topo(r)?.ok, false, r.text);
    assert.equal(r.json.passport, undefined);
  }
});
