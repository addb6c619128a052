// GET /api/keys (issue 16's admin view): who sees which keys, paging,
// and that no token or token hash is ever listed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDaemon, stopDaemon, post, get, request, bearer, createAdminKey,
} from './lib.mjs';

let d, admin, p1, p2;

async function newProvider(name) {
  const r = await post(d, '/api/providers', { name }, bearer(admin));
  assert.equal(r.status, 201, r.text);
  return { id: r.json.id, key: r.json.api_key.token, keyId: r.json.api_key.id };
}

before(async () => {
  d = await startDaemon();
  admin = createAdminKey('keys test');
  p1 = await newProvider('keys one');
  p2 = await newProvider('keys two');
});
after(async () => { await stopDaemon(d); });

test('a provider lists only its own keys; naming another provider is forbidden', async () => {
  const extra = await post(d, `/api/providers/${p1.id}/keys`, { label: 'second <b>key</b>' }, bearer(p1.key));
  assert.equal(extra.status, 201, extra.text);
  const r = await get(d, '/api/keys', bearer(p1.key));
  assert.equal(r.status, 200, r.text);
  const ids = r.json.keys.map((k) => k.id).sort();
  assert.deepEqual(ids, [p1.keyId, extra.json.id].sort());
  assert.ok(r.json.keys.every((k) => k.scope === 'provider' && k.provider_id === p1.id));
  assert.equal(r.json.keys.find((k) => k.id === extra.json.id).label, 'second <b>key</b>');
  // Newest first.
  assert.equal(r.json.keys[0].id, extra.json.id);
  assert.equal(r.json.next_cursor, null);
  const other = await get(d, `/api/keys?provider_id=${p2.id}`, bearer(p1.key));
  assert.equal(other.status, 403, other.text);
  assert.equal(other.json.error.code, 'forbidden');
  const own = await get(d, `/api/keys?provider_id=${p1.id}`, bearer(p1.key));
  assert.equal(own.status, 200);
  assert.equal(own.json.keys.length, 2);
});

test('an admin lists every key, narrows by provider, and pages with the cursor', async () => {
  const all = await get(d, '/api/keys?limit=100', bearer(admin));
  assert.equal(all.status, 200, all.text);
  const ids = new Set(all.json.keys.map((k) => k.id));
  for (const id of [p1.keyId, p2.keyId, admin.split('_')[1]]) assert.ok(ids.has(id), id);
  assert.ok(all.json.keys.some((k) => k.scope === 'admin' && k.provider_id === null));
  // Nothing secret: no token, no hash, in any key.
  for (const k of all.json.keys) {
    assert.deepEqual(Object.keys(k).sort(), ['created_at', 'id', 'label', 'provider_id', 'revoked_at', 'scope']);
  }
  assert.ok(!all.text.includes(p1.key) && !all.text.includes(admin));
  const narrowed = await get(d, `/api/keys?provider_id=${p2.id}`, bearer(admin));
  assert.deepEqual(narrowed.json.keys.map((k) => k.id), [p2.keyId]);
  // Pages of one: every key exactly once, in the same order as one page.
  const seen = [];
  let cursor = null;
  for (let i = 0; i < 1000; i++) {
    const r = await get(d, `/api/keys?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, bearer(admin));
    assert.equal(r.status, 200, r.text);
    seen.push(...r.json.keys.map((k) => k.id));
    cursor = r.json.next_cursor;
    if (cursor === null) break;
  }
  assert.deepEqual(seen.filter((id) => ids.has(id)), all.json.keys.map((k) => k.id));
});

test('a revoked key is listed with its revocation time', async () => {
  const k = await post(d, `/api/providers/${p2.id}/keys`, {}, bearer(admin));
  assert.equal(k.status, 201);
  const del = await request(d, 'DELETE', `/api/keys/${k.json.id}`, undefined, bearer(admin));
  assert.equal(del.status, 200, del.text);
  const r = await get(d, `/api/keys?provider_id=${p2.id}`, bearer(admin));
  const listed = r.json.keys.find((x) => x.id === k.json.id);
  // The same moment (the list has microseconds, the revocation seconds).
  assert.equal(listed.revoked_at.slice(0, 19), del.json.revoked_at.slice(0, 19), r.text);
  assert.equal(r.json.keys.find((x) => x.id === p2.keyId).revoked_at, null);
});

test('bad queries are refused with their codes', async () => {
  for (const [q, code] of [
    ['limit=0', 'invalid_limit'], ['limit=101', 'invalid_limit'], ['cursor=abc', 'invalid_cursor'],
    ['cursor=1.XYZ', 'invalid_cursor'], ['provider_id=nope', 'invalid_query'],
  ]) {
    const r = await get(d, `/api/keys?${q}`, bearer(admin));
    assert.equal(r.status, 400, `${q}: ${r.text}`);
    assert.equal(r.json.error.code, code, q);
  }
  assert.equal((await get(d, '/api/keys')).status, 401);
});
