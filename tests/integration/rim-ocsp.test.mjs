// Online OCSP for the signing chains of NVIDIA RIMs (issue 8): for each RIM
// a request carries, teepassd asks the configured responder (here the fake
// vendor on 127.0.0.1) about every certificate of the RIM's KeyInfo chain
// below the pinned NVIDIA RIM root and hands the answers to the verifier
// as collateral "rim_ocsp". Nothing obtained, offline, or answers that are
// not NVIDIA's: rim_ocsp_status stays "unchecked", never "passed".
// Expected values: tests/data/nvidia/PROVENANCE.md (MANIFEST: the 550.144.03
// driver RIM chains to the RIM root, signer valid 2024-12-30 .. 2026-12-30,
// and is for another driver than the nvtrust sample's 550.90.07).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { startDaemon, stopDaemon, post, ROOT, tmp } from './lib.mjs';
import { startFakeVendor } from './fake_vendor.mjs';

const H100 = join(ROOT, 'tests/data/nvidia/nvtrust_sample_h100');
const RIM = readFileSync(join(ROOT, 'tests/data/nvidia/rims/NV_GPU_DRIVER_GH100_550.144.03.xml'), 'utf8');
const AT = '2026-01-15T00:00:00Z'; // inside the RIM signer's validity
const chain = readFileSync(join(H100, 'cert_chain.pem'), 'utf8');
const evidence = readFileSync(join(H100, 'spdm_report.bin')).toString('base64');
const VERIFY = '/api/verify/tee-attestation';

// The RIM's KeyInfo certificates, and the pinned RIM root's DER.
const rimCerts = [...RIM.matchAll(/<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/g)]
  .map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
const rootPem = readFileSync(join(ROOT, 'config/trust/nvidia_rim_root.pem'), 'utf8');
const rootDer = new X509Certificate(rootPem).raw;
const serialOf = (der) => new X509Certificate(der).serialNumber.toUpperCase().replace(/^0+(?=.)/, '');
const RIM_SERIALS = rimCerts.filter((d) => !d.equals(rootDer)).map(serialOf);

// Device chain responses given by the client (none): only the RIM chain is
// asked about.
const body = {
  attestation: evidence, provider: 'NvidiaGpu',
  collateral: { cert_chain: chain, ocsp: {}, rims: [RIM] },
};
const check = (r, name) => r.json.checks?.find((c) => c.check === name);

let fake;
before(async () => { fake = await startFakeVendor(ROOT); });
after(async () => { await fake.close(); });
beforeEach(() => { fake.set('ok'); fake.reset(); });

test('online: one OCSP request per RIM chain certificate below the RIM root; a non-OCSP answer leaves "unchecked"', async () => {
  assert.ok(RIM_SERIALS.length >= 2, 'the RIM carries a chain');
  const d = await startDaemon({ ...fake.env(), TEEPASS_DEV_FIXED_TIME: AT, TEEPASS_COLLATERAL_TIMEOUT_MS: '1500' });
  try {
    const r = await post(d, VERIFY, body);
    assert.equal(r.status, 200, r.text);
    assert.equal(fake.state.ocspRequests.length, RIM_SERIALS.length);
    for (const q of fake.state.ocspRequests) assert.equal(q.contentType, 'application/ocsp-request');
    // The RIM's chain verified; its version is not the sample's.
    assert.equal(check(r, 'rim0_chain')?.ok, true, r.text);
    assert.ok(r.json.errors.some((e) => e.code === 'rim_version_mismatch'), r.text);
    assert.ok(!r.json.errors.some((e) => e.code === 'gpu_ocsp_invalid'), r.text);
    assert.equal(check(r, 'rim0_ocsp'), undefined);
    assert.equal(r.json.claims.rim_ocsp_status, 'unchecked');
    assert.equal(r.json.claims.rims[0].ocsp_status, 'unchecked');
  } finally {
    await stopDaemon(d);
  }
});

test('offline: no OCSP request for the RIM chain, "unchecked"', async () => {
  const d = await startDaemon({ ...fake.env(), TEEPASS_DEV_FIXED_TIME: AT, TEEPASS_OFFLINE: '1' });
  try {
    const r = await post(d, VERIFY, body);
    assert.equal(r.status, 200, r.text);
    assert.equal(fake.state.ocspRequests.length, 0);
    assert.equal(fake.state.total, 0);
    assert.equal(r.json.claims.rim_ocsp_status, 'unchecked');
  } finally {
    await stopDaemon(d);
  }
});

test('RIM chain responses signed by a key that is not NVIDIA\'s: gpu_ocsp_invalid, rim_ocsp_status stays "unchecked"', async () => {
  // An OCSP responder made at test time with the openssl command, named
  // like NVIDIA's RIM root; it answers each request and records the serial
  // numbers asked about.
  const key = join(tmp, 'rim-ocsp-key.pem'); const cert = join(tmp, 'rim-ocsp-cert.pem');
  const idx = join(tmp, 'rim-ocsp-index.txt');
  writeFileSync(idx, '');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes',
    '-keyout', key, '-out', cert, '-subj', '/CN=NVIDIA CoRIM signing Root CA/O=NVIDIA', '-days', '3650'], { stdio: 'pipe' });
  const asked = [];
  let n = 0;
  fake.state.ocspResponder = (der) => {
    const rq = join(tmp, `rim-ocsp-req-${n}.der`); const rs = join(tmp, `rim-ocsp-resp-${n++}.der`);
    writeFileSync(rq, der);
    const text = execFileSync('openssl', ['ocsp', '-reqin', rq, '-req_text', '-noverify'], { encoding: 'utf8', stdio: 'pipe' });
    for (const m of text.matchAll(/Serial Number:\s*([0-9A-Fa-f]+)/g)) asked.push(m[1].toUpperCase().replace(/^0+(?=.)/, ''));
    execFileSync('openssl', ['ocsp', '-index', idx, '-CA', cert, '-rsigner', cert, '-rkey', key,
      '-reqin', rq, '-respout', rs, '-ndays', '3650'], { stdio: 'pipe' });
    return readFileSync(rs);
  };
  const d = await startDaemon({ ...fake.env(), TEEPASS_DEV_FIXED_TIME: AT });
  try {
    const r = await post(d, VERIFY, body);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([...asked].sort(), [...RIM_SERIALS].sort());
    assert.equal(r.json.valid, false, r.text);
    assert.equal(check(r, 'rim0_ocsp')?.ok, false, r.text);
    assert.ok(r.json.errors.some((e) => e.code === 'gpu_ocsp_invalid'), r.text);
    assert.equal(r.json.claims.rim_ocsp_status, 'unchecked');
    assert.notEqual(r.json.claims.rims[0].ocsp_status, 'passed');
  } finally {
    await stopDaemon(d);
  }
});

test('RIM chain responses sent by the client are not replaced by fetched ones', async () => {
  const d = await startDaemon({ ...fake.env(), TEEPASS_DEV_FIXED_TIME: AT });
  try {
    const r = await post(d, VERIFY, { ...body, collateral: { ...body.collateral, rim_ocsp: { '01': 'AAAA' } } });
    assert.equal(r.status, 200, r.text);
    assert.equal(fake.state.ocspRequests.length, 0);
    assert.equal(r.json.claims.rim_ocsp_status, 'unchecked');
  } finally {
    await stopDaemon(d);
  }
});
