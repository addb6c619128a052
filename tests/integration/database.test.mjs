// PostgreSQL going away and coming back; schema version checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startDaemon, stopDaemon, post, get, request, bearer, createAdminKey, mockEvidence, sha256, ROOT, BIN, DB_URL, sleep } from './lib.mjs';

const pg = (cmd) => execFileSync(join(ROOT, 'scripts/pg.sh'), [cmd], { stdio: 'inherit' });

test('PostgreSQL stopped: 503 and no token; restarted: service recovers without restart', async (t) => {
  if (process.env.TP_TEST_EXTERNAL_DB) {
    t.skip('the database is external (TEEPASS_DATABASE_URL): not stopping it');
    return;
  }
  const d = await startDaemon();
  try {
    const ev = mockEvidence({ model: sha256('db outage') });
    const body = { attestation: ev.attestation, runtime_data: ev.runtime_data };
    const before = await post(d, '/api/verify/tee-attestation', body);
    assert.equal(before.json.valid, true);

    pg('stop');
    const ev2 = mockEvidence({ model: sha256('during outage') });
    const r = await post(d, '/api/verify/tee-attestation', { attestation: ev2.attestation, runtime_data: ev2.runtime_data });
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json.error.code, 'database_unavailable');
    assert.ok(r.headers.get('retry-after'));
    assert.doesNotMatch(r.text, /token|eyJ/);
    assert.equal((await post(d, '/api/challenges', '')).status, 503);
    assert.equal((await get(d, '/readyz')).status, 503);
    assert.equal((await get(d, '/healthz')).status, 200, 'the process is up');
    assert.equal((await get(d, `/api/passports/${before.json.passport.id}`)).status, 503);

    pg('start');
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      ok = (await get(d, '/readyz')).status === 200;
      if (!ok) await sleep(100);
    }
    assert.ok(ok, 'readyz recovers');
    // Every worker thread reconnects on its own.
    for (let i = 0; i < 8; i++) {
      const again = await post(d, '/api/verify/tee-attestation', { attestation: ev2.attestation, runtime_data: ev2.runtime_data });
      assert.equal(again.status, 200, again.text);
      assert.equal(again.json.valid, true);
      assert.ok(again.json.passport.token);
    }
    assert.equal((await get(d, `/api/passports/${before.json.passport.id}`)).status, 200);
  } finally {
    pg('start');
    await stopDaemon(d);
  }
});

// Waits until PostgreSQL takes a new connection again (psql, not the
// daemon: a daemon request would heal a worker before the check).
async function pgAccepting() {
  for (let i = 0; i < 300; i++) {
    if (spawnSync('psql', [DB_URL, '-Atqc', 'select 1']).status === 0) return;
    await sleep(100);
  }
  throw new Error('PostgreSQL did not come back');
}

test('PostgreSQL restarted under an idle daemon: 0 errors afterwards, every kind of database request', async (t) => {
  if (process.env.TP_TEST_EXTERNAL_DB) {
    t.skip('the database is external (TEEPASS_DATABASE_URL): not restarting it');
    return;
  }
  const THREADS = 6;
  const d = await startDaemon({ TEEPASS_THREADS: String(THREADS) });
  try {
    const admin = createAdminKey('restart');
    const ev = mockEvidence({ model: sha256('restart under idle workers') });
    const verifyBody = { attestation: ev.attestation, runtime_data: ev.runtime_data };
    const issued = await post(d, '/api/verify/tee-attestation', verifyBody);
    assert.equal(issued.status, 200, issued.text);
    const pid = issued.json.passport.id;
    // One nonce-bound evidence per later request, made before the restart.
    const N = 4 * THREADS;
    const withNonce = [];
    for (let i = 0; i < N; i++) {
      const c = await post(d, '/api/challenges', '');
      assert.equal(c.status, 201, c.text);
      const e = mockEvidence({ model: sha256(`restart ${i}`), nonce: c.json.nonce });
      withNonce.push({ attestation: e.attestation, runtime_data: e.runtime_data, nonce: c.json.nonce });
    }
    const kinds = (i) => [
      () => post(d, '/api/verify/tee-attestation', withNonce[i]),
      () => post(d, '/api/verify/tee-attestation', verifyBody),
      () => get(d, `/api/passports/${pid}`),
      () => get(d, `/api/passports/${pid}/status`),
      () => request(d, 'GET', '/api/audit', undefined, bearer(admin)),
      () => post(d, '/api/providers', { name: `restart-${i}-${process.pid}` }, bearer(admin)),
      () => post(d, '/api/challenges', ''),
    ];
    // Every worker thread holds a connection: a concurrent round, twice.
    for (let round = 0; round < 2; round++) {
      const warm = await Promise.all(Array.from({ length: 4 * THREADS }, () => get(d, `/api/passports/${pid}`)));
      for (const r of warm) assert.equal(r.status, 200, r.text);
    }

    pg('stop');
    pg('start');
    await pgAccepting();

    // Idle workers now hold connections to a server that is gone.
    const replies = await Promise.all(Array.from({ length: N }, (_, i) => kinds(i).map((f) => f())).flat());
    const bad = replies.filter((r) => r.status !== 200 && r.status !== 201);
    assert.deepEqual(bad.map((r) => `${r.status} ${r.text}`), [], `${bad.length} of ${replies.length} failed after recovery`);
    for (let i = 0; i < N; i++) {
      const v = replies[i * 7];
      assert.equal(v.json.valid, true, v.text);
      assert.ok(v.json.passport.token);
    }
  } finally {
    pg('start');
    await stopDaemon(d);
  }
});

test('teepassd refuses a database whose schema is behind', () => {
  const url = process.env.TEEPASS_DATABASE_URL.replace(/dbname=\S+/, 'dbname=teepass_empty');
  const admin = process.env.TEEPASS_DATABASE_URL.replace(/dbname=\S+/, 'dbname=postgres');
  execFileSync('psql', [admin, '-qc', 'DROP DATABASE IF EXISTS teepass_empty']);
  execFileSync('psql', [admin, '-qc', 'CREATE DATABASE teepass_empty']);
  const r = spawnSync(join(BIN, 'teepassd'), [], {
    env: { ...process.env, TEEPASS_DATABASE_URL: url, TEEPASS_DEV_MODE: '1', TEEPASS_LISTEN: '127.0.0.1:0' },
    encoding: 'utf8', timeout: 30000,
  });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /schema is at version 0.*teepass migrate/);

  // Two migrations started together: the advisory lock serialises them.
  const env = { ...process.env, TEEPASS_DATABASE_URL: url };
  const a = spawnSync('bash', ['-c', `"${BIN}/teepass" migrate & "${BIN}/teepass" migrate & wait`], { env, encoding: 'utf8' });
  assert.equal(a.status, 0, a.stderr);
  const applied = execFileSync('psql', [url, '-Atqc', 'select count(*) from schema_migrations'], { encoding: 'utf8' }).trim();
  const files = execFileSync('bash', ['-c', `ls "${ROOT}"/migrations/*.sql | wc -l`], { encoding: 'utf8' }).trim();
  assert.equal(applied, files);
  execFileSync('psql', [admin, '-qc', 'DROP DATABASE teepass_empty']);
});
