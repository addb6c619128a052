// The authorization matrix (issue 6): every route the daemon serves
// (read from GET /api/routes, i.e. the router's own table) × {no key,
// unknown key, revoked key, another provider's key, the owning
// provider's key, an admin key}, with the expected status of each cell,
// generated from the one table below. A route without an entry, or an
// entry without a route, fails the test.
//
// Resources are owned by provider "own". For routes with an {id}, each
// cell is also sent with an id that does not exist: the answer must be
// the same as for the real resource whenever the real one is refused
// (so a refusal never tells whether the resource exists), and 404 where
// the real one succeeded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  startDaemon, stopDaemon, post, request, bearer, createAdminKey, mockEvidenceMr, sha256,
} from './lib.mjs';

const PRINCIPALS = ['none', 'unknown', 'revoked', 'other', 'own', 'admin'];
const all = (s) => Object.fromEntries(PRINCIPALS.map((p) => [p, s]));
const keyed = ({ other, own, admin }) => ({ none: 401, unknown: 401, revoked: 401, other, own, admin });

let d, keys, own, other;
const uniq = () => randomBytes(6).toString('hex');
const MR0 = 'c3'.repeat(48);

async function newProvider(admin, name) {
  const r = await post(d, '/api/providers', { name }, bearer(admin));
  assert.equal(r.status, 201, r.text);
  return { id: r.json.id, key: r.json.api_key.token };
}

// A fresh endpoint of the owning provider: {id, passportId, model}.
async function ownEndpoint() {
  const model = sha256(`matrix ${uniq()}`);
  const ev = mockEvidenceMr({ model, mr: { mr0: MR0 } });
  const r = await post(d, '/api/endpoints', {
    url: `https://${uniq()}.example/`, model: { name: 'm', digest: model }, tee_type: 'Mock',
    reference_values: { runtime: { mr0: MR0 } }, attestation: ev.attestation, runtime_data: ev.runtime_data,
  }, bearer(own.key));
  assert.equal(r.status, 201, r.text);
  return { id: r.json.id, passportId: r.json.passport.id, model };
}

async function ownKeyId() {
  const r = await post(d, `/api/providers/${own.id}/keys`, {}, bearer(own.key));
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

async function ownWebhook() {
  const r = await post(d, '/api/webhooks', { url: 'http://127.0.0.1:9/matrix', types: ['passport.superseded'] }, bearer(own.key));
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

const randomUuid = () => {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

// route -> {expect, prepare(): {id?, body?}, path(id), missing?: () => id}
const MATRIX = {
  'GET /healthz': { expect: all(200) },
  'GET /readyz': { expect: all(200) },
  'GET /metrics': { expect: all(200) },
  'GET /.well-known/jwks.json': { expect: all(200) },
  // Public key discovery (the development JWKS: this daemon runs in
  // development mode).
  'GET /.well-known/jwks-development.json': { expect: all(200) },
  'GET /.well-known/openid-configuration': { expect: all(200) },
    'GET /api/routes': { expect: all(200) },
  // The dashboard (issue 16): public pages, the same for every key.
  'GET /': { expect: all(200) },
  'GET /ui/{id}': { expect: all(200), prepare: async () => ({ id: 'app.js' }), missing: () => `${uniq()}.js` },
  'GET /passports': { expect: all(200) },
  'GET /endpoints': { expect: all(200) },
  // The collateral cache listing is for operators; the TCB forecast is a
  // read-only evaluation, open like verification (a malformed quote: 400).
  'GET /api/collateral': { expect: keyed({ other: 403, own: 403, admin: 200 }) },
  'POST /api/tcb-status': { expect: all(400), prepare: async () => ({ body: { attestation: '00'.repeat(64) } }) },
  'POST /api/challenges': { expect: all(201) },
  'POST /api/verify/tee-attestation': {
    expect: all(200), // open by default (verify_requires_key = 0)
    prepare: async () => ({ body: { ...mockEvidenceMr({ model: sha256(uniq()) }), issue_passport: false } }),
  },
  'GET /api/passports': { expect: all(200) },
  'GET /api/passports/{id}': { expect: all(200), prepare: async () => ({ id: (await ownEndpoint()).passportId }) },
  'GET /api/passports/{id}/status': { expect: all(200), prepare: async () => ({ id: (await ownEndpoint()).passportId }) },
  'POST /api/passports/{id}/revoke': {
    expect: keyed({ other: 404, own: 200, admin: 200 }),
    prepare: async () => ({ id: (await ownEndpoint()).passportId, body: { reason: 'matrix' } }),
  },
  'POST /api/providers': {
    expect: keyed({ other: 403, own: 403, admin: 201 }),
    prepare: async () => ({ body: { name: `p ${uniq()}` } }),
  },
  'POST /api/providers/{id}/keys': {
    expect: keyed({ other: 404, own: 201, admin: 201 }),
    prepare: async () => ({ id: own.id, body: {} }),
  },
  // A provider lists its own keys only (keys.test.mjs checks which).
  'GET /api/keys': { expect: keyed({ other: 200, own: 200, admin: 200 }) },
  'DELETE /api/keys/{id}': {
    expect: keyed({ other: 404, own: 200, admin: 200 }),
    prepare: async () => ({ id: await ownKeyId() }),
    missing: () => randomBytes(8).toString('hex'),
  },
  'POST /api/endpoints': {
    // Any provider registers its own endpoints; an admin key has no
    // provider to register for.
    expect: keyed({ other: 201, own: 201, admin: 403 }),
    prepare: async () => {
      const model = sha256(uniq());
      const ev = mockEvidenceMr({ model });
      return { body: { url: `https://${uniq()}.example/`, model: { name: 'm', digest: model }, tee_type: 'Mock', reference_values: {}, ...ev } };
    },
  },
  'GET /api/endpoints': { expect: all(200) },
  'GET /api/endpoints/{id}': { expect: all(200), prepare: async () => ({ id: (await ownEndpoint()).id }) },
  'GET /api/endpoints/{id}/attestations': { expect: all(200), prepare: async () => ({ id: (await ownEndpoint()).id }) },
  'GET /api/endpoints/{id}/reference-values': { expect: all(200), prepare: async () => ({ id: (await ownEndpoint()).id }) },
  'PATCH /api/endpoints/{id}': {
    expect: keyed({ other: 404, own: 200, admin: 200 }),
    prepare: async () => ({ id: (await ownEndpoint()).id, body: { reference_values: { runtime: { mr0: MR0 } } } }),
  },
  'DELETE /api/endpoints/{id}': {
    expect: keyed({ other: 404, own: 200, admin: 200 }),
    prepare: async () => ({ id: (await ownEndpoint()).id }),
  },
  'PUT /api/endpoints/{id}/attestation': {
    // The heartbeat comes from the endpoint's provider only.
    expect: keyed({ other: 404, own: 200, admin: 403 }),
    prepare: async () => {
      const e = await ownEndpoint();
      const ev = mockEvidenceMr({ model: e.model, mr: { mr0: MR0 } });
      return { id: e.id, body: ev };
    },
  },
  'GET /api/audit': { expect: keyed({ other: 403, own: 403, admin: 200 }) },
  // The transparency log is public (docs/transparency.md); consistency
  // without "from" is a malformed request for everyone.
  'GET /api/log/checkpoint': { expect: all(200) },
  'GET /api/log/key': { expect: all(200) },
  'GET /api/log/consistency': { expect: all(400) },
  'GET /api/passports/{id}/inclusion': { expect: all(200), prepare: async () => ({ id: (await ownEndpoint()).passportId }) },
  // Re-appraisal of a stored passport is public (docs/reappraisal.md):
  // without ?at it is judged as of now, for anyone.
  'GET /api/passports/{id}/appraisal': { expect: all(200), prepare: async () => ({ id: (await ownEndpoint()).passportId }) },
  // Push (docs/events.md). The event stream is public; a stream never
  // ends, so the matrix asks with an unknown type (400 for everyone;
  // events.test.mjs tests the stream itself).
  'GET /api/events': { expect: all(400), query: '?types=none.such' },
  'POST /api/webhooks': {
    expect: keyed({ other: 201, own: 201, admin: 201 }),
    prepare: async () => ({ body: { url: 'http://127.0.0.1:9/matrix', types: ['passport.superseded'] } }),
  },
  'GET /api/webhooks': { expect: keyed({ other: 200, own: 200, admin: 200 }) },
  'DELETE /api/webhooks/{id}': {
    expect: keyed({ other: 404, own: 200, admin: 200 }),
    prepare: async () => ({ id: await ownWebhook() }),
  },
  'GET /api/webhooks/{id}/deliveries': {
    expect: keyed({ other: 404, own: 200, admin: 200 }),
    prepare: async () => ({ id: await ownWebhook() }),
  },
};

before(async () => {
  d = await startDaemon();
  const admin = createAdminKey('matrix');
  own = await newProvider(admin, 'owner');
  other = await newProvider(admin, 'other');
  const extra = await post(d, `/api/providers/${own.id}/keys`, {}, bearer(own.key));
  const del = await request(d, 'DELETE', `/api/keys/${extra.json.id}`, undefined, bearer(admin));
  assert.equal(del.status, 200, del.text);
  keys = {
    none: null,
    unknown: `tp_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`,
    revoked: extra.json.token,
    other: other.key,
    own: own.key,
    admin,
  };
});
after(async () => { await stopDaemon(d); });

test('every route of the router has a matrix entry, and every entry a route', async () => {
  const r = await request(d, 'GET', '/api/routes');
  assert.equal(r.status, 200);
  const served = r.json.routes.map((x) => `${x.method} ${x.pattern}`).sort();
  assert.ok(served.length >= 20, 'the route table is read');
  assert.deepEqual(served, Object.keys(MATRIX).sort(),
    'a route was added without an authorization-matrix entry (or an entry lost its route)');
});

for (const [route, spec] of Object.entries(MATRIX)) {
  test(`authorization: ${route}`, async () => {
    const [method, pattern] = route.split(' ');
    for (const who of PRINCIPALS) {
      const { id, body } = spec.prepare ? await spec.prepare() : {};
      const path = pattern.replace('{id}', id ?? '') + (spec.query ?? '');
      const sendBody = body ?? (method === 'GET' || method === 'DELETE' ? undefined : {});
      const r = await request(d, method, path, sendBody, bearer(keys[who]));
      assert.equal(r.status, spec.expect[who], `${route} as ${who}: ${r.text}`);
      if (r.status >= 400) assert.match(r.json.error.code, /^[a-z_]+$/);
      if (!pattern.includes('{id}')) continue;
      // The same request on a resource that does not exist.
      const missingId = spec.missing ? spec.missing() : randomUuid();
      const m = await request(d, method, pattern.replace('{id}', missingId), sendBody, bearer(keys[who]));
      if (r.status >= 200 && r.status < 300) {
        assert.equal(m.status, 404, `${route} as ${who} on a missing id: ${m.text}`);
      } else {
        assert.equal(m.status, r.status, `${route} as ${who}: refusal differs for a missing id: ${m.text}`);
        assert.equal(m.json.error.code, r.json.error.code, `${route} as ${who}: codes differ`);
      }
    }
  });
}
