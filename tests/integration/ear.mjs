// An EAR checker written from draft-ietf-rats-ear (EAT Attestation Results)
// and AR4SI (draft-ietf-rats-ar4si), with the validation rules of
// veraison/ear's validate(): what a relying party's standard tooling
// demands of a passport. The signature is checked with jose.
import assert from 'node:assert/strict';
import * as jose from 'jose';

export const EAR_PROFILE = 'tag:github.com,2023:veraison/ear';

// ear.status: the AR4SI trustworthiness tiers.
const TIERS = { none: 0, affirming: 2, warning: 32, contraindicated: 96 };

// AR4SI section 2.3: the values each trustworthiness claim may take,
// beside the generic ones every claim may take (-1 verifier malfunction,
// 0 no claim, 1 unexpected evidence, 99 cryptographic validation failed).
const GENERIC = [-1, 0, 1, 99];
export const VECTOR_VALUES = {
  'instance-identity': [2, 96, 97],
  configuration: [2, 3, 32, 96],
  executables: [2, 3, 32, 33, 96],
  'file-system': [2, 32, 96],
  hardware: [2, 32, 96, 97],
  'runtime-opaque': [2, 32, 96],
  'storage-opaque': [2, 32, 96],
  'sourced-data': [2, 32, 96],
};

// The tier of a claim value (AR4SI: -1..1 none, 2..31 affirming,
// 32..95 warning, 96..127 contraindicated).
function tierOf(v) {
  if (v >= 96) return 96;
  if (v >= 32) return 32;
  if (v >= 2) return 2;
  return 0;
}

const isInt = (v) => Number.isInteger(v);
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

// Every problem of an EAR claims-set, [] when it conforms. Beyond the
// draft's "optional" the passport profile requires the full vector and
// the appraisal policy id in every submodule (docs/passport.md).
export function earProblems(c) {
  const p = [];
  if (!isObj(c)) return ['claims-set is not a JSON object'];
  if (c.eat_profile === undefined) p.push("missing mandatory 'eat_profile'");
  else if (c.eat_profile !== EAR_PROFILE) p.push(`unknown eat_profile ${JSON.stringify(c.eat_profile)}`);
  if (c.iat === undefined) p.push("missing mandatory 'iat'");
  else if (!isInt(c.iat)) p.push('iat is not a NumericDate');
  if (c.exp !== undefined && (!isInt(c.exp) || !(c.exp > c.iat))) p.push('exp is not a NumericDate after iat');
  const vid = c['ear.verifier-id'];
  if (vid === undefined) p.push("missing mandatory 'ear.verifier-id'");
  else if (!isObj(vid) || typeof vid.build !== 'string' || typeof vid.developer !== 'string')
    p.push('ear.verifier-id wants string build and developer');
  if (c.nonce !== undefined) p.push("'nonce' is not an EAT claim (eat_nonce)");
  if (c.eat_nonce !== undefined) {
    const ns = Array.isArray(c.eat_nonce) ? c.eat_nonce : [c.eat_nonce];
    if (ns.length === 0 || ns.some((n) => typeof n !== 'string' || n.length < 8 || n.length > 88))
      p.push('eat_nonce wants text of 8..88 bytes');
  }
  for (const top of ['ear.status', 'ear.trustworthiness-vector'])
    if (c[top] !== undefined) p.push(`'${top}' belongs in a submodule`);
  if (c.cnf !== undefined) {
    if (!isObj(c.cnf) || !isObj(c.cnf.jwk) || typeof c.cnf.jwk.kty !== 'string') p.push('cnf wants {jwk: {kty, ...}} (RFC 7800)');
    else if (c.cnf.jwk.d !== undefined) p.push('cnf.jwk carries a private key');
  }
  if (!isObj(c.submods) || Object.keys(c.submods).length === 0) {
    p.push("missing mandatory 'submods' (at least one appraisal)");
    return p;
  }
  for (const [name, a] of Object.entries(c.submods)) {
    const at = `submods[${name}]`;
    if (!isObj(a)) { p.push(`${at} is not an object`); continue; }
    if (!(a['ear.status'] in TIERS)) { p.push(`${at}: ear.status ${JSON.stringify(a['ear.status'])} is not a tier`); continue; }
    if (typeof a['ear.appraisal-policy-id'] !== 'string' || a['ear.appraisal-policy-id'] === '')
      p.push(`${at}: missing ear.appraisal-policy-id`);
    const tv = a['ear.trustworthiness-vector'];
    if (!isObj(tv)) { p.push(`${at}: missing ear.trustworthiness-vector`); continue; }
    for (const k of Object.keys(tv)) if (!(k in VECTOR_VALUES)) p.push(`${at}: unknown trustworthiness claim ${k}`);
    for (const [k, allowed] of Object.entries(VECTOR_VALUES)) {
      const v = tv[k];
      if (v === undefined) { p.push(`${at}: trustworthiness claim ${k} missing`); continue; }
      if (!isInt(v) || v < -128 || v > 127 || ![...GENERIC, ...allowed].includes(v)) {
        p.push(`${at}: ${k} = ${JSON.stringify(v)} is not an AR4SI value`);
        continue;
      }
      // The status never claims more than any claim of its vector.
      if (tierOf(v) > TIERS[a['ear.status']]) p.push(`${at}: ear.status ${a['ear.status']} is better than ${k} = ${v}`);
    }
  }
  return p;
}

export async function jwksOf(d, path) {
  const r = await fetch(`${d.base}${path}`);
  assert.equal(r.status, 200, `${path}: ${r.status}`);
  return jose.createLocalJWKSet(await r.json());
}

async function verifies(token, keys, iat) {
  try {
    await jose.jwtVerify(token, keys, { algorithms: ['ES256'], currentDate: new Date(iat * 1000) });
    return true;
  } catch {
    return false;
  }
}

// A relying party's whole check of a passport issued by daemon D:
// signature by the published JWKS (hardware) or only by the development
// JWKS (Mock), EAR conformance, and the passport API's copy of the claims.
// Returns the verified payload.
export async function assertEarPassport(d, token, { development = false } = {}) {
  assert.equal(typeof token, 'string', 'a passport token');
  const claims = jose.decodeJwt(token);
  const [prod, dev] = [await verifies(token, await jwksOf(d, '/.well-known/jwks.json'), claims.iat),
    await verifies(token, await jwksOf(d, '/.well-known/jwks-development.json'), claims.iat)];
  if (development) {
    assert.equal(dev, true, 'a development passport verifies against jwks-development.json');
    assert.equal(prod, false, 'a development passport never verifies against jwks.json');
  } else {
    assert.equal(prod, true, 'a hardware passport verifies against jwks.json');
    assert.equal(dev, false, 'a hardware passport is not signed with the development key');
  }
  assert.deepEqual(earProblems(claims), [], JSON.stringify(claims));
  const byId = await fetch(`${d.base}/api/passports/${claims.jti}`);
  assert.equal(byId.status, 200);
  const j = await byId.json();
  assert.deepEqual(j.claims, claims, 'GET /api/passports/{id} carries the same claims');
  assert.equal(j.token, token);
  return claims;
}
