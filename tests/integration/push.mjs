// Helpers of the re-appraisal and events tests (reappraisal*.test.mjs,
// events.test.mjs): waiting on a condition, a webhook receiver recording each
// request, the SSE stream read from a resume point until a predicate holds;
// and for the re-appraisal files, a passport's stored status, `teepass
// reappraise` at a pinned time, and daemons killed at the end when a test
// failed before stopping them.
import assert from 'node:assert/strict';
import { before, after } from 'node:test';
import { createServer } from 'node:http';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { sleep, psql, BIN, startDaemon } from './lib.mjs';

export const passportStatus = (id) => psql(`SELECT status FROM passports WHERE id = '${id}'`);

// `teepass ARGS` as of AT (the CLI's pinned clock), ENV added.
export function teepassAt(args, at, env = {}) {
  return spawnSync(join(BIN, 'teepass'), args, {
    encoding: 'utf8',
    env: { ...process.env, TEEPASS_DEV_MODE: '1', TEEPASS_DEV_FIXED_TIME: at, ...env },
  });
}
export const reappraiseCli = (args, at) => teepassAt(['reappraise', ...args], at);

// startDaemon with DEFAULTS under ENV; every daemon started is killed by
// killAll() (an after hook) unless it has exited.
export function daemons(defaults = {}) {
  const started = [];
  return {
    start: async (env) => {
      const d = await startDaemon({ ...defaults, ...env });
      started.push(d);
      return d;
    },
    killAll: () => {
      for (const d of started) if (d.proc.exitCode === null && d.proc.signalCode === null) d.proc.kill('SIGKILL');
    },
  };
}

// For a re-appraisal file: daemons(DEFAULTS), and hooks that start and
// end the file with no cached collateral and no re-appraisal job (other
// files expect no cache), calling ALSO_AFTER then killing the daemons
// started, at the end.
export function reappraisalDaemons(defaults = {}, alsoAfter = () => {}) {
  const d = daemons(defaults);
  const clear = () => {
    psql('DELETE FROM collateral_artifacts');
    psql('DELETE FROM reappraisal_jobs');
  };
  before(clear);
  after(() => {
    alsoAfter();
    d.killAll();
    clear();
  });
  return d;
}

export async function until(what, condition) {
  for (let i = 0; i < 600; i++) {
    if (condition()) return;
    await sleep(50);
  }
  assert.fail(`timed out waiting for ${what}`);
}

// Push (issue 17: "sees the passport's status change and an SSE event and
// a signed webhook delivered"): a webhook receiver recording each request
// (method, url, headers, raw body, parsed JSON, arrival time); REPLY
// decides the status of each (200 unless told), and the SSE stream read
// from a resume point until PRED holds.
export async function receiver(reply = () => 200) {
  const got = [];
  const srv = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const rec = { method: req.method, url: req.url, headers: req.headers, body, json: JSON.parse(body), at: Date.now() };
      got.push(rec);
      res.statusCode = reply(rec, got);
      res.end('ok');
    });
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return { got, url: `http://127.0.0.1:${srv.address().port}/hook`, close: () => new Promise((r) => srv.close(r)) };
}

export async function sseUntil(daemon, lastId, pred) {
  const ac = new AbortController();
  const r = await fetch(`${daemon.base}/api/events`, { headers: { 'Last-Event-ID': String(lastId) }, signal: ac.signal });
  assert.equal(r.status, 200);
  const reader = r.body.getReader();
  const dec = new TextDecoder();
  const events = [];
  let buf = '';
  const timer = setTimeout(() => ac.abort(), 30000);
  try {
    while (!pred(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const rec = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev = {};
        for (const line of rec.split('\n')) {
          if (line.startsWith(':')) continue;
          const c = line.indexOf(':');
          ev[line.slice(0, c)] = line.slice(c + 1).replace(/^ /, '');
        }
        if (ev.data !== undefined) events.push({ id: Number(ev.id), event: ev.event, data: JSON.parse(ev.data) });
      }
    }
  } catch { /* aborted: the assertion below says what was missing */ }
  clearTimeout(timer);
  ac.abort();
  assert.ok(pred(events), `the stream carried the expected events: ${JSON.stringify(events)}`);
  return events;
}

