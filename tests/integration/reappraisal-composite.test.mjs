// Re-appraisal of composite passports (issue 17, docs/reappraisal.md
// "Composite passports"): a CPU evidence with devices is judged again as
// a whole — the CPU evidence, every device with its own stored evidence
// and collateral, each device bound to the CPU's runtime data again.
//
// What is real: the devices' evidence. dev0 is the real TDX quote of
// tests/data/tdx/dcapqvl_v4_uptodate with Intel's collateral from the
// PostgreSQL cache (as reappraisal.test.mjs); gpu0 is NVIDIA's H100
// sample (tests/data/nvidia/nvtrust_sample_h100, as gpu.test.mjs). The
// CPU evidence is Mock (development mode): its bound runtime data lists
// the binding value of each device (the quote's REPORT_DATA, the GPU's
// SPDM nonce) in "gpu_nonces", the documented way a CPU commits to its
// devices' challenges. What is not real: the "newer" TCB Info is the
// sample's with every tcbStatus lowered, written into the cache row
// directly (see reappraisal.test.mjs's header: it is found worse through
// its failing signature, which is what makes dev0's verdict worse here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { stopDaemon, post, get, request, psql, teepass, ROOT, tmp, sha256, bearer, createAdminKey } from './lib.mjs';
import { until, sseUntil, reappraisalDaemons, passportStatus, reappraiseCli as reappraiseAt } from './push.mjs';

const TDX = join(ROOT, 'tests/data/tdx/dcapqvl_v4_uptodate');
const H100 = join(ROOT, 'tests/data/nvidia/nvtrust_sample_h100');
const GPU_NONCE = '931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb'; // gpu.test.mjs
const AT = '2025-07-10T00:00:00Z'; // inside every TDX collateral item's window
const VERIFY = '/api/verify/tee-attestation';
const ISSUER = `https://reappraisal-composite-${process.pid}.example`;
const quoteB64 = readFileSync(join(TDX, 'quote.bin')).toString('base64');
const gpuDevice = () => ({
  provider: 'NvidiaGpu',
  attestation: readFileSync(join(H100, 'spdm_report.bin')).toString('base64'),
  collateral: { cert_chain: readFileSync(join(H100, 'cert_chain.pem'), 'utf8') },
});
// The real Intel SGX Root CA shipped in config/trust (DER): its SHA-256,
// computed here, not by teepass.
const INTEL_ROOT_SHA256 = createHash('sha256').update(readFileSync(join(ROOT, 'config/trust/intel_sgx_root_ca.der'))).digest('hex');

const daemon = reappraisalDaemons({ TEEPASS_DEV_FIXED_TIME: AT, TEEPASS_ISSUER: ISSUER });
const startDaemon = daemon.start;
const status = passportStatus;
const reappraiseCli = (args) => reappraiseAt(args, AT);
// Mock CPU evidence at AT whose bound runtime data commits to NONCES.
function cpuFor(name, nonces) {
  const rd = join(tmp, `${name}.json`);
  writeFileSync(rd, JSON.stringify({ model: sha256(`composite ${name}`), gpu_nonces: nonces }));
  return { attestation: teepass(['mock-evidence', '--runtime-data', rd, '--time', AT]).trim(), runtime_data: readFileSync(rd).toString('base64') };
}

test('a composite passport whose device (a TDX quote) worsens: superseded, the device named, SSE events; the real Intel root named in the claims', async () => {
  teepass(['collateral', 'import', '--at', AT, join(TDX, 'collateral.json')]);
  const d = await startDaemon({ TEEPASS_REAPPRAISAL_INTERVAL: '0' });
  // The quote alone: its REPORT_DATA (the binding value the CPU lists),
  // and the Intel root it was verified under.
  const alone = await post(d, VERIFY, { attestation: quoteB64, provider: 'IntelTdx' });
  assert.equal(alone.json.valid, true, alone.text);
  assert.equal(alone.json.claims.intel_root_sha256, INTEL_ROOT_SHA256);
  assert.equal(alone.json.claims.intel_root, 'intel');
  const reportData = alone.json.claims.report_data;
  assert.match(reportData, /^[0-9a-f]{128}$/);

  const cpu = cpuFor('tdx-gpu', [reportData, GPU_NONCE]);
  const r = await post(d, VERIFY, { ...cpu, devices: [{ provider: 'IntelTdx', attestation: quoteB64 }, gpuDevice()] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.valid, true, r.text);
  assert.deepEqual(Object.keys(r.json.submods).sort(), ['dev0', 'gpu0']);
  assert.equal(r.json.submods.dev0.binding_valid, true);
  const id = r.json.passport.id;
  // The passport's EAR names the root the device's quote verified to.
  const p = await get(d, `/api/passports/${id}`);
  assert.equal(p.json.claims.submods.dev0['ear.teepass.annotated-evidence'].intel_root_sha256, INTEL_ROOT_SHA256);
  assert.equal(p.json.claims.submods.dev0['ear.teepass.annotated-evidence'].intel_root, 'intel');
  // What was recorded per device: provider and evidence digest, the
  // evidence stored once as a blob; the device's collateral in the set.
  const appraisal = JSON.parse(psql(`SELECT appraisal::text FROM passports WHERE id = '${id}'`));
  const quoteSha = createHash('sha256').update(readFileSync(join(TDX, 'quote.bin'))).digest('hex');
  assert.deepEqual(appraisal.devices.map((x) => x.provider), ['IntelTdx', 'NvidiaGpu']);
  assert.equal(appraisal.devices[0].evidence, quoteSha);
  assert.equal(psql(`SELECT count(*) FROM appraisal_blobs WHERE sha256 = '${quoteSha}'`), '1');
  const fmspc = psql("SELECT key FROM collateral_artifacts WHERE kind = 'intel_tcb_info'");
  assert.equal(psql(`SELECT count(*) FROM passport_artifacts WHERE passport_id = '${id}' AND kind = 'intel_tcb_info' AND key = '${fmspc}'`), '1');
  // As issued: the whole composite verdict again, unchanged.
  const issued = await get(d, `/api/passports/${id}/appraisal?at=issued`);
  assert.equal(issued.status, 200, issued.text);
  assert.equal(issued.json.outcome, 'unchanged');
  assert.equal(issued.json.verdict.valid, true, issued.text);
  assert.deepEqual(Object.keys(issued.json.verdict.submods).sort(), ['dev0', 'gpu0']);
  const lastSeq = Number(psql('SELECT coalesce(max(seq), 0) FROM events'));
  await stopDaemon(d);

  // The cache stores a superseding TCB Info for the device's FMSPC: a
  // job (the passport's set holds the device's TCB Info).
  psql('DELETE FROM reappraisal_jobs');
  const body = psql("SELECT convert_from(body, 'UTF8') FROM collateral_artifacts WHERE kind = 'intel_tcb_info'");
  const lowered = body.replaceAll('"tcbStatus":"UpToDate"', '"tcbStatus":"OutOfDate"');
  assert.notEqual(lowered, body);
  psql(`UPDATE collateral_artifacts SET body = convert_to($b$${lowered}$b$, 'UTF8'),
    sha256 = encode(sha256(convert_to($b$${lowered}$b$, 'UTF8')), 'hex') WHERE kind = 'intel_tcb_info'`);
  assert.equal(psql("SELECT kind || '/' || key FROM reappraisal_jobs WHERE done_at IS NULL"), `intel_tcb_info/${fmspc}`);

  // --dry-run reports it, device named, and changes nothing.
  const dry = reappraiseCli(['--dry-run']);
  assert.equal(dry.status, 1, dry.stdout + dry.stderr);
  const line = dry.stdout.split('\n').find((l) => l.startsWith(id));
  assert.ok(line, dry.stdout);
  assert.match(line, new RegExp(`^${id} would be superseded as of ${AT}: contraindicated, valid false; errors device_invalid(,dev0:[a-z_]+)+$`));
  assert.ok(!line.includes('gpu0:'), line);
  assert.equal(status(id), 'active');

  // The engine works the job: superseded, the device named in the errors.
  const d2 = await startDaemon({ TEEPASS_REAPPRAISAL_INTERVAL: '3600' });
  await until('the composite passport superseded', () => status(id) === 'superseded');
  const re = JSON.parse(psql(`SELECT reappraisal::text FROM passports WHERE id = '${id}'`));
  assert.equal(re.outcome, 'superseded');
  assert.equal(re.valid, false);
  assert.equal(re.at, AT);
  assert.deepEqual(re.errors.filter((e) => !e.device).map((e) => e.code), ['device_invalid']);
  assert.match(re.errors[0].message, /^dev0 \(IntelTdx\)/);
  const devErrs = re.errors.filter((e) => e.device);
  assert.ok(devErrs.length > 0, JSON.stringify(re.errors));
  assert.ok(devErrs.every((e) => e.device === 'dev0'), JSON.stringify(re.errors));
  // The same as the quote alone would be judged against the new cache.
  const now = await get(d2, `/api/passports/${id}/appraisal?at=now`);
  assert.equal(now.json.outcome, 'superseded');
  assert.equal(now.json.verdict.submods.dev0.valid, false);
  assert.equal(now.json.verdict.submods.gpu0.valid, true, JSON.stringify(now.json.verdict.submods.gpu0.errors));
  assert.deepEqual(devErrs.map((e) => e.code), now.json.verdict.submods.dev0.errors.map((e) => e.code));
  const evs = await sseUntil(d2, lastSeq, (e) => e.some((x) => x.event === 'passport.superseded' && x.data.passport_id === id));
  assert.equal(evs.find((x) => x.event === 'passport.superseded' && x.data.passport_id === id).data.status, 'superseded');
  const st = await get(d2, `/api/passports/${id}/status`);
  assert.equal(st.json.status, 'superseded');
  await stopDaemon(d2);
});

test('a composite passport whose devices still verify: unchanged; one stored with only its device count: unsupported, with the reason', async () => {
  const d = await startDaemon({ TEEPASS_REAPPRAISAL_INTERVAL: '0' });
  const cpu = cpuFor('gpu-only', [GPU_NONCE]);
  const r = await post(d, VERIFY, { ...cpu, devices: [gpuDevice()] });
  assert.equal(r.json.valid, true, r.text);
  const id = r.json.passport.id;
  await stopDaemon(d);

  const one = reappraiseCli(['--passport', id]);
  assert.equal(one.status, 0, one.stdout + one.stderr);
  assert.match(one.stdout, new RegExp(`^${id} would be unchanged as of ${AT}: ${r.json.status}, valid true\\n`));
  assert.equal(status(id), 'active');
  // Its GPU really was judged again: with the stored GPU evidence
  // replaced by another (a flipped byte), the same run is worse.
  const ev = JSON.parse(psql(`SELECT appraisal::text FROM passports WHERE id = '${id}'`)).devices[0].evidence;
  const orig = psql(`SELECT encode(body, 'hex') FROM appraisal_blobs WHERE sha256 = '${ev}'`);
  const flipped = orig.slice(0, 200) + (orig[200] === '0' ? '1' : '0') + orig.slice(201);
  psql(`UPDATE appraisal_blobs SET body = decode('${flipped}', 'hex') WHERE sha256 = '${ev}'`);
  try {
    const bad = reappraiseCli(['--dry-run', '--passport', id]);
    assert.equal(bad.status, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, new RegExp(`^${id} would be superseded as of ${AT}: contraindicated, valid false; errors device_invalid,gpu0:`));
  } finally {
    psql(`UPDATE appraisal_blobs SET body = decode('${orig}', 'hex') WHERE sha256 = '${ev}'`);
  }

  // A composite passport as stored before its devices' inputs were
  // recorded: "devices" was only their count.
  psql(`UPDATE passports SET appraisal = jsonb_set(appraisal, '{devices}', '1') WHERE id = '${id}'`);
  const old = reappraiseCli(['--passport', id]);
  assert.equal(old.status, 0, old.stdout + old.stderr);
  assert.match(old.stdout, new RegExp(`^${id} unsupported: composite passport stored without its devices' inputs`));
  assert.equal(status(id), 'active');
});

test('a composite endpoint (Mock CPU + H100) whose reference values change: its passport superseded, the endpoint failed, both events', async () => {
  const d = await startDaemon({ TEEPASS_REAPPRAISAL_INTERVAL: '3600' });
  try {
    const admin = createAdminKey('reappraisal composite');
    // The H100 sample is one GPU: an endpoint another file left live
    // (attls.test.mjs ends with it attested) holds it, and a second live
    // endpoint is refused device_in_use. Retire the holders first.
    const holders = psql("SELECT coalesce(string_agg(DISTINCT endpoint_id::text, ','), '') FROM endpoint_devices").split(',').filter(Boolean);
    for (const h of holders) {
      const del = await request(d, 'DELETE', `/api/endpoints/${h}`, undefined, bearer(admin));
      assert.equal(del.status, 200, del.text);
    }
    const prov = await post(d, '/api/providers', { name: `reappraisal-composite-${process.pid}` }, bearer(admin));
    assert.equal(prov.status, 201, prov.text);
    const key = prov.json.api_key.token;
    const MR0 = 'c'.repeat(96);
    const model = sha256(`composite endpoint ${process.pid}`);
    const rd = join(tmp, 'composite-endpoint.json');
    writeFileSync(rd, JSON.stringify({ model, gpu_nonces: [GPU_NONCE] }));
    const cpu = teepass(['mock-evidence', '--runtime-data', rd, '--mr0', MR0, '--time', AT]).trim();
    const e = await post(d, '/api/endpoints', {
      url: `https://composite-${process.pid}.example/v1`, model: { name: 'm', digest: model }, provider: 'mock',
      reference_values: { runtime: { mr0: MR0 } }, attestation: cpu, runtime_data: readFileSync(rd).toString('base64'),
      devices: [gpuDevice()],
    }, bearer(key));
    assert.equal(e.status, 201, e.text);
    assert.equal(e.json.status, 'attested', e.text);
    const pid = e.json.passport.id;
    assert.ok(Array.isArray(JSON.parse(psql(`SELECT appraisal::text FROM passports WHERE id = '${pid}'`)).devices));
    const lastSeq = Number(psql('SELECT coalesce(max(seq), 0) FROM events'));
    const r = await request(d, 'PATCH', `/api/endpoints/${e.json.id}`, { reference_values: { runtime: { mr0: 'd'.repeat(96) } } }, bearer(key));
    assert.equal(r.status, 200, r.text);
    await until('the composite passport superseded', () => status(pid) === 'superseded');
    const re = JSON.parse(psql(`SELECT reappraisal::text FROM passports WHERE id = '${pid}'`));
    assert.equal(re.valid, false);
    assert.ok(re.errors.some((x) => x.code === 'measurement_mismatch'), JSON.stringify(re.errors));
    assert.ok(!re.errors.some((x) => x.device), 'the GPU still verifies: no device error');
    const now = await get(d, `/api/passports/${pid}/appraisal?at=now`);
    assert.equal(now.json.verdict.submods.gpu0.valid, true, now.text);
    const ep = await get(d, `/api/endpoints/${e.json.id}`, bearer(key));
    assert.equal(ep.json.status, 'failed');
    await sseUntil(d, lastSeq, (ev) => ev.some((x) => x.event === 'passport.superseded' && x.data.passport_id === pid) &&
      ev.some((x) => x.event === 'endpoint.failed' && x.data.endpoint_id === e.json.id));
  } finally {
    await stopDaemon(d);
  }
});
