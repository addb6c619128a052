// Two teepassd instances on one database (issue 6): concurrent
// registrations of the same endpoint URL and concurrent re-attestations
// and reference-value changes of one endpoint end in one consistent
// state (SERIALIZABLE transactions with retry, the endpoint row locked
// by each writer).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  startDaemon, stopDaemon, post, psql, request, bearer, createAdminKey, mockEvidenceMr, sha256,
} from './lib.mjs';

let d1, d2, admin, prov;
const MR0 = 'd4'.repeat(48);
const MR0_OTHER = 'e5'.repeat(48);
// Answers a writer may give under contention: done, or "lost the race /
// retry later" — never a 500.
const ALLOWED = new Set([200, 201, 409, 503]);

before(async () => {
  [d1, d2] = await Promise.all([startDaemon(), startDaemon()]);
  admin = createAdminKey('concurrency');
  const r = await post(d1, '/api/providers', { name: 'concurrent provider' }, bearer(admin));
  prov = { id: r.json.id, key: r.json.api_key.token };
});
after(async () => { await Promise.all([stopDaemon(d1), stopDaemon(d2)]); });

test('concurrent registrations of one URL on two instances: exactly one endpoint', async () => {
  const url = `https://${randomBytes(6).toString('hex')}.example/race`;
  const model = sha256('race model');
  const evs = Array.from({ length: 4 }, () => mockEvidenceMr({ model, mr: { mr0: MR0 } }));
  const body = (i) => ({
    url, model: { name: 'm', digest: model }, tee_type: 'Mock',
    reference_values: { runtime: { mr0: MR0 } }, ...evs[i % evs.length],
  });
  const results = await Promise.all(Array.from({ length: 16 }, (_, i) =>
    post(i % 2 ? d2 : d1, '/api/endpoints', body(i), bearer(prov.key))));
  for (const r of results) assert.ok(ALLOWED.has(r.status), `${r.status} ${r.text}`);
  const created = results.filter((r) => r.status === 201);
  assert.equal(created.length, 1, results.map((r) => r.status).join(','));
  for (const r of results.filter((x) => x.status === 409)) assert.equal(r.json.error.code, 'endpoint_exists');
  const id = created[0].json.id;
  assert.equal(psql(`select count(*) from endpoints where url = '${url}'`), '1');
  assert.equal(psql(`select count(*) from passports where endpoint_id = '${id}'`), '1', 'losers committed no passport');
  assert.equal(psql(`select count(*) from reference_values where endpoint_id = '${id}'`), '1');
  assert.equal(psql(`select count(*) from audit_log where action = 'endpoint.registered' and target = '${id}'`), '1');
  assert.equal(psql("select count(*) from passports p where endpoint_id is not null and not exists (select 1 from endpoints e where e.id = p.endpoint_id)"), '0');
});

test('concurrent re-attestations and reference changes on two instances: one consistent state', async () => {
  const model = sha256(`heartbeat ${randomBytes(4).toString('hex')}`);
  const reg = await post(d1, '/api/endpoints', {
    url: `https://${randomBytes(6).toString('hex')}.example/hb`, model: { name: 'm', digest: model },
    tee_type: 'Mock', reference_values: { runtime: { mr0: MR0 } }, ...mockEvidenceMr({ model, mr: { mr0: MR0 } }),
  }, bearer(prov.key));
  assert.equal(reg.status, 201, reg.text);
  const id = reg.json.id;
  const good = mockEvidenceMr({ model, mr: { mr0: MR0 } });
  const bad = mockEvidenceMr({ model, mr: { mr0: MR0_OTHER } });

  const ops = [];
  for (let i = 0; i < 24; i++) {
    const d = i % 2 ? d2 : d1;
    if (i % 8 === 7)
      ops.push(request(d, 'PATCH', `/api/endpoints/${id}`, { reference_values: { runtime: { mr0: MR0 } } }, bearer(prov.key)).then((r) => ({ kind: 'patch', r })));
    else
      ops.push(request(d, 'PUT', `/api/endpoints/${id}/attestation`, i % 3 ? good : bad, bearer(prov.key)).then((r) => ({ kind: i % 3 ? 'good' : 'bad', r })));
  }
  const results = await Promise.all(ops);
  for (const { r } of results) assert.ok(ALLOWED.has(r.status), `${r.status} ${r.text}`);
  const done = (kind) => results.filter((x) => x.kind === kind && x.r.status === 200);
  assert.ok(done('good').length > 0 && done('bad').length > 0, results.map((x) => `${x.kind}:${x.r.status}`).join(','));
  for (const { r } of done('good')) assert.equal(r.json.verdict.valid, true);
  for (const { r } of done('bad')) assert.equal(r.json.verdict.valid, false);
  for (const { r } of results.filter((x) => x.r.status === 409)) assert.equal(r.json.error.code, 'reference_values_changed');

  // Exactly what was answered 200 was committed, once.
  const count = (sql) => Number(psql(sql));
  assert.equal(count(`select count(*) from passports where endpoint_id = '${id}'`), 1 + done('good').length);
  assert.equal(count(`select count(*) from audit_log where target = '${id}' and action = 'endpoint.attested'`), done('good').length);
  assert.equal(count(`select count(*) from audit_log where target = '${id}' and action = 'endpoint.attestation_failed'`), done('bad').length);
  assert.equal(count(`select count(*) from audit_log where target = '${id}' and action = 'endpoint.updated'`), done('patch').length);
  // Reference versions: contiguous, the endpoint at the newest.
  assert.equal(count(`select count(*) from reference_values where endpoint_id = '${id}'`), 1 + done('patch').length);
  assert.equal(psql(`select max(version) = count(*) and max(version) = (select reference_version from endpoints where id = '${id}') from reference_values where endpoint_id = '${id}'`), 't');
  // The endpoint's state is the last committed attestation's (writers
  // queue on the endpoint row, so the audit order is the commit order).
  const last = JSON.parse(psql(`select json_build_object('action', action, 'detail', detail) from audit_log where target = '${id}' and action like 'endpoint.attest%' order by id desc limit 1`));
  const row = JSON.parse(psql(`select json_build_object('status', status, 'passport', current_passport_id, 'errors', last_errors) from endpoints where id = '${id}'`));
  if (last.action === 'endpoint.attested') {
    assert.equal(row.status, 'attested');
    assert.equal(row.passport, last.detail.passport_id);
    assert.equal(row.errors, null);
  } else {
    assert.equal(row.status, 'failed');
    assert.ok(row.errors.length > 0);
  }
  assert.equal(psql(`select endpoint_id from passports where id = '${row.passport}'`), id);
  // Both instances show the same.
  const [v1, v2] = await Promise.all([request(d1, 'GET', `/api/endpoints/${id}`), request(d2, 'GET', `/api/endpoints/${id}`)]);
  assert.deepEqual(v1.json, v2.json);
  assert.equal(v1.json.status, row.status);
});
