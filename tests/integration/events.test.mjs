// Push notifications (issue 17, docs/events.md) against a real teepassd
// and PostgreSQL: the Server-Sent Events stream (passport and endpoint
// events, resumption with Last-Event-ID from the ring and from the
// database, type filter, heartbeat, stream bound, drain on SIGTERM) and
// webhooks (signature checked here with node:crypto from the documented
// format, retry after a 500 with both attempts recorded, a provider sees
// only its own endpoints' events, authorization). The files share one
// database: every check picks out the events of the ids this file made,
// and compares what a stream sent with the events table itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  startDaemon, stopDaemon, post, get, request, bearer, psql, createAdminKey, DB_URL,
  mockEvidence, mockEvidenceMr, sha256, freePort,
} from './lib.mjs';
import { receiver } from './push.mjs';

// The verification clock, pinned (to this run's start, so that the
// passports made here expire a day after it, as every other daemon on
// the shared database sees it).
const T0 = new Date(Math.floor(Date.now() / 1000) * 1000);
const iso = (t) => t.toISOString().replace(/\.\d+Z$/, 'Z');
const MR0 = 'e1'.repeat(48);
const MR0_OTHER = 'e2'.repeat(48);
const FAST = {
  TEEPASS_DEV_FIXED_TIME: iso(T0),
  TEEPASS_EVENTS_POLL_MS: '50',
  TEEPASS_EVENTS_HEARTBEAT: '1',
  TEEPASS_WEBHOOK_RETRY_BASE_MS: '300',
  TEEPASS_WEBHOOK_TIMEOUT_MS: '3000',
  TEEPASS_WEBHOOK_MAX_ATTEMPTS: '3',
};

let d, admin, p1, p2;
const uniq = () => randomBytes(6).toString('hex');

async function newProvider(name) {
  const r = await post(d, '/api/providers', { name }, bearer(admin));
  assert.equal(r.status, 201, r.text);
  return { id: r.json.id, key: r.json.api_key.token };
}

// Waits (polling, bounded) until PRED() is truthy; returns its value.
async function until(pred, what, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// An SSE client over fetch, parsing the stream as the EventSource
// specification does (records end with a blank line; "id:", "event:",
// "data:", "retry:" fields; ":" comments).
function openStream(daemon, path, headers = {}) {
  const ac = new AbortController();
  const s = { events: [], comments: [], retry: null, status: null, done: false, body: '' };
  let buf = '';
  const parse = () => {
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const rec = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const ev = {};
      for (const line of rec.split('\n')) {
        if (line.startsWith(':')) { s.comments.push(line.slice(1).trim()); continue; }
        const c = line.indexOf(':');
        const k = line.slice(0, c);
        const v = line.slice(c + 1).replace(/^ /, '');
        if (k === 'id') ev.id = v;
        else if (k === 'event') ev.event = v;
        else if (k === 'data') ev.data = (ev.data ?? '') + v;
        else if (k === 'retry') s.retry = Number(v);
      }
      if (ev.data !== undefined) s.events.push({ id: Number(ev.id), event: ev.event, rawId: ev.id, data: JSON.parse(ev.data) });
    }
  };
  s.opened = (async () => {
    const r = await fetch(daemon.base + path, { headers, signal: ac.signal });
    s.status = r.status;
    s.headers = r.headers;
    if (r.status !== 200) { s.body = await r.text(); s.done = true; return; }
    const reader = r.body.getReader();
    const dec = new TextDecoder();
    (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += dec.decode(value, { stream: true });
          parse();
        }
      } catch { /* aborted */ }
      s.done = true;
    })();
  })();
  s.close = () => ac.abort();
  // The first comment: the stream is registered with the hub.
  s.ready = async () => { await s.opened; if (s.status === 200) await until(() => s.comments.length > 0, 'the stream to open'); };
  s.find = (pred, what) => until(() => s.events.find(pred), what);
  return s;
}

const mine = (ids) => (e) => ids.includes(e.data.passport_id) || ids.includes(e.data.endpoint_id);
const eventIds = (after, upto) => psql(`select coalesce(string_agg(seq::text, ',' order by seq), '') from events where seq > ${after} and seq <= ${upto}`)
  .split(',').filter(Boolean).map(Number);

async function verifyPassport() {
  const ev = mockEvidence({ model: sha256(`events ${uniq()}`), time: iso(T0) });
  const r = await post(d, '/api/verify/tee-attestation', { attestation: ev.attestation, runtime_data: ev.runtime_data });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.passport, r.text);
  return r.json.passport.id;
}

async function register(key, model = sha256(`events model ${uniq()}`)) {
  const ev = mockEvidenceMr({ model, mr: { mr0: MR0 } });
  const r = await post(d, '/api/endpoints', {
    url: `https://${uniq()}.example/v1`, model: { name: 'm', digest: model }, tee_type: 'Mock',
    reference_values: { runtime: { mr0: MR0 } }, attestation: ev.attestation, runtime_data: ev.runtime_data,
  }, bearer(key));
  assert.equal(r.status, 201, r.text);
  return { id: r.json.id, passportId: r.json.passport.id, model };
}

// The documented signature, recomputed here: HMAC-SHA256(secret, t + "." + body).
function checkSignature(rec, secret) {
  const h = rec.headers['teepass-signature'];
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(h);
  assert.ok(m, `Teepass-Signature has the documented form: ${h}`);
  const want = createHmac('sha256', secret).update(`${m[1]}.${rec.body}`).digest();
  assert.ok(timingSafeEqual(Buffer.from(m[2], 'hex'), want), 'the HMAC verifies with the secret');
  // Signed now (the wall clock: receivers check it against theirs).
  assert.ok(Math.abs(Number(m[1]) - rec.at / 1000) < 60, 'the timestamp is current');
  // And a forged body does not verify.
  const forged = createHmac('sha256', secret).update(`${m[1]}.${rec.body} `).digest();
  assert.ok(!timingSafeEqual(Buffer.from(m[2], 'hex'), forged));
}

before(async () => {
  d = await startDaemon(FAST);
  admin = createAdminKey('events');
  p1 = await newProvider('events one');
  p2 = await newProvider('events two');
});
after(async () => { await stopDaemon(d); });

test('a Mock verification with a passport: passport.issued on the stream, committed, ids and status only', async () => {
  const s = openStream(d, '/api/events');
  await s.ready();
  assert.equal(s.status, 200);
  assert.match(s.headers.get('content-type'), /^text\/event-stream/);
  assert.equal(s.headers.get('cache-control'), 'no-cache');
  const pid = await verifyPassport();
  const e = await s.find((x) => x.data.passport_id === pid, 'passport.issued');
  s.close();
  assert.equal(e.event, 'passport.issued');
  assert.equal(e.data.type, 'passport.issued');
  assert.equal(e.data.id, e.id, 'the data names the SSE id');
  assert.match(e.rawId, /^[1-9]\d*$/);
  assert.equal(e.data.status, 'active');
  assert.match(e.data.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.deepEqual(Object.keys(e.data).sort(), ['created_at', 'id', 'passport_id', 'status', 'type'],
    'a passport without an endpoint: no token, no claims, no provider');
  // The event is the database's row of that passport.
  assert.equal(psql(`select seq || ' ' || type from events where passport_id = '${pid}'`), `${e.id} passport.issued`);
});

test('resume with Last-Event-ID (header or query, from the ring and from the database): exactly the missed events', async () => {
  const a = openStream(d, '/api/events');
  await a.ready();
  const p0 = await verifyPassport();
  const seen = await a.find((x) => x.data.passport_id === p0, 'the first passport');
  a.close();
  // Missed while disconnected: two passports, a revocation.
  const p1id = await verifyPassport();
  const p2id = await verifyPassport();
  let r = await post(d, `/api/passports/${p1id}/revoke`, { reason: 'events test' }, bearer(admin));
  assert.equal(r.status, 200, r.text);
  // Revoking again appends nothing (once per passport).
  r = await post(d, `/api/passports/${p1id}/revoke`, { reason: 'again' }, bearer(admin));
  assert.equal(r.status, 200, r.text);
  assert.equal(psql(`select count(*) from events where type = 'passport.revoked' and passport_id = '${p1id}'`), '1');

  const d2 = await startDaemon(FAST); // a fresh hub: its ring starts after all of these
  try {
    const streams = {
      header: openStream(d, '/api/events', { 'Last-Event-ID': String(seen.id) }),
      query: openStream(d, `/api/events?last_event_id=${seen.id}`),
      database: openStream(d2, '/api/events', { 'Last-Event-ID': String(seen.id) }),
    };
    const lists = {};
    for (const [how, s] of Object.entries(streams)) {
      const last = await s.find((x) => x.event === 'passport.revoked' && x.data.passport_id === p1id, `the revocation (${how})`);
      s.close();
      const got = s.events.filter((x) => x.id <= last.id);
      // Every event the table holds after the resumption point, in order,
      // none twice, none skipped.
      assert.deepEqual(got.map((x) => x.id), eventIds(seen.id, last.id), `${how}: the stream is the table`);
      lists[how] = got.filter(mine([p0, p1id, p2id])).map((x) => `${x.event} ${x.data.passport_id}`);
    }
    assert.deepEqual(lists.header, [`passport.issued ${p1id}`, `passport.issued ${p2id}`, `passport.revoked ${p1id}`]);
    assert.deepEqual(lists.query, lists.header);
    assert.deepEqual(lists.database, lists.header);
  } finally {
    await stopDaemon(d2);
  }
});

test('an event that commits after a later one is numbered after it: a stream resuming past the later one still gets it', async () => {
  const s = openStream(d, '/api/events');
  await s.ready();
  // A transaction that appended an event and has not committed (a slow
  // verification), in a psql session of its own.
  const marker = randomBytes(4).toString('hex');
  const held = spawn('psql', [DB_URL, '-v', 'ON_ERROR_STOP=1', '-Atq'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  held.stdout.on('data', (c) => { out += c; });
  held.stdin.write(`BEGIN;\nINSERT INTO events (type, status) VALUES ('passport.superseded', 'held${marker}');\n\\echo inserted\n`);
  await until(() => out.includes('inserted'), 'the held insert');
  assert.equal(psql(`select count(*) from events where status = 'held${marker}'`), '0', 'not visible before it commits');
  // Meanwhile another change commits and is streamed.
  const pid = await verifyPassport();
  const later = await s.find((x) => x.data.passport_id === pid, 'the later event');
  // Now the held one commits.
  held.stdin.end('COMMIT;\n');
  await new Promise((r) => held.on('exit', r));
  const first = await s.find((x) => x.data.status === `held${marker}`, 'the held event');
  assert.ok(first.id > later.id, `numbered after commit: ${first.id} > ${later.id}`);
  // Its insertion order (the bigserial) was before the later event's:
  // numbering by insertion would have skipped it for a reader at later.id.
  assert.equal(psql(`select (select id from events where seq = ${first.id}) < (select id from events where seq = ${later.id})`), 't');
  // A client that resumes right after the later event gets it.
  const r = openStream(d, '/api/events', { 'Last-Event-ID': String(later.id) });
  await r.find((x) => x.id === first.id, 'the held event on resumption');
  r.close();
  s.close();
});

test('endpoint events: registered, failed, reference_changed, attested, retired; the type filter; stale when its passport expires', async () => {
  const all = openStream(d, '/api/events');
  const retiredOnly = openStream(d, '/api/events?types=endpoint.retired,endpoint.failed');
  await all.ready();
  await retiredOnly.ready();
  const e = await register(p1.key);
  const bad = mockEvidenceMr({ model: e.model, mr: { mr0: MR0_OTHER } });
  let r = await request(d, 'PUT', `/api/endpoints/${e.id}/attestation`, bad, bearer(p1.key));
  assert.equal(r.json.status, 'failed', r.text);
  r = await request(d, 'PATCH', `/api/endpoints/${e.id}`, { reference_values: { runtime: { mr0: MR0_OTHER } } }, bearer(p1.key));
  assert.equal(r.status, 200, r.text);
  r = await request(d, 'PUT', `/api/endpoints/${e.id}/attestation`, bad, bearer(p1.key));
  assert.equal(r.json.status, 'attested', r.text);
  const newPassport = r.json.passport.id;
  r = await request(d, 'DELETE', `/api/endpoints/${e.id}`, undefined, bearer(p1.key));
  assert.equal(r.status, 200, r.text);

  await all.find((x) => x.event === 'endpoint.retired' && x.data.endpoint_id === e.id, 'endpoint.retired');
  const got = all.events.filter((x) => x.data.endpoint_id === e.id).map((x) => [x.event, x.data.status ?? null, x.data.passport_id ?? null]);
  assert.deepEqual(got, [
    ['passport.issued', 'active', e.passportId],
    ['endpoint.registered', 'attested', e.passportId],
    ['endpoint.failed', 'failed', null],
    ['endpoint.reference_changed', null, null],
    ['passport.issued', 'active', newPassport],
    ['endpoint.attested', 'attested', newPassport],
    ['endpoint.retired', 'retired', null],
  ]);
  for (const x of all.events.filter((y) => y.data.endpoint_id === e.id)) assert.equal(x.data.provider_id, p1.id);
  await retiredOnly.find((x) => x.event === 'endpoint.retired' && x.data.endpoint_id === e.id, 'the filtered stream');
  assert.ok(retiredOnly.events.length > 0);
  for (const x of retiredOnly.events) assert.ok(['endpoint.retired', 'endpoint.failed'].includes(x.event), x.event);
  assert.deepEqual(retiredOnly.events.filter((x) => x.data.endpoint_id === e.id).map((x) => x.event), ['endpoint.failed', 'endpoint.retired']);
  retiredOnly.close();

  // Stale: a second teepassd whose clock is past the passport's expiry
  // sweeps it; the event reaches this daemon's stream through the table.
  const s = await register(p1.key);
  const d2 = await startDaemon({ ...FAST, TEEPASS_DEV_FIXED_TIME: iso(new Date(T0.getTime() + 25 * 3600 * 1000)) });
  try {
    const stale = await all.find((x) => x.event === 'endpoint.stale' && x.data.endpoint_id === s.id, 'endpoint.stale');
    assert.equal(stale.data.passport_id, s.passportId);
    assert.equal(stale.data.status, 'stale');
  } finally {
    await stopDaemon(d2);
  }
  assert.equal(psql(`select count(*) from events where type = 'endpoint.stale' and endpoint_id = '${s.id}'`), '1', 'once');
  all.close();
});

test('a provider webhook: signed delivery of its own endpoints\' events only, of its types only; the secret is shown once', async () => {
  const rx = await receiver();
  try {
    let r = await post(d, '/api/webhooks', { url: rx.url, types: ['endpoint.registered', 'passport.revoked'] }, bearer(p1.key));
    assert.equal(r.status, 201, r.text);
    const w = r.json;
    assert.match(w.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    assert.equal(w.provider_id, p1.id);
    assert.deepEqual(w.types, ['passport.revoked', 'endpoint.registered']);
    // Another provider's endpoint first, then one of p1's.
    const theirs = await register(p2.key);
    const ours = await register(p1.key);
    const rec = await until(() => rx.got.find((x) => x.json.endpoint_id === ours.id), 'the delivery');
    assert.equal(rec.method, 'POST');
    assert.equal(rec.headers['content-type'], 'application/json');
    checkSignature(rec, w.secret);
    assert.equal(rec.json.type, 'endpoint.registered');
    assert.equal(rec.json.provider_id, p1.id);
    assert.equal(rec.json.passport_id, ours.passportId);
    // The body is the event's document as the stream has it.
    const s = openStream(d, '/api/events', { 'Last-Event-ID': String(rec.json.id - 1) });
    const same = await s.find((x) => x.id === rec.json.id, 'the same event on the stream');
    s.close();
    assert.deepEqual(same.data, rec.json);
    // p2's endpoint was numbered before (it committed first): no
    // delivery of it was made for p1's webhook, nor of types not asked.
    assert.equal(psql(`select count(*) from webhook_deliveries where webhook_id = '${w.id}' and body like '%${theirs.id}%'`), '0');
    assert.equal(psql(`select count(*) from webhook_deliveries where webhook_id = '${w.id}' and event_type not in ('endpoint.registered', 'passport.revoked')`), '0');
    assert.ok(!rx.got.some((x) => x.json.endpoint_id === theirs.id));
    // Never shown again, never logged.
    const list = await get(d, '/api/webhooks', bearer(p1.key));
    assert.equal(list.status, 200);
    const listed = list.json.webhooks.find((x) => x.id === w.id);
    assert.equal(listed.url, rx.url);
    assert.ok(!list.text.includes(w.secret) && !('secret' in listed));
    assert.ok(!d.log.includes(w.secret), 'the secret is not in the log');
  } finally {
    await rx.close();
  }
});

test('a receiver answering 500 then 200: retried with backoff, both attempts recorded, the same body signed each time', async () => {
  const failed = new Set();
  const rx = await receiver((rec) => {
    if (!failed.has(rec.json.id)) { failed.add(rec.json.id); return 500; }
    return 200;
  });
  try {
    let r = await post(d, '/api/webhooks', { url: rx.url, types: ['passport.revoked'] }, bearer(admin));
    assert.equal(r.status, 201, r.text);
    const w = r.json;
    assert.equal(w.provider_id, null, 'an admin webhook: every provider\'s events');
    const pid = await verifyPassport();
    r = await post(d, `/api/passports/${pid}/revoke`, { reason: 'webhook retry' }, bearer(admin));
    assert.equal(r.status, 200, r.text);
    const both = await until(() => {
      const m = rx.got.filter((x) => x.json.passport_id === pid);
      return m.length >= 2 && m;
    }, 'two attempts');
    assert.equal(both.length, 2);
    assert.equal(both[0].body, both[1].body, 'the same body');
    for (const rec of both) checkSignature(rec, w.secret);
    assert.ok(both[1].at - both[0].at >= 250, `the retry waited the backoff (${both[1].at - both[0].at} ms)`);
    const dl = await until(async () => {
      const x = await get(d, `/api/webhooks/${w.id}/deliveries`, bearer(admin));
      const one = x.json.deliveries.find((y) => y.event_id === both[0].json.id);
      return one && one.status === 'delivered' && one;
    }, 'the delivery recorded as delivered');
    assert.equal(dl.event_type, 'passport.revoked');
    assert.equal(dl.attempt_count, 2);
    assert.deepEqual(dl.attempts.map((a) => [a.status_code, a.error]), [[500, 'HTTP status 500'], [200, null]]);
    for (const a of dl.attempts) assert.ok(a.duration_ms >= 0 && Date.parse(a.at) > 0);
    assert.ok(dl.finished_at);
    const m = (await get(d, '/metrics')).text;
    assert.ok(Number(/^teepass_webhook_attempts_total\{outcome="retried"\} (\d+)$/m.exec(m)[1]) >= 1);
    assert.ok(Number(/^teepass_webhook_attempts_total\{outcome="delivered"\} (\d+)$/m.exec(m)[1]) >= 1);
  } finally {
    await rx.close();
  }
});

test('a receiver that is down: every attempt recorded with libcurl\'s error and no status, then failed after webhook_max_attempts', async () => {
  const url = `http://127.0.0.1:${await freePort()}/down`; // nothing listens
  let r = await post(d, '/api/webhooks', { url, types: ['endpoint.retired'] }, bearer(p1.key));
  assert.equal(r.status, 201, r.text);
  const w = r.json;
  const e = await register(p1.key);
  r = await request(d, 'DELETE', `/api/endpoints/${e.id}`, undefined, bearer(p1.key));
  assert.equal(r.status, 200, r.text);
  const dl = await until(async () => {
    const x = await get(d, `/api/webhooks/${w.id}/deliveries`, bearer(p1.key));
    const one = x.json.deliveries[0];
    return one && one.status === 'failed' && one;
  }, 'the delivery to fail');
  assert.equal(dl.attempt_count, 3, 'webhook_max_attempts = 3');
  assert.equal(dl.attempts.length, 3);
  for (const a of dl.attempts) {
    assert.equal(a.status_code, null);
    assert.equal(a.error, "Couldn't connect to server");
  }
  // Retried with a doubling delay: 300 ms, then 600 ms.
  const at = dl.attempts.map((a) => Date.parse(a.at));
  assert.ok(at[1] - at[0] >= 250 && at[2] - at[1] >= 550, `backoff ${at[1] - at[0]}, ${at[2] - at[1]} ms`);
});

test('a delivery never connects to a private address (https to 127.0.0.1 here): refused before connecting', async () => {
  let connections = 0;
  const tcp = createTcpServer((sock) => { connections++; sock.destroy(); });
  await new Promise((r) => tcp.listen(0, '127.0.0.1', r));
  try {
    // https passes the URL check; the address it resolves to does not.
    let r = await post(d, '/api/webhooks', { url: `https://127.0.0.1:${tcp.address().port}/internal`, types: ['endpoint.retired'] }, bearer(p1.key));
    assert.equal(r.status, 201, r.text);
    const w = r.json;
    const e = await register(p1.key);
    r = await request(d, 'DELETE', `/api/endpoints/${e.id}`, undefined, bearer(p1.key));
    assert.equal(r.status, 200, r.text);
    const dl = await until(async () => {
      const x = await get(d, `/api/webhooks/${w.id}/deliveries`, bearer(p1.key));
      const one = x.json.deliveries[0];
      return one && one.status === 'failed' && one;
    }, 'the delivery to fail');
    assert.deepEqual(dl.attempts.map((a) => [a.status_code, a.error]),
      Array(3).fill([null, 'destination address not allowed']));
    assert.equal(connections, 0, 'no connection was opened');
  } finally {
    await new Promise((r) => tcp.close(r));
  }
});

test('deleting a webhook while an attempt is under way: the delivery ends failed, never retried', async () => {
  let release;
  const hold = new Promise((r) => { release = r; });
  const rx = await receiver();
  // This receiver answers only once released, and then 500.
  const slow = createServer((req, res) => { req.resume(); hold.then(() => { res.statusCode = 500; res.end(); }); });
  await new Promise((r) => slow.listen(0, '127.0.0.1', r));
  try {
    let r = await post(d, '/api/webhooks', { url: `http://127.0.0.1:${slow.address().port}/slow`, types: ['endpoint.retired'] }, bearer(p2.key));
    assert.equal(r.status, 201, r.text);
    const w = r.json;
    const e = await register(p2.key);
    r = await request(d, 'DELETE', `/api/endpoints/${e.id}`, undefined, bearer(p2.key));
    assert.equal(r.status, 200, r.text);
    await until(() => psql(`select attempts from webhook_deliveries where webhook_id = '${w.id}'`) === '1', 'the attempt to start');
    r = await request(d, 'DELETE', `/api/webhooks/${w.id}`, undefined, bearer(p2.key));
    assert.equal(r.status, 200, r.text);
    assert.equal(psql(`select status from webhook_deliveries where webhook_id = '${w.id}'`), 'failed');
    release();
    await until(() => psql(`select count(*) from webhook_attempts a join webhook_deliveries d on d.id = a.delivery_id where d.webhook_id = '${w.id}'`) === '1', 'the attempt to be recorded');
    assert.equal(psql(`select status || ' ' || attempts from webhook_deliveries where webhook_id = '${w.id}'`), 'failed 1',
      'the 500 of an attempt under way does not make it pending again');
  } finally {
    release();
    await new Promise((r) => slow.close(r));
    await rx.close();
  }
});

test('retention: events and finished deliveries older than events_retention_days are purged; newer ones stay', async () => {
  const rx = await receiver();
  try {
    let r = await post(d, '/api/webhooks', { url: rx.url, types: ['passport.revoked'] }, bearer(admin));
    const w = r.json;
    const oldP = await verifyPassport();
    const newP = await verifyPassport();
    for (const p of [oldP, newP]) {
      r = await post(d, `/api/passports/${p}/revoke`, { reason: 'retention' }, bearer(admin));
      assert.equal(r.status, 200, r.text);
    }
    await until(() => psql(`select count(*) from webhook_deliveries where webhook_id = '${w.id}' and status = 'delivered'`) === '2', 'both deliveries');
    // Two days old, by the database's clock.
    psql(`update events set created_at = created_at - interval '2 days' where passport_id = '${oldP}'`);
    psql(`update webhook_deliveries set finished_at = finished_at - interval '2 days' where webhook_id = '${w.id}' and body like '%${oldP}%'`);
    const purger = await startDaemon({ ...FAST, TEEPASS_RETENTION_INTERVAL: '1', TEEPASS_EVENTS_RETENTION_DAYS: '1', TEEPASS_PASSPORT_RETENTION_DAYS: '36500' });
    try {
      await until(() => psql(`select count(*) from events where passport_id = '${oldP}'`) === '0', 'the old events to go');
      await until(() => psql(`select count(*) from webhook_deliveries where webhook_id = '${w.id}'`) === '1', 'the old delivery to go');
    } finally {
      await stopDaemon(purger);
    }
    assert.equal(psql(`select count(*) from events where passport_id = '${newP}'`), '2', 'issued and revoked stay');
    assert.match(psql(`select body from webhook_deliveries where webhook_id = '${w.id}'`), new RegExp(newP));
    assert.equal(psql(`select count(*) from webhook_attempts a join webhook_deliveries d on d.id = a.delivery_id where d.webhook_id = '${w.id}'`), '1', 'the old one\'s attempts went with it');
    assert.equal(psql(`select count(*) from passports where id in ('${oldP}', '${newP}')`), '2', 'passports are not events');
    r = await request(d, 'DELETE', `/api/webhooks/${w.id}`, undefined, bearer(admin));
    assert.equal(r.status, 200);
  } finally {
    await rx.close();
  }
});

test('webhook access: another provider can neither list, read nor delete; no key is refused; bad input is refused', async () => {
  let r = await post(d, '/api/webhooks', { url: 'http://127.0.0.1:9/never', types: ['passport.superseded'] }, bearer(p1.key));
  assert.equal(r.status, 201, r.text);
  const id = r.json.id;
  const other = await get(d, '/api/webhooks', bearer(p2.key));
  assert.equal(other.status, 200);
  assert.ok(!other.json.webhooks.some((x) => x.id === id));
  assert.ok((await get(d, '/api/webhooks', bearer(admin))).json.webhooks.some((x) => x.id === id), 'an admin sees all');
  assert.equal((await get(d, `/api/webhooks/${id}/deliveries`, bearer(p2.key))).status, 404);
  assert.equal((await request(d, 'DELETE', `/api/webhooks/${id}`, undefined, bearer(p2.key))).status, 404);
  assert.equal((await get(d, '/api/webhooks')).status, 401);
  assert.equal((await post(d, '/api/webhooks', { url: 'https://x.example/' })).status, 401);
  assert.equal((await get(d, `/api/webhooks/${id}/deliveries`, bearer(p1.key))).status, 200);
  r = await request(d, 'DELETE', `/api/webhooks/${id}`, undefined, bearer(p1.key));
  assert.equal(r.status, 200, r.text);
  assert.equal((await get(d, `/api/webhooks/${id}/deliveries`, bearer(p1.key))).status, 404, 'gone');
  assert.equal((await request(d, 'DELETE', `/api/webhooks/${id}`, undefined, bearer(p1.key))).status, 404);
  for (const [body, code] of [
    [{ url: 'http://10.0.0.1/hook' }, 'webhook_url_invalid'],
    [{ url: 'https://user:pw@x.example/' }, 'webhook_url_invalid'],
    [{ url: 'ftp://x.example/' }, 'webhook_url_invalid'],
    [{ url: 'https://x.example/', types: ['passport.eaten'] }, 'event_type_unknown'],
    [{ url: 'https://x.example/', types: [] }, 'event_type_unknown'],
    [{ url: 'https://x.example/', secret: 'mine' }, 'unknown_field'],
  ]) {
    r = await post(d, '/api/webhooks', body, bearer(p1.key));
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.code, code, JSON.stringify(body));
  }
  for (const [path, headers, code] of [
    ['/api/events?types=passport.eaten', {}, 'event_type_unknown'],
    ['/api/events?types=', {}, 'event_type_unknown'],
    ['/api/events', { 'Last-Event-ID': 'abc' }, 'last_event_id_invalid'],
    ['/api/events?last_event_id=-1', {}, 'last_event_id_invalid'],
  ]) {
    r = await get(d, path, headers);
    assert.equal(r.status, 400, path);
    assert.equal(r.json.error.code, code, path);
  }
});

test('an event committed by this instance is streamed at once, not at the next poll (events_poll_ms = 60 s here)', async () => {
  const slow = await startDaemon({ ...FAST, TEEPASS_EVENTS_POLL_MS: '60000' });
  try {
    const s = openStream(slow, '/api/events');
    await s.ready();
    const ev = mockEvidence({ model: sha256(`poke ${uniq()}`), time: iso(T0) });
    const t0 = Date.now();
    const r = await post(slow, '/api/verify/tee-attestation', { attestation: ev.attestation, runtime_data: ev.runtime_data });
    assert.equal(r.status, 200, r.text);
    await until(() => s.events.find((x) => x.data.passport_id === r.json.passport.id), 'the event', 20000);
    assert.ok(Date.now() - t0 < 20000);
    // Heartbeats still come every events_heartbeat (1 s), not every poll.
    const n = s.comments.filter((c) => c === 'heartbeat').length;
    await until(() => s.comments.filter((c) => c === 'heartbeat').length > n, 'a heartbeat', 10000);
    s.close();
  } finally {
    await stopDaemon(slow);
  }
});

test('streams are bounded (503 beyond events_max_streams), get heartbeats, and end when teepassd stops', async () => {
  const d3 = await startDaemon({ ...FAST, TEEPASS_EVENTS_MAX_STREAMS: '2' });
  let stopped = false;
  try {
    const a = openStream(d3, '/api/events');
    const b = openStream(d3, '/api/events');
    await a.ready();
    await b.ready();
    const r = await get(d3, '/api/events');
    assert.equal(r.status, 503);
    assert.equal(r.json.error.code, 'events_too_many_streams');
    assert.ok(r.headers.get('retry-after'));
    // Counted in /metrics (this daemon's own counters), valid for promtool.
    const m = await get(d3, '/metrics');
    assert.match(m.text, /^teepass_event_streams_open 2$/m);
    assert.match(m.text, /^teepass_event_streams_refused_total 1$/m);
    assert.match(m.text, /^teepass_webhook_attempts_total\{outcome="delivered"\} \d+$/m);
    const pc = spawnSync('promtool', ['check', 'metrics'], { input: m.text, encoding: 'utf8' });
    assert.equal(pc.status, 0, pc.stdout + pc.stderr);
    await until(() => a.comments.includes('heartbeat'), 'a heartbeat', 10000);
    assert.equal(a.retry, 2000);
    // A closed stream frees its place (once MHD has noticed it).
    b.close();
    const c = await until(async () => {
      const s = openStream(d3, '/api/events');
      await s.opened;
      if (s.status === 200) return s;
      return null;
    }, 'a free place');
    await c.ready();
    // SIGTERM with streams open: they end and teepassd exits cleanly.
    await stopDaemon(d3);
    stopped = true;
    await until(() => a.done && c.done, 'the streams to end');
  } finally {
    if (!stopped) await stopDaemon(d3);
  }
});
