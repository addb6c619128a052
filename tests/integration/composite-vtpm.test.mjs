// Composite evidence whose CPU part is a TPM quote (the shape of the
// Azure and Google confidential VMs' vTPM evidence: the binding field is
// the quote's extraData). No public vTPM sample binds a GPU's nonce, so
// the quote here is made at test time: a TPMS_ATTEST (TPM 2.0 Part 2
// §10.12.8) signed RSASSA-SHA256 by an RSA key made here that the
// operator provisions (tpm_ak.pem), extraData = SHA-256(runtime_data),
// and a Mock device bound to the same runtime data. One passport with a
// submodule per device; an unbound device or a changed quote byte makes
// the whole verdict invalid.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { startDaemon, stopDaemon, post, get, teepass, tmp, sha256 } from './lib.mjs';

const u16 = (n) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(n)); return b; };
const tpm2b = (b) => Buffer.concat([u16(b.length), b]);

// 24 SHA-256 PCRs, each distinct for sure (PCR i = SHA-256("pcr" i)).
const PCRS = Array.from({ length: 24 }, (_, i) => createHash('sha256').update(`pcr${i}`).digest());

function quote(extraData) {
  const digest = createHash('sha256').update(Buffer.concat(PCRS)).digest();
  return Buffer.concat([
    u32(0xff544347), u16(0x8018),                  // TPM_GENERATED_VALUE, TPM_ST_ATTEST_QUOTE
    tpm2b(Buffer.concat([u16(0x000b), createHash('sha256').update('test AK').digest()])), // qualifiedSigner
    tpm2b(extraData),
    u64(1000), u32(1), u32(0), Buffer.from([1]),   // clockInfo: clock, resetCount, restartCount, safe
    u64(0x2000000000000),                          // firmwareVersion
    u32(1), u16(0x000b), Buffer.from([3, 0xff, 0xff, 0xff]), // TPML_PCR_SELECTION: sha256, PCRs 0-23
    tpm2b(digest),
  ]);
}

let d; let key; let dir;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tp-vtpm-'));
  key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'tpm_ak.pem'), key.publicKey.export({ type: 'spki', format: 'pem' }));
  d = await startDaemon({ TEEPASS_COLLATERAL_DIR: dir });
});
after(async () => { await stopDaemon(d); });

function evidence(rdBytes, flip = -1) {
  const msg = quote(createHash('sha256').update(rdBytes).digest());
  const sig = sign('sha256', msg, key.privateKey); // RSASSA-PKCS1-v1_5
  if (flip >= 0) msg[flip] ^= 1;
  const doc = {
    ak_public: key.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    tpm_quote: {
      message: msg.toString('base64'),
      signature: Buffer.concat([u16(0x0014), u16(0x000b), tpm2b(sig)]).toString('base64'),
      pcrs: PCRS.map((p) => p.toString('hex')),
    },
  };
  return Buffer.from(JSON.stringify(doc)).toString('base64');
}

test('a TPM-quote CPU with a bound device: one passport, a submodule per device', async () => {
  const rd = join(tmp, 'vtpm-rd.json');
  const dev = teepass(['mock-evidence', '--model', sha256('vtpm composite'), '--runtime-data', rd, '--mr0', 'ee'.repeat(48)]).trim();
  const rdBytes = readFileSync(rd);
  const r = await post(d, '/api/verify/tee-attestation', {
    attestation: evidence(rdBytes), runtime_data: rdBytes.toString('base64'),
    devices: [{ provider: 'Mock', attestation: dev }],
    expected: { pcrs: { sha256: { pcr7: PCRS[7].toString('hex') } } },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.provider, 'Tpm');
  assert.equal(r.json.valid, true, JSON.stringify(r.json.errors));
  assert.equal(r.json.hardware_verified, true);
  assert.equal(r.json.submods.dev0.valid, true);
  assert.equal(r.json.submods.dev0.binding_valid, true);
  const p = await get(d, `/api/passports/${r.json.passport.id}`);
  assert.equal(p.status, 200, p.text);
  assert.deepEqual(Object.keys(p.json.claims.submods).sort(), ['cpu0', 'dev0']);
  assert.equal(p.json.claims.submods.cpu0.provider, 'Tpm');

  // A PCR reference value that is not the quoted one.
  const other = createHash('sha256').update('another pcr7').digest('hex');
  const m = await post(d, '/api/verify/tee-attestation', {
    attestation: evidence(rdBytes), runtime_data: rdBytes.toString('base64'),
    devices: [{ provider: 'Mock', attestation: dev }],
    expected: { pcrs: { sha256: { pcr7: other } } },
  });
  assert.equal(m.json.valid, false);
  assert.deepEqual(m.json.errors.map((e) => e.code), ['measurement_mismatch']);
  assert.equal(m.json.passport, undefined);
});

test('a TPM-quote CPU: an unbound device or a changed quote byte is never valid', async () => {
  const rd = join(tmp, 'vtpm-rd2.json');
  teepass(['mock-evidence', '--model', sha256('vtpm composite 2'), '--runtime-data', rd]);
  const rdBytes = readFileSync(rd);
  const other = join(tmp, 'vtpm-other.json');
  const unbound = teepass(['mock-evidence', '--model', sha256('another vm'), '--runtime-data', other]).trim();
  const r = await post(d, '/api/verify/tee-attestation', {
    attestation: evidence(rdBytes), runtime_data: rdBytes.toString('base64'),
    devices: [{ provider: 'Mock', attestation: unbound }],
  });
  assert.equal(r.json.valid, false);
  assert.deepEqual(r.json.errors.map((e) => e.code), ['device_invalid']);
  assert.deepEqual(r.json.submods.dev0.errors.map((e) => e.code), ['device_not_bound']);
  assert.equal(r.json.passport, undefined);
  // extraData's first byte (offset 4+2+2+34+2) changed after signing.
  const bound = teepass(['mock-evidence', '--runtime-data', rd]).trim();
  const t = await post(d, '/api/verify/tee-attestation', {
    attestation: evidence(rdBytes, 44), runtime_data: rdBytes.toString('base64'),
    devices: [{ provider: 'Mock', attestation: bound }],
  });
  assert.equal(t.json.valid, false);
  assert.ok(t.json.errors.some((e) => e.code === 'tpm_signature_invalid'), JSON.stringify(t.json.errors));
  assert.equal(t.json.passport, undefined);
});
