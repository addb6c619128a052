// Retention (issue 20): with the clock pinned, the background purge
// deletes expired challenges and passports past the retention period, in
// batches, and leaves live data alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, stopDaemon, post, get, psql, mockEvidence, sha256, sleep } from './lib.mjs';

const AT = '2026-03-01T00:00:00Z';
const DAYS = 30;

// Waits for CONDITION (a function) to hold, polling the database.
async function until(what, condition) {
  for (let i = 0; i < 600; i++) {
    if (condition()) return;
    await sleep(100);
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('retention: expired challenges and passports past the period are purged, live data stays', async () => {
  psql('TRUNCATE passports, challenges CASCADE');
  // A template passport to copy rows from, issued before the purge runs.
  let d = await startDaemon({ TEEPASS_DEV_FIXED_TIME: AT, TEEPASS_RETENTION_INTERVAL: '0' });
  const ev = mockEvidence({ model: sha256('retention'), time: AT });
  const live = await post(d, '/api/verify/tee-attestation', { attestation: ev.attestation, runtime_data: ev.runtime_data });
  assert.equal(live.status, 200, live.text);
  const liveId = live.json.passport.id;
  const fresh = await post(d, '/api/challenges', '');
  assert.equal(fresh.status, 201, fresh.text);
  await stopDaemon(d);

  const copy = (tag, expires, n) => psql(`INSERT INTO passports (id, verified_at, expires_at, ear_status,
      tee_type, hardware_attested, claims, token, kid, evidence, evidence_sha256, request_sha256)
    SELECT gen_random_uuid(), timestamptz '${expires}' - interval '1 hour', timestamptz '${expires}',
      ear_status, tee_type, hardware_attested, claims, '${tag}', kid, evidence, evidence_sha256, md5(g::text)
    FROM passports p, generate_series(1, ${n}) g WHERE p.id = '${liveId}'`);
  // Due: expired more than DAYS days before AT.
  copy('due', '2026-01-01T00:00:00Z', 7);
  // Due, with evidence of its own (stored once by digest, migrations/0007):
  // its blob goes with it; the shared one of the others stays.
  const own = `retention-own-${process.pid}`;
  psql(`INSERT INTO evidence_blobs (sha256, body) VALUES (encode(sha256('${own}'::bytea), 'hex'), '${own}'::bytea)`);
  psql(`INSERT INTO passports (id, verified_at, expires_at, ear_status,
      tee_type, hardware_attested, claims, token, kid, evidence_sha256, request_sha256)
    SELECT gen_random_uuid(), timestamptz '2026-01-01T00:00:00Z' - interval '1 hour', timestamptz '2026-01-01T00:00:00Z',
      ear_status, tee_type, hardware_attested, claims, 'due', kid, encode(sha256('${own}'::bytea), 'hex'), md5('${own}')
    FROM passports p WHERE p.id = '${liveId}'`);
  const sharedBlob = psql(`SELECT evidence_sha256 FROM passports WHERE id = '${liveId}'`);
  // Due, with appraisal inputs and a collateral set of its own (0007,
  // 0011): its runtime data, its set and that set's own artifact go; the
  // reference values and the issuer chain it shares with a kept passport
  // (and that one's set) stay.
  const h = (s) => `encode(sha256('${s}-${process.pid}'::bytea), 'hex')`;
  for (const b of ['own-rt', 'own-c', 'shared-exp', 'shared-c', 'own-dev', 'shared-dev'])
    psql(`INSERT INTO appraisal_blobs (sha256, body) VALUES (${h(b)}, '${b}'::bytea)`);
  const set = (name, arts) => {
    psql(`INSERT INTO collateral_sets (sha256, artifacts) VALUES (${h(name)}, jsonb_build_array(${arts.map((a) =>
      `jsonb_build_object('kind', 'intel_tcb_info', 'key', '${a.key}', 'sha256', ${h(a.body)}${a.chain ? `, 'chain_sha256', ${h(a.chain)}` : ''})`).join(', ')}))`);
    for (const a of arts) {
      psql(`INSERT INTO collateral_set_items (kind, key, set_sha256, sha256, chain_sha256)
        VALUES ('intel_tcb_info', '${a.key}', ${h(name)}, ${h(a.body)}, ${a.chain ? h(a.chain) : 'NULL'})`);
      for (const b of [a.body, a.chain].filter(Boolean))
        psql(`INSERT INTO collateral_set_blobs (sha256, set_sha256) VALUES (${h(b)}, ${h(name)})`);
    }
  };
  set('set-own', [{ key: 'tdx/own', body: 'own-c', chain: 'shared-c' }]);
  set('set-shared', [{ key: 'tdx/shared', body: 'shared-c' }]);
  const appraised = (tag, expires, appraisal, setName) => psql(`INSERT INTO passports (id, verified_at, expires_at, ear_status,
      tee_type, hardware_attested, claims, token, kid, evidence_sha256, request_sha256, appraisal, collateral_set)
    SELECT gen_random_uuid(), timestamptz '${expires}' - interval '1 hour', timestamptz '${expires}',
      ear_status, tee_type, hardware_attested, claims, '${tag}', kid, evidence_sha256, md5('${tag}-appraised'),
      ${appraisal}, ${h(setName)}
    FROM passports p WHERE p.id = '${liveId}'`);
  // A composite's device evidence (0014): its own goes, the one a kept
  // passport also names stays.
  const dev = (b) => `jsonb_build_object('provider', 'Mock', 'evidence', ${h(b)})`;
  appraised('due', '2026-01-01T00:00:00Z', `jsonb_build_object('runtime_data', ${h('own-rt')}, 'expected', ${h('shared-exp')},
    'devices', jsonb_build_array(${dev('own-dev')}, ${dev('shared-dev')}))`, 'set-own');
  appraised('audit', '2026-02-20T00:00:00Z', `jsonb_build_object('expected', ${h('shared-exp')},
    'devices', jsonb_build_array(${dev('shared-dev')}))`, 'set-shared');
  const liveSet = psql(`SELECT collateral_set FROM passports WHERE id = '${liveId}'`);
  const liveBlobs = psql(`SELECT count(*) FROM appraisal_blobs WHERE sha256 IN (SELECT appraisal->>'runtime_data' FROM passports WHERE id = '${liveId}')
    OR sha256 IN (SELECT sha256 FROM collateral_set_blobs WHERE set_sha256 = '${liveSet}')`);
  // Kept: expired, but within the retention period (an audit record).
  copy('audit', '2026-02-20T00:00:00Z', 3);
  // Kept: due by age, but an endpoint still names it as its current one.
  copy('current', '2025-12-01T00:00:00Z', 1);
  psql(`INSERT INTO providers (id, name) VALUES (gen_random_uuid(), 'retention-${process.pid}')`);
  psql(`INSERT INTO endpoints (id, provider_id, url, model_name, model_digest, tee_type, status,
      reference_version, current_passport_id, last_attested_at)
    SELECT gen_random_uuid(), (SELECT id FROM providers WHERE name = 'retention-${process.pid}'),
      'https://retention.example', 'm', 'sha256:00', 'Mock', 'attested', 1, id, now()
    FROM passports WHERE token = 'current'`);
  // The endpoint's history: old failures (due: older than the period and
  // a day), recent ones (kept), and the old entry of its current passport
  // (kept with the passport).
  const hist = (at, status, passport, n) => psql(`INSERT INTO endpoint_attestations
      (endpoint_id, at, status, passport_id, reference_version, errors)
    SELECT e.id, timestamptz '${at}', '${status}', ${passport}, 1, '[{"code":"${status}-${at}"}]'
    FROM endpoints e, generate_series(1, ${n}) g WHERE e.url = 'https://retention.example'`);
  hist('2026-01-01T00:00:00Z', 'failed', 'NULL', 4);
  hist('2026-02-25T00:00:00Z', 'failed', 'NULL', 2);
  hist('2025-12-01T00:00:00Z', 'attested', "(SELECT id FROM passports WHERE token = 'current')", 1);
  // Challenges: expired (due), and live ones (the fresh one and one unused).
  psql(`INSERT INTO challenges (nonce, created_at, expires_at)
    SELECT decode(md5('old' || g) || md5('x' || g), 'hex'), timestamptz '2026-02-28T23:00:00Z',
      timestamptz '2026-02-28T23:05:00Z' FROM generate_series(1, 5) g`);
  psql(`INSERT INTO challenges (nonce, created_at, expires_at) VALUES
    (decode(md5('live') || md5('live2'), 'hex'), timestamptz '${AT}', timestamptz '${AT}' + interval '5 minutes')`);
  assert.equal(psql("select count(*) from passports where token = 'due'"), '9');
  assert.equal(psql('select count(*) from challenges'), '7');

  // Batches of 2: several statements per round.
  d = await startDaemon({ TEEPASS_DEV_FIXED_TIME: AT, TEEPASS_RETENTION_INTERVAL: '1',
    TEEPASS_RETENTION_BATCH: '2', TEEPASS_PASSPORT_RETENTION_DAYS: String(DAYS) });
  try {
    await until('the due passports and challenges to go', () =>
      psql("select count(*) from passports where token = 'due'") === '0' &&
      psql("select count(*) from challenges where expires_at < timestamptz '2026-03-01T00:00:00Z'") === '0');
    assert.equal(psql("select count(*) from passports where token = 'audit'"), '4');
    assert.equal(psql("select count(*) from passports where token = 'current'"), '1');
    assert.equal(psql(`select count(*) from passports where id = '${liveId}'`), '1');
    assert.equal(psql(`select count(*) from evidence_blobs where sha256 = encode(sha256('${own}'::bytea), 'hex')`), '0',
      'the evidence only purged passports named went with them');
    assert.equal(psql(`select count(*) from evidence_blobs where sha256 = '${sharedBlob}'`), '1', 'evidence still named stays');
    assert.equal(psql('select count(*) from challenges'), '2');
    const blobs = (b) => psql(`select count(*) from appraisal_blobs where sha256 = ${h(b)}`);
    assert.equal(blobs('own-rt'), '0', 'the inputs only purged passports named went with them');
    assert.equal(blobs('own-c'), '0', 'the bytes only a purged set named went with it');
    assert.equal(blobs('shared-exp'), '1', 'inputs a kept passport names stay');
    assert.equal(blobs('shared-c'), '1', 'bytes a kept set names stay');
    assert.equal(blobs('own-dev'), '0', 'device evidence only purged passports named went with them');
    assert.equal(blobs('shared-dev'), '1', 'device evidence a kept passport names stays');
    const sets = (n) => psql(`select (select count(*) from collateral_sets where sha256 = ${h(n)})
      + (select count(*) from collateral_set_items where set_sha256 = ${h(n)})
      + (select count(*) from collateral_set_blobs where set_sha256 = ${h(n)})`);
    assert.equal(sets('set-own'), '0', 'the set only purged passports named went, with its items and blob list');
    assert.equal(sets('set-shared'), '3', 'the set a kept passport names stays');
    assert.equal(psql(`select count(*) from collateral_sets where sha256 = '${liveSet}'`), '1');
    assert.equal(psql(`SELECT count(*) FROM appraisal_blobs WHERE sha256 IN (SELECT appraisal->>'runtime_data' FROM passports WHERE id = '${liveId}')
      OR sha256 IN (SELECT sha256 FROM collateral_set_blobs WHERE set_sha256 = '${liveSet}')`), liveBlobs, 'the live passport\'s inputs stay');
    await until('the due history entries to go', () =>
      psql("select count(*) from endpoint_attestations where at = timestamptz '2026-01-01T00:00:00Z'") === '0');
    assert.equal(psql("select count(*) from endpoint_attestations where at = timestamptz '2026-02-25T00:00:00Z'"), '2');
    assert.equal(psql("select count(*) from endpoint_attestations where status = 'attested'"), '1');
    const p = await get(d, `/api/passports/${liveId}`);
    assert.equal(p.status, 200, p.text);
    assert.match(d.log, /retention: deleted 5 expired challenges, 9 passports/);

    // A set this instance knows it stored (it sends no bytes for it
    // again, handlers/appraisal_record.c), purged meanwhile, as by
    // another instance: the next passport naming it stores it again.
    const ev1 = mockEvidence({ model: sha256('retention-known-1'), time: AT });
    const k1 = await post(d, '/api/verify/tee-attestation', { attestation: ev1.attestation, runtime_data: ev1.runtime_data });
    assert.equal(k1.status, 200, k1.text);
    const known = psql(`SELECT collateral_set FROM passports WHERE id = '${k1.json.passport.id}'`);
    psql(`UPDATE passports SET collateral_set = NULL WHERE collateral_set = '${known}'`);
    psql(`DELETE FROM collateral_set_items WHERE set_sha256 = '${known}'`);
    psql(`DELETE FROM collateral_set_blobs WHERE set_sha256 = '${known}'`);
    psql(`DELETE FROM collateral_sets WHERE sha256 = '${known}'`);
    const ev2 = mockEvidence({ model: sha256('retention-known-2'), time: AT });
    const k2 = await post(d, '/api/verify/tee-attestation', { attestation: ev2.attestation, runtime_data: ev2.runtime_data });
    assert.equal(k2.status, 200, k2.text);
    assert.equal(psql(`SELECT collateral_set FROM passports WHERE id = '${k2.json.passport.id}'`), known);
    assert.equal(psql(`SELECT count(*) FROM collateral_sets WHERE sha256 = '${known}'`), '1');
  } finally {
    await stopDaemon(d);
  }
});
