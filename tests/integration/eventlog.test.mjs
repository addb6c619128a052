// Measured boot over HTTP: a real dstack TDX quote with its JSON runtime
// event log (tests/data/eventlog/dstack_tdx_quote_eventlog, MANIFEST.md),
// verified with the collateral of its FMSPC 90c06f000000
// (tests/data/tdx/teep_tinfoil_v4_20260629) at a time inside that
// collateral's window. The registers below are the quote's, as the
// MANIFEST gives them (the collector's replay of the log equals them).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startDaemon, stopDaemon, post, get, ROOT, BIN, tmp } from './lib.mjs';

const V = join(ROOT, 'tests/data/eventlog/dstack_tdx_quote_eventlog');
const COLL = join(ROOT, 'tests/data/tdx/teep_tinfoil_v4_20260629');
const AT = '2026-06-29T02:08:05Z';
const RTMR = {
  rtmr0: '2e3843265f8ecdd4e2282694747f6f2f111605c33f2a8882f5734ee6f3a6ce63d8f34aeef06093dcda76fa5f9d33d8d6',
  rtmr1: 'a1b79d76021970f57c45c4a7c395f780bab37011a4df27fe44e8559bd1abb4d6e52f12f866d1d08405448eb797a5970f',
  rtmr2: '1e31b59d605df7ee8160cf7966be9bafa6d0e1905de7e09695a24cd9748e71a603a51fae1297619fa0c30517addbcd07',
  rtmr3: '0f787c3877f3e95095d5a4d13dd0fe0233803b30120d8469866719dc28f519ce021fe1e53459121e7a5a4443147185a8',
};
const quote = readFileSync(join(V, 'quote.bin')).toString('base64');
const logText = JSON.parse(readFileSync(join(V, 'quote_report.json'), 'utf8')).event_log;
const events = JSON.parse(logText);
const b64 = (s) => Buffer.from(s).toString('base64');
const codes = (v) => v.errors.map((e) => e.code);
const composeHash = events.find((e) => e.event === 'compose-hash');
// A hex digit that differs from D for sure.
const other = (d) => (d === '0' ? '1' : '0');

let d;
before(async () => { d = await startDaemon({ TEEPASS_COLLATERAL_DIR: COLL, TEEPASS_DEV_FIXED_TIME: AT }); });
after(async () => { await stopDaemon(d); });

test('a TDX quote with its runtime log: the replay equals RTMR0-3, the components are claimed and in the passport', async () => {
  const r = await post(d, '/api/verify/tee-attestation', { attestation: quote, event_log: b64(logText) });
  assert.equal(r.status, 200, r.text);
  const v = r.json;
  assert.equal(v.valid, true, JSON.stringify(v.errors));
  for (const [k, want] of Object.entries(RTMR)) assert.equal(v.claims[k], want, k);
  assert.ok(v.checks.some((c) => c.check === 'event_log_replay' && c.ok));
  // Every event of the log, in order, with its register and digest.
  assert.equal(v.claims.components.length, events.length);
  events.forEach((e, i) => {
    assert.equal(v.claims.components[i].register, `rtmr${e.imr}`);
    assert.equal(v.claims.components[i].digest, `sha384:${e.digest.toLowerCase()}`);
  });
  const ch = v.claims.components.find((c) => c.name === 'compose-hash');
  assert.ok(ch, JSON.stringify(v.claims.components));
  assert.equal(ch.register, 'rtmr3');
  const p = await get(d, `/api/passports/${v.passport.id}`);
  assert.equal(p.status, 200, p.text);
  assert.deepEqual(p.json.claims.submods.cpu0['ear.teepass.annotated-evidence'].components, v.claims.components);
});

test('expected.components: the measured value passes; another value, an unmeasured name, or no log fail, naming it', async () => {
  const want = `sha384:${composeHash.digest}`;
  let r = await post(d, '/api/verify/tee-attestation', {
    attestation: quote, event_log: b64(logText), expected: { components: { 'compose-hash': want } },
  });
  assert.equal(r.json.valid, true, JSON.stringify(r.json.errors));
  assert.equal(r.json.measurements_valid, true);
  const wrong = want.slice(0, -1) + other(want.slice(-1));
  r = await post(d, '/api/verify/tee-attestation', {
    attestation: quote, event_log: b64(logText), expected: { components: { 'compose-hash': wrong } },
  });
  assert.equal(r.json.valid, false);
  assert.deepEqual(codes(r.json), ['component_mismatch']);
  assert.equal(r.json.measurements_valid, false);
  assert.equal(r.json.passport, undefined);
  r = await post(d, '/api/verify/tee-attestation', {
    attestation: quote, event_log: b64(logText), expected: { components: { 'no-such-component': want } },
  });
  assert.deepEqual(codes(r.json), ['component_missing']);
  r = await post(d, '/api/verify/tee-attestation', { attestation: quote, expected: { components: { 'compose-hash': want } } });
  assert.deepEqual(codes(r.json), ['event_log_missing']);
  r = await post(d, '/api/verify/tee-attestation', { attestation: quote, expected: { components: { kernel: 7 } } });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error.field, 'expected.components.kernel');
});

test('a log that does not replay to the quote is never valid: the first register that differs is named', async () => {
  const bad = events.map((e) => ({ ...e }));
  const i = bad.findIndex((e) => e.imr === 1);
  bad[i].digest = bad[i].digest.slice(0, -1) + other(bad[i].digest.slice(-1));
  const r = await post(d, '/api/verify/tee-attestation', { attestation: quote, event_log: b64(JSON.stringify(bad)) });
  assert.equal(r.json.valid, false);
  assert.deepEqual(codes(r.json), ['event_log_replay_mismatch']);
  assert.match(r.json.errors[0].message, /^rtmr1: /);
  assert.equal(r.json.claims.components, undefined, 'components are claimed only once the replay holds');
  assert.equal(r.json.passport, undefined);
});

test('another machine\'s CCEL log (with its ACPI table) is parsed but does not replay to this quote; a table with a bad checksum is refused', async () => {
  const ccel = join(ROOT, 'tests/data/eventlog/intel_ita_ccel_table_log');
  const data = readFileSync(join(ccel, 'ccel_data.bin')).toString('base64');
  const table = readFileSync(join(ccel, 'ccel_table.bin'));
  let r = await post(d, '/api/verify/tee-attestation', { attestation: quote, event_log: data, event_log_table: table.toString('base64') });
  assert.equal(r.json.valid, false);
  assert.deepEqual(codes(r.json), ['event_log_replay_mismatch']);
  assert.match(r.json.errors[0].message, /^rtmr0: /);
  const bad = Buffer.from(table);
  bad[9] ^= 0x01; // the checksum byte: the table's bytes no longer sum to 0
  r = await post(d, '/api/verify/tee-attestation', { attestation: quote, event_log: data, event_log_table: bad.toString('base64') });
  assert.deepEqual(codes(r.json), ['event_log_malformed']);
});

test('a malformed log gets a clear code; a log that is not base64 is a 400', async () => {
  let r = await post(d, '/api/verify/tee-attestation', { attestation: quote, event_log: b64('[{"imr": 9}') });
  assert.equal(r.json.valid, false);
  assert.deepEqual(codes(r.json), ['event_log_malformed']);
  r = await post(d, '/api/verify/tee-attestation', { attestation: quote, event_log: '!!' });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error.field, 'event_log');
});

test('teepass verify --event-log replays the same log offline', () => {
  const f = join(tmp, 'dstack-log.json');
  writeFileSync(f, logText);
  const run = (args) => spawnSync(join(BIN, 'teepass'), ['verify', '--compact', '--collateral', COLL, '--at', AT, ...args], { encoding: 'utf8' });
  const ok = run(['--event-log', f, join(V, 'quote.bin')]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.equal(JSON.parse(ok.stdout).claims.components.length, events.length);
  writeFileSync(f, logText.replace(composeHash.digest, composeHash.digest.slice(0, -1) + other(composeHash.digest.slice(-1))));
  const bad = run(['--event-log', f, join(V, 'quote.bin')]);
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
});
