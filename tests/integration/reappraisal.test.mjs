// Re-appraisal of stored passports (issue 17, docs/reappraisal.md): a
// real TDX quote's passport, issued with the real collateral of
// tests/data/tdx/dcapqvl_v4_uptodate from the PostgreSQL cache at a
// pinned time, is judged again when the cache stores a superseding TCB
// Info for its FMSPC; an endpoint's passport when its reference values
// change.
//
// What is real and what is not: the quote and the collateral it is
// issued with are Intel's, verbatim. No real Intel-signed TCB Info for
// this FMSPC newer than the sample's exists in tests/data or
// ../shared/vectors (the other TDX samples are other FMSPCs, or the
// same FMSPC with validity windows months apart, beyond a passport's
// 24 hours), and this file runs with the pinned Intel root. So the "newer" TCB Info here is the sample's own with every
// tcbStatus lowered to OutOfDate, written into the cache row directly
// (as the cache writer would; `teepass collateral import` refuses it,
// its signature no longer verifies). The re-appraisal therefore finds
// the verdict worse through the TCB Info signature check, not through
// the lowered status: the queue, the engine, the statuses and the
// endpoint are what this file proves. A lowered TCB status and a revoked
// PCK, end to end through `teepass collateral import` with checked
// signatures, are reappraisal-pki.test.mjs's (a test Intel PKI,
// test_pki.mjs, and the intel_root_ca_file configuration).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { stopDaemon, post, get, request, psql, teepass, ROOT, sleep, bearer, createAdminKey, mockEvidence, mockEvidenceMr, sha256 } from './lib.mjs';
import { until, receiver, sseUntil, reappraisalDaemons, passportStatus, reappraiseCli } from './push.mjs';

const TDX = join(ROOT, 'tests/data/tdx/dcapqvl_v4_uptodate');
const MRTD = '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7';
const AT = '2025-07-10T00:00:00Z';    // inside every item's window (dcap.test.mjs)
const LATER = '2025-07-10T06:00:00Z'; // the passports are still active
const quote = readFileSync(join(TDX, 'quote.bin')).toString('hex');
const VERIFY = '/api/verify/tee-attestation';

// Daemons still running when a test fails are killed at the end.
const daemon = reappraisalDaemons();
const startDaemon = daemon.start;

// An issuer of this file's own: the same request of another file (the
// same quote and collateral at the same pinned time) would otherwise be
// answered with that file's passport (idempotent issue).
const ISSUER = `https://reappraisal-${process.pid}.example`;
const status = passportStatus;

test('a superseding TCB Info: dry run, a job resumed after a restart, superseded passports, the endpoint failed, the issued verdict kept', async () => {
  teepass(['collateral', 'import', '--at', AT, join(TDX, 'collateral.json')]);
  let d = await startDaemon({ TEEPASS_DEV_FIXED_TIME: AT, TEEPASS_ISSUER: ISSUER });
  // Three passports of the same quote (other requests: with and without
  // reference values, two from the cached collateral, one with the same
  // collateral sent in the request).
  const r1 = await post(d, VERIFY, { attestation: quote, expected: { runtime: { mrtd: MRTD } } });
  const r2 = await post(d, VERIFY, { attestation: quote });
  // The third from an instance of another issuer: the same request to
  // this one would be answered with r2's passport (the request digest
  // covers the collateral's bytes, not where they came from).
  const d2 = await startDaemon({ TEEPASS_DEV_FIXED_TIME: AT, TEEPASS_ISSUER: `${ISSUER}/inline` });
  const r3 = await post(d2, VERIFY, { attestation: quote, collateral: JSON.parse(readFileSync(join(TDX, 'collateral.json'), 'utf8')) });
  await stopDaemon(d2);
  for (const r of [r1, r2, r3]) {
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.valid, true, JSON.stringify(r.json.errors));
    assert.equal(r.json.status, 'affirming');
  }
  for (const r of [r1, r2]) assert.ok(r.json.collateral_artifacts.every((a) => a.source === 'import'));
  assert.equal(r3.json.collateral_artifacts, undefined, 'the request\'s collateral, not the service\'s');
  const ids = [r1.json.passport.id, r2.json.passport.id, r3.json.passport.id].sort();
  const inList = ids.map((x) => `'${x}'`).join(', ');
  const fmspc = psql("SELECT key FROM collateral_artifacts WHERE kind = 'intel_tcb_info'");
  // What each appraisal depended on, queryable by kind and key (the
  // request's TCB Info named by its content, as the cache names it).
  assert.equal(psql(`SELECT string_agg(passport_id::text, ',' ORDER BY passport_id) FROM passport_artifacts
    WHERE kind = 'intel_tcb_info' AND key = '${fmspc}' AND passport_id IN (${inList})`), ids.join(','));
  // The evidence is stored once for both passports.
  assert.equal(psql(`SELECT count(*) FROM evidence_blobs WHERE sha256 IN
    (SELECT evidence_sha256 FROM passports WHERE id IN (${inList}))`), '1');
  assert.equal(psql(`SELECT count(*) FROM passports WHERE id IN (${inList}) AND evidence IS NOT NULL`), '0');

  // Issue 20: what a TDX passport stores (pg_column_size of the rows, as
  // stored: compressed values compressed). Its row holds the token as its
  // parts (the claims are its payload); the evidence and the collateral
  // set are stored once, shared by every passport naming them.
  const size = (sql) => Number(psql(sql));
  const row = size(`SELECT sum(pg_column_size(p.*)) FROM passports p WHERE id IN (${inList})`) / ids.length;
  const users = (col, val) => size(`SELECT count(*) FROM passports WHERE ${col} = '${val}'`);
  let shared = 0;
  for (const ev of psql(`SELECT DISTINCT evidence_sha256 FROM passports WHERE id IN (${inList})`).split('\n'))
    shared += size(`SELECT pg_column_size(b.*) FROM evidence_blobs b WHERE sha256 = '${ev}'`) / users('evidence_sha256', ev) *
      size(`SELECT count(*) FROM passports WHERE evidence_sha256 = '${ev}' AND id IN (${inList})`);
  let sets = 0;
  for (const cs of psql(`SELECT DISTINCT collateral_set FROM passports WHERE id IN (${inList})`).split('\n')) {
    const bytes = size(`SELECT pg_column_size(s.*) FROM collateral_sets s WHERE sha256 = '${cs}'`) +
      size(`SELECT coalesce(sum(pg_column_size(i.*)), 0) FROM collateral_set_items i WHERE set_sha256 = '${cs}'`) +
      size(`SELECT coalesce(sum(pg_column_size(b.*)), 0) FROM appraisal_blobs b WHERE sha256 IN
        (SELECT a->>'sha256' FROM collateral_sets, jsonb_array_elements(artifacts) a WHERE sha256 = '${cs}'
         UNION SELECT a->>'chain_sha256' FROM collateral_sets, jsonb_array_elements(artifacts) a WHERE sha256 = '${cs}')`);
    sets += bytes / users('collateral_set', cs) * Number(psql(`SELECT count(*) FROM passports WHERE collateral_set = '${cs}' AND id IN (${inList})`));
  }
  const log = size(`SELECT sum(pg_column_size(t.*)) FROM tlog_entries t WHERE passport_id IN (${inList})`) / ids.length;
  console.log(`# stored per TDX passport (${ids.length} here): passport row ${Math.round(row)} bytes; ` +
    `evidence ${Math.round(shared / ids.length)} and collateral set ${Math.round(sets / ids.length)} (each stored once, shared by the passports naming it); ` +
    `transparency-log entry ${Math.round(log)}; total ${Math.round(row + shared / ids.length + sets / ids.length + log)} bytes`);
  // The target of issue 20 is 3000 bytes; the row is about that (the
  // payload's hex digests compress to ~75 %), so this guards the order of
  // magnitude, not the target: before migration 0007 it was ~13 KB.
  assert.ok(row <= 3500, `a TDX passport row is ${row} bytes`);
  assert.equal(psql(`SELECT count(*) FROM passports WHERE id IN (${inList}) AND (token IS NOT NULL OR claims IS NOT NULL)`), '0');

  // The endpoint whose current passport the first one is (a registry row
  // made here: an endpoint's reference values always name a model, which
  // this quote's report_data cannot bind).
  const tag = `reappraisal-${process.pid}`;
  psql(`INSERT INTO providers (id, name) VALUES (gen_random_uuid(), '${tag}')`);
  psql(`INSERT INTO endpoints (id, provider_id, url, model_name, model_digest, tee_type, status,
      reference_version, current_passport_id, last_attested_at)
    SELECT gen_random_uuid(), (SELECT id FROM providers WHERE name = '${tag}'), 'https://${tag}.example',
      'm', 'sha256:00', 'IntelTdx', 'attested', 1, '${r1.json.passport.id}', now()`);
  // A webhook of an admin key (every provider's events) for the status
  // changes, registered before the change; the stream's resume point.
  const rx = await receiver();
  const wh = await post(d, '/api/webhooks', { url: rx.url, types: ['passport.superseded', 'endpoint.failed'] }, bearer(createAdminKey('reappraisal-push')));
  assert.equal(wh.status, 201, wh.text);
  const lastSeq = Number(psql('SELECT coalesce(max(seq), 0) FROM events'));
  await stopDaemon(d);

  // The import above superseded, for other files' passports of the same
  // kinds (collateral they sent inline), what they used: jobs of theirs,
  // not this test's; dropped so that the one counted below is ours.
  psql('DELETE FROM reappraisal_jobs');
  // The cache stores a superseding TCB Info for the FMSPC: a job.
  const body = psql("SELECT convert_from(body, 'UTF8') FROM collateral_artifacts WHERE kind = 'intel_tcb_info'");
  assert.match(body, /"tcbStatus":"UpToDate"/);
  const lowered = body.replaceAll('"tcbStatus":"UpToDate"', '"tcbStatus":"OutOfDate"');
  psql(`UPDATE collateral_artifacts SET body = convert_to($b$${lowered}$b$, 'UTF8'),
    sha256 = encode(sha256(convert_to($b$${lowered}$b$, 'UTF8')), 'hex') WHERE kind = 'intel_tcb_info'`);
  assert.equal(psql("SELECT kind || '/' || key || ' ' || (done_at IS NULL) FROM reappraisal_jobs"), `intel_tcb_info/${fmspc} true`);
  // Every active passport that used this TCB Info (ours, and any other
  // file's of the same FMSPC at the same pinned time) is affected.
  const affected = psql(`SELECT DISTINCT p.id FROM passports p JOIN passport_artifacts a ON a.passport_id = p.id
    WHERE a.kind = 'intel_tcb_info' AND a.key = '${fmspc}' AND p.status = 'active'
    AND p.expires_at > timestamptz '${LATER}' ORDER BY p.id`).split('\n');
  for (const id of ids) assert.ok(affected.includes(id));
  const superseded = () => affected.filter((id) => status(id) === 'superseded');

  // teepass reappraise --dry-run: says what would change, changes nothing.
  const dry = reappraiseCli(['--dry-run'], LATER);
  assert.equal(dry.status, 1, dry.stdout + dry.stderr);
  for (const id of ids) assert.match(dry.stdout, new RegExp(`${id} would be superseded as of ${LATER}: contraindicated, valid false; errors [a-z_,]+`));
  assert.match(dry.stdout, /reappraise: \d+ passports judged, \d+ would be worse/);
  for (const id of ids) assert.equal(status(id), 'active');
  assert.equal(psql('SELECT count(*) FROM reappraisal_jobs WHERE done_at IS NULL'), '1');

  // A daemon that does one passport a round, stopped after its first
  // round: the job keeps its cursor; the next instance resumes there.
  d = await startDaemon({ TEEPASS_DEV_FIXED_TIME: LATER, TEEPASS_ISSUER: ISSUER, TEEPASS_REAPPRAISAL_INTERVAL: '3600', TEEPASS_REAPPRAISAL_BATCH: '1' });
  await until('the first passport superseded', () => superseded().length > 0);
  await stopDaemon(d);
  assert.deepEqual(superseded(), [affected[0]]);
  assert.equal(psql('SELECT cursor::text || \' \' || examined || \' \' || (done_at IS NULL) FROM reappraisal_jobs'), `${affected[0]} 1 true`);
  d = await startDaemon({ TEEPASS_DEV_FIXED_TIME: LATER, TEEPASS_ISSUER: ISSUER, TEEPASS_REAPPRAISAL_INTERVAL: '3600', TEEPASS_REAPPRAISAL_BATCH: '100' });
  await until('the job done', () => psql('SELECT count(*) FROM reappraisal_jobs WHERE done_at IS NULL') === '0');
  assert.deepEqual(superseded(), affected);
  assert.equal(psql('SELECT examined || \' \' || changed FROM reappraisal_jobs'), `${affected.length} ${affected.length}`);

  // Pushed: the SSE stream resumed from before the change carries the
  // passport's superseded event and its endpoint's failed one; the
  // webhook received them signed (the HMAC recomputed here from the
  // documented form, docs/events.md).
  const p1 = r1.json.passport.id;
  const endpointId = psql(`SELECT id FROM endpoints WHERE url = 'https://${tag}.example'`);
  const evs = await sseUntil(d, lastSeq, (e) => e.some((x) => x.event === 'passport.superseded' && x.data.passport_id === p1) &&
    e.some((x) => x.event === 'endpoint.failed' && x.data.endpoint_id === endpointId));
  const sup = evs.find((x) => x.event === 'passport.superseded' && x.data.passport_id === p1);
  assert.equal(sup.data.status, 'superseded');
  assert.equal(sup.data.endpoint_id, endpointId);
  await until('the webhook deliveries', () => rx.got.some((x) => x.json.type === 'passport.superseded' && x.json.passport_id === p1) &&
    rx.got.some((x) => x.json.type === 'endpoint.failed' && x.json.endpoint_id === endpointId));
  for (const rec of rx.got) {
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(rec.headers['teepass-signature']);
    assert.ok(m, rec.headers['teepass-signature']);
    const want = createHmac('sha256', wh.json.secret).update(`${m[1]}.${rec.body}`).digest();
    assert.ok(timingSafeEqual(Buffer.from(m[2], 'hex'), want), 'the delivery is signed with the webhook secret');
  }
  const delivered = rx.got.find((x) => x.json.type === 'passport.superseded' && x.json.passport_id === p1);
  assert.equal(delivered.json.id, sup.id, 'the webhook carries the stream event');
  await rx.close();

  // The new verdict is stored and shown; the endpoint failed with it.
  const st = await get(d, `/api/passports/${r1.json.passport.id}/status`);
  assert.equal(st.status, 200);
  assert.equal(st.json.status, 'superseded');
  const p = await get(d, `/api/passports/${r1.json.passport.id}`);
  assert.equal(p.json.status, 'superseded');
  assert.equal(p.json.reappraisal.outcome, 'superseded');
  assert.equal(p.json.reappraisal.at, LATER);
  const re = JSON.parse(psql(`SELECT reappraisal::text FROM passports WHERE id = '${r1.json.passport.id}'`));
  assert.equal(re.outcome, 'superseded');
  assert.equal(re.at, LATER);
  assert.equal(re.valid, false);
  assert.equal(re.ear_status, 'contraindicated');
  assert.ok(re.errors.length > 0);
  const codes = re.errors.map((e) => e.code);
  assert.equal(psql(`SELECT status FROM endpoints WHERE url = 'https://${tag}.example'`), 'failed');
  assert.deepEqual(JSON.parse(psql(`SELECT last_errors::text FROM endpoints WHERE url = 'https://${tag}.example'`)).map((e) => e.code), codes);
  const list = await get(d, '/api/passports?status=superseded&limit=100');
  assert.deepEqual(list.json.passports.map((x) => x.id).filter((x) => ids.includes(x)).sort(), ids);
  // The passport of the request's collateral: as issued, with the stored
  // request artifacts, valid; now, with the cache's TCB Info for its key,
  // not.
  const i3 = await get(d, `/api/passports/${r3.json.passport.id}/appraisal`);
  assert.equal(i3.json.verdict.valid, true, i3.text);
  const active = await get(d, '/api/passports?status=active&limit=100');
  assert.ok(!active.json.passports.some((x) => ids.includes(x.id)));

  // appraisal?at=issued: the stored inputs at the issue time give the
  // original verdict; at=now the current cache gives the new one.
  const issued = await get(d, `/api/passports/${r1.json.passport.id}/appraisal?at=issued`);
  assert.equal(issued.status, 200, issued.text);
  assert.equal(issued.json.as_of, 'issued');
  assert.equal(issued.json.at, AT);
  assert.equal(issued.json.outcome, 'unchanged');
  for (const k of ['valid', 'status', 'tcb_status', 'checks', 'errors', 'claims', 'measurements_valid'])
    assert.deepEqual(issued.json.verdict[k], r1.json[k], k);
  assert.deepEqual(issued.json.compared, [{ check: 'expected_runtime', name: 'mrtd', ok: true, want: MRTD, have: MRTD }]);
  const now = await get(d, `/api/passports/${r1.json.passport.id}/appraisal?at=now`);
  assert.equal(now.json.at, LATER);
  assert.equal(now.json.outcome, 'superseded');
  assert.deepEqual(now.json.verdict.errors.map((e) => e.code), codes);
  assert.ok(now.json.verdict.checks.some((c) => c.ok === false));
  // An audit at a time outside the stored collateral's window.
  const late = await get(d, `/api/passports/${r1.json.passport.id}/appraisal?at=2025-08-01T00:00:00Z`);
  assert.equal(late.json.verdict.valid, false);
  assert.equal((await get(d, `/api/passports/${r1.json.passport.id}/appraisal?at=yesterday`)).json.error.code, 'appraisal_at_invalid');
  assert.equal((await get(d, '/api/passports/00000000-0000-4000-8000-000000000000/appraisal')).status, 404);
  // The CLI's audit at the issue time agrees and changes nothing.
  const audit = reappraiseCli(['--at', 'issued', '--passport', r1.json.passport.id], LATER);
  assert.equal(audit.status, 0, audit.stdout + audit.stderr);
  assert.match(audit.stdout, new RegExp(`${r1.json.passport.id} would be unchanged as of ${AT}: affirming, valid true\\n`));
  await stopDaemon(d);
});

test('new reference values of an endpoint: its passport superseded at once, the endpoint failed', async () => {
  const d = await startDaemon({ TEEPASS_REAPPRAISAL_INTERVAL: '3600' });
  try {
    const admin = createAdminKey('reappraisal test');
    const prov = await post(d, '/api/providers', { name: `reappraisal-${process.pid}-ref` }, bearer(admin));
    assert.equal(prov.status, 201, prov.text);
    const key = prov.json.api_key.token;
    const MR0 = 'a'.repeat(96);
    const model = sha256(`reappraisal model ${process.pid}`);
    const ev = mockEvidenceMr({ model, mr: { mr0: MR0 } });
    const e = await post(d, '/api/endpoints', {
      url: `https://ref-${process.pid}.example/v1`, model: { name: 'm', digest: model }, provider: 'mock',
      reference_values: { runtime: { mr0: MR0 } }, attestation: ev.attestation, runtime_data: ev.runtime_data,
    }, bearer(key));
    assert.equal(e.status, 201, e.text);
    assert.equal(e.json.status, 'attested');
    const pid = e.json.passport.id;
    const r = await request(d, 'PATCH', `/api/endpoints/${e.json.id}`, { reference_values: { runtime: { mr0: 'b'.repeat(96) } } }, bearer(key));
    assert.equal(r.status, 200, r.text);
    await until('the passport superseded', () => status(pid) === 'superseded');
    const ep = await get(d, `/api/endpoints/${e.json.id}`, bearer(key));
    assert.equal(ep.json.status, 'failed');
    assert.equal(ep.json.passport.status, 'superseded');
    const re = JSON.parse(psql(`SELECT reappraisal::text FROM passports WHERE id = '${pid}'`));
    assert.equal(re.valid, false);
    assert.ok(re.errors.some((x) => x.code === 'measurement_mismatch'), JSON.stringify(re.errors));
    // As issued, against the reference values it was issued with: valid.
    const issued = await get(d, `/api/passports/${pid}/appraisal`);
    assert.equal(issued.json.verdict.valid, true, issued.text);
    assert.equal(issued.json.outcome, 'unchanged');
    const mr0 = (j) => j.compared.find((c) => c.name === 'mr0');
    assert.deepEqual(mr0(issued.json), { check: 'expected_runtime', name: 'mr0', ok: true, want: MR0, have: MR0 });
    // As of now, against the endpoint's new reference values: want and
    // have differ.
    const now = await get(d, `/api/passports/${pid}/appraisal?at=now`);
    assert.equal(now.json.outcome, 'superseded');
    assert.deepEqual(mr0(now.json), { check: 'expected_runtime', name: 'mr0', ok: false, want: 'b'.repeat(96), have: MR0 });
    assert.equal(now.json.compared.find((c) => c.name === 'model').ok, true);
  } finally {
    await stopDaemon(d);
  }
});

test('two instances on one database: each passport of a job judged once', async () => {
  // Batches of one passport, a round a second on each instance: the two
  // interleave on the one job; the job's row lock (FOR UPDATE SKIP
  // LOCKED) lets one batch run at a time, so no passport is judged twice.
  const env = { TEEPASS_REAPPRAISAL_INTERVAL: '1', TEEPASS_REAPPRAISAL_BATCH: '1' };
  const a = await startDaemon(env);
  const b = await startDaemon(env);
  try {
    const admin = createAdminKey('reappraisal two instances');
    const prov = await post(a, '/api/providers', { name: `reappraisal-${process.pid}-two` }, bearer(admin));
    const key = prov.json.api_key.token;
    const MR0 = 'c'.repeat(96);
    const model = sha256(`reappraisal two ${process.pid}`);
    const ev = mockEvidenceMr({ model, mr: { mr0: MR0 } });
    const e = await post(a, '/api/endpoints', {
      url: `https://two-${process.pid}.example/v1`, model: { name: 'm', digest: model }, provider: 'mock',
      reference_values: { runtime: { mr0: MR0 } }, attestation: ev.attestation, runtime_data: ev.runtime_data,
    }, bearer(key));
    assert.equal(e.status, 201, e.text);
    const ids = [e.json.passport.id];
    for (let i = 0; i < 5; i++) {
      const again = mockEvidenceMr({ model, mr: { mr0: MR0 } });
      const r = await request(i % 2 ? a : b, 'PUT', `/api/endpoints/${e.json.id}/attestation`,
        { attestation: again.attestation, runtime_data: again.runtime_data }, bearer(key));
      assert.equal(r.status, 200, r.text);
      ids.push(r.json.passport.id);
    }
    assert.equal(new Set(ids).size, 6);
    const r = await request(a, 'PATCH', `/api/endpoints/${e.json.id}`, { reference_values: { runtime: { mr0: 'd'.repeat(96) } } }, bearer(key));
    assert.equal(r.status, 200, r.text);
    const job = () => psql(`SELECT examined || ' ' || changed || ' ' || (done_at IS NOT NULL) FROM reappraisal_jobs
      WHERE kind = 'reference_values' AND key = '${e.json.id}'`);
    await until('the job done', () => job().endsWith('true'));
    assert.equal(job(), '6 6 true');
    for (const id of ids) assert.equal(status(id), 'superseded');
  } finally {
    await stopDaemon(a);
    await stopDaemon(b);
  }
});

test('a passport issued with a challenge: judged again as issued, the same verdict (the nonce bound again, its single use as settled)', async () => {
  const d = await startDaemon();
  try {
    const ch = await post(d, '/api/challenges', '');
    assert.equal(ch.status, 201, ch.text);
    const ev = mockEvidence({ model: sha256(`reappraisal nonce ${process.pid}`), nonce: ch.json.nonce });
    const v = await post(d, VERIFY, { attestation: ev.attestation, runtime_data: ev.runtime_data, nonce: ch.json.nonce });
    assert.equal(v.json.valid, true, v.text);
    assert.ok(v.json.checks.some((c) => c.check === 'nonce_unused' && c.ok));
    const a = await get(d, `/api/passports/${v.json.passport.id}/appraisal`);
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.outcome, 'unchanged');
    for (const k of ['valid', 'status', 'checks', 'errors', 'fresh', 'binding_valid'])
      assert.deepEqual(a.json.verdict[k], v.json[k], k);
  } finally {
    await stopDaemon(d);
  }
});
