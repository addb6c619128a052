// Re-appraisal end to end with a test Intel PKI (issue 17's done-means:
// "newer TCB Info with a lower status for a quote's FMSPC ... a
// revoked-CRL case"). No real Intel-signed data lowers this quote's TCB
// status or revokes its PCK, so test_pki.mjs makes a test root, PCK
// Platform CA, TCB Signing certificate and a PCK leaf carrying the real
// quote's SGX extension, rewrites the real TDX quote
// (tests/data/tdx/dcapqvl_v4_uptodate) onto that chain and signs the real
// TCB Info / QE Identity text, a newer TCB Info with the quote's level
// OutOfDate, and PCK CRLs without and with the leaf revoked. teepassd and
// teepass run with intel_root_ca_file / intel_root_ca_sha256 naming the
// test root (docs/operations.md); every artifact goes through the real
// `teepass collateral import` (its signature checked), none is written
// into the cache directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync, spawn } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { stopDaemon, post, get, psql, ROOT, BIN, bearer, createAdminKey, writeTmp } from './lib.mjs';
import { until, receiver, sseUntil, reappraisalDaemons, passportStatus, teepassAt } from './push.mjs';
import { makeTestPki } from './test_pki.mjs';

const TDX = join(ROOT, 'tests/data/tdx/dcapqvl_v4_uptodate');
// A day no other file pins (their passports of this FMSPC, issued on
// 2025-07-10, are expired here): inside the real TCB Info's and QE
// Identity's window [2025-06-19, 2025-07-19).
const AT = '2025-07-14T00:00:00Z';
const NEWER = '2025-07-14T03:00:00Z'; // the newer TCB Info, the revoking CRL
const LATER = '2025-07-14T06:00:00Z'; // the passports still active
const VERIFY = '/api/verify/tee-attestation';

const pki = makeTestPki({
  quote: readFileSync(join(TDX, 'quote.bin')),
  collateral: JSON.parse(readFileSync(join(TDX, 'collateral.json'), 'utf8')),
  from: '2025-01-01T00:00:00Z', until: '2032-01-01T00:00:00Z',
  crlsAt: '2025-07-13T00:00:00Z', revokedAt: NEWER, crlUntil: '2025-08-13T00:00:00Z', newer: NEWER,
});
const ROOT_ENV = { TEEPASS_INTEL_ROOT_CA_FILE: pki.rootFile, TEEPASS_INTEL_ROOT_CA_SHA256: pki.rootSha256 };
const quote = pki.quote.toString('hex');
const files = {
  base: writeTmp(`pki-base-${process.pid}.json`, JSON.stringify(pki.collateral)),
  newer: writeTmp(`pki-newer-${process.pid}.json`, JSON.stringify(pki.newerTcbInfo)),
  revoking: writeTmp(`pki-revoking-${process.pid}.json`, JSON.stringify(pki.revokingCrl)),
  quote: writeTmp(`pki-quote-${process.pid}.bin`, pki.quote),
};

const cli = (args, at, env = ROOT_ENV) => teepassAt(args, at, env);
const imp = (file, at, env) => cli(['collateral', 'import', '--at', at, file], at, env);

const daemon = reappraisalDaemons({ ...ROOT_ENV, TEEPASS_REAPPRAISAL_INTERVAL: '3600' }, () => {
  for (const rx of receivers) rx.close();
});
const startDaemon = daemon.start;
const receivers = [];
const status = passportStatus;

function endpointFor(tag, passportId) {
  psql(`INSERT INTO providers (id, name) VALUES (gen_random_uuid(), '${tag}')`);
  psql(`INSERT INTO endpoints (id, provider_id, url, model_name, model_digest, tee_type, status,
      reference_version, current_passport_id, last_attested_at)
    SELECT gen_random_uuid(), (SELECT id FROM providers WHERE name = '${tag}'), 'https://${tag}.example',
      'm', 'sha256:00', 'IntelTdx', 'attested', 1, '${passportId}', now()`);
  return psql(`SELECT id FROM endpoints WHERE url = 'https://${tag}.example'`);
}

function checkSigned(rx, secret) {
  for (const rec of rx.got) {
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(rec.headers['teepass-signature']);
    assert.ok(m, rec.headers['teepass-signature']);
    const want = createHmac('sha256', secret).update(`${m[1]}.${rec.body}`).digest();
    assert.ok(timingSafeEqual(Buffer.from(m[2], 'hex'), want), 'the delivery is signed with the webhook secret');
  }
}

// A fresh cache holding the test PKI's base collateral; a passport of the
// rewritten quote issued from it at AT by an issuer of its own.
async function issue(issuer) {
  psql('DELETE FROM collateral_artifacts');
  psql('DELETE FROM reappraisal_jobs');
  const r = imp(files.base, AT);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  // Jobs for other files' passports of the same kinds and keys (issued
  // with the real collateral): not this file's.
  psql('DELETE FROM reappraisal_jobs');
  const d = await startDaemon({ TEEPASS_DEV_FIXED_TIME: AT, TEEPASS_ISSUER: issuer });
  const v = await post(d, VERIFY, { attestation: quote });
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.valid, true, JSON.stringify(v.json.errors));
  assert.equal(v.json.status, 'affirming');
  assert.equal(v.json.tcb_status, 'UpToDate');
  assert.ok(v.json.collateral_artifacts.every((a) => a.source === 'import'));
  return { d, v };
}

test('the test PKI: the rewritten quote is valid under the test root only; a wrong pin refuses to start', async () => {
  const under = cli(['verify', '--at', AT, '--collateral', files.base, files.quote], AT);
  assert.equal(under.status, 0, under.stdout + under.stderr);
  const j = JSON.parse(under.stdout);
  assert.equal(j.valid, true, JSON.stringify(j.errors));
  assert.equal(j.tcb_status, 'UpToDate');
  // The pinned Intel root refuses the same quote and collateral, and
  // `teepass collateral import` refuses the test-signed artifacts.
  const real = cli(['verify', '--at', AT, '--collateral', files.base, files.quote], AT, {});
  assert.equal(real.status, 1, real.stdout + real.stderr);
  const codes = JSON.parse(real.stdout).errors.map((e) => e.code);
  assert.ok(codes.includes('certificate_chain_invalid'), codes.join());
  assert.match(real.stdout, /not the pinned Intel SGX Root CA \(sha256 44a0196b/);
  const refused = imp(files.base, AT, {});
  assert.equal(refused.status, 1, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /intel_tcb_info refused: issuer chain/);
  assert.match(refused.stderr, /0 imported, 4 refused/);
  assert.equal(psql('SELECT count(*) FROM collateral_artifacts'), '0');

  // A pin that is not the file's: teepassd refuses to start, naming both.
  const wrong = 'ab'.repeat(32);
  const p = spawn(join(BIN, 'teepassd'), [], {
    env: { ...process.env, TEEPASS_DEV_MODE: '1', TEEPASS_INTEL_ROOT_CA_FILE: pki.rootFile, TEEPASS_INTEL_ROOT_CA_SHA256: wrong },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  p.stderr.on('data', (c) => { err += c; });
  const code = await new Promise((r) => p.on('exit', r));
  assert.equal(code, 1);
  assert.match(err, new RegExp(`its SHA-256 is ${pki.rootSha256}, not intel_root_ca_sha256 ${wrong}; refusing to trust it`));
  // One of the pair alone is refused too.
  const half = spawnSync(join(BIN, 'teepassd'), [], { encoding: 'utf8', env: { ...process.env, TEEPASS_DEV_MODE: '1', TEEPASS_INTEL_ROOT_CA_FILE: pki.rootFile } });
  assert.equal(half.status, 1);
  assert.match(half.stderr, /needs both intel_root_ca_file and intel_root_ca_sha256/);
});

test('a newer TCB Info with a lower status, imported: dry run, the passport superseded as OutOfDate, SSE and a signed webhook', async () => {
  const { d, v } = await issue(`https://reappraisal-pki-${process.pid}.example`);
  assert.match(d.log, new RegExp(`CUSTOM INTEL ROOT: every DCAP check anchors at ${pki.rootFile} \\(sha256 ${pki.rootSha256}\\)`));
  const pid = v.json.passport.id;
  // The verdict and the passport's EAR name the test root it was issued
  // under (its digest computed by test_pki.mjs from the DER it made).
  assert.equal(v.json.claims.intel_root_sha256, pki.rootSha256);
  assert.equal(v.json.claims.intel_root, 'custom');
  const ear = (await get(d, `/api/passports/${pid}`)).json.claims.submods.cpu0['ear.teepass.annotated-evidence'];
  assert.equal(ear.intel_root_sha256, pki.rootSha256);
  assert.equal(ear.intel_root, 'custom');
  const endpointId = endpointFor(`reappraisal-pki-${process.pid}`, pid);
  const rx = await receiver();
  receivers.push(rx);
  const wh = await post(d, '/api/webhooks', { url: rx.url, types: ['passport.superseded', 'endpoint.failed'] }, bearer(createAdminKey('reappraisal-pki')));
  assert.equal(wh.status, 201, wh.text);
  const lastSeq = Number(psql('SELECT coalesce(max(seq), 0) FROM events'));
  await stopDaemon(d);

  // The real CLI path, the signature checked: queues a job for the FMSPC.
  const fmspc = psql("SELECT key FROM collateral_artifacts WHERE kind = 'intel_tcb_info'");
  const r = imp(files.newer, LATER);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`intel_tcb_info/${fmspc} \\[${NEWER}`));
  assert.equal(psql("SELECT kind || '/' || key FROM reappraisal_jobs WHERE done_at IS NULL"), `intel_tcb_info/${fmspc}`);

  // teepass reappraise --dry-run reports it, changes nothing.
  const dry = cli(['reappraise', '--dry-run', '--passport', pid], LATER);
  assert.equal(dry.status, 1, dry.stdout + dry.stderr);
  assert.match(dry.stdout, new RegExp(`${pid} would be superseded as of ${LATER}: contraindicated, valid false; errors tcb_out_of_date\\n`));
  assert.equal(status(pid), 'active');

  const d2 = await startDaemon({ TEEPASS_DEV_FIXED_TIME: LATER, TEEPASS_ISSUER: `https://reappraisal-pki-${process.pid}.example`, TEEPASS_REAPPRAISAL_INTERVAL: '1' });
  await until('the passport superseded', () => status(pid) === 'superseded');
  const re = JSON.parse(psql(`SELECT reappraisal::text FROM passports WHERE id = '${pid}'`));
  assert.equal(re.outcome, 'superseded');
  assert.equal(re.at, LATER);
  assert.equal(re.valid, false);
  assert.equal(re.tcb_status, 'OutOfDate');
  // The TCB status, not a signature: every other check of the new
  // verdict still passes.
  assert.deepEqual(re.errors.map((e) => e.code), ['tcb_out_of_date']);
  const now = await get(d2, `/api/passports/${pid}/appraisal?at=now`);
  assert.equal(now.json.verdict.tcb_status, 'OutOfDate');
  assert.ok(now.json.verdict.checks.filter((c) => !c.ok).every((c) => /tcb/.test(c.check)), JSON.stringify(now.json.verdict.checks));
  assert.equal(psql(`SELECT status FROM endpoints WHERE id = '${endpointId}'`), 'failed');

  const evs = await sseUntil(d2, lastSeq, (e) => e.some((x) => x.event === 'passport.superseded' && x.data.passport_id === pid) &&
    e.some((x) => x.event === 'endpoint.failed' && x.data.endpoint_id === endpointId));
  const sup = evs.find((x) => x.event === 'passport.superseded' && x.data.passport_id === pid);
  assert.equal(sup.data.status, 'superseded');
  await until('the webhook deliveries', () => rx.got.some((x) => x.json.type === 'passport.superseded' && x.json.passport_id === pid) &&
    rx.got.some((x) => x.json.type === 'endpoint.failed' && x.json.endpoint_id === endpointId));
  checkSigned(rx, wh.json.secret);
  assert.equal(rx.got.find((x) => x.json.type === 'passport.superseded' && x.json.passport_id === pid).json.id, sup.id);
  await rx.close();
  // As issued: the stored collateral, valid.
  const issued = await get(d2, `/api/passports/${pid}/appraisal?at=issued`);
  assert.equal(issued.json.verdict.valid, true, issued.text);
  await stopDaemon(d2);
});

test('a PCK CRL revoking the PCK leaf, imported: the passport revoked, passport.revoked, the endpoint failed', async () => {
  const issuer = `https://reappraisal-pki-crl-${process.pid}.example`;
  const { d, v } = await issue(issuer);
  const pid = v.json.passport.id;
  const endpointId = endpointFor(`reappraisal-pki-crl-${process.pid}`, pid);
  const rx = await receiver();
  receivers.push(rx);
  const wh = await post(d, '/api/webhooks', { url: rx.url, types: ['passport.revoked', 'endpoint.failed'] }, bearer(createAdminKey('reappraisal-pki-crl')));
  assert.equal(wh.status, 201, wh.text);
  const lastSeq = Number(psql('SELECT coalesce(max(seq), 0) FROM events'));
  await stopDaemon(d);

  const r = imp(files.revoking, LATER);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /intel_pck_crl\/platform /);
  const dry = cli(['reappraise', '--dry-run', '--passport', pid], LATER);
  assert.equal(dry.status, 1, dry.stdout + dry.stderr);
  assert.match(dry.stdout, new RegExp(`${pid} would be revoked as of ${LATER}: contraindicated, valid false; errors [a-z_,]*certificate_revoked`));
  assert.equal(status(pid), 'active');

  const d2 = await startDaemon({ TEEPASS_DEV_FIXED_TIME: LATER, TEEPASS_ISSUER: issuer, TEEPASS_REAPPRAISAL_INTERVAL: '1' });
  await until('the passport revoked', () => status(pid) === 'revoked');
  const re = JSON.parse(psql(`SELECT reappraisal::text FROM passports WHERE id = '${pid}'`));
  assert.equal(re.outcome, 'revoked');
  assert.ok(re.errors.some((e) => e.code === 'certificate_revoked'), JSON.stringify(re.errors));
  assert.equal(psql(`SELECT revoked_at IS NOT NULL FROM passports WHERE id = '${pid}'`), 't');
  assert.equal(psql(`SELECT status FROM endpoints WHERE id = '${endpointId}'`), 'failed');
  const st = await get(d2, `/api/passports/${pid}/status`);
  assert.equal(st.json.status, 'revoked');
  const evs = await sseUntil(d2, lastSeq, (e) => e.some((x) => x.event === 'passport.revoked' && x.data.passport_id === pid) &&
    e.some((x) => x.event === 'endpoint.failed' && x.data.endpoint_id === endpointId));
  assert.equal(evs.find((x) => x.event === 'passport.revoked').data.status, 'revoked');
  await until('the webhook deliveries', () => rx.got.some((x) => x.json.type === 'passport.revoked' && x.json.passport_id === pid));
  checkSigned(rx, wh.json.secret);
  await rx.close();
  await stopDaemon(d2);
});
