// PostgreSQL going away and coming back; schema version checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startDaemon, stopDaemon, post, get, mockEvidence, sha256, ROOT, BIN, sleep } from './lib.mjs';

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
