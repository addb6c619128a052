// GET /metrics in the Prometheus text format as promtool (Debian package
// prometheus) checks it, on a daemon that has used collateral: the
// collateral gauge in seconds, the latency histograms, the build info.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, stopDaemon, post, get, psql, teepass, mockEvidence, sha256, sleep, ROOT } from './lib.mjs';

const TDX = join(ROOT, 'tests/data/tdx/dcapqvl_v4_uptodate');
const AT = '2025-07-10T00:00:00Z';

test('metrics: promtool check metrics passes after collateral was used; histograms and build info', async () => {
  psql('DELETE FROM collateral_artifacts');
  teepass(['collateral', 'import', '--at', AT, join(TDX, 'collateral.json')]);
  const d = await startDaemon({ TEEPASS_OFFLINE: '1', TEEPASS_DEV_FIXED_TIME: AT });
  try {
    const v = await post(d, '/api/verify/tee-attestation', { attestation: readFileSync(join(TDX, 'quote.bin')).toString('hex') });
    assert.equal(v.json.valid, true, v.text);
    const ev = mockEvidence({ model: sha256('metrics') });
    const m1 = await post(d, '/api/verify/tee-attestation', { attestation: ev.attestation, runtime_data: ev.runtime_data });
    assert.equal(m1.status, 200, m1.text);
    // A request is counted in the request histogram once its reply has
    // been sent (libmicrohttpd's completion callback), which may come
    // after the client has read it: scrape until the readiness probe, the
    // two verifications and every earlier scrape are counted (bounded).
    let m;
    for (let i = 0; ; i++) {
      m = await get(d, '/metrics');
      assert.equal(m.status, 200);
      const n = Number(m.text.match(/^teepass_http_request_duration_seconds_count (\d+)$/m)[1]);
      if (n >= 3 + i) break;
      assert.ok(i < 200, `request histogram stuck at ${n} after ${i} scrapes`);
      await sleep(25);
    }

    const p = spawnSync('promtool', ['check', 'metrics'], { input: m.text, encoding: 'utf8' });
    assert.equal(p.error, undefined, 'promtool runs (scripts/install-deps.sh installs prometheus)');
    assert.equal(p.status, 0, `promtool:\n${p.stdout}${p.stderr}\n${m.text}`);
    assert.equal((p.stdout + p.stderr).trim(), '', 'promtool reports no problem');

    // The collateral gauge in seconds (the PCK CRL's nextUpdate
    // 2025-07-19T10:00:35Z is the earliest: 813635 s after AT).
    assert.doesNotMatch(m.text, /_hours/);
    const secs = Number(m.text.match(/^teepass_collateral_earliest_expiry_seconds (-?\d+)$/m)[1]);
    assert.ok(secs > 813635 - 300 && secs <= 813635, String(secs));

    assert.match(m.text, /^teepass_build_info\{version="\d+\.\d+\.\d+"\} 1$/m);
    // Two verifications, one per provider, each counted once in its histogram.
    for (const prov of ['IntelTdx', 'Mock']) {
      const count = m.text.match(new RegExp(`^teepass_verification_duration_seconds_count\\{provider="${prov}"\\} (\\d+)$`, 'm'));
      assert.ok(count, `${prov} histogram:\n${m.text}`);
      assert.equal(count[1], '1');
      const inf = m.text.match(new RegExp(`^teepass_verification_duration_seconds_bucket\\{provider="${prov}",le="\\+Inf"\\} (\\d+)$`, 'm'));
      assert.equal(inf[1], '1');
    }
    // Every request completed before this scrape is counted (the scrape
    // itself completes after rendering).
    const reqs = Number(m.text.match(/^teepass_http_request_duration_seconds_count (\d+)$/m)[1]);
    assert.ok(reqs >= 3, String(reqs));
    const buckets = [...m.text.matchAll(/^teepass_http_request_duration_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)]
      .map((x) => Number(x[2]));
    assert.ok(buckets.length > 5);
    for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i] >= buckets[i - 1], 'cumulative buckets');
    assert.equal(buckets.at(-1), reqs);
  } finally {
    await stopDaemon(d);
    psql('DELETE FROM collateral_artifacts');
  }
});
