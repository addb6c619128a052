// Real Intel TDX and SGX quotes over HTTP, with a development clock fixed
// inside the collateral window (tests/data/tdx/PROVENANCE.md; expected
// values from the vectors' MANIFEST).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as jose from 'jose';
import { startDaemon, stopDaemon, post, get, psql, ROOT, BIN } from './lib.mjs';
import { assertEarPassport } from './ear.mjs';

const TDX = join(ROOT, 'tests/data/tdx/dcapqvl_v4_uptodate');
const SGX = join(ROOT, 'tests/data/sgx/dcapqvl_v3_processor_ca');
const MRTD = '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7';
const AT = '2025-07-10T00:00:00Z'; // inside [2025-06-19T10:56:11Z, 2025-07-19T10:00:35Z]

let d;
before(async () => { d = await startDaemon({ TEEPASS_DEV_FIXED_TIME: AT }); });
after(async () => { await stopDaemon(d); });

test('TDX v4 quote + collateral: passport with mrtd and tcb_status, fetchable by id', async () => {
  const r = await post(d, '/api/verify/tee-attestation', {
    attestation: readFileSync(join(TDX, 'quote.bin')).toString('hex'),
    collateral: JSON.parse(readFileSync(join(TDX, 'collateral.json'), 'utf8')),
    expected: { runtime: { mrtd: MRTD } },
  });
  assert.equal(r.status, 200, r.text);
  const v = r.json;
  assert.equal(v.valid, true, JSON.stringify(v.errors));
  assert.equal(v.provider, 'IntelTdx');
  assert.equal(v.status, 'affirming');
  assert.equal(v.tcb_status, 'UpToDate');
  assert.deepEqual(v.advisory_ids, []);
  assert.equal(v.hardware_verified, true);
  assert.equal(v.claims.mrtd, MRTD);
  assert.equal(v.verified_at, AT);
  const p = await get(d, `/api/passports/${v.passport.id}`);
  assert.equal(p.status, 200);
  assert.equal(p.json.provider, 'IntelTdx');
  assert.equal(p.json.tee_type, 'IntelTdx', 'deprecated alias of provider');
  const cpu0 = p.json.claims.submods.cpu0;
  assert.equal(cpu0['ear.teepass.annotated-evidence'].mrtd, MRTD);
  assert.equal(cpu0.tcb_status, 'UpToDate');
  // The Intel root it was verified under: the pinned Intel SGX Root CA
  // (the SHA-256 of config/trust/intel_sgx_root_ca.der, computed here).
  const rootSha = createHash('sha256').update(readFileSync(join(ROOT, 'config/trust/intel_sgx_root_ca.der'))).digest('hex');
  assert.equal(v.claims.intel_root_sha256, rootSha);
  assert.equal(v.claims.intel_root, 'intel');
  assert.equal(cpu0['ear.teepass.annotated-evidence'].intel_root_sha256, rootSha);
  assert.equal(cpu0['ear.teepass.annotated-evidence'].intel_root, 'intel');
  assert.ok(Object.keys(cpu0.collateral_sha256).length >= 7, 'hash of every collateral item used');
  const jwks = jose.createLocalJWKSet((await get(d, '/.well-known/jwks.json')).json);
  const { payload } = await jose.jwtVerify(v.passport.token, jwks, { currentDate: new Date(AT) });
  assert.equal(payload.submods.cpu0['ear.teepass.annotated-evidence'].mrtd, MRTD);
  // Expected values matched, hardware up to date: affirming, with the AR4SI
  // vector saying why.
  assert.equal(payload.submods.cpu0['ear.status'], 'affirming');
  assert.deepEqual(payload.submods.cpu0['ear.trustworthiness-vector'], {
    'instance-identity': 2, configuration: 0, executables: 2, 'file-system': 0,
    hardware: 2, 'runtime-opaque': 2, 'storage-opaque': 0, 'sourced-data': 0,
  });
  await assertEarPassport(d, v.passport.token);
  assert.ok(payload.exp <= Date.parse('2025-07-19T10:00:35Z') / 1000, 'no later than the collateral');
});

test('SGX v3 quote: ConfigurationAndSWHardeningNeeded is valid with status warning', async () => {
  const r = await post(d, '/api/verify/tee-attestation', {
    attestation: readFileSync(join(SGX, 'quote.bin')).toString('base64'),
    collateral: JSON.parse(readFileSync(join(SGX, 'collateral.json'), 'utf8')),
  });
  assert.equal(r.json.valid, true, r.text);
  assert.equal(r.json.provider, 'IntelSgx');
  assert.equal(r.json.status, 'warning');
  assert.equal(r.json.tcb_status, 'ConfigurationAndSWHardeningNeeded');
  assert.deepEqual(r.json.advisory_ids, ['INTEL-SA-00289', 'INTEL-SA-00615']);
  assert.equal(r.json.claims.mrenclave, '33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb');
  // A TCB with reservations: hardware 32 (warning tier), status warning.
  const c = await assertEarPassport(d, r.json.passport.token);
  assert.equal(c.submods.cpu0['ear.status'], 'warning');
  assert.equal(c.submods.cpu0['ear.trustworthiness-vector'].hardware, 32);
  assert.deepEqual(c.submods.cpu0.advisory_ids, ['INTEL-SA-00289', 'INTEL-SA-00615']);
});

test('a quote without collateral, offline and with nothing cached: 503 naming the missing artifact, never passed', async () => {
  // Without collateral the daemon asks the collateral service
  // (collateral.test.mjs); offline with an empty cache it cannot decide.
  psql('DELETE FROM collateral_artifacts');
  const off = await startDaemon({ TEEPASS_DEV_FIXED_TIME: AT, TEEPASS_OFFLINE: '1' });
  try {
    const r = await post(off, '/api/verify/tee-attestation', {
      attestation: readFileSync(join(TDX, 'quote.bin')).toString('hex'),
    });
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json.error.code, 'collateral_offline_missing');
    assert.match(r.json.error.artifact, /^intel_tcb_info\/tdx\/[0-9a-f]{12}$/);
    assert.equal(r.json.passport, undefined);
  } finally { await stopDaemon(off); }
});

test('teepass verify --collateral DIR --at: exit 0 inside the window, 1 today', () => {
  const dir = join(ROOT, 'tests/data/tdx/teep_tinfoil_v4_20260629');
  const run = (args) => spawnSync(join(BIN, 'teepass'), ['verify', '--compact', ...args], { encoding: 'utf8' });
  const inside = run(['--collateral', dir, '--at', '2026-06-29T02:08:05Z', join(dir, 'quote.bin')]);
  assert.equal(inside.status, 0, inside.stdout + inside.stderr);
  assert.equal(JSON.parse(inside.stdout).tcb_status, 'UpToDate');
  const today = run(['--collateral', dir, join(dir, 'quote.bin')]);
  assert.equal(today.status, 1);
  assert.ok(JSON.parse(today.stdout).errors.some((e) => e.code === 'collateral_expired'));
});
