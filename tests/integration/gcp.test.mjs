// Google's vTPM attestation over HTTP: go-tpm-tools' Attestation of a GCE
// COS 85 VM (tests/data/gcp/gotpm_gce_cos85_nonce9009, MANIFEST: AK
// certificate valid 2021-08-31..2051-08-24 under Google's pinned vTPM
// root; quotes over SHA-1/256/384 with extraData 0x9009; its event log).
// Over HTTP a nonce must be one teepassd issued, so the quote's own
// extraData is not checked against a nonce here (teepass verify --nonce
// 9009 does that offline).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startDaemon, stopDaemon, post, ROOT, BIN } from './lib.mjs';
import { assertEarPassport } from './ear.mjs';

const DIR = join(ROOT, 'tests/data/gcp/gotpm_gce_cos85_nonce9009');
const pb = readFileSync(join(DIR, 'attestation.pb'));

test('GcpVtpm: detected from the protobuf, AK certificate to Google\'s root, quotes and event log: hardware-verified', async () => {
  const d = await startDaemon({ TEEPASS_DEV_FIXED_TIME: '2026-01-01T00:00:00Z' });
  try {
    const r = await post(d, '/api/verify/tee-attestation', { attestation: pb.toString('base64') });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.provider, 'GcpVtpm');
    assert.equal(r.json.valid, true, JSON.stringify(r.json.errors));
    assert.equal(r.json.hardware_verified, true);
    assert.ok(r.json.claims.components.length > 0);
    await assertEarPassport(d, r.json.passport.token);
    // One byte of the AK certificate's signature changed: not Google's.
    const bad = Buffer.from(pb);
    const cert = readFileSync(join(DIR, 'ak_cert.der'));
    const at = bad.indexOf(cert);
    assert.ok(at > 0);
    bad[at + cert.length - 2] ^= 0x01;
    const b = await post(d, '/api/verify/tee-attestation', { attestation: bad.toString('base64') });
    assert.equal(b.json.valid, false);
    assert.equal(b.json.hardware_verified, false);
    assert.equal(b.json.passport, undefined);
  } finally { await stopDaemon(d); }
  const cli = (nonce) => spawnSync(join(BIN, 'teepass'), ['verify', '--compact', '--at', '2026-01-01T00:00:00Z', '--nonce', nonce, join(DIR, 'attestation.pb')], { encoding: 'utf8' });
  assert.equal(cli('9009').status, 0);
  assert.equal(cli('9010').status, 1);
});
