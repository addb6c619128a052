// Shared harness of the integration tests: starts a real teepassd (the
// ASan+UBSan build) on a free loopback port against the test database,
// speaks HTTP to it, and reads the database with psql to check what was
// (not) committed. Environment (set by scripts/integration.sh):
//   TP_TEST_BIN_DIR, TP_TEST_ROOT, TEEPASS_DATABASE_URL, TEEPASS_*_KEY.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

export const BIN = process.env.TP_TEST_BIN_DIR;
export const ROOT = process.env.TP_TEST_ROOT;
export const DB_URL = process.env.TEEPASS_DATABASE_URL;
if (!BIN || !ROOT || !DB_URL)
  throw new Error('run through scripts/integration.sh (make test)');

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

// Starts teepassd; resolves when /readyz answers 200.
export async function startDaemon(extraEnv = {}) {
  const port = await freePort();
  const env = {
    ...process.env,
    TEEPASS_LISTEN: `127.0.0.1:${port}`,
        TEEPASS_DEV_MODE: '1',
    TEEPASS_THREADS: '4',
    // Every test client is 127.0.0.1: the per-address connection limit
    // (service.test.mjs tests it) would cut the concurrent tests.
    TEEPASS_MAX_CONNECTIONS_PER_ADDRESS: '0',
    // The files share one database and pin different clocks: a purge at
    // one file's clock would delete another's rows. retention.test.mjs
    // turns it on.
    TEEPASS_RETENTION_INTERVAL: '0',
    // Likewise re-appraisal, at its own clock, of passports other files
    // issued: reappraisal.test.mjs turns it on.
    TEEPASS_REAPPRAISAL_INTERVAL: '0',
    // Tests never reach a real vendor: unless a test points these at its
    // fake vendor, they name a closed loopback port (connection refused).
    TEEPASS_INTEL_PCS_URL: 'http://127.0.0.1:9',
    TEEPASS_INTEL_ROOT_CRL_URL: 'http://127.0.0.1:9/IntelSGXRootCA.der',
    TEEPASS_AMD_KDS_URL: 'http://127.0.0.1:9',
    TEEPASS_NVIDIA_NRAS_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
    TEEPASS_NVIDIA_OCSP_URL: 'http://127.0.0.1:9/ocsp',
    ...extraEnv,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const proc = spawn(join(BIN, 'teepassd'), [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  proc.stdout.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const base = `http://127.0.0.1:${port}`;
  const d = { proc, base, port, exited, get log() { return stderr; } };
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) break;
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.status === 200) return d;
    } catch { /* not listening yet */ }
    await sleep(50);
  }
  proc.kill('SIGKILL');
  throw new Error(`teepassd did not become ready:\n${stderr}`);
}

// SIGTERM, then checks a clean exit with no sanitizer report.
export async function stopDaemon(d) {
  d.proc.kill('SIGTERM');
  const { code } = await d.exited;
  assert.equal(code, 0, `teepassd exit status ${code}\n${d.log}`);
  assert.doesNotMatch(d.log, /(AddressSanitizer|LeakSanitizer|runtime error:)/,
    `sanitizer report:\n${d.log}`);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function post(d, path, body, headers = {}) {
  const r = await fetch(d.base + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, headers: r.headers, json, text };
}

export async function get(d, path, headers = {}) {
  const r = await fetch(d.base + path, { headers });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, headers: r.headers, json, text };
}

export function psql(sql) {
  return execFileSync('psql', [DB_URL, '-Atqc', sql], { encoding: 'utf8' }).trim();
}

export function teepass(args, opts = {}) {
  return execFileSync(join(BIN, 'teepass'), args, { encoding: 'utf8', ...opts });
}

export const tmp = mkdtempSync(join(tmpdir(), 'teepass-it-'));

// Mock evidence binding a runtime data document; returns what a client
// sends.
export function mockEvidence({ model, config, nonce, auditors = [], time, debug } = {}) {
  const rd = join(tmp, `rd-${Math.random().toString(16).slice(2)}.json`);
  const args = ['mock-evidence', '--runtime-data', rd];
  if (model) args.push('--model', model);
  if (config) args.push('--config', config);
  if (nonce) args.push('--nonce', nonce);
  for (const a of auditors) args.push('--auditor', a);
  if (time) args.push('--time', time);
  if (debug) args.push('--debug');
  if (!model && !config && !nonce && !auditors.length) args.push('--model', 'sha256:00');
  const hex = teepass(args).trim();
  return { attestation: hex, runtime_data: readFileSync(rd).toString('base64'), rdBytes: readFileSync(rd) };
}

export function writeTmp(name, data) {
  const p = join(tmp, name);
  writeFileSync(p, data);
  return p;
}

export const sha256 = (s) => 'sha256:' + execFileSync('sha256sum', { input: s, encoding: 'utf8' }).slice(0, 64);

// --- the endpoint registry (issue 6) ---

// Any method, JSON body (object or raw string), extra headers.
export async function request(d, method, path, body, headers = {}) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.headers['Content-Type'] = init.headers['Content-Type'] ?? 'application/json';
    init.body = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  }
  const r = await fetch(d.base + path, init);
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, headers: r.headers, json, text };
}

export const bearer = (key) => (key ? { Authorization: `Bearer ${key}` } : {});

// A new admin API key made by the CLI straight in the database.
export function createAdminKey(label) {
  const args = ['admin', 'create-key'];
  if (label) args.push('--label', label);
  return teepass(args, { stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

// As mockEvidence, with measurement registers: mr = {mr0: hex, ...}.
export function mockEvidenceMr({ model, config, nonce, auditors = [], mr = {} } = {}) {
  const rd = join(tmp, `rd-${Math.random().toString(16).slice(2)}.json`);
  const args = ['mock-evidence', '--runtime-data', rd, '--model', model ?? 'sha256:00'];
  if (config) args.push('--config', config);
  if (nonce) args.push('--nonce', nonce);
  for (const a of auditors) args.push('--auditor', a);
  for (const [k, v] of Object.entries(mr)) args.push(`--${k}`, v);
  const hex = teepass(args).trim();
  return { attestation: hex, runtime_data: readFileSync(rd).toString('base64') };
}
