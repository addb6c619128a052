// Bursts of concurrent verifications on an empty and on a just-truncated
// passports table: 0 errors (issue 20). Mock evidence bound to fresh nonces
// (every request a new passport) and one real TDX quote with its
// collateral sent again and again (every request the same passport).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, stopDaemon, post, psql, mockEvidence, sha256, ROOT } from './lib.mjs';

const TDX = join(ROOT, 'tests/data/tdx/dcapqvl_v4_uptodate');
const AT = '2025-07-10T00:00:00Z'; // inside the collateral window (dcap.test.mjs)
const CONCURRENCY = 48;
const MOCK = 120;
const TDX_N = 120;

let d;
before(async () => { d = await startDaemon({ TEEPASS_DEV_FIXED_TIME: AT, TEEPASS_THREADS: '8', TEEPASS_VERIFY_RATE_LIMIT: '100000' }); });
after(async () => { await stopDaemon(d); });

const tdxBody = {
  attestation: readFileSync(join(TDX, 'quote.bin')).toString('hex'),
  collateral: JSON.parse(readFileSync(join(TDX, 'collateral.json'), 'utf8')),
};

// Runs the thunks CONCURRENCY at a time; resolves with every reply.
async function pool(tasks) {
  const out = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return out;
}

async function burst(label) {
  // Nonces and their evidence first: the burst is verifications only.
  const mock = [];
  for (let i = 0; i < MOCK; i++) {
    const c = await post(d, '/api/challenges', '');
    assert.equal(c.status, 201, c.text);
    const e = mockEvidence({ model: sha256(`burst ${label} ${i}`), nonce: c.json.nonce, time: AT });
    mock.push({ attestation: e.attestation, runtime_data: e.runtime_data, nonce: c.json.nonce });
  }
  const tasks = [];
  for (let i = 0; i < Math.max(MOCK, TDX_N); i++) {
    if (i < MOCK) tasks.push(() => post(d, '/api/verify/tee-attestation', mock[i]));
    if (i < TDX_N) tasks.push(() => post(d, '/api/verify/tee-attestation', tdxBody));
  }
  const replies = await pool(tasks);
  const bad = replies.filter((r) => r.status !== 200);
  assert.deepEqual(bad.map((r) => `${r.status} ${r.text}`), [], `${label}: ${bad.length} of ${replies.length} failed`);
  const ids = { Mock: new Set(), IntelTdx: new Set() };
  for (const r of replies) {
    assert.equal(r.json.valid, true, JSON.stringify(r.json.errors));
    assert.ok(r.json.passport?.token);
    ids[r.json.provider].add(r.json.passport.id);
  }
  assert.equal(ids.Mock.size, MOCK, 'every nonce its own passport');
  assert.equal(ids.IntelTdx.size, 1, 'the same TDX request, one passport');
  assert.equal(psql('select count(*) from passports'), String(MOCK + 1));
  assert.equal(psql('select count(*) from challenges where used_at is not null'), String(MOCK));
}

test('burst on an empty passports table: 0 errors', async () => {
  psql('TRUNCATE passports, challenges CASCADE');
  await burst('empty');
});

test('burst on a just-truncated passports table: 0 errors', async () => {
  // Fill, analyse, truncate: the planner's statistics say "large" while
  // the table and its indexes are empty, as in the run.
  const one = await post(d, '/api/verify/tee-attestation', tdxBody);
  assert.equal(one.status, 200, one.text);
  psql(`INSERT INTO passports (id, verified_at, expires_at, ear_status, tee_type, hardware_attested,
          claims, token, kid, evidence, evidence_sha256, request_sha256)
        SELECT gen_random_uuid(), verified_at, expires_at, ear_status, tee_type, hardware_attested,
          '{}'::jsonb, 'x', kid, '\\x00'::bytea, evidence_sha256, md5(g::text)
        FROM (SELECT * FROM passports LIMIT 1) p, generate_series(1, 5000) g`);
  psql('ANALYZE passports');
  assert.ok(Number(psql('select count(*) from passports')) > 5000);
  psql('TRUNCATE passports, challenges CASCADE');
  await burst('truncated');
});
