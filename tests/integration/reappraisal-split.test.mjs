// Re-appraisal of passports issued for an endpoint registered with
// tls_binding "report_data_split" (docs/registry.md "Attested TLS",
// docs/reappraisal.md): REPORT_DATA[0:32] is the TLS key's digest and
// [32:64] SHA-256 of the runtime data, so a re-run must bind the runtime
// data through [32:64] again — read through the whole field it binds
// nothing (binding_mismatch), and the model reference fails with it.
// Mock evidence made here at a pinned time; the upper half is computed
// here from the runtime-data bytes, never read back from teepassd.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startDaemon, stopDaemon, post, get, request, psql, teepass, bearer, createAdminKey, sha256 } from './lib.mjs';
import { until, passportStatus, reappraiseCli } from './push.mjs';

const NOW = '2026-12-01T12:00:00Z';   // the verification clock, pinned
const LATER = '2026-12-01T18:00:00Z'; // the passports are still active
const MR0 = 'a'.repeat(96);
const MR0_NEW = 'b'.repeat(96);
const uniq = () => randomBytes(6).toString('hex');
const status = passportStatus;
let d, key;

// Split evidence: [0:32] a key digest (no TLS check in this file: the
// layout, not the connection, is under test), [32:64] SHA-256 of the
// runtime data; MR0 measured.
function splitEvidence(model, spki = sha256(`key ${uniq()}`).replace(/^sha256:/, '')) {
  const rd = Buffer.from(JSON.stringify({ model }));
  const high = createHash('sha256').update(rd).digest('hex');
  const attestation = teepass(['mock-evidence', '--report-data', spki + high, '--mr0', MR0, '--time', NOW]).trim();
  return { attestation, runtime_data: rd.toString('base64'), spki, high };
}

before(async () => {
  // The engine runs a round an hour: a reference change is judged at once
  // (its trigger), nothing else races the test.
  d = await startDaemon({ TEEPASS_DEV_FIXED_TIME: NOW, TEEPASS_REAPPRAISAL_INTERVAL: '3600' });
  const admin = createAdminKey('reappraisal-split test');
  const prov = await post(d, '/api/providers', { name: `reappraisal-split-${process.pid}` }, bearer(admin));
  assert.equal(prov.status, 201, prov.text);
  key = prov.json.api_key.token;
});
after(async () => { await stopDaemon(d); });

const binding = (j) => j.verdict.checks.find((c) => c.check === 'runtime_data_binding');
const codes = (j) => (j.errors ?? j.verdict?.errors ?? []).map((e) => e.code);

test('a split endpoint\'s passports: re-appraised with the split layout, unchanged; a reference change supersedes them with measurement_mismatch only', async () => {
  const model = sha256(`split model ${uniq()}`);
  const ev = splitEvidence(model);
  assert.match(ev.spki, /^[0-9a-f]{64}$/);
  const e = await post(d, '/api/endpoints', {
    url: `https://split-${uniq()}.example/v1`, model: { name: 'm', digest: model }, provider: 'Mock',
    reference_values: { runtime: { mr0: MR0 } }, tls_binding: 'report_data_split',
    attestation: ev.attestation, runtime_data: ev.runtime_data,
  }, bearer(key));
  assert.equal(e.status, 201, e.text);
  assert.equal(e.json.status, 'attested');
  assert.equal(e.json.tls.binding, 'report_data_split');
  const id = e.json.id;
  // A second passport of the endpoint through the verify API (its
  // endpoint_id gives the layout), from other evidence of the same key.
  const ev2 = splitEvidence(model, ev.spki);
  const v = await post(d, '/api/verify/tee-attestation', { attestation: ev2.attestation, runtime_data: ev2.runtime_data, endpoint_id: id });
  assert.equal(v.status, 200, v.text);
  assert.equal(v.json.valid, true, v.text);
  const pids = [e.json.passport.id, v.json.passport.id];
  assert.notEqual(pids[0], pids[1]);
  for (const pid of pids)
    assert.equal(psql(`SELECT (appraisal->>'runtime_data_upper')::boolean FROM passports WHERE id = '${pid}'`), 't', pid);

  for (const pid of pids) {
    // As issued and as of now: the same verdict, runtime data bound
    // through [32:64], the model matched.
    for (const at of ['issued', 'now', LATER]) {
      const a = await get(d, `/api/passports/${pid}/appraisal?at=${encodeURIComponent(at)}`);
      assert.equal(a.status, 200, a.text);
      assert.equal(a.json.verdict.valid, true, `${pid} at ${at}: ${a.text}`);
      assert.equal(a.json.outcome, 'unchanged', a.text);
      assert.equal(binding(a.json)?.ok, true, a.text);
      assert.equal(a.json.verdict.claims.runtime_data.model, model);
      assert.equal(a.json.compared.find((c) => c.name === 'model').ok, true, a.text);
    }
    // teepass reappraise --at a later time (an audit): unchanged.
    const cli = reappraiseCli(['--at', LATER, '--passport', pid], LATER);
    assert.equal(cli.status, 0, cli.stdout + cli.stderr);
    // Mock evidence is at best "warning": the status it was issued with.
    const issuedStatus = psql(`SELECT ear_status FROM passports WHERE id = '${pid}'`);
    assert.match(cli.stdout, new RegExp(`${pid} would be unchanged as of ${LATER}: ${issuedStatus}, valid true\\n`));
  }

  // New reference values: both passports judged at once against them,
  // worse for the measurement alone — the binding still holds.
  const r = await request(d, 'PATCH', `/api/endpoints/${id}`, { reference_values: { runtime: { mr0: MR0_NEW } } }, bearer(key));
  assert.equal(r.status, 200, r.text);
  for (const pid of pids) {
    await until(`passport ${pid} superseded`, () => status(pid) === 'superseded');
    const re = JSON.parse(psql(`SELECT reappraisal::text FROM passports WHERE id = '${pid}'`));
    assert.equal(re.valid, false);
    assert.deepEqual(codes(re), ['measurement_mismatch'], JSON.stringify(re));
    const now = await get(d, `/api/passports/${pid}/appraisal?at=now`);
    assert.equal(now.json.outcome, 'superseded', now.text);
    assert.equal(binding(now.json)?.ok, true, now.text);
    assert.deepEqual(now.json.compared.find((c) => c.name === 'mr0'), { check: 'expected_runtime', name: 'mr0', ok: false, want: MR0_NEW, have: MR0 });
    // As issued, against the values it was issued with: still valid.
    const issued = await get(d, `/api/passports/${pid}/appraisal`);
    assert.equal(issued.json.verdict.valid, true, issued.text);
    assert.equal(binding(issued.json)?.ok, true, issued.text);
  }
  assert.equal((await get(d, `/api/endpoints/${id}`, bearer(key))).json.status, 'failed');
});

test('a passport whose runtime data is bound through the whole field is not re-read through [32:64]', async () => {
  // The control: the layout comes from the appraisal record, not from the
  // endpoint's current state nor the evidence. Evidence binding the
  // runtime data as SHA-256 || 0^32 on a default-layout endpoint
  // re-appraises valid; its [32:64] is zero, so read as split it would be
  // binding_half_zero.
  const model = sha256(`plain model ${uniq()}`);
  const rd = Buffer.from(JSON.stringify({ model }));
  const low = createHash('sha256').update(rd).digest('hex');
  const attestation = teepass(['mock-evidence', '--report-data', low + '00'.repeat(32), '--mr0', MR0, '--time', NOW]).trim();
  const e = await post(d, '/api/endpoints', {
    url: `https://plain-${uniq()}.example/v1`, model: { name: 'm', digest: model }, provider: 'Mock',
    reference_values: { runtime: { mr0: MR0 } }, attestation, runtime_data: rd.toString('base64'),
  }, bearer(key));
  assert.equal(e.status, 201, e.text);
  const pid = e.json.passport.id;
  assert.equal(psql(`SELECT appraisal ? 'runtime_data_upper' FROM passports WHERE id = '${pid}'`), 'f');
  const a = await get(d, `/api/passports/${pid}/appraisal?at=now`);
  assert.equal(a.json.verdict.valid, true, a.text);
  assert.equal(binding(a.json)?.ok, true, a.text);
  // The same evidence and runtime data on a split endpoint is refused
  // at registration: [32:64] is zero.
  const s = await post(d, '/api/endpoints', {
    url: `https://split2-${uniq()}.example/v1`, model: { name: 'm', digest: model }, provider: 'Mock',
    reference_values: { runtime: { mr0: MR0 } }, tls_binding: 'report_data_split', attestation, runtime_data: rd.toString('base64'),
  }, bearer(key));
  assert.equal(s.status, 422, s.text);
  assert.ok(codes(s.json).includes('binding_half_zero'), s.text);
});
