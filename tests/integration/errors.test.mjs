// The documented statuses and error codes of API.md for bad requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, stopDaemon, post, get } from './lib.mjs';

let d;
before(async () => { d = await startDaemon(); });
after(async () => { await stopDaemon(d); });

const V = '/api/verify/tee-attestation';

function isErrorBody(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.error.code, code, r.text);
  assert.equal(typeof r.json.error.message, 'string');
  assert.match(r.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
}

test('malformed JSON: 400 bad_json', async () => {
  isErrorBody(await post(d, V, '{"attestation": '), 400, 'bad_json');
  isErrorBody(await post(d, V, '[1,2]'), 400, 'bad_json');
  isErrorBody(await post(d, V, '{"attestation":"00","attestation":"01"}'), 400, 'bad_json');
});

test('unknown field: 400 naming the field', async () => {
  const r = await post(d, V, { attestation: '00', colateral: {} });
  isErrorBody(r, 400, 'unknown_field');
  assert.equal(r.json.error.field, 'colateral');
  // A hostile name is not echoed.
  const h = await post(d, V, { attestation: '00', '<script>alert(1)</script>': 1 });
  isErrorBody(h, 400, 'unknown_field');
  assert.doesNotMatch(h.text, /script/);
});

test('missing or mistyped fields, bad encodings, unknown provider', async () => {
  isErrorBody(await post(d, V, {}), 400, 'missing_field');
  isErrorBody(await post(d, V, { attestation: 5 }), 400, 'invalid_field');
  isErrorBody(await post(d, V, { attestation: 'not base64 !!' }), 400, 'bad_encoding');
  isErrorBody(await post(d, V, { attestation: '0x0g' }), 400, 'bad_encoding');
  const p = await post(d, V, { attestation: '00', provider: 'IntelQuantum' });
  isErrorBody(p, 400, 'unknown_provider');
  isErrorBody(await post(d, V, { attestation: '00', nonce: 'abc' }), 400, 'invalid_field');
  isErrorBody(await post(d, V, { attestation: '00', runtime_data: '%%%' }), 400, 'invalid_field');
  isErrorBody(await post(d, V, { attestation: '00', expected: { model: 1 } }), 400, 'invalid_field');
  isErrorBody(await post(d, V, { attestation: '00', expected: { runtme: {} } }), 400, 'invalid_field');
  isErrorBody(await post(d, V, { attestation: '00', issue_passport: 'yes' }), 400, 'invalid_field');
});

test('accepted spellings of providers; unknown formats are a verdict, not a crash', async () => {
  for (const provider of ['IntelTdx', 'intel-tdx', 'intel_tdx', 'tdx', 'sev-snp', 'nitro']) {
    const r = await post(d, V, { attestation: 'deadbeef', provider });
    assert.equal(r.status, 200, `${provider}: ${r.text}`);
    assert.equal(r.json.valid, false);
  }
  const r = await post(d, V, { attestation: 'deadbeef' });
  assert.equal(r.status, 200);
  assert.equal(r.json.valid, false);
  assert.equal(r.json.status, 'none');
  assert.deepEqual(r.json.errors.map((e) => e.code), ['unknown_evidence_format']);
});

test('oversized body: 413', async () => {
  const big = JSON.stringify({ attestation: 'a'.repeat(1024 * 1024 + 10) });
  const r = await post(d, V, big);
  isErrorBody(r, 413, 'body_too_large');
  assert.match(r.json.error.message, /1048576/);
});

test('wrong content type: 415', async () => {
  isErrorBody(await post(d, V, '{"attestation":"00"}', { 'Content-Type': 'text/plain' }), 415, 'unsupported_media_type');
  const r = await fetch(d.base + V, { method: 'POST', body: 'x' });
  assert.equal(r.status, 415);
});

test('unknown route: 404; wrong method: 405 with Allow', async () => {
  isErrorBody(await get(d, '/api/nothing'), 404, 'not_found');
  const r = await fetch(d.base + V, { method: 'GET' });
  assert.equal(r.status, 405);
  // OPTIONS: the verification answers CORS preflights (cors.test.mjs).
  assert.equal(r.headers.get('allow'), 'POST, OPTIONS');
  assert.equal((await r.json()).error.code, 'method_not_allowed');
  const r2 = await fetch(d.base + '/api/passports', { method: 'DELETE' });
  assert.equal(r2.status, 405);
  assert.match(r2.headers.get('allow'), /GET/);
});

test('an endpoint_id the registry does not know is refused, never silently unchecked', async () => {
  const r = await post(d, V, { attestation: '00', endpoint_id: '00000000-0000-4000-8000-000000000000' });
  isErrorBody(r, 404, 'endpoint_not_found');
});

test('error messages never echo client bytes', async () => {
  const marker = 'ZZMARKERZZ';
  const r = await post(d, V, { attestation: marker });
  assert.doesNotMatch(r.text, new RegExp(marker));
  const r2 = await post(d, V, `{"attestation":"${marker}`);
  assert.doesNotMatch(r2.text, new RegExp(marker));
});
