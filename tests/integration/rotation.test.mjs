// Signing-key rotation: the new key signs, the retired key stays in the
// JWKS so the passports it signed still verify (checked by jose).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as jose from 'jose';
import { startDaemon, stopDaemon, post, get, teepass, tmp, ROOT } from './lib.mjs';

const DATA = join(ROOT, 'tests/data/snp/virtee_milan_v2');

function snpRequest(expectedMeasurement) {
  return {
    attestation: readFileSync(join(DATA, 'report.bin')).toString('base64'),
    collateral: { vcek: readFileSync(join(DATA, 'vcek.der')).toString('base64') },
    expected: { runtime: { measurement: expectedMeasurement } },
  };
}
const M = '7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f';

test('rotation: new key signs, retired key stays in the JWKS', async () => {
  const k1 = join(tmp, `rot1-${Date.now()}.pem`);
  const k2 = join(tmp, `rot2-${Date.now()}.pem`);
  const kid1 = teepass(['keygen', '--out', k1]).trim();
  const kid2 = teepass(['keygen', '--out', k2]).trim();

  const a = await startDaemon({ TEEPASS_SIGNING_KEY: k1 });
  let p1;
  try {
    const r = await post(a, '/api/verify/tee-attestation', snpRequest(M));
    assert.equal(r.json.valid, true, r.text);
    p1 = r.json.passport.token;
    assert.equal(jose.decodeProtectedHeader(p1).kid, kid1);
  } finally {
    await stopDaemon(a);
  }

  const b = await startDaemon({ TEEPASS_SIGNING_KEY: k2, TEEPASS_RETIRED_KEYS: k1 });
  try {
    const jwksJson = (await get(b, '/.well-known/jwks.json')).json;
    assert.deepEqual(jwksJson.keys.map((k) => k.kid).sort(), [kid1, kid2].sort());
    const jwks = jose.createLocalJWKSet(jwksJson);
    await jose.jwtVerify(p1, jwks); // the old passport still verifies
    // A new passport (another request: other reference values) uses k2.
    const r = await post(b, '/api/verify/tee-attestation', { ...snpRequest(M.toUpperCase()) });
    assert.equal(r.json.valid, true, r.text);
    const p2 = r.json.passport.token;
    assert.equal(jose.decodeProtectedHeader(p2).kid, kid2);
    await jose.jwtVerify(p2, jwks);
  } finally {
    await stopDaemon(b);
  }

  // Once the retired key is dropped, its passports no longer verify.
  const c = await startDaemon({ TEEPASS_SIGNING_KEY: k2 });
  try {
    const jwks = jose.createLocalJWKSet((await get(c, '/.well-known/jwks.json')).json);
    await assert.rejects(jose.jwtVerify(p1, jwks));
  } finally {
    await stopDaemon(c);
  }
});
