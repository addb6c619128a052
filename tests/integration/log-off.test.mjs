// transparency_log = 0 (issue 17, docs/transparency.md): a deployment that
// keeps no transparency log issues passports without log entries or
// inclusion proofs, and every log route says the log is disabled.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startDaemon, stopDaemon, get, post, psql, mockEvidence, sha256 } from './lib.mjs';

let d;
before(async () => { d = await startDaemon({ TEEPASS_TRANSPARENCY_LOG: '0' }); });
after(async () => { await stopDaemon(d); });

test('with the log off a passport is committed with no log entry and no inclusion proof', async () => {
  const ev = mockEvidence({ model: sha256(`log off ${randomBytes(8).toString('hex')}`) });
  const r = await post(d, '/api/verify/tee-attestation', { attestation: ev.attestation, runtime_data: ev.runtime_data });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.valid, true, JSON.stringify(r.json.errors));
  const id = r.json.passport?.id;
  assert.ok(id, 'a passport is issued');
  assert.equal(r.json.transparency_log, undefined);
  assert.equal(psql(`SELECT count(*) FROM passports WHERE id = '${id}'`), '1');
  assert.equal(psql(`SELECT count(*) FROM tlog_entries WHERE passport_id = '${id}'`), '0');
  const inc = await get(d, `/api/passports/${id}/inclusion`);
  assert.equal(inc.status, 404, inc.text);
  assert.equal(inc.json.error.code, 'log_disabled');
  // The same passport is still served.
  const p = await get(d, `/api/passports/${id}`);
  assert.equal(p.status, 200, p.text);
});

test('every log route answers 404 log_disabled', async () => {
  for (const path of ['/api/log/checkpoint', '/api/log/key', '/api/log/consistency?from=1']) {
    const r = await get(d, path);
    assert.equal(r.status, 404, `${path}: ${r.text}`);
    assert.equal(r.json?.error?.code, 'log_disabled', path);
  }
});
