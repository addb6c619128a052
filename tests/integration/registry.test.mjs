// The endpoint registry (issue 6): registration against reference values,
// re-attestation, versioned reference values, endpoint_id in verify,
// revocation, the audit log, access control and stale endpoints (dev
// clock). Expected values are the inputs the test itself chose (digests,
// registers) — never values read back from teepassd to compare with
// itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as jose from 'jose';
import {
  startDaemon, stopDaemon, get, post, psql, request, bearer, createAdminKey,
  mockEvidenceMr, sha256, DB_URL, ROOT, teepass, tmp,
} from './lib.mjs';

let d, admin, p1, p2;
const uniq = () => randomBytes(6).toString('hex');
const MR0 = 'a1'.repeat(48);
const MR0_OTHER = 'b2'.repeat(48);

before(async () => {
  d = await startDaemon();
  admin = createAdminKey('registry tests');
  p1 = await newProvider('Provider One');
  p2 = await newProvider('Provider Two');
});
after(async () => { await stopDaemon(d); });

async function newProvider(name) {
  const r = await post(d, '/api/providers', { name }, bearer(admin));
  assert.equal(r.status, 201, r.text);
  return { id: r.json.id, key: r.json.api_key.token, keyId: r.json.api_key.id };
}

// Registers a Mock endpoint whose reference values require MR0 and the
// model digest; returns {status, json, model, url}.
async function register(key, { model = sha256(`model ${uniq()}`), url = `https://${uniq()}.example/v1`, mr0 = MR0, refMr0 = MR0, config } = {}) {
  const ev = mockEvidenceMr({ model, config, mr: { mr0 } });
  const reference_values = { runtime: { mr0: refMr0 } };
  if (config) reference_values.config = config;
  const r = await post(d, '/api/endpoints', {
    url, model: { name: 'llama-3-8b', digest: model }, provider: 'mock',
    reference_values, attestation: ev.attestation, runtime_data: ev.runtime_data,
  }, bearer(key));
  return { ...r, model, url, ev };
}

test('a provider registers an endpoint: attested, passport bound to the endpoint and its reference values', async () => {
  const model = sha256(`weights v1 ${uniq()}`);
  const r = await register(p1.key, { model });
  assert.equal(r.status, 201, r.text);
  const e = r.json;
  assert.match(e.id, /^[0-9a-f-]{36}$/);
  assert.equal(e.provider_id, p1.id);
  assert.equal(e.status, 'attested');
  assert.equal(e.provider, 'Mock');
  assert.equal(e.tee_type, 'Mock', 'deprecated alias of provider');
  assert.deepEqual(e.model, { name: 'llama-3-8b', digest: model });
  assert.equal(e.reference_values.version, 1);
  assert.deepEqual(e.reference_values.values, { runtime: { mr0: MR0 }, model });
  assert.equal(e.verdict.valid, true);
  assert.equal(e.passport.status, 'active');
  assert.equal(e.verdict.passport.id, e.passport.id);

  // The passport (checked with jose and the mock key) names the endpoint
  // and the reference version; its policy digest is the version's.
  const mockPub = createPublicKey(readFileSync(process.env.TEEPASS_MOCK_SIGNING_KEY));
  const { payload } = await jose.jwtVerify(e.passport.token, mockPub, { algorithms: ['ES256'] });
  assert.equal(payload.sub, e.id);
  assert.equal(payload.endpoint_id, e.id);
  assert.equal(payload.model, model);
  assert.equal(payload.submods.cpu0['ear.teepass.annotated-evidence'].mr0, MR0);
  assert.deepEqual(payload.reference_values, { version: 1, sha256: e.reference_values.sha256 });
  assert.equal(payload.submods.cpu0['ear.appraisal-policy-id'], `tag:teepass,2026:policy/Mock/${e.reference_values.sha256}`);

  // Committed: the endpoint, reference version 1 and the passport row.
  assert.equal(psql(`select status || ' ' || reference_version || ' ' || (current_passport_id = '${e.passport.id}') from endpoints where id = '${e.id}'`), 'attested 1 true');
  assert.equal(psql(`select endpoint_id from passports where id = '${e.passport.id}'`), e.id);
  assert.equal(psql(`select count(*) from reference_values where endpoint_id = '${e.id}'`), '1');

  // Public lookups.
  const one = await get(d, `/api/endpoints/${e.id}`);
  assert.equal(one.status, 200);
  assert.equal(one.json.status, 'attested');
  const list = await get(d, `/api/endpoints?model=${encodeURIComponent(model)}&provider=Mock&status=attested`);
  assert.deepEqual(list.json.endpoints.map((x) => x.id), [e.id]);
  const alias = await get(d, `/api/endpoints?model=${encodeURIComponent(model)}&tee_type=Mock&status=attested`);
  assert.deepEqual(alias.json.endpoints.map((x) => x.id), [e.id], 'tee_type: deprecated alias of provider');
  assert.equal((await get(d, '/api/endpoints?provider=quantum')).status, 400);
  const byName = await get(d, `/api/endpoints?model=llama-3-8b&provider_id=${p1.id}&limit=100`);
  assert.ok(byName.json.endpoints.some((x) => x.id === e.id));
  assert.equal((await get(d, '/api/endpoints?status=weird')).status, 400);
  assert.equal((await get(d, '/api/endpoints?tee_type=quantum')).status, 400);
  assert.equal((await get(d, '/api/endpoints?limit=0')).json.error.code, 'invalid_limit');
});

test('evidence that does not match the reference values is refused and leaves no endpoint row', async () => {
  const url = `https://${uniq()}.example/mismatch`;
  // Runtime register differs from the reference.
  let r = await register(p1.key, { url, mr0: MR0_OTHER, refMr0: MR0 });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.error.code, 'attestation_invalid');
  assert.equal(r.json.verdict.valid, false);
  assert.deepEqual(r.json.verdict.errors.map((e) => e.code), ['measurement_mismatch']);
  assert.equal(r.json.verdict.passport, undefined);
  // The model bound in the evidence differs from model.digest.
  const ev = mockEvidenceMr({ model: sha256('the real weights'), mr: { mr0: MR0 } });
  r = await post(d, '/api/endpoints', {
    url, model: { name: 'm', digest: sha256('the claimed weights') }, tee_type: 'Mock',
    reference_values: { runtime: { mr0: MR0 } }, attestation: ev.attestation, runtime_data: ev.runtime_data,
  }, bearer(p1.key));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.json.verdict.errors.map((e) => e.code), ['model_mismatch']);
  // Evidence of another TEE type than declared.
  r = await post(d, '/api/endpoints', {
    url, model: { name: 'm', digest: sha256('x') }, tee_type: 'IntelTdx',
    reference_values: {}, attestation: ev.attestation, runtime_data: ev.runtime_data,
  }, bearer(p1.key));
  assert.equal(r.status, 422, r.text);
  assert.equal(r.json.verdict.valid, false);
  // provider and its deprecated alias tee_type naming two providers, or
  // neither given: refused before anything is verified.
  r = await post(d, '/api/endpoints', {
    url, model: { name: 'm', digest: sha256('x') }, provider: 'Mock', tee_type: 'IntelTdx',
    reference_values: {}, attestation: ev.attestation, runtime_data: ev.runtime_data,
  }, bearer(p1.key));
  assert.equal(r.status, 400, r.text);
  assert.deepEqual([r.json.error.code, r.json.error.field], ['invalid_field', 'tee_type']);
  r = await post(d, '/api/endpoints', {
    url, model: { name: 'm', digest: sha256('x') },
    reference_values: {}, attestation: ev.attestation, runtime_data: ev.runtime_data,
  }, bearer(p1.key));
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error.code, 'missing_field');
  assert.equal(psql(`select count(*) from endpoints where url = '${url}'`), '0');
  assert.equal(psql(`select count(*) from passports where evidence_sha256 = encode(sha256(decode('${ev.attestation}', 'hex')), 'hex')`), '0');
});

test('re-attestation: valid gives a new passport; a changed runtime marks the endpoint failed', async () => {
  const model = sha256(`weights ${uniq()}`);
  const reg = await register(p1.key, { model });
  assert.equal(reg.status, 201, reg.text);
  const id = reg.json.id;

  const ok = mockEvidenceMr({ model, mr: { mr0: MR0 } });
  let r = await request(d, 'PUT', `/api/endpoints/${id}/attestation`, { attestation: ok.attestation, runtime_data: ok.runtime_data }, bearer(p1.key));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'attested');
  assert.equal(r.json.verdict.valid, true);
  assert.notEqual(r.json.passport.id, reg.json.passport.id, 'a new passport');
  assert.equal(r.json.verdict.passport.id, r.json.passport.id);

  const changed = mockEvidenceMr({ model, mr: { mr0: MR0_OTHER } });
  r = await request(d, 'PUT', `/api/endpoints/${id}/attestation`, { attestation: changed.attestation, runtime_data: changed.runtime_data }, bearer(p1.key));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'failed');
  assert.equal(r.json.verdict.valid, false);
  assert.equal(r.json.verdict.passport, undefined);
  assert.deepEqual(r.json.last_errors.map((e) => e.code), ['measurement_mismatch']);
  assert.equal((await get(d, `/api/endpoints/${id}`)).json.status, 'failed');
  assert.equal(psql(`select status from endpoints where id = '${id}'`), 'failed');
  assert.equal(psql(`select count(*) from passports where evidence_sha256 = encode(sha256(decode('${changed.attestation}', 'hex')), 'hex')`), '0');
  const failed = await get(d, '/api/endpoints?status=failed&limit=100');
  assert.ok(failed.json.endpoints.some((e) => e.id === id));

  // Back to the reference runtime: attested again.
  r = await request(d, 'PUT', `/api/endpoints/${id}/attestation`, { attestation: ok.attestation, runtime_data: ok.runtime_data }, bearer(p1.key));
  assert.equal(r.json.status, 'attested', r.text);
  assert.equal(r.json.last_errors, null);

  // The history keeps every attempt, the failure with its errors, newest
  // first; pages of one give the same entries.
  const h = await get(d, `/api/endpoints/${id}/attestations`);
  assert.equal(h.status, 200, h.text);
  assert.deepEqual(h.json.attestations.map((a) => a.status), ['attested', 'failed', 'attested', 'attested']);
  const pids = h.json.attestations.map((a) => a.passport_id);
  assert.equal(pids[0], r.json.passport.id);
  assert.equal(pids[1], null);
  assert.match(pids[2], /^[0-9a-f-]{36}$/);
  assert.equal(pids[3], reg.json.passport.id);
  assert.deepEqual(h.json.attestations[1].errors.map((e) => e.code), ['measurement_mismatch']);
  assert.ok(h.json.attestations.every((a) => a.reference_version === 1));
  assert.equal(h.json.next_before, null);
  const paged = [];
  let before = '';
  for (let i = 0; i < 10; i++) {
    const pg = await get(d, `/api/endpoints/${id}/attestations?limit=1${before}`);
    assert.equal(pg.status, 200, pg.text);
    paged.push(...pg.json.attestations);
    if (pg.json.next_before === null) break;
    before = `&before=${pg.json.next_before}`;
  }
  assert.deepEqual(paged, h.json.attestations);
  const missing = await get(d, `/api/endpoints/${randomUUID()}/attestations`);
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error.code, 'endpoint_not_found');
  assert.equal((await get(d, `/api/endpoints/${id}/attestations?before=x`)).status, 400);
});

test('PATCH makes a new reference version, used from the next attestation on', async () => {
  const model = sha256(`weights ${uniq()}`);
  const reg = await register(p1.key, { model });
  const id = reg.json.id;
  let r = await request(d, 'PATCH', `/api/endpoints/${id}`, { reference_values: { runtime: { mr0: MR0_OTHER } } }, bearer(p1.key));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.reference_values.version, 2);
  assert.deepEqual(r.json.reference_values.values, { runtime: { mr0: MR0_OTHER }, model });
  assert.equal(r.json.status, 'attested', 'the current passport stands until the next attestation');
  assert.equal(psql(`select string_agg(version::text, ',' order by version) from reference_values where endpoint_id = '${id}'`), '1,2');
  // Version 1 is kept as it was.
  assert.equal(psql(`select doc->'runtime'->>'mr0' from reference_values where endpoint_id = '${id}' and version = 1`), MR0);

  const oldRuntime = mockEvidenceMr({ model, mr: { mr0: MR0 } });
  r = await request(d, 'PUT', `/api/endpoints/${id}/attestation`, oldRuntime, bearer(p1.key));
  assert.equal(r.json.status, 'failed', r.text);
  const newRuntime = mockEvidenceMr({ model, mr: { mr0: MR0_OTHER } });
  r = await request(d, 'PUT', `/api/endpoints/${id}/attestation`, { attestation: newRuntime.attestation, runtime_data: newRuntime.runtime_data }, bearer(p1.key));
  assert.equal(r.json.status, 'attested', r.text);
  const p = await get(d, `/api/passports/${r.json.passport.id}`);
  assert.equal(p.json.claims.reference_values.version, 2);
  assert.equal(p.json.claims.reference_values.sha256, r.json.reference_values.sha256);
  assert.equal(p.json.endpoint_id, id);

  // An admin may change them too; a new model digest goes with them.
  const model2 = sha256(`weights v2 ${uniq()}`);
  r = await request(d, 'PATCH', `/api/endpoints/${id}`, { reference_values: { runtime: { mr0: MR0_OTHER } }, model: { digest: model2 } }, bearer(admin));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.reference_values.version, 3);
  assert.equal(r.json.model.digest, model2);
  assert.equal(r.json.model.name, 'llama-3-8b');
  // Every version is served, newest first; the history says which version
  // each attestation was appraised against.
  const refs = await get(d, `/api/endpoints/${id}/reference-values`);
  assert.equal(refs.status, 200, refs.text);
  assert.deepEqual(refs.json.reference_values.map((v) => v.version), [3, 2, 1]);
  assert.equal(refs.json.reference_values[0].sha256, r.json.reference_values.sha256);
  assert.equal(refs.json.reference_values[2].values.runtime.mr0, MR0);
  assert.equal(refs.json.reference_values[1].values.runtime.mr0, MR0_OTHER);
  const hist = await get(d, `/api/endpoints/${id}/attestations`);
  assert.deepEqual(hist.json.attestations.map((a) => [a.status, a.reference_version]),
    [['attested', 2], ['failed', 2], ['attested', 1]]);
  // Refused shapes.
  for (const body of [{}, { reference_values: { model: model2 } }, { reference_values: { runtme: {} } }, { reference_values: {}, model: { size: '1' } }]) {
    const bad = await request(d, 'PATCH', `/api/endpoints/${id}`, body, bearer(p1.key));
    assert.equal(bad.status, 400, `${JSON.stringify(body)}: ${bad.text}`);
  }
});

test('verify with endpoint_id takes the registry reference values and records the endpoint', async () => {
  const model = sha256(`weights ${uniq()}`);
  const reg = await register(p1.key, { model });
  const id = reg.json.id;
  const ev = mockEvidenceMr({ model, mr: { mr0: MR0 } });
  let r = await post(d, '/api/verify/tee-attestation', { attestation: ev.attestation, runtime_data: ev.runtime_data, endpoint_id: id });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.valid, true, r.text);
  assert.equal(r.json.measurements_valid, true);
  assert.ok(r.json.checks.some((c) => c.check.startsWith('expected_') && c.ok), r.text);
  assert.equal(psql(`select endpoint_id from passports where id = '${r.json.passport.id}'`), id);
  const p = await get(d, `/api/passports/${r.json.passport.id}`);
  assert.equal(p.json.claims.endpoint_id, id);
  assert.deepEqual(p.json.claims.reference_values, { version: 1, sha256: reg.json.reference_values.sha256 });

  const other = mockEvidenceMr({ model, mr: { mr0: MR0_OTHER } });
  r = await post(d, '/api/verify/tee-attestation', { attestation: other.attestation, runtime_data: other.runtime_data, endpoint_id: id });
  assert.equal(r.json.valid, false);
  assert.deepEqual(r.json.errors.map((e) => e.code), ['measurement_mismatch']);

  r = await post(d, '/api/verify/tee-attestation', { attestation: ev.attestation, endpoint_id: '00000000-0000-4000-8000-000000000000' });
  assert.equal(r.status, 404);
  assert.equal(r.json.error.code, 'endpoint_not_found');
  r = await post(d, '/api/verify/tee-attestation', { attestation: ev.attestation, endpoint_id: "x' or 1=1 --" });
  assert.equal(r.status, 404);
  r = await post(d, '/api/verify/tee-attestation', { attestation: ev.attestation, endpoint_id: id, expected: { model } });
  assert.equal(r.status, 400);
  r = await post(d, '/api/verify/tee-attestation', { attestation: ev.attestation, endpoint_id: id, provider: 'IntelTdx' });
  assert.equal(r.status, 400);
});

test('revocation: the passport lookup, the status check and the endpoint all say revoked', async () => {
  const reg = await register(p1.key);
  const pid = reg.json.passport.id;
  let s = await get(d, `/api/passports/${pid}/status`);
  assert.equal(s.status, 200);
  assert.equal(s.json.status, 'active');
  assert.match(s.headers.get('cache-control'), /max-age=\d+/);

  const reason = "key compromise; '; DROP TABLE passports; --";
  let r = await post(d, `/api/passports/${pid}/revoke`, { reason }, bearer(p1.key));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'revoked');
  assert.equal(r.json.revocation_reason, reason);
  // Idempotent: the first reason stays.
  r = await post(d, `/api/passports/${pid}/revoke`, { reason: 'again' }, bearer(admin));
  assert.equal(r.status, 200);
  assert.equal(r.json.revocation_reason, reason);

  s = await get(d, `/api/passports/${pid}/status`);
  assert.equal(s.json.status, 'revoked');
  assert.equal(s.json.revocation_reason, reason);
  assert.ok(s.json.revoked_at);
  const full = await get(d, `/api/passports/${pid}`);
  assert.equal(full.json.status, 'revoked');
  assert.equal((await get(d, `/api/endpoints/${reg.json.id}`)).json.status, 'revoked');
  assert.equal(psql(`select status || '|' || revocation_reason from passports where id = '${pid}'`), `revoked|${reason}`);
  // The reason is required; unknown passports are 404.
  assert.equal((await post(d, `/api/passports/${pid}/revoke`, {}, bearer(admin))).status, 400);
  assert.equal((await post(d, '/api/passports/00000000-0000-4000-8000-000000000000/revoke', { reason: 'x' }, bearer(admin))).status, 404);
  assert.equal((await get(d, '/api/passports/00000000-0000-4000-8000-000000000000/status')).status, 404);
  // A passport with no endpoint: only an admin may revoke it.
  const ev = mockEvidenceMr({ model: sha256(uniq()) });
  const v = await post(d, '/api/verify/tee-attestation', ev);
  assert.equal(v.json.valid, true, v.text);
  assert.equal((await post(d, `/api/passports/${v.json.passport.id}/revoke`, { reason: 'x' }, bearer(p1.key))).status, 404);
  assert.equal((await post(d, `/api/passports/${v.json.passport.id}/revoke`, { reason: 'x' }, bearer(admin))).status, 200);
});

test('retiring an endpoint: readable as retired, no more attestations, out of the default list', async () => {
  const reg = await register(p1.key);
  const id = reg.json.id;
  let r = await request(d, 'DELETE', `/api/endpoints/${id}`, undefined, bearer(p1.key));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'retired');
  assert.ok(r.json.retired_at);
  r = await request(d, 'PUT', `/api/endpoints/${id}/attestation`, reg.ev, bearer(p1.key));
  assert.equal(r.status, 404);
  assert.equal((await request(d, 'DELETE', `/api/endpoints/${id}`, undefined, bearer(p1.key))).status, 404);
  const live = await get(d, `/api/endpoints?provider_id=${p1.id}&limit=100`);
  assert.ok(!live.json.endpoints.some((e) => e.id === id));
  const retired = await get(d, `/api/endpoints?status=retired&limit=100`);
  assert.ok(retired.json.endpoints.some((e) => e.id === id));
  // The URL is free again.
  const again = await register(p1.key, { url: reg.url });
  assert.equal(again.status, 201, again.text);
  // ...but not twice.
  const dup = await register(p1.key, { url: reg.url });
  assert.equal(dup.status, 409, dup.text);
  assert.equal(dup.json.error.code, 'endpoint_exists');
});

test('keys: rotation and revocation; a revoked key is refused', async () => {
  const p = await newProvider(`rotating ${uniq()}`);
  const k2 = await post(d, `/api/providers/${p.id}/keys`, { label: 'second' }, bearer(p.key));
  assert.equal(k2.status, 201, k2.text);
  assert.match(k2.json.token, /^tp_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
  // Only the hash is stored.
  assert.equal(psql(`select count(*) from api_keys where token_sha256 = encode(sha256('${k2.json.token}'::bytea), 'hex')`), '1');
  assert.equal(psql(`select count(*) from api_keys where token_sha256 like '%${k2.json.token.slice(20)}%' or label = '${k2.json.token}'`), '0');
  let r = await request(d, 'DELETE', `/api/keys/${p.keyId}`, undefined, bearer(k2.json.token));
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.revoked_at);
  r = await register(p.key);
  assert.equal(r.status, 401);
  assert.equal(r.json.error.code, 'api_key_invalid');
  r = await register(k2.json.token);
  assert.equal(r.status, 201, r.text);
  // Malformed and look-alike tokens.
  for (const h of ['Bearer', 'Bearer tp_', `Bearer ${k2.json.token}x`, `Bearer ${k2.json.token.slice(0, -1)}${k2.json.token.endsWith('A') ? 'B' : 'A'}`, `Basic ${k2.json.token}`]) {
    const x = await post(d, '/api/providers', { name: 'x' }, { Authorization: h });
    assert.equal(x.status, 401, h);
  }
});

test('the audit log records every change with who and when, and cannot be rewritten', async () => {
  const p = await newProvider(`audited ${uniq()}`);
  const reg = await register(p.key);
  await request(d, 'PATCH', `/api/endpoints/${reg.json.id}`, { reference_values: {} }, bearer(p.key));
  await post(d, `/api/passports/${reg.json.passport.id}/revoke`, { reason: 'audit test' }, bearer(admin));
  await request(d, 'DELETE', `/api/endpoints/${reg.json.id}`, undefined, bearer(p.key));
  const r = await get(d, '/api/audit?limit=100', bearer(admin));
  assert.equal(r.status, 200, r.text);
  const mine = r.json.entries.filter((e) => e.target === p.id || e.target === reg.json.id || e.target === p.keyId || e.target === reg.json.passport.id);
  const actions = mine.map((e) => e.action).reverse();
  assert.deepEqual(actions, ['provider.created', 'api_key.created', 'endpoint.registered', 'endpoint.updated', 'passport.revoked', 'endpoint.retired']);
  const adminKeyId = admin.slice(3, 19);
  assert.equal(mine.find((e) => e.action === 'provider.created').actor, `admin:${adminKeyId}`);
  assert.equal(mine.find((e) => e.action === 'endpoint.registered').actor, `provider:${p.id}/key:${p.keyId}`);
  assert.equal(mine.find((e) => e.action === 'passport.revoked').detail.reason, 'audit test');
  for (const e of mine) assert.match(e.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
  // Paging.
  const page = await get(d, '/api/audit?limit=2', bearer(admin));
  assert.equal(page.json.entries.length, 2);
  const next = await get(d, `/api/audit?limit=2&before=${page.json.next_before}`, bearer(admin));
  assert.ok(next.json.entries[0].id < page.json.entries[1].id);
  // Append-only, enforced by the database.
  for (const sql of ["update audit_log set actor = 'someone else'", 'delete from audit_log', 'truncate audit_log'])
    assert.throws(() => execFileSync('psql', [DB_URL, '-v', 'ON_ERROR_STOP=1', '-Atqc', sql], { stdio: 'pipe' }), /append-only/);
  // The CLI-made admin key was recorded too.
  assert.equal(psql(`select action || ' ' || (actor like 'cli:%') from audit_log where target = '${adminKeyId}'`), 'api_key.created true');
});

test('an expired passport shows the endpoint as stale (second teepassd with the dev clock a day later)', async () => {
  const reg = await register(p1.key);
  assert.equal(reg.status, 201, reg.text);
  const later = new Date(Date.now() + 25 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const d2 = await startDaemon({ TEEPASS_DEV_FIXED_TIME: later });
  try {
    const e = await get(d2, `/api/endpoints/${reg.json.id}`);
    assert.equal(e.json.status, 'stale');
    assert.equal(e.json.passport.status, 'expired');
    const stale = await get(d2, '/api/endpoints?status=stale&limit=100');
    assert.ok(stale.json.endpoints.some((x) => x.id === reg.json.id));
    assert.equal((await get(d2, `/api/passports/${reg.json.passport.id}/status`)).json.status, 'expired');
  } finally {
    await stopDaemon(d2);
  }
  // Now (the first daemon's clock) it is still attested.
  assert.equal((await get(d, `/api/endpoints/${reg.json.id}`)).json.status, 'attested');
});

test('verify access: open and rate-limited by default; a key when verify_requires_key is set', async () => {
  const ev = mockEvidenceMr({ model: sha256(uniq()) });
  const body = { attestation: ev.attestation, runtime_data: ev.runtime_data, issue_passport: false };
  const limited = await startDaemon({ TEEPASS_VERIFY_RATE_LIMIT: '3' });
  try {
    // Fixed one-minute windows: 8 requests in well under a minute see at
    // most one window boundary, so at most 6 pass and at least 2 are
    // refused; the first 3 always pass.
    const rs = [];
    for (let i = 0; i < 8; i++) rs.push(await post(limited, '/api/verify/tee-attestation', body));
    const codes = rs.map((r) => r.status);
    assert.deepEqual(codes.slice(0, 3), [200, 200, 200], codes.join(','));
    assert.ok(codes.filter((c) => c === 429).length >= 2, codes.join(','));
    assert.ok(codes.every((c) => c === 200 || c === 429), codes.join(','));
    for (const r of rs.filter((x) => x.status === 429)) assert.equal(r.json.error.code, 'rate_limited');
  } finally {
    await stopDaemon(limited);
  }
  const keyed = await startDaemon({ TEEPASS_VERIFY_REQUIRES_KEY: '1' });
  try {
    assert.equal((await post(keyed, '/api/verify/tee-attestation', body)).status, 401);
    assert.equal((await post(keyed, '/api/verify/tee-attestation', body, bearer('tp_0000000000000000_' + 'A'.repeat(43)))).status, 401);
    const ok = await post(keyed, '/api/verify/tee-attestation', body, bearer(p1.key));
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.valid, true);
  } finally {
    await stopDaemon(keyed);
  }
});

test('registration with a nonce: fresh; the replayed nonce creates nothing', async () => {
  const ch = await post(d, '/api/challenges', '');
  const nonce = ch.json.nonce;
  const model = sha256(`nonce ${uniq()}`);
  const ev = mockEvidenceMr({ model, nonce, mr: { mr0: MR0 } });
  const body = (url) => ({
    url, model: { name: 'm', digest: model }, tee_type: 'Mock',
    reference_values: { runtime: { mr0: MR0 } }, ...ev, nonce,
  });
  const first = await post(d, '/api/endpoints', body(`https://${uniq()}.example/`), bearer(p1.key));
  assert.equal(first.status, 201, first.text);
  assert.equal(first.json.verdict.fresh, true);
  assert.ok(first.json.verdict.checks.some((c) => c.check === 'nonce_unused' && c.ok));
  const url = `https://${uniq()}.example/`;
  const again = await post(d, '/api/endpoints', body(url), bearer(p1.key));
  assert.equal(again.status, 422, again.text);
  assert.deepEqual(again.json.verdict.errors.map((e) => e.code), ['nonce_replayed']);
  assert.equal(psql(`select count(*) from endpoints where url = '${url}'`), '0');
});

// The one real format: an AMD SEV-SNP Milan report (tests/data/snp,
// expected measurement from the vectors' MANIFEST via PROVENANCE.md).
// Its report_data binds no runtime data of ours, so the model digest an
// endpoint must declare cannot be proven: registration is refused with
// exactly that reason, after the hardware checks and the runtime
// reference value passed.
test('a real SEV-SNP report goes through registration appraisal; an unbound model is refused', async () => {
  const DATA = join(ROOT, 'tests/data/snp/virtee_milan_v2');
  const MEASUREMENT = '7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f';
  const url = `https://${uniq()}.example/snp`;
  const reg = (measurement) => post(d, '/api/endpoints', {
    url, model: { name: 'm', digest: sha256('snp model') }, tee_type: 'sev-snp',
    reference_values: { runtime: { measurement } },
    attestation: readFileSync(join(DATA, 'report.bin')).toString('base64'),
    collateral: { vcek: readFileSync(join(DATA, 'vcek.der')).toString('base64') },
  }, bearer(p1.key));
  let r = await reg(MEASUREMENT);
  assert.equal(r.status, 422, r.text);
  const ok = (name) => r.json.verdict.checks.some((c) => c.check === name && c.ok);
  assert.ok(ok('snp_signature') && ok('snp_cert_chain') && ok('expected_runtime'), r.text);
  assert.deepEqual(r.json.verdict.errors.map((e) => e.code), ['runtime_data_missing']);
  r = await reg('00'.repeat(48));
  assert.equal(r.status, 422, r.text);
  assert.ok(r.json.verdict.errors.some((e) => e.code === 'measurement_mismatch'), r.text);
  assert.equal(psql(`select count(*) from endpoints where url = '${url}'`), '0');
});

test('teepass admin revoke-key: a leaked admin key is shut out without the API', async () => {
  const k = createAdminKey('to be leaked');
  assert.equal((await get(d, '/api/audit?limit=1', bearer(k))).status, 200);
  const id = k.slice(3, 19);
  const out = teepass(['admin', 'revoke-key', id], { stdio: ['ignore', 'pipe', 'pipe'] });
  assert.match(out, new RegExp(`^${id} revoked at \\d{4}-`));
  const r = await get(d, '/api/audit?limit=1', bearer(k));
  assert.equal(r.status, 401);
  assert.equal(r.json.error.code, 'api_key_invalid');
  assert.equal(psql(`select actor like 'cli:%' from audit_log where action = 'api_key.revoked' and target = '${id}'`), 't');
  assert.throws(() => teepass(['admin', 'revoke-key', '0000000000000000'], { stdio: 'pipe' }), (e) => e.status === 1);
  assert.throws(() => teepass(['admin', 'revoke-key', "x'; --"], { stdio: 'pipe' }), (e) => e.status === 2);
});

test('endpoint list: keyset pagination, newest first, no overlap', async () => {
  const p = await newProvider(`paged ${uniq()}`);
  const made = [];
  for (let i = 0; i < 5; i++) {
    const r = await register(p.key);
    assert.equal(r.status, 201, r.text);
    made.push(r.json.id);
  }
  const seen = [];
  let cursor = null;
  for (let page = 0; page < 10; page++) {
    const r = await get(d, `/api/endpoints?provider_id=${p.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.endpoints.length <= 2);
    seen.push(...r.json.endpoints.map((e) => e.id));
    cursor = r.json.next_cursor;
    if (!cursor) break;
  }
  assert.deepEqual(seen, [...made].reverse(), 'every endpoint once, newest first');
  assert.equal((await get(d, '/api/endpoints?cursor=nope')).json.error.code, 'invalid_cursor');
});

test('composite endpoints: devices bound to the VM runtime data register and re-attest; an unbound one fails', async () => {
  const model = sha256(`composite ${uniq()}`);
  const rd = join(tmp, `reg-composite-${uniq()}.json`);
  const cpu = teepass(['mock-evidence', '--model', model, '--mr0', MR0, '--runtime-data', rd]).trim();
  const dev = teepass(['mock-evidence', '--runtime-data', rd, '--mr0', 'ee'.repeat(48)]).trim();
  const runtime_data = readFileSync(rd).toString('base64');
  const r = await post(d, '/api/endpoints', {
    url: `https://${uniq()}.example/gpu`, model: { name: 'm', digest: model }, tee_type: 'Mock',
    reference_values: { runtime: { mr0: MR0 } }, attestation: cpu, runtime_data,
    devices: [{ provider: 'Mock', attestation: dev }],
  }, bearer(p1.key));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.verdict.submods.dev0.valid, true);
  const p = await get(d, `/api/passports/${r.json.passport.id}`);
  assert.deepEqual(Object.keys(p.json.claims.submods).sort(), ['cpu0', 'dev0']);
  assert.equal(p.json.claims.submods.dev0['ear.teepass.annotated-evidence'].mr0, 'ee'.repeat(48));

  // A device from another VM (bound to other runtime data).
  const other = join(tmp, `reg-composite-other-${uniq()}.json`);
  const stranger = teepass(['mock-evidence', '--model', sha256('another vm'), '--runtime-data', other]).trim();
  const a = await request(d, 'PUT', `/api/endpoints/${r.json.id}/attestation`, {
    attestation: cpu, runtime_data, devices: [{ provider: 'Mock', attestation: stranger }],
  }, bearer(p1.key));
  assert.equal(a.status, 200, a.text);
  assert.equal(a.json.status, 'failed');
  assert.deepEqual(a.json.last_errors.map((e) => e.code), ['device_invalid']);
  // Devices need runtime_data.
  const bad = await request(d, 'PUT', `/api/endpoints/${r.json.id}/attestation`, {
    attestation: cpu, devices: [{ provider: 'Mock', attestation: dev }],
  }, bearer(p1.key));
  assert.equal(bad.status, 400, bad.text);
});
