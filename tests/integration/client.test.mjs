// The relying-party client (issue 14): teepass attest, teepass passport
// verify / show against a real teepassd, every exit status; every
// command's --help; the README's collateral commands as written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync, mkdtempSync } from 'node:fs';
import { createHash, createPublicKey } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import {
  BIN, ROOT, startDaemon, stopDaemon, post, get, psql, teepass, sha256, freePort, createAdminKey, bearer,
} from './lib.mjs';

const ISS = 'https://issuer.client-test.example';
const TDX = join(ROOT, 'tests/data/tdx/dcapqvl_v4_uptodate');
const AT = '2025-07-10T00:00:00Z'; // inside the TDX sample's collateral window
const tmp = mkdtempSync(join(tmpdir(), 'tp-client-'));

// The CLI run asynchronously: the fake issuer below lives in this process.
function run(args, { cwd } = {}) {
  return new Promise((resolve) => {
    const p = spawn(join(BIN, 'teepass'), args, { cwd, env: process.env });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (status) => {
      let json = null;
      try { json = JSON.parse(stdout); } catch { /* not JSON */ }
      resolve({ status, stdout, stderr, json });
    });
  });
}
const codes = (r) => (r.json?.errors ?? []).map((e) => e.code);
const b64u = (b) => Buffer.from(b).toString('base64url');
const decode = (tok) => tok.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url')));

// The JWKS of a PEM key, its kid the RFC 7638 thumbprint computed here.
function jwksOf(pemPath) {
  const { crv, kty, x, y } = createPublicKey(readFileSync(pemPath)).export({ format: 'jwk' });
  const kid = b64u(createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest());
  return { keys: [{ kty, crv, x, y, kid, alg: 'ES256', use: 'sig' }] };
}

test('every command answers --help with exit 0 and its usage on stdout', async () => {
  const cmds = [[], ['verify'], ['mock-evidence'], ['keygen'], ['migrate'], ['admin'], ['admin', 'create-key'],
    ['admin', 'revoke-key'], ['collateral'], ['collateral', 'import'], ['collateral', 'export'],
    ['collateral', 'list'], ['tcb-status'], ['eventlog'], ['attest'], ['passport'], ['passport', 'verify'],
    ['passport', 'show'], ['log'], ['log', 'keygen'], ['log', 'verify'], ['reappraise']];
  for (const c of cmds) {
    const r = await run([...c, '--help']);
    assert.equal(r.status, 0, `teepass ${c.join(' ')} --help: ${r.stderr}`);
    assert.match(r.stdout, /usage: teepass/, `teepass ${c.join(' ')} --help`);
    assert.equal(r.stderr, '', `teepass ${c.join(' ')} --help writes nothing on stderr`);
  }
  // Every command the top-level usage lists is in the list above.
  const top = (await run(['--help'])).stdout.split('\n').filter((l) => /^ {2}[a-z]/.test(l))
    .map((l) => l.trim().split(/\s+/)[0]);
  assert.ok(top.length >= 10, top.join(','));
  for (const w of top) assert.ok(cmds.some((c) => c[0] === w), `${w} --help is tested`);
  // A usage error is still 2.
  assert.equal((await run(['admin', 'revoke-key'])).status, 2);
  assert.equal((await run(['admin', 'revoke-key', 'nothex'])).status, 2);
});

test('README: the collateral import as written stores artifacts outside their window, with their digest', async () => {
  psql('DELETE FROM collateral_artifacts');
  try {
    // No --at: "now" is past the sample's window (2025-07-19).
    const r = await run(['collateral', 'import', 'tests/data/tdx/dcapqvl_v4_uptodate/collateral.json'], { cwd: ROOT });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /database write failed/);
    assert.match(r.stderr, /4 imported, 0 refused/);
    assert.equal(r.stdout.trim().split('\n').filter((l) => /outside its window/.test(l)).length, 4, r.stdout);
    assert.equal(psql("SELECT count(*) FROM collateral_artifacts WHERE sha256 = encode(sha256(body), 'hex')"), '4');
  } finally { psql('DELETE FROM collateral_artifacts'); }
});

test('README: the offline commands run as written with the files the repo ships', async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const lines = readme.replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => /^build\/teepass (verify --at|collateral (import|export))/.test(l));
  assert.ok(lines.length >= 3, lines.join('\n'));
  const out = join(tmp, 'readme-out');
  psql('DELETE FROM collateral_artifacts');
  try {
    for (const l of lines) {
      assert.doesNotMatch(l, /\sDIR\b|\squote\.bin\b/, `placeholder in: ${l}`);
      const args = l.replace(/^build\/teepass /, '').split(/\s+/).map((a) => a.replace('/tmp/teepass-bundle', out));
      const r = await run(args, { cwd: ROOT });
      assert.equal(r.status, 0, `${l}\n${r.stderr}`);
    }
  } finally { psql('DELETE FROM collateral_artifacts'); }
  assert.ok(readdirSync(out).includes('intel_tcb_info'), 'the export wrote the bundle');
});

let d, admin, mockJwks;
before(async () => {
  d = await startDaemon({ TEEPASS_ISSUER: ISS });
  admin = createAdminKey('client-test');
  mockJwks = join(tmp, 'mock-jwks.json');
  writeFileSync(mockJwks, JSON.stringify(jwksOf(process.env.TEEPASS_MOCK_SIGNING_KEY)));
});
after(async () => { if (d) await stopDaemon(d); });

// attest --exec: challenge, mock evidence binding it, verify.
async function attestMock(extra = [], model = sha256('client-model')) {
  const ev = join(tmp, `ev-${Math.random().toString(16).slice(2)}.hex`);
  const rd = `${ev}.rd.json`;
  const cmd = `'${join(BIN, 'teepass')}' mock-evidence --model ${model} --nonce "$TEEPASS_NONCE" --runtime-data '${rd}' > '${ev}'`;
  return run(['attest', '--url', d.base, '--exec', cmd, '--runtime-data', rd, '--compact', ...extra, ev]);
}

test('attest: 0 valid with a passport; 1 refused; 2 usage, --exec or transport failure', async () => {
  const tokFile = join(tmp, 'tok.jws');
  let r = await attestMock(['--passport-out', tokFile]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.equal(r.json.valid, true);
  assert.equal(r.json.fresh, true, 'the challenge was bound and consumed');
  assert.ok(r.json.checks.some((c) => /nonce/.test(c.check) && c.ok), JSON.stringify(r.json.checks));
  assert.equal(readFileSync(tokFile, 'utf8').trim(), r.json.passport.token);
  assert.equal(psql(`SELECT count(*) FROM passports WHERE id = '${r.json.passport.id}'`), '1');

  // Not valid: a reference value the evidence does not meet.
  const exp = join(tmp, 'exp.json');
  writeFileSync(exp, JSON.stringify({ model: sha256('another-model') }));
  r = await attestMock(['--expected', exp]);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.json.valid, false);
  assert.ok(codes(r).includes('model_mismatch'), JSON.stringify(r.json.errors));
  assert.equal(r.json.passport ?? null, null);

  // Refused by teepassd (400, its error JSON printed).
  r = await attestMock(['--provider', 'NoSuchTee']);
  assert.equal(r.status, 1, r.stderr);
  assert.ok(r.json.error?.code, r.stdout);

  // Usage, I/O, --exec and transport errors.
  assert.equal((await run(['attest'])).status, 2);
  assert.equal((await run(['attest', '--url', d.base, join(tmp, 'missing.hex')])).status, 2);
  assert.equal((await run(['attest', '--url', d.base, tokFile, 'no-provider-given'])).status, 2);
  r = await run(['attest', '--url', d.base, '--exec', 'exit 3', tokFile]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--exec: the command failed/);
  const closed = `http://127.0.0.1:${await freePort()}`;
  assert.equal((await run(['attest', '--url', closed, tokFile])).status, 2);
});

test('passport verify offline (--jwks FILE) and against the issuer: every exit status', async () => {
  const a = await attestMock();
  assert.equal(a.status, 0, a.stderr);
  const token = a.json.passport.token;
  const [, claims] = decode(token);
  const at = new Date((claims.iat + 60) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const tokFile = join(tmp, 'verify.jws');
  writeFileSync(tokFile, token + '\n');

  // Offline: signature, iss, exp, iat; the revocation status unchecked, and said so.
  let r = await run(['passport', 'verify', '--jwks', mockJwks, '--iss', ISS, '--at', at, '--compact', `@${tokFile}`]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.json.valid, true);
  assert.equal(r.json.id, a.json.passport.id);
  assert.equal(r.json.revocation_checked, false);
  assert.equal(r.json.jwks_source, 'file');
  assert.ok(!r.json.checks.some((c) => c.check === 'revocation'), 'no revocation check claimed');

  // Keys from the file, status from the issuer: active.
  const online = ['passport', 'verify', '--jwks', mockJwks, '--issuer', d.base, '--iss', ISS, '--at', at, '--compact'];
  r = await run([...online, token]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.json.status, 'active');
  assert.equal(r.json.revocation_checked, true);

  // Refusals (exit 1), each with its code.
  const [h64, p64, s64] = token.split('.');
  const forged = { ...claims, jti: claims.jti, iss: ISS, exp: claims.exp + 3600 };
  const cases = [
    [[...online, `${h64}.${b64u(JSON.stringify(forged))}.${s64}`], 'client_signature_invalid'],
    [[...online, `${h64}.${p64}.${s64.slice(0, -4)}AAAA`], 'client_signature_invalid'],
    [[...online, `${b64u(JSON.stringify({ alg: 'none', kid: decode(token)[0].kid }))}.${p64}.${s64}`], 'client_alg_unsupported'],
    [[...online, 'not-a-jws'], 'client_token_malformed'],
    [['passport', 'verify', '--jwks', mockJwks, '--iss', 'https://someone-else.example', '--at', at, token], 'client_issuer_mismatch'],
    [['passport', 'verify', '--jwks', mockJwks, '--iss', ISS, '--at', new Date(claims.exp * 1000).toISOString(), token], 'client_passport_expired'],
    [['passport', 'verify', '--jwks', mockJwks, '--iss', ISS, '--at', new Date((claims.iat - 3600) * 1000).toISOString(), token], 'client_passport_not_yet_valid'],
    // The issuer's own JWKS never holds the mock key.
    [['passport', 'verify', '--issuer', d.base, '--iss', ISS, '--at', at, '--no-cache', token], 'client_kid_unknown'],
  ];
  for (const [args, code] of cases) {
    const x = await run(args);
    assert.equal(x.status, 1, `${code}: ${x.stdout} ${x.stderr}`);
    assert.equal(x.json.valid, false);
    assert.ok(codes(x).includes(code), `${code}: ${JSON.stringify(x.json.errors)}`);
  }

  // Revoked by an admin: refused.
  const rv = await post(d, `/api/passports/${claims.jti}/revoke`, { reason: 'client test' }, bearer(admin));
  assert.equal(rv.status, 200, rv.text);
  r = await run([...online, token]);
  assert.equal(r.status, 1, r.stdout);
  assert.deepEqual(codes(r), ['client_passport_revoked']);
  assert.equal(r.json.status, 'revoked');
  // Offline, the same token still verifies (nothing asked), and says so.
  r = await run(['passport', 'verify', '--jwks', mockJwks, '--iss', ISS, '--at', at, token]);
  assert.equal(r.status, 0);
  assert.equal(r.json.revocation_checked, false);

  // Undecided (exit 2): usage, an unreachable issuer, a broken JWKS file.
  assert.equal((await run(['passport', 'verify', token])).status, 2);
  assert.equal((await run(['passport', 'verify', '--jwks', mockJwks, token])).status, 2, '--jwks alone needs --iss');
  assert.equal((await run(['passport', 'verify', '--issuer', d.base, '--at', 'soon', token])).status, 2);
  const closed = `http://127.0.0.1:${await freePort()}`;
  r = await run(['passport', 'verify', '--issuer', closed, '--iss', ISS, '--no-cache', token]);
  assert.equal(r.status, 2);
  assert.deepEqual(codes(r), ['client_jwks_unavailable']);
  r = await run(['passport', 'verify', '--jwks', mockJwks, '--issuer', closed, '--iss', ISS, '--at', at, token]);
  assert.equal(r.status, 2, 'the status endpoint unreachable decides nothing');
  assert.deepEqual(codes(r), ['client_status_unavailable']);
  const bad = join(tmp, 'bad-jwks.json');
  writeFileSync(bad, '{"keys": 3}');
  r = await run(['passport', 'verify', '--jwks', bad, '--iss', ISS, token]);
  assert.equal(r.status, 2);
  assert.deepEqual(codes(r), ['client_jwks_invalid']);
});

test('passport show: 0 found (JSON or the bare token), 1 unknown, 2 usage or transport', async () => {
  const a = await attestMock([], sha256('client-show'));
  assert.equal(a.status, 0, a.stderr);
  const id = a.json.passport.id;
  let r = await run(['passport', 'show', '--url', d.base, id]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.json.id, id);
  assert.equal(r.json.token, a.json.passport.token);
  r = await run(['passport', 'show', '--url', d.base, '--token', id]);
  assert.equal(r.status, 0);
  assert.equal(r.stdout.trim(), a.json.passport.token);
  // An id that differs from the real one for sure: its last digit changed.
  const other = id.slice(0, -1) + (id.endsWith('0') ? '1' : '0');
  r = await run(['passport', 'show', '--url', d.base, other]);
  assert.equal(r.status, 1, r.stdout);
  assert.match(r.stderr, /HTTP 404/);
  assert.equal((await run(['passport', 'show', '--url', d.base, '../admin'])).status, 2);
  assert.equal((await run(['passport', 'show'])).status, 2);
  assert.equal((await run(['passport', 'show', '--url', `http://127.0.0.1:${await freePort()}`, id])).status, 2);
});

// A hardware passport (TDX, signed by the current key, in the JWKS),
// its JWKS served by a fake issuer with max-age: fetched once, cached on
// disk, refetched when the cache lacks the kid (rotation).
test('passport verify --issuer: the JWKS fetched over HTTP, cached for its max-age, refetched for a new kid', async () => {
  psql('DELETE FROM collateral_artifacts');
  teepass(['collateral', 'import', '--at', AT, join(TDX, 'collateral.json')]);
  const hw = await startDaemon({ TEEPASS_ISSUER: ISS, TEEPASS_OFFLINE: '1', TEEPASS_DEV_FIXED_TIME: AT });
  let srv;
  try {
    const v = await post(hw, '/api/verify/tee-attestation', { attestation: readFileSync(join(TDX, 'quote.bin')).toString('hex') });
    assert.equal(v.json.valid, true, v.text);
    const token = v.json.passport.token;
    const at = '2025-07-10T00:01:00Z';

    // Straight from teepassd, whose JWKS is cacheable (jwks_max_age): the
    // second check uses the cached copy.
    const directDir = join(tmp, 'cache-direct');
    const direct = ['passport', 'verify', '--issuer', hw.base, '--iss', ISS, '--at', at, '--cache-dir', directDir, '--compact', token];
    let r = await run(direct);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.json.status, 'active');
    assert.equal(r.json.kid, decode(token)[0].kid);
    assert.equal(r.json.jwks_source, 'fetched');
    r = await run(direct);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.json.jwks_source, 'cache');
    const cacheDir = join(tmp, 'cache');

    // The fake issuer: teepassd's JWKS (or none) with max-age=300.
    const realJwks = (await get(hw, '/.well-known/jwks.json')).text;
    let served = '{"keys":[]}';
    let hits = 0;
    srv = createServer(async (req, res) => {
      if (req.url === '/.well-known/jwks.json') {
        hits++;
        res.writeHead(200, { 'Content-Type': 'application/jwk-set+json', 'Cache-Control': 'public, max-age=300' });
        res.end(served);
        return;
      }
      const s = await get(hw, req.url);
      res.writeHead(s.status, { 'Content-Type': 'application/json' });
      res.end(s.text);
    });
    await new Promise((ok) => srv.listen(0, '127.0.0.1', ok));
    const fakeBase = `http://127.0.0.1:${srv.address().port}`;
    const viaFake = ['passport', 'verify', '--issuer', fakeBase, '--iss', ISS, '--at', at, '--cache-dir', cacheDir, '--compact', token];

    // An empty key set, cached: the kid is unknown (fetched just now, not refetched).
    r = await run(viaFake);
    assert.equal(r.status, 1, r.stdout);
    assert.deepEqual(codes(r), ['client_kid_unknown']);
    assert.equal(hits, 1);
    // The issuer rotates in the key: the cache lacks the kid, one refetch.
    served = realJwks;
    r = await run(viaFake);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.json.jwks_source, 'fetched');
    assert.equal(hits, 2);
    // Now the cache holds it: no request.
    r = await run(viaFake);
    assert.equal(r.status, 0, r.stdout);
    assert.equal(r.json.jwks_source, 'cache');
    assert.equal(hits, 2);
    const files = readdirSync(cacheDir).filter((f) => f.startsWith('jwks-'));
    assert.equal(files.length, 1, files.join(','));
    const entry = JSON.parse(readFileSync(join(cacheDir, files[0]), 'utf8'));
    assert.equal(entry.url, `${fakeBase}/.well-known/jwks.json`);
    assert.equal(entry.expires_at - entry.fetched_at, 300);
    // --no-cache asks again.
    r = await run([...viaFake.slice(0, -2), '--no-cache', token]);
    assert.equal(r.status, 0);
    assert.equal(hits, 3);
  } finally {
    if (srv) await new Promise((ok) => srv.close(ok));
    await stopDaemon(hw);
    psql('DELETE FROM collateral_artifacts');
  }
});
