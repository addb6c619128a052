// The soak of `make soak` (scripts/soak.sh): measures the verification
// throughput of a release teepassd (a real TDX quote with its collateral,
// at a pinned time inside the collateral window), then holds 80 % of it
// for SOAK_SECONDS, printing the daemon's RSS every 10 s and a verdict.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, stopDaemon, post, sleep, ROOT } from '../integration/lib.mjs';

const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const MEASURE_SECONDS = Number(process.env.SOAK_MEASURE_SECONDS ?? 20);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 16);
const SAMPLE_MS = 10000;
const TDX = join(ROOT, 'tests/data/tdx/dcapqvl_v4_uptodate');
const AT = '2025-07-10T00:00:00Z';
if (!(SOAK_SECONDS >= 30)) throw new Error('SOAK_SECONDS: want at least 30');

const MRTD = '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7';
const attestation = readFileSync(join(TDX, 'quote.bin')).toString('hex');
const collateral = JSON.parse(readFileSync(join(TDX, 'collateral.json'), 'utf8'));
// The same request twice is answered with its earlier passport (no new
// commit). Request k expects the quote's MRTD with the case of its hex
// letters taken from the bits of k: teepassd compares hex case-
// insensitively, so each matches the quote, yet each is a new request
// whose passport is committed (as bench/http/load.lua does).
const letters = [...MRTD].map((c, i) => (/[a-f]/.test(c) ? i : -1)).filter((i) => i >= 0);
let serial = 0;
function body() {
  const k = serial++;
  const m = [...MRTD];
  letters.forEach((at, bit) => { if (bit < 31 && (k >> bit) & 1) m[at] = m[at].toUpperCase(); });
  if (k >= 2 ** Math.min(31, letters.length)) throw new Error('soak: more requests than MRTD case variants');
  return { attestation, collateral, expected: { runtime: { mrtd: m.join('') } } };
}
const rss = (pid) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]);
};

let errors = 0;
let done = 0;
async function one(d) {
  const r = await post(d, '/api/verify/tee-attestation', body());
  if (r.status !== 200 || r.json?.valid !== true || !r.json?.passport?.id) {
    errors++;
    if (errors <= 5) console.log(`# error: ${r.status} ${r.text.slice(0, 200)}`);
  }
  done++;
}

const d = await startDaemon({
  TEEPASS_DEV_FIXED_TIME: AT, TEEPASS_VERIFY_RATE_LIMIT: '0', TEEPASS_LOG_LEVEL: 'warn',
  TEEPASS_THREADS: String(Math.max(4, CONCURRENCY)),
});
try {
  // Throughput: CONCURRENCY clients back to back for MEASURE_SECONDS.
  const t0 = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() - t0 < MEASURE_SECONDS * 1000) await one(d);
  }));
  const measured = done / ((Date.now() - t0) / 1000);
  const rate = 0.8 * measured;
  console.log(`SOAK throughput ${measured.toFixed(1)} verifications/s; holding ${rate.toFixed(1)}/s for ${SOAK_SECONDS} s`);

  // Paced: start what the schedule says is due, at most CONCURRENCY in flight.
  done = 0;
  let started = 0;
  let inflight = 0;
  const samples = [];
  const s0 = Date.now();
  let nextSample = s0;
  while (Date.now() - s0 < SOAK_SECONDS * 1000) {
    const now = Date.now();
    if (now >= nextSample) {
      const kb = rss(d.proc.pid);
      samples.push(kb);
      console.log(`SOAK t=${Math.round((now - s0) / 1000)}s rss_kb=${kb} done=${done} errors=${errors}`);
      nextSample += SAMPLE_MS;
    }
    const due = Math.floor(rate * (now - s0) / 1000);
    while (started < due && inflight < CONCURRENCY) {
      started++;
      inflight++;
      one(d).finally(() => { inflight--; });
    }
    await sleep(5);
  }
  while (inflight > 0) await sleep(10);
  const achieved = done / ((Date.now() - s0) / 1000);
  // The first minute warms caches and pools: flatness is judged after it.
  const skip = Math.min(6, samples.length - 2);
  const steady = samples.slice(skip);
  const lo = Math.min(...steady);
  const hi = Math.max(...steady);
  const growth = (hi - lo) / lo;
  const flat = growth <= 0.10 && errors === 0;
  console.log(`SOAK achieved ${achieved.toFixed(1)} verifications/s, ${errors} errors`);
  console.log(`SOAK VERDICT ${flat ? 'flat' : 'NOT flat'}: rss ${lo}..${hi} kB over ${steady.length} samples after ${skip} of warm-up ` +
    `(${(100 * growth).toFixed(1)} %, limit 10 %), errors ${errors}`);
  process.exitCode = flat ? 0 : 1;
} finally {
  await stopDaemon(d);
}
