// teepass verify: exit statuses and the verdict JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, teepass, writeTmp, sha256 } from './lib.mjs';

function verify(args) {
  const r = spawnSync(join(BIN, 'teepass'), ['verify', '--compact', ...args], { encoding: 'utf8' });
  return { status: r.status, json: r.stdout ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

test('verify: 0 valid, 1 invalid, 2 usage; --at pins the time', () => {
  const rd = join(writeTmp('rd-placeholder', ''), '..', 'cli-rd.json');
  const hex = teepass(['mock-evidence', '--model', sha256('cli'), '--runtime-data', rd,
    '--time', '2025-07-01T00:00:00Z']).trim();
  const ev = writeTmp('cli-ev.hex', hex);
  const dev = ['--dev', '--mock-key', process.env.TEEPASS_MOCK_ATTESTATION_KEY];

  let r = verify([...dev, '--at', '2025-07-01T01:00:00Z', '--runtime-data', rd, ev]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.json.valid, true);
  assert.equal(r.json.verified_at, '2025-07-01T01:00:00Z');
  assert.equal(r.json.binding_valid, true);

  // The same evidence today: too old.
  r = verify([...dev, '--runtime-data', rd, ev]);
  assert.equal(r.status, 1);
  assert.deepEqual(r.json.errors.map((e) => e.code), ['evidence_too_old']);

  // Without development mode Mock evidence is refused.
  r = verify(['--at', '2025-07-01T01:00:00Z', ev]);
  assert.equal(r.status, 1);
  assert.deepEqual(r.json.errors.map((e) => e.code), ['mock_disabled']);

  const exp = writeTmp('cli-exp.json', JSON.stringify({ model: sha256('other') }));
  r = verify([...dev, '--at', '2025-07-01T01:00:00Z', '--runtime-data', rd, '--expected', exp, ev]);
  assert.equal(r.status, 1);
  assert.deepEqual(r.json.errors.map((e) => e.code), ['model_mismatch']);

  assert.equal(verify(['/nonexistent/file']).status, 2);
  assert.equal(verify(['--at', 'yesterday', ev]).status, 2);
  assert.equal(verify([]).status, 2);
  const h = spawnSync(join(BIN, 'teepass'), ['verify', '--help'], { encoding: 'utf8' });
  assert.equal(h.status, 0);
  assert.match(h.stdout, /--at TIME/);
});

test('keygen refuses to overwrite and writes mode 0600', () => {
  const p = join(writeTmp('k-placeholder', ''), '..', `k-${Date.now()}.pem`);
  const kid = teepass(['keygen', '--out', p]).trim();
  assert.match(kid, /^[A-Za-z0-9_-]{43}$/);
  const mode = spawnSync('stat', ['-c', '%a', p], { encoding: 'utf8' }).stdout.trim();
  assert.equal(mode, '600');
  const again = spawnSync(join(BIN, 'teepass'), ['keygen', '--out', p], { encoding: 'utf8' });
  assert.equal(again.status, 2);
  assert.match(again.stderr, /refusing to overwrite/);
});

// A misspelt TEEPASS_* variable is a usage error that names it, for every
// command that reads the configuration — and leaks nothing (ASan build).
test('an unknown TEEPASS_ variable: exit 2 naming it, no leak', () => {
  for (const cmd of [['migrate'], ['verify', '/dev/null'], ['mock-evidence']]) {
    const r = spawnSync(join(BIN, 'teepass'), cmd, { encoding: 'utf8', env: { ...process.env, TEEPASS_NO_SUCH_SETTING: '1' } });
    assert.equal(r.status, 2, `${cmd[0]}: ${r.stderr}`);
    assert.match(r.stderr, /NO_SUCH_SETTING/);
    assert.doesNotMatch(r.stderr, /LeakSanitizer|AddressSanitizer/);
  }
});
