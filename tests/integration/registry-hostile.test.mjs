// Hostile strings in every text field of the registry (issue 6): SQL
// metacharacters, quotes, control characters, NUL, overlong values,
// invalid UTF-8 and lone surrogates. Each is either stored verbatim
// (read back byte for byte) or refused with 400 — never executed, never
// a 5xx. NUL, invalid UTF-8 and lone surrogates cannot be text in
// PostgreSQL or JSON: those must be 400.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  startDaemon, stopDaemon, post, psql, request, bearer, createAdminKey, mockEvidenceMr, sha256,
} from './lib.mjs';

const PLACEHOLDER = 'HOSTILE_PLACEHOLDER_7f3a';
// name -> raw bytes of the JSON string's contents (between the quotes).
const HOSTILE = {
  sql: Buffer.from(JSON.stringify("'); DROP TABLE endpoints; -- ' OR '1'='1").slice(1, -1)),
  quotes: Buffer.from(JSON.stringify('"\\\'`$1 %s%n %x {{7*7}} ${x} \\x00').slice(1, -1)),
  unicode: Buffer.from(JSON.stringify('模型 🚀 \u202e\u200b é').slice(1, -1)),
  control: Buffer.from(JSON.stringify('\u0001\u0007\u001b[31m\t\r\n').slice(1, -1)),
  overlong: Buffer.from('A'.repeat(5000)),
  nul: Buffer.from('a\\u0000b'),
  invalid_utf8: Buffer.from([0x61, 0xff, 0xfe, 0xc0, 0x80, 0x62]),
  lone_surrogate: Buffer.from('a\\ud800b'),
};
const MUST_REFUSE = new Set(['nul', 'invalid_utf8', 'lone_surrogate']);
// The string value a valid hostile JSON string stands for.
const valueOf = (name) => JSON.parse(`"${HOSTILE[name].toString('utf8')}"`);

// OBJ serialised with the placeholder string replaced by raw bytes.
function rawBody(obj, bytes) {
  const s = JSON.stringify(obj);
  const i = s.indexOf(PLACEHOLDER);
  assert.ok(i >= 0);
  return Buffer.concat([Buffer.from(s.slice(0, i)), bytes, Buffer.from(s.slice(i + PLACEHOLDER.length))]);
}

let d, admin, prov, endpoint;
const uniq = () => randomBytes(6).toString('hex');
const hexOf = (s) => Buffer.from(s, 'utf8').toString('hex');

before(async () => {
  d = await startDaemon();
  admin = createAdminKey('hostile');
  const r = await post(d, '/api/providers', { name: 'hostile tester' }, bearer(admin));
  prov = { id: r.json.id, key: r.json.api_key.token };
  const model = sha256(uniq());
  const ev = mockEvidenceMr({ model });
  const e = await post(d, '/api/endpoints', {
    url: `https://${uniq()}.example/`, model: { name: 'm', digest: model }, tee_type: 'Mock',
    reference_values: {}, ...ev,
  }, bearer(prov.key));
  assert.equal(e.status, 201, e.text);
  endpoint = e.json;
});
after(async () => { await stopDaemon(d); });

// Field -> sends the hostile value (a JSON template with PLACEHOLDER) and
// returns {r, readBack: () => string | undefined}.
const FIELDS = {
  'providers.name': async (bytes) => {
    const r = await request(d, 'POST', '/api/providers', rawBody({ name: PLACEHOLDER }, bytes), bearer(admin));
    return { r, readBack: () => Buffer.from(psql(`select encode(convert_to(name, 'UTF8'), 'hex') from providers where id = '${r.json.id}'`), 'hex').toString('utf8') };
  },
  'providers.key_label': async (bytes) => {
    const r = await request(d, 'POST', '/api/providers', rawBody({ name: 'n', key_label: PLACEHOLDER }, bytes), bearer(admin));
    return { r, readBack: () => Buffer.from(psql(`select encode(convert_to(label, 'UTF8'), 'hex') from api_keys where id = '${r.json.api_key.id}'`), 'hex').toString('utf8') };
  },
  'keys.label': async (bytes) => {
    const r = await request(d, 'POST', `/api/providers/${prov.id}/keys`, rawBody({ label: PLACEHOLDER }, bytes), bearer(prov.key));
    return { r, readBack: () => Buffer.from(psql(`select encode(convert_to(label, 'UTF8'), 'hex') from api_keys where id = '${r.json.id}'`), 'hex').toString('utf8') };
  },
  'endpoints.url': async (bytes) => {
    const model = sha256(uniq());
    const ev = mockEvidenceMr({ model });
    const r = await request(d, 'POST', '/api/endpoints', rawBody({ url: PLACEHOLDER, model: { name: 'm', digest: model }, tee_type: 'Mock', reference_values: {}, ...ev }, bytes), bearer(prov.key));
    return { r, readBack: () => r.json.url };
  },
  'endpoints.model.name': async (bytes) => {
    const model = sha256(uniq());
    const ev = mockEvidenceMr({ model });
    const r = await request(d, 'POST', '/api/endpoints', rawBody({ url: `https://${uniq()}.example/`, model: { name: PLACEHOLDER, digest: model }, tee_type: 'Mock', reference_values: {}, ...ev }, bytes), bearer(prov.key));
    return { r, readBack: () => r.json.model.name };
  },
  'endpoints.model.digest': async (bytes, name) => {
    // The evidence binds the same hostile digest when it can be passed
    // to the CLI at all (no NUL, valid UTF-8).
    const digest = MUST_REFUSE.has(name) || name === 'overlong' ? sha256(uniq()) : valueOf(name);
    const ev = mockEvidenceMr({ model: digest });
    const r = await request(d, 'POST', '/api/endpoints', rawBody({ url: `https://${uniq()}.example/`, model: { name: 'm', digest: PLACEHOLDER }, tee_type: 'Mock', reference_values: {}, ...ev }, bytes), bearer(prov.key));
    return { r, readBack: () => r.json.model.digest };
  },
  'endpoints.tee_type': async (bytes) => {
    const ev = mockEvidenceMr({ model: sha256('x') });
    const r = await request(d, 'POST', '/api/endpoints', rawBody({ url: `https://${uniq()}.example/`, model: { name: 'm', digest: sha256('x') }, tee_type: PLACEHOLDER, reference_values: {}, ...ev }, bytes), bearer(prov.key));
    return { r, readBack: () => r.json.tee_type };
  },
  'patch.reference_values.runtime': async (bytes) => {
    const r = await request(d, 'PATCH', `/api/endpoints/${endpoint.id}`, rawBody({ reference_values: { runtime: { mr0: PLACEHOLDER } } }, bytes), bearer(prov.key));
    return { r, readBack: () => r.json.reference_values.values.runtime.mr0 };
  },
  'patch.reference_values.config': async (bytes) => {
    const r = await request(d, 'PATCH', `/api/endpoints/${endpoint.id}`, rawBody({ reference_values: { config: PLACEHOLDER } }, bytes), bearer(prov.key));
    return { r, readBack: () => r.json.reference_values.values.config };
  },
  'patch.reference_values.auditors': async (bytes) => {
    const r = await request(d, 'PATCH', `/api/endpoints/${endpoint.id}`, rawBody({ reference_values: { auditors: [PLACEHOLDER] } }, bytes), bearer(prov.key));
    return { r, readBack: () => r.json.reference_values.values.auditors[0] };
  },
  'patch.model.name': async (bytes) => {
    const r = await request(d, 'PATCH', `/api/endpoints/${endpoint.id}`, rawBody({ reference_values: {}, model: { name: PLACEHOLDER } }, bytes), bearer(prov.key));
    return { r, readBack: () => r.json.model.name };
  },
  'revoke.reason': async (bytes) => {
    const v = await post(d, '/api/verify/tee-attestation', mockEvidenceMr({ model: sha256(uniq()) }));
    assert.equal(v.json.valid, true, v.text);
    const r = await request(d, 'POST', `/api/passports/${v.json.passport.id}/revoke`, rawBody({ reason: PLACEHOLDER }, bytes), bearer(admin));
    return { r, readBack: () => r.json.revocation_reason };
  },
  // Encoded members: never text, so refused (400) or, when the hostile
  // bytes happen to decode (5000 'A' is base64), an invalid verdict (422).
  ...Object.fromEntries(['attestation', 'runtime_data', 'nonce'].map((m) => [`endpoints.${m}`, async (bytes) => {
    const model = sha256(uniq());
    const body = { url: `https://${uniq()}.example/`, model: { name: 'm', digest: model }, tee_type: 'Mock', reference_values: {}, ...mockEvidenceMr({ model }) };
    body[m] = PLACEHOLDER;
    const r = await request(d, 'POST', '/api/endpoints', rawBody(body, bytes), bearer(prov.key));
    return { r, readBack: () => undefined, refusedAs: [400, 422] };
  }])),
  'verify.endpoint_id': async (bytes) => {
    const ev = mockEvidenceMr({ model: sha256('y') });
    const r = await request(d, 'POST', '/api/verify/tee-attestation', rawBody({ ...ev, endpoint_id: PLACEHOLDER }, bytes));
    return { r, readBack: () => undefined, refusedAs: [400, 404] };
  },
};

for (const [field, send] of Object.entries(FIELDS)) {
  test(`hostile strings in ${field}: stored verbatim or 400, never 5xx`, async () => {
    const stored = [];
    for (const name of Object.keys(HOSTILE)) {
      const { r, readBack, refusedAs = [400] } = await send(HOSTILE[name], name);
      assert.ok(r.status < 500, `${field} ${name}: ${r.status} ${r.text}`);
      if (MUST_REFUSE.has(name)) {
        assert.equal(r.status, 400, `${field} ${name} must be refused: ${r.text}`);
        continue;
      }
      if (refusedAs.includes(r.status)) {
        assert.match(r.json.error.code, /^[a-z_]+$/);
        if (r.status === 422) assert.equal(r.json.verdict.valid, false);
        // The error never echoes the hostile bytes.
        assert.ok(!r.text.includes('DROP TABLE') && !r.text.includes('🚀'), r.text);
        continue;
      }
      assert.ok(r.status >= 200 && r.status < 300, `${field} ${name}: ${r.status} ${r.text}`);
      assert.equal(hexOf(readBack()), hexOf(valueOf(name)), `${field} ${name}: not stored verbatim`);
      stored.push(name);
    }
    // Text fields keep SQL and Unicode as they are; only the TEE type and
    // the endpoint id (names, not text) refuse everything.
    if (!['endpoints.tee_type', 'verify.endpoint_id', 'endpoints.attestation', 'endpoints.runtime_data', 'endpoints.nonce'].includes(field))
      for (const name of ['sql', 'quotes', 'unicode', 'control']) assert.ok(stored.includes(name), `${field}: ${name} was not stored`);
  });
}

test('hostile query parameters and path ids: 400 or 404, never 5xx; the tables are intact', async () => {
  const values = ["'; DROP TABLE endpoints; --", 'a'.repeat(5000), '%00', '%FF%FE', '%C0%80', '\u202e', '%27%20OR%201=1'];
  for (const v of values) {
    const q = v.startsWith('%') ? v : encodeURIComponent(v);
    for (const path of [`/api/endpoints?model=${q}`, `/api/endpoints?tee_type=${q}`, `/api/endpoints?status=${q}`,
      `/api/endpoints?provider_id=${q}`, `/api/endpoints/${q}`, `/api/passports/${q}/status`]) {
      const r = await request(d, 'GET', path);
      assert.ok([200, 400, 404].includes(r.status), `${path}: ${r.status} ${r.text}`);
      if (r.status === 200) assert.ok(Array.isArray(r.json.endpoints), r.text);
    }
    const a = await request(d, 'GET', `/api/audit?before=${q}`, undefined, bearer(admin));
    assert.equal(a.status, 400, a.text);
    const k = await request(d, 'DELETE', `/api/keys/${q}`, undefined, bearer(admin));
    assert.equal(k.status, 404, k.text);
  }
  // A model name that is SQL is just a name that matches nothing.
  const r = await request(d, 'GET', `/api/endpoints?model=${encodeURIComponent("x' OR '1'='1")}`);
  assert.deepEqual(r.json.endpoints, []);
  assert.ok(Number(psql('select count(*) from endpoints')) > 0, 'endpoints table intact');
  assert.ok(Number(psql('select count(*) from providers')) > 0, 'providers table intact');
});
