// Reads scale out (issue 20): database_read_url against a REAL streaming
// replica. The test makes its own primary (initdb) and, from it, a hot
// standby with `pg_basebackup -R`, both on Unix sockets in a directory of
// their own, so that it can pause, stop and restart them without touching
// the cluster the other files share. Three teepassd instances share them:
//   A  issues passports; large lag bound;
//   B  only reads; large lag bound (bounded staleness across instances);
//   C  only reads; a 100 ms lag bound.
// Every proof that a lookup came from the replica or from the primary
// rests on the databases' own state (a passport the replica does not have
// yet, a primary that is stopped), not on what teepassd says of itself.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startDaemon, stopDaemon, post, get, mockEvidence, sha256, sleep, BIN } from './lib.mjs';

const PGBIN = '/usr/lib/postgresql/15/bin';
const root = process.getuid() === 0;
const dir = mkdtempSync('/tmp/tp-replica-');
const psock = join(dir, 'ps');
const rsock = join(dir, 'rs');
const pdata = join(dir, 'primary');
const rdata = join(dir, 'replica');
const primaryUrl = `host=${psock} dbname=teepass user=teepass`;
const replicaUrl = `host=${rsock} dbname=teepass user=teepass`;
// Names that cannot be another process's: pg_stat_activity shows them.
const tag = randomBytes(4).toString('hex');
const appName = (who) => `teepass-read-${who}-${tag}`;

// PostgreSQL refuses to run as root: as root, as `postgres` (scripts/pg.sh).
function asPg(cmd, args) {
  const [file, argv] = root ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  return execFileSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
const sql = (url, q) => execFileSync('psql', [url, '-Atqc', q], { encoding: 'utf8' }).trim();
const pgCtl = (data, ...args) => asPg(join(PGBIN, 'pg_ctl'), ['-D', data, ...args]);
const startPg = (data, log) => pgCtl(data, '-l', join(dir, log), '-w', '-t', '60', 'start');
const stopPg = (data) => pgCtl(data, '-m', 'fast', '-w', 'stop');

async function until(what, fn, ms = 60000) {
  const end = Date.now() + ms;
  for (;;) {
    let v;
    try { v = await fn(); } catch { v = false; }
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// The replica has replayed everything the primary has written.
const caughtUp = () => sql(replicaUrl,
  `SELECT pg_last_wal_replay_lsn() >= '${sql(primaryUrl, 'SELECT pg_current_wal_lsn()')}'`) === 't';
const streaming = () => sql(primaryUrl,
  "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") === '1' &&
  sql(replicaUrl, 'SELECT pg_is_in_recovery()') === 't';
const onReplica = (id) => sql(replicaUrl, `SELECT count(*) FROM passports WHERE id = '${id}'`) === '1';

async function metric(d, name) {
  const text = (await get(d, '/metrics')).text;
  const esc = name.replace(/[{}"]/g, (c) => `\\${c}`);
  const m = text.match(new RegExp(`^${esc} (\\S+)$`, 'm'));
  assert.ok(m, `${name} in /metrics:\n${text}`);
  return Number(m[1]);
}
const fallback = (d, reason) => metric(d, `teepass_db_read_fallback_total{reason="${reason}"}`);

async function issue(d, label) {
  const ev = mockEvidence({ model: sha256(`replica ${label} ${tag}`) });
  const r = await post(d, '/api/verify/tee-attestation', { attestation: ev.attestation, runtime_data: ev.runtime_data });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.valid, true, r.text);
  return r.json.passport;
}

let A, B, C, p0;

before(async () => {
  assert.ok(existsSync(join(PGBIN, 'initdb')), 'PostgreSQL 15 server binaries (postgresql-15)');
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  asPg('mkdir', [psock, rsock]);
  asPg(join(PGBIN, 'initdb'), ['-D', pdata, '-U', 'teepass', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  // What streaming needs, said explicitly rather than left to defaults.
  asPg('sh', ['-c', `cat >> '${pdata}/postgresql.conf' <<'EOF'
listen_addresses = ''
unix_socket_directories = '${psock}'
unix_socket_permissions = 0700
max_connections = 60
wal_level = replica
max_wal_senders = 4
hot_standby = on
fsync = off
EOF
echo 'local replication all trust' >> '${pdata}/pg_hba.conf'`]);
  startPg(pdata, 'primary.log');
  execFileSync('createdb', ['-h', psock, '-U', 'teepass', 'teepass']);
  // The standby: a base backup that writes standby.signal and
  // primary_conninfo (-R), then its own socket directory.
  asPg(join(PGBIN, 'pg_basebackup'), ['-h', psock, '-U', 'teepass', '-D', rdata, '-R', '-X', 'stream', '-c', 'fast']);
  asPg('sh', ['-c', `echo "unix_socket_directories = '${rsock}'" >> '${rdata}/postgresql.conf'`]);
  startPg(rdata, 'replica.log');
  await until('the replica to stream', streaming);

  const env = (who, lag, threads) => ({
    TEEPASS_DATABASE_URL: primaryUrl,
    TEEPASS_DATABASE_READ_URL: `${replicaUrl} application_name=${appName(who)}`,
    TEEPASS_DATABASE_READ_MAX_LAG_MS: String(lag),
    TEEPASS_MIGRATE_ON_START: '1',
    TEEPASS_THREADS: String(threads),
  });
  A = await startDaemon(env('a', 600000, 4));
  B = await startDaemon(env('b', 600000, 2));
  C = await startDaemon(env('c', 100, 2));
  p0 = await issue(A, 'p0');
  await until('the replica to replay p0', () => onReplica(p0.id) && caughtUp());
});

after(async () => {
  const errs = [];
  for (const d of [A, B, C]) if (d) await stopDaemon(d).catch((e) => errs.push(e));
  for (const data of [rdata, pdata]) {
    try { stopPg(data); } catch { /* not running */ }
  }
  rmSync(dir, { recursive: true, force: true });
  if (errs.length) throw errs[0];
});

test('a passport just issued is found at once although the replica has not replayed it', async () => {
  // Replay stops; the primary goes on.
  sql(replicaUrl, 'SELECT pg_wal_replay_pause()');
  await until('replay to pause', () => sql(replicaUrl, 'SELECT pg_get_wal_replay_pause_state()') === 'paused');
  try {
    const ownBefore = await fallback(A, 'own_write');
    const nfBefore = await fallback(B, 'not_found');
    const lagBefore = await fallback(C, 'lag');
    const p1 = await issue(A, 'p1');
    assert.equal(onReplica(p1.id), false, 'the replica must not have p1 while paused');

    // The instance that wrote it: its commit is past the replica's replay.
    const a = await get(A, `/api/passports/${p1.id}`);
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.token, p1.token);
    const aList = await get(A, '/api/passports?limit=100');
    assert.ok(aList.json.passports.some((p) => p.id === p1.id), 'own write in the list');
    assert.ok(await fallback(A, 'own_write') > ownBefore);

    // Another instance: the replica does not find it, the primary does.
    const b = await get(B, `/api/passports/${p1.id}`);
    assert.equal(b.status, 200, b.text);
    assert.equal(b.json.token, p1.token);
    const bs = await get(B, `/api/passports/${p1.id}/status`);
    assert.equal(bs.status, 200, bs.text);
    assert.equal(bs.json.status, 'active');
    assert.ok(await fallback(B, 'not_found') > nfBefore);

    // B's list is the replica's (bounded staleness across instances):
    // p0, not p1 — so B's lookups really are on the replica.
    const bList = await get(B, '/api/passports?limit=100');
    assert.equal(bList.status, 200, bList.text);
    assert.ok(bList.json.passports.some((p) => p.id === p0.id), 'p0 from the replica');
    assert.ok(!bList.json.passports.some((p) => p.id === p1.id), 'p1 is not on the replica yet');

    // C allows 100 ms of lag: once replay is further behind than that,
    // its list comes from the primary and has p1.
    // (C measures at most every 50 ms: what it last saw is over 250 ms.)
    await until('the replica to lag over 300 ms', () => Number(sql(replicaUrl,
      'SELECT extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000')) > 300);
    const cList = await get(C, '/api/passports?limit=100');
    assert.ok(cList.json.passports.some((p) => p.id === p1.id), 'a lagging replica is not used');
    assert.ok(await fallback(C, 'lag') > lagBefore);
    const cReady = await get(C, '/readyz');
    assert.equal(cReady.status, 200, cReady.text);
    assert.equal(cReady.json.read.target, 'primary');
    assert.equal(cReady.json.read.fallback, 'lag');
  } finally {
    sql(replicaUrl, 'SELECT pg_wal_replay_resume()');
  }
  await until('the replica to catch up', caughtUp);
  const ready = await get(A, '/readyz');
  assert.equal(ready.json.read.target, 'replica', ready.text);
  assert.equal(ready.json.read.standby, true);
});

test('lookups are served by the replica: with the primary stopped they still answer', async () => {
  await until('the replica to catch up', caughtUp);
  const served = await metric(A, 'teepass_db_read_replica_total');
  stopPg(pdata);
  try {
    // Writes need the primary: proof that it is down.
    assert.equal((await post(A, '/api/challenges', '')).status, 503);
    for (const d of [A, B]) {
      const r = await get(d, `/api/passports/${p0.id}`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.token, p0.token);
      const s = await get(d, `/api/passports/${p0.id}/status`);
      assert.equal(s.status, 200, s.text);
      const l = await get(d, '/api/passports?limit=100');
      assert.equal(l.status, 200, l.text);
      assert.ok(l.json.passports.some((p) => p.id === p0.id));
      assert.equal((await get(d, '/api/endpoints')).status, 200);
    }
    assert.ok(await metric(A, 'teepass_db_read_replica_total') >= served + 4);
    // The connections that answered are teepassd's read connections.
    assert.ok(Number(sql(replicaUrl,
      `SELECT count(*) FROM pg_stat_activity WHERE application_name = '${appName('a')}'`)) >= 1);
  } finally {
    startPg(pdata, 'primary.log');
  }
  await until('the replica to stream again', streaming);
  await until('A to be ready again', async () => (await get(A, '/readyz')).status === 200);
});

test('with the replica stopped, lookups go to the primary', async () => {
  const p2 = await issue(A, 'p2');
  const before = await fallback(B, 'unavailable');
  stopPg(rdata);
  try {
    for (const d of [A, B]) {
      for (const id of [p0.id, p2.id]) {
        const r = await get(d, `/api/passports/${id}`);
        assert.equal(r.status, 200, r.text);
        assert.equal((await get(d, `/api/passports/${id}/status`)).status, 200);
      }
      const l = await get(d, '/api/passports?limit=100');
      assert.equal(l.status, 200, l.text);
      assert.ok(l.json.passports.some((p) => p.id === p2.id));
      const ready = await get(d, '/readyz');
      assert.equal(ready.status, 200, 'a replica down does not make the instance unready');
      assert.equal(ready.json.read.target, 'primary');
      assert.equal(ready.json.read.fallback, 'unavailable');
    }
    assert.ok(await fallback(B, 'unavailable') > before);
  } finally {
    startPg(rdata, 'replica.log');
  }
  // Back: lookups return to it.
  await until('the replica to stream again', streaming);
  await until('B to use the replica again', async () => (await get(B, '/readyz')).json?.read?.target === 'replica');
  const served = await metric(B, 'teepass_db_read_replica_total');
  assert.equal((await get(B, `/api/passports/${p2.id}`)).status, 200);
  assert.ok(await metric(B, 'teepass_db_read_replica_total') > served);
  // The read metrics are valid Prometheus text (as metrics.test.mjs).
  const m = await get(B, '/metrics');
  const p = spawnSync('promtool', ['check', 'metrics'], { input: m.text, encoding: 'utf8' });
  assert.equal(p.error, undefined, 'promtool runs (scripts/install-deps.sh installs prometheus)');
  assert.equal(p.status, 0, `promtool:\n${p.stdout}${p.stderr}\n${m.text}`);
  assert.match(m.text, /^teepass_db_read_replica_lag_seconds \S+$/m);
});

test('a database_read_url that is not a libpq connection string is refused at start', () => {
  for (const bad of ["host='unterminated", 'nosuchkeyword=1']) {
    const r = spawnSync(join(BIN, 'teepassd'), [], {
      env: { ...process.env, TEEPASS_LISTEN: '127.0.0.1:0', TEEPASS_DEV_MODE: '1', TEEPASS_DATABASE_URL: primaryUrl, TEEPASS_DATABASE_READ_URL: bad },
      encoding: 'utf8', timeout: 30000,
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /database_read_url: not a libpq connection string/);
  }
  const r = spawnSync(join(BIN, 'teepassd'), [], {
    env: { ...process.env, TEEPASS_LISTEN: '127.0.0.1:0', TEEPASS_DEV_MODE: '1', TEEPASS_DATABASE_READ_MAX_LAG_MS: '-5' },
    encoding: 'utf8', timeout: 30000,
  });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /database_read_max_lag_ms/);
});
