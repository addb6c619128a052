// CORS for browser dashboards on another origin (issue 14): public GETs
// for cors_origins; the POSTs that start a verification only for the
// explicit allow-list cors_post_origins; preflights answered; the
// headers a dashboard reads exposed; Vary: Origin on every cacheable
// answer while an allow-list is set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, startDaemon, stopDaemon, post, get, mockEvidence, sha256 } from './lib.mjs';

const DASH = 'https://dash.example';
const EVIL = 'https://evil.example'; // listed nowhere
const VERIFY = '/api/verify/tee-attestation';

const preflight = (d, path, origin, method = 'POST', headers = 'content-type') =>
  fetch(d.base + path, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': headers },
  });
const vary = (h) => (h.get('vary') ?? '').split(',').map((s) => s.trim().toLowerCase());

test('default: no cross-origin POST; public GETs open to any origin; X-Request-Id exposed', async () => {
  const d = await startDaemon();
  try {
    for (const path of ['/api/challenges', VERIFY]) {
      const p = await preflight(d, path, DASH);
      assert.equal(p.status, 204, path);
      assert.equal(p.headers.get('access-control-allow-origin'), null, `${path}: no allow-list, no POST`);
    }
    const c = await post(d, '/api/challenges', {}, { Origin: DASH });
    assert.equal(c.status, 201);
    assert.equal(c.headers.get('access-control-allow-origin'), null);
    const j = await get(d, '/.well-known/jwks.json', { Origin: DASH });
    assert.equal(j.headers.get('access-control-allow-origin'), '*');
    assert.match(j.headers.get('access-control-expose-headers'), /X-Request-Id/);
    assert.equal(j.headers.get('access-control-allow-credentials'), null);
  } finally { await stopDaemon(d); }
});

test('an allow-list: preflights and POSTs of listed origins only; Vary: Origin on cacheable answers', async () => {
  const d = await startDaemon({
    TEEPASS_CORS_ORIGINS: DASH,
    TEEPASS_CORS_POST_ORIGINS: `https://other.example, ${DASH}`,
  });
  try {
    for (const path of ['/api/challenges', VERIFY]) {
      const p = await preflight(d, path, DASH);
      assert.equal(p.status, 204, path);
      assert.equal(p.headers.get('access-control-allow-origin'), DASH, path);
      assert.match(p.headers.get('access-control-allow-methods'), /\bPOST\b/);
      assert.match(p.headers.get('access-control-allow-headers'), /Content-Type/i);
      assert.match(p.headers.get('access-control-max-age'), /^\d+$/);
      assert.equal(p.headers.get('access-control-allow-credentials'), null);
      assert.ok(vary(p.headers).includes('origin'), path);
      const e = await preflight(d, path, EVIL);
      assert.equal(e.status, 204);
      assert.equal(e.headers.get('access-control-allow-origin'), null, `${path}: ${EVIL} is not listed`);
    }
    // A POST that is not a verification stays same-origin, although a GET
    // of the same path is CORS.
    const reg = await preflight(d, '/api/endpoints', DASH);
    assert.equal(reg.headers.get('access-control-allow-origin'), null);
    assert.equal((await preflight(d, '/api/endpoints', DASH, 'GET', 'accept')).headers.get('access-control-allow-origin'), DASH);
    // A path without CORS routes: no preflight at all.
    assert.equal((await preflight(d, '/api/audit', DASH, 'GET')).status, 405);

    // The whole flow as the dashboard's script sees it.
    const c = await post(d, '/api/challenges', {}, { Origin: DASH });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.headers.get('access-control-allow-origin'), DASH);
    assert.match(c.headers.get('access-control-expose-headers'), /X-Request-Id/);
    assert.ok(vary(c.headers).includes('origin'));
    const ev = mockEvidence({ model: sha256('cors'), nonce: c.json.nonce });
    const v = await post(d, VERIFY, { attestation: ev.attestation, runtime_data: ev.runtime_data, nonce: c.json.nonce }, { Origin: DASH });
    assert.equal(v.status, 200, v.text);
    assert.equal(v.json.valid, true, JSON.stringify(v.json.errors));
    assert.equal(v.headers.get('access-control-allow-origin'), DASH);
    assert.match(v.headers.get('access-control-expose-headers'), /X-Request-Id/);
    assert.match(v.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
    const e = await post(d, '/api/challenges', {}, { Origin: EVIL });
    assert.equal(e.status, 201, 'same-origin rules are the browser\'s: the server still answers');
    assert.equal(e.headers.get('access-control-allow-origin'), null);

    // GETs: only the listed origin; every cacheable answer varies on Origin,
    // with or without an Origin header.
    const g = await get(d, '/api/passports?limit=1', { Origin: EVIL });
    assert.equal(g.headers.get('access-control-allow-origin'), null);
    assert.equal((await get(d, '/api/passports?limit=1', { Origin: DASH })).headers.get('access-control-allow-origin'), DASH);
    const s = await get(d, `/api/passports/${v.json.passport.id}/status`);
    assert.match(s.headers.get('cache-control'), /max-age=\d+/);
    assert.ok(vary(s.headers).includes('origin'), 'cacheable: Vary: Origin');
  } finally { await stopDaemon(d); }
});

test('cors_post_origins must be an explicit list: "*" is refused at start', () => {
  const r = spawnSync(join(BIN, 'teepassd'), [], {
    env: { ...process.env, TEEPASS_DEV_MODE: '1', TEEPASS_LISTEN: '127.0.0.1:9', TEEPASS_CORS_POST_ORIGINS: '*' },
    encoding: 'utf8',
    timeout: 120000,
  });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr + r.stdout, /cors_post_origins/);
});
