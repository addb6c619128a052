// Configuration validation, development mode, graceful shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, stopDaemon, post, mockEvidence, sha256, BIN, tmp } from './lib.mjs';

function runDaemon(env) {
  return spawnSync(join(BIN, 'teepassd'), [], {
    env: { ...process.env, TEEPASS_LISTEN: '127.0.0.1:0', ...env }, encoding: 'utf8', timeout: 30000,
  });
}

test('the fixed clock is refused outside development mode', () => {
  const r = runDaemon({ TEEPASS_DEV_MODE: '0', TEEPASS_DEV_FIXED_TIME: '2025-07-01T00:00:00Z' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /DEV_FIXED_TIME is refused outside development mode/);
});

test('bad values are refused at start with a message that says what to do', () => {
  let r = runDaemon({ TEEPASS_LISTEN: 'nowhere' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /listen: want host:port/);
  r = runDaemon({ TEEPASS_DATABASE_URL: '' });
  assert.match(r.stderr, /set TEEPASS_DATABASE_URL/);
  r = runDaemon({ TEEPASS_PASSPORT_TTL: '90000' });
  assert.match(r.stderr, /passport_ttl: want seconds from 60 to 86400/);
  r = runDaemon({ TEEPASS_NO_SUCH_KEY: '1' });
  assert.match(r.stderr, /unknown configuration key "no_such_key"/);
});

test('a signing key readable by others is refused', () => {
  const p = join(tmp, 'open.pem');
  copyFileSync(process.env.TEEPASS_SIGNING_KEY, p);
  chmodSync(p, 0o644);
  const r = runDaemon({ TEEPASS_SIGNING_KEY: p });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /readable by group or others.*chmod 600/);
});

test('Mock evidence is refused outside development mode', async () => {
  const d = await startDaemon({ TEEPASS_DEV_MODE: '0' });
  try {
    const ev = mockEvidence({ model: sha256('prod') });
    const r = await post(d, '/api/verify/tee-attestation', { attestation: ev.attestation, runtime_data: ev.runtime_data });
    assert.equal(r.json.valid, false);
    assert.deepEqual(r.json.errors.map((e) => e.code), ['mock_disabled']);
    assert.equal(r.json.passport, undefined);
  } finally {
    await stopDaemon(d);
  }
});

test('debug Mock evidence is refused unless allowed; old evidence is refused', async () => {
  const d = await startDaemon();
  try {
    const dbg = mockEvidence({ model: sha256('dbg'), debug: true });
    let r = await post(d, '/api/verify/tee-attestation', { attestation: dbg.attestation, runtime_data: dbg.runtime_data });
    assert.deepEqual(r.json.errors.map((e) => e.code), ['debug_not_allowed']);
    const old = mockEvidence({ model: sha256('old'), time: '2020-01-01T00:00:00Z' });
    r = await post(d, '/api/verify/tee-attestation', { attestation: old.attestation, runtime_data: old.runtime_data });
    assert.equal(r.json.fresh, false);
    assert.deepEqual(r.json.errors.map((e) => e.code), ['evidence_too_old']);
  } finally {
    await stopDaemon(d);
  }
  // With the development clock fixed at the evidence's time, it verifies.
  const d2 = await startDaemon({ TEEPASS_DEV_FIXED_TIME: '2020-01-01T01:00:00Z' });
  try {
    const old = mockEvidence({ model: sha256('old'), time: '2020-01-01T00:00:00Z' });
    const r = await post(d2, '/api/verify/tee-attestation', { attestation: old.attestation, runtime_data: old.runtime_data });
    assert.equal(r.json.valid, true, r.text);
    assert.equal(r.json.verified_at, '2020-01-01T01:00:00Z');
  } finally {
    await stopDaemon(d2);
  }
});

test('SIGTERM lets in-flight requests finish, then exits 0', async () => {
  const d = await startDaemon();
  const ev = mockEvidence({ model: sha256('shutdown') });
  const inflight = Array.from({ length: 8 }, () =>
    post(d, '/api/verify/tee-attestation', { attestation: ev.attestation, runtime_data: ev.runtime_data }));
  await new Promise((r) => setTimeout(r, 5));
  d.proc.kill('SIGTERM');
  const results = await Promise.allSettled(inflight);
    // Requests already accepted complete; none gets a broken reply. (Ones
  // not yet connected when the daemon stopped accepting may be refused.)
  const done = results.filter((res) => res.status === 'fulfilled');
  assert.ok(done.length >= 1, 'requests in flight at SIGTERM were answered');
  for (const res of done) assert.equal(res.value.status, 200);
  const { code } = await d.exited;
  assert.equal(code, 0, d.log);
  assert.match(d.log, /finishing in-flight requests/);
  assert.doesNotMatch(d.log, /(AddressSanitizer|LeakSanitizer|runtime error:)/);
});
