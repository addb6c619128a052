// A TPM 2.0 quote over HTTP: the trustee fixture (tests/data/tpm/
// trustee_tpm_evidence, MANIFEST: a TPMT_SIGNATURE RSASSA by ak_pub.der,
// 24 SHA-256 PCRs hashing to pcrDigest). Its AK is the client's word
// unless the operator provisioned the same key (provisioned/tpm_ak.pem).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, stopDaemon, post, ROOT } from './lib.mjs';
import { assertEarPassport } from './ear.mjs';

const DIR = join(ROOT, 'tests/data/tpm/trustee_tpm_evidence');
const evidence = readFileSync(join(DIR, 'tpm_evidence.json'));
const VERIFY = '/api/verify/tee-attestation';
const codes = (v) => v.errors.map((e) => e.code);

test('Tpm: the quote verifies with its own AK, hardware-verified only with the operator\'s', async () => {
  let d = await startDaemon();
  try {
    const r = await post(d, VERIFY, { attestation: evidence.toString('base64') });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.provider, 'Tpm');
    assert.equal(r.json.signature_valid, true, JSON.stringify(r.json.errors));
    assert.equal(r.json.hardware_verified, false);
    assert.equal(r.json.claims.pcrs.sha256.pcr0, '0'.repeat(64));
    // One signed byte changed (the last byte of pcrDigest): never valid.
    const doc = JSON.parse(evidence);
    const msg = Buffer.from(doc.tpm_quote.message, 'base64');
    msg[msg.length - 1] ^= 1;
    doc.tpm_quote.message = msg.toString('base64');
    const bad = await post(d, VERIFY, { attestation: Buffer.from(JSON.stringify(doc)).toString('base64') });
    assert.equal(bad.json.valid, false);
    assert.ok(codes(bad.json).includes('tpm_signature_invalid'), JSON.stringify(bad.json.errors));
  } finally { await stopDaemon(d); }
  d = await startDaemon({ TEEPASS_COLLATERAL_DIR: join(DIR, 'provisioned') });
  try {
    const r = await post(d, VERIFY, { attestation: evidence.toString('base64') });
    assert.equal(r.json.valid, true, JSON.stringify(r.json.errors));
    assert.equal(r.json.hardware_verified, true);
    const c = await assertEarPassport(d, r.json.passport.token);
    assert.equal(c.submods.cpu0.provider, 'Tpm');
    // A TPM event log of another machine does not replay to these PCRs.
    const log = readFileSync(join(ROOT, 'tests/data/eventlog/gotpm_gce_rhel8_secureboot/eventlog.bin'));
    const m = await post(d, VERIFY, { attestation: evidence.toString('base64'), event_log: log.toString('base64') });
    assert.equal(m.json.valid, false);
    assert.deepEqual(codes(m.json), ['event_log_replay_mismatch']);
    assert.match(m.json.errors[0].message, /^pcr0: /);
  } finally { await stopDaemon(d); }
});
