// Online OCSP for the NVIDIA device chain (issue 8): teepassd asks the
// configured responder (here the fake vendor on 127.0.0.1) about every
// certificate of the H100 chain below the pinned NVIDIA Device Identity CA
// and hands the answers to the verifier, which alone judges them. Nothing
// obtained, or offline: ocsp_status stays "unchecked", never "passed".
// Expected values: tests/data/nvidia/PROVENANCE.md (MANIFEST).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startDaemon, stopDaemon, post, ROOT, tmp } from './lib.mjs';
import { startFakeVendor } from './fake_vendor.mjs';

const H100 = join(ROOT, 'tests/data/nvidia/nvtrust_sample_h100');
const NONCE = '931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb';
const chain = readFileSync(join(H100, 'cert_chain.pem'), 'utf8');
const evidence = readFileSync(join(H100, 'spdm_report.bin')).toString('base64');
// The chain's last certificate is the pinned root itself (same PEM body as
// config/trust): OCSP is asked about the others.
const pemBodies = (s) => s.split('-----BEGIN CERTIFICATE-----').slice(1).map((b) => b.split('-----END')[0].replace(/\s+/g, ''));
const root = pemBodies(readFileSync(join(ROOT, 'config/trust/nvidia_device_identity_ca.pem'), 'utf8'))[0];
const BELOW_ROOT = pemBodies(chain).filter((b) => b !== root).length;
const VERIFY = '/api/verify/tee-attestation';
const body = { attestation: evidence, provider: 'NvidiaGpu', collateral: { cert_chain: chain } };

let fake;
before(async () => { fake = await startFakeVendor(ROOT); });
after(async () => { await fake.close(); });
beforeEach(() => { fake.set('ok'); fake.reset(); });

test('online: one OCSP request per certificate below the root; a non-OCSP answer leaves "unchecked"', async () => {
  assert.equal(BELOW_ROOT, 4);
  const d = await startDaemon({ ...fake.env(), TEEPASS_COLLATERAL_TIMEOUT_MS: '1500' });
  try {
    const r = await post(d, VERIFY, body);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.valid, true, r.text);
    assert.equal(r.json.claims.nonce, NONCE);
    assert.equal(r.json.claims.ocsp_status, 'unchecked');
    assert.equal(fake.state.ocspRequests.length, BELOW_ROOT);
    for (const q of fake.state.ocspRequests) {
      assert.equal(q.contentType, 'application/ocsp-request');
      assert.equal(q.firstByte, 0x30, 'a DER SEQUENCE');
    }
    // A responder's unsigned refusal (OCSPResponse, responseStatus
    // tryLater = 3) is no answer either.
    fake.state.ocspReply = Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x03]);
    const r2 = await post(d, VERIFY, body);
    assert.equal(r2.json.valid, true, r2.text);
    assert.equal(r2.json.claims.ocsp_status, 'unchecked');
    assert.equal(fake.state.ocspRequests.length, 2 * BELOW_ROOT);
  } finally {
    await stopDaemon(d);
  }
});

test('offline: no OCSP request, "unchecked"', async () => {
  const d = await startDaemon({ ...fake.env(), TEEPASS_OFFLINE: '1' });
  try {
    const r = await post(d, VERIFY, body);
    assert.equal(r.json.valid, true, r.text);
    assert.equal(r.json.claims.ocsp_status, 'unchecked');
    assert.equal(fake.state.ocspRequests.length, 0);
    assert.equal(fake.state.total, 0);
  } finally {
    await stopDaemon(d);
  }
});

test('responses sent by the client are not replaced by fetched ones', async () => {
  const d = await startDaemon({ ...fake.env() });
  try {
    const r = await post(d, VERIFY, { ...body, collateral: { cert_chain: chain, ocsp: { '01': 'AAAA' } } });
    assert.equal(r.json.valid, true, r.text);
    assert.equal(r.json.claims.ocsp_status, 'unchecked');
    assert.equal(fake.state.ocspRequests.length, 0);
  } finally {
    await stopDaemon(d);
  }
});

test('a signed OCSP response that is not NVIDIA\'s fails the verification (gpu_ocsp_invalid), never "passed"', async () => {
  // An OCSP responder made at test time with the openssl command: its own
  // P-384 key and certificate, an empty index; it signs an answer to each
  // request teepassd sends.
  const key = join(tmp, 'ocsp-key.pem'); const cert = join(tmp, 'ocsp-cert.pem');
  const idx = join(tmp, 'ocsp-index.txt');
  writeFileSync(idx, '');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes',
    '-keyout', key, '-out', cert, '-subj', '/CN=NVIDIA Device Identity CA/O=NVIDIA', '-days', '3650'], { stdio: 'pipe' });
  let n = 0;
  fake.state.ocspResponder = (der) => {
    const rq = join(tmp, `ocsp-req-${n}.der`); const rs = join(tmp, `ocsp-resp-${n++}.der`);
    writeFileSync(rq, der);
    execFileSync('openssl', ['ocsp', '-index', idx, '-CA', cert, '-rsigner', cert, '-rkey', key,
      '-reqin', rq, '-respout', rs, '-ndays', '3650'], { stdio: 'pipe' });
    return readFileSync(rs);
  };
  const d = await startDaemon({ ...fake.env() });
  try {
    const r = await post(d, VERIFY, body);
    assert.equal(r.status, 200, r.text);
    assert.equal(fake.state.ocspRequests.length, BELOW_ROOT);
    assert.equal(r.json.valid, false, r.text);
    assert.ok(r.json.errors.some((e) => e.code === 'gpu_ocsp_invalid'), r.text);
    assert.notEqual(r.json.claims?.ocsp_status, 'passed');
  } finally {
    await stopDaemon(d);
  }
});
