// The one attestation path (handlers/attestation.c) over real HTTP with a
// real teepassd, PostgreSQL and the fake Intel PCS of fake_vendor.mjs:
// - a real TDX quote sent without collateral (registration route, then
//   the heartbeat route) gets its four Intel artifacts from the collateral
//   service, one vendor request each, and the cache serves the heartbeat;
// - hostile quotes (a PCK leaf whose signature is broken, a PCK chain
//   inflated with 200 CA certificates, evidence over the size limit) are
//   refused with their code and cost the vendor ZERO requests: the
//   service fetches only for a PCK chain that verified, and only for
//   evidence within the limit.
// Every hostile quote is the real one changed in one place only, and each
// test then sends a good twin of it to the same daemon to show the fake
// vendor is reachable and would have been asked: "zero requests" is not
// an artefact of a daemon that cannot reach the vendor.
// The verification time is the one of collateral.test.mjs (AT, inside
// every item's validity window of the TDX sample).
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, X509Certificate } from 'node:crypto';
import {
  startDaemon, stopDaemon, post, psql, request, bearer, createAdminKey, sha256, ROOT,
} from './lib.mjs';
import { startFakeVendor } from './fake_vendor.mjs';

const TDX = join(ROOT, 'tests/data/tdx/dcapqvl_v4_uptodate');
const AT = '2025-07-10T00:00:00Z';
const MRTD = '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7';
const QUOTE = readFileSync(join(TDX, 'quote.bin'));
const FMSPC = JSON.parse(JSON.parse(readFileSync(join(TDX, 'collateral.json'), 'utf8')).tcb_info).fmspc.toLowerCase();
const VERIFY = '/api/verify/tee-attestation';
// verify/core/policy.c: max_evidence_len (not configurable).
const MAX_EVIDENCE = 256 * 1024;

// The fake vendor's paths (request path and query) of the four Intel
// artifacts this quote needs: the TCB Info of its FMSPC, the TD QE
// identity, the CRL of the Platform CA that issued its PCK certificate,
// and the root CA CRL (intel_root_crl_url, as lib.mjs sets it).
const EXPECTED_FETCHES = {
  [`/tdx/certification/v4/tcb?fmspc=${FMSPC}`]: 1,
  '/tdx/certification/v4/qe/identity': 1,
  '/sgx/certification/v4/pckcrl?ca=platform&encoding=der': 1,
  '/IntelSGXRootCA.der': 1,
};

// --- the quote's layout (Intel TDX DCAP quote v4, A.3) -------------------

// Offsets of every length field between the signed part and the PEM
// chain, read from the quote itself (and checked for consistency).
function layout(q) {
  assert.equal(q.readUInt16LE(0), 4, 'quote version 4');
  assert.equal(q.readUInt32LE(4), 0x81, 'TDX');
  const signedLen = 48 + 584;               // header + TD report body
  const sigLenOff = signedLen;              // u32 quote signature data size
  const outerTypeOff = sigLenOff + 4 + 64 + 64; // after signature, attestation key
  const outerSizeOff = outerTypeOff + 2;
  const qeReportOff = outerSizeOff + 4;
  const authLenOff = qeReportOff + 384 + 64; // QE report and its signature
  const authLen = q.readUInt16LE(authLenOff);
  const certTypeOff = authLenOff + 2 + authLen;
  const certLenOff = certTypeOff + 2;
  const certOff = certLenOff + 4;
  const certLen = q.readUInt32LE(certLenOff);
  assert.equal(q.readUInt16LE(outerTypeOff), 6, 'QE report certification data');
  assert.equal(q.readUInt16LE(certTypeOff), 5, 'PCK certificate chain (PEM)');
  // The PEM chain ends the signature data; the sample has zero bytes
  // after it (tolerated when zero, dcap_quote.c), kept as they are.
  const sigEnd = certOff + certLen;
  assert.ok(sigEnd <= q.length);
  assert.ok(q.subarray(sigEnd).every((b) => b === 0), 'only zero bytes after the signature data');
  assert.equal(q.readUInt32LE(outerSizeOff), sigEnd - qeReportOff);
  assert.equal(q.readUInt32LE(sigLenOff), sigEnd - sigLenOff - 4);
  return { sigLenOff, outerSizeOff, certLenOff, certOff, certLen };
}

// The quote with its PEM chain replaced by PEM, every enclosing length
// field grown or shrunk to match.
function withChain(q, pem) {
  const L = layout(q);
  const delta = pem.length - L.certLen;
  const out = Buffer.concat([q.subarray(0, L.certOff), pem, q.subarray(L.certOff + L.certLen)]);
  out.writeUInt32LE(q.readUInt32LE(L.sigLenOff) + delta, L.sigLenOff);
  out.writeUInt32LE(q.readUInt32LE(L.outerSizeOff) + delta, L.outerSizeOff);
  out.writeUInt32LE(L.certLen + delta, L.certLenOff);
  layout(out); // still consistent
  return out;
}

const chainOf = (q) => { const L = layout(q); return q.subarray(L.certOff, L.certOff + L.certLen); };

// The PEM blocks of the chain: {start, end} (byte offsets in the chain,
// end past the line break after END), text, der, cert.
function pemBlocks(pem) {
  const s = pem.toString('latin1');
  const re = /-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END CERTIFICATE-----\r?\n?/g;
  const out = [];
  for (let m; (m = re.exec(s)) !== null;) {
    const text = m[0];
    out.push({
      start: m.index, end: m.index + text.length, text, body: m[1],
      der: Buffer.from(m[1].replace(/\s+/g, ''), 'base64'),
      cert: new X509Certificate(text),
    });
  }
  return out;
}

// --- DER, just enough to find a certificate's signature value ------------

function tlv(buf, off) {
  const tag = buf[off];
  let len = buf[off + 1];
  let hdr = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    assert.ok(n >= 1 && n <= 3, 'DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[off + 2 + i];
    hdr += n;
  }
  return { tag, start: off + hdr, end: off + hdr + len };
}

// Offset in DER of the last byte of r in the certificate's ECDSA
// signature: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm,
// signatureValue BIT STRING (ECDSA-Sig-Value ::= SEQUENCE { r INTEGER,
// s INTEGER }) }. The last byte of an INTEGER can change without making
// its encoding non-minimal: the DER still parses.
function signatureRLastByte(der) {
  const cert = tlv(der, 0);
  assert.equal(cert.tag, 0x30);
  assert.equal(cert.end, der.length);
  const tbs = tlv(der, cert.start);
  assert.equal(tbs.tag, 0x30);
  const alg = tlv(der, tbs.end);
  assert.equal(alg.tag, 0x30);
  const bits = tlv(der, alg.end);
  assert.equal(bits.tag, 0x03, 'signatureValue BIT STRING');
  assert.equal(bits.end, cert.end);
  assert.equal(der[bits.start], 0, 'no unused bits');
  const sig = tlv(der, bits.start + 1);
  assert.equal(sig.tag, 0x30, 'ECDSA-Sig-Value');
  const r = tlv(der, sig.start);
  assert.equal(r.tag, 0x02, 'r INTEGER');
  assert.ok(r.end - r.start >= 20, 'r has its bytes');
  return r.end - 1;
}

// The block's base64 re-made from DER with the line breaks where they were.
function rewrap(body, der) {
  const b64 = der.toString('base64');
  let i = 0;
  const out = body.replace(/[A-Za-z0-9+/=]/g, () => b64[i++]);
  assert.equal(i, b64.length, 'same DER length, same base64 length');
  return out;
}

// The real quote with the PCK leaf certificate's signature broken: one
// bit of r flipped; the chain still parses (checked here with Node's
// X.509), the leaf no longer verifies under its CA's key.
function brokenLeafQuote() {
  const pem = chainOf(QUOTE);
  const blocks = pemBlocks(pem);
  assert.equal(blocks.length, 3, 'PCK leaf, Platform CA, root');
  const [leaf, ca] = blocks;
  assert.ok(leaf.cert.verify(ca.cert.publicKey), 'the real leaf verifies');
  const der = Buffer.from(leaf.der);
  der[signatureRLastByte(der)] ^= 0x01;
  const text = leaf.text.replace(leaf.body, rewrap(leaf.body, der));
  const broken = new X509Certificate(text); // still parses
  assert.equal(broken.fingerprint256 === leaf.cert.fingerprint256, false);
  assert.equal(broken.subject, leaf.cert.subject);
  assert.equal(broken.verify(ca.cert.publicKey), false, 'the broken leaf does not verify');
  const s = pem.toString('latin1');
  const out = Buffer.from(s.slice(0, leaf.start) + text + s.slice(leaf.end), 'latin1');
  assert.equal(out.length, pem.length);
  assert.equal(pemBlocks(out).length, 3);
  return withChain(QUOTE, out);
}

// The real quote with 200 copies of its PCK CA certificate inserted after
// the leaf: leaf, 200 x CA, CA, root.
function inflatedQuote() {
  const pem = chainOf(QUOTE);
  const [leaf, ca] = pemBlocks(pem);
  assert.match(ca.cert.subject, /Intel SGX PCK Platform CA/);
  const s = pem.toString('latin1');
  const copy = ca.text.endsWith('\n') ? ca.text : `${ca.text}\n`;
  const out = Buffer.from(s.slice(0, leaf.end) + copy.repeat(200) + s.slice(leaf.end), 'latin1');
  const q = withChain(QUOTE, out);
  assert.equal(pemBlocks(chainOf(q)).length, 203);
  assert.ok(q.length < MAX_EVIDENCE, 'within the evidence limit: refused for its chain');
  return q;
}

// The real quote grown to exactly SIZE bytes with line breaks after the
// PEM chain, inside the certification data: the signed parts are the
// same, the chain the same three certificates (PEM text after the last
// END line is not a certificate).
function paddedQuote(size) {
  const pem = chainOf(QUOTE);
  const blocks = pemBlocks(pem);
  const last = blocks[blocks.length - 1];
  const pad = Buffer.alloc(size - QUOTE.length, '\n');
  const q = withChain(QUOTE, Buffer.concat([pem.subarray(0, last.end), pad, pem.subarray(last.end)]));
  assert.equal(q.length, size);
  assert.equal(pemBlocks(chainOf(q)).length, 3);
  return q;
}

// --- the daemon, the vendor, the registry ---------------------------------

let fake;
before(async () => { fake = await startFakeVendor(ROOT); });
after(async () => {
  await fake.close();
  psql('DELETE FROM collateral_artifacts'); // other files expect no cache
});
// Nothing cached in PostgreSQL: a service that fetched for a quote it
// should have refused would ask the vendor, not find it cached.
beforeEach(() => {
  psql('DELETE FROM collateral_artifacts');
  fake.set('ok');
  fake.reset();
});

// A fresh daemon per test: nothing of an earlier test in its memory.
const daemon = () => startDaemon({
  TEEPASS_DEV_FIXED_TIME: AT, TEEPASS_COLLATERAL_TIMEOUT_MS: '5000', ...fake.env(),
});
const uniq = () => randomBytes(6).toString('hex');
const cachedKinds = () => psql("SELECT kind || '/' || key || ':' || source FROM collateral_artifacts ORDER BY 1")
  .split('\n').filter(Boolean);
const TDX_ARTIFACTS = ['intel_pck_crl/platform', 'intel_qe_identity/tdx', 'intel_root_ca_crl/root', `intel_tcb_info/tdx/${FMSPC}`];

async function newProvider(d) {
  const r = await post(d, '/api/providers', { name: `attestation path ${uniq()}` }, bearer(createAdminKey('attestation-path')));
  assert.equal(r.status, 201, r.text);
  return { id: r.json.id, key: r.json.api_key.token };
}

// The checks of a verdict for this quote that passed once the collateral
// was there, and its artifacts (what the service supplied).
function assertCollateralChecks(v) {
  assert.equal(v.provider, 'IntelTdx');
  assert.equal(v.certificate_chain_valid, true, JSON.stringify(v.errors));
  assert.equal(v.signature_valid, true, JSON.stringify(v.errors));
  assert.equal(v.tcb_status, 'UpToDate');
  assert.equal(v.claims.mrtd, MRTD);
  assert.deepEqual(v.collateral_artifacts.map((a) => `${a.kind}/${a.key}`).sort(), TDX_ARTIFACTS);
  assert.ok(v.collateral_artifacts.every((a) => a.source === 'intel_pcs' && /^[0-9a-f]{64}$/.test(a.sha256)),
    JSON.stringify(v.collateral_artifacts));
}

test('a real TDX quote registered without collateral: one vendor request per artifact; the heartbeat is served from the cache', async () => {
  const d = await daemon();
  try {
    const p = await newProvider(d);
    const model = sha256(`tdx model ${uniq()}`);
    const url = `https://${uniq()}.example/tdx`;
    const r = await post(d, '/api/endpoints', {
      url, model: { name: 'tdx-model', digest: model }, tee_type: 'IntelTdx',
      reference_values: { runtime: { mrtd: MRTD } }, attestation: QUOTE.toString('hex'),
    }, bearer(p.key));
    // Every reference value document names the model (model.digest), and
    // the model is appraised from runtime_data bound into the report
    // data. No runtime_data hashes to the real quote's report data, so
    // its registration is refused for that reason alone, after the
    // collateral was fetched and every hardware check passed.
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.error.code, 'attestation_invalid');
    assert.deepEqual(r.json.verdict.errors.map((e) => e.code), ['runtime_data_missing'], r.text);
    assertCollateralChecks(r.json.verdict);
    assert.deepEqual(fake.state.counts, EXPECTED_FETCHES);
    assert.equal(fake.state.total, 4);
    assert.deepEqual(cachedKinds(), TDX_ARTIFACTS.map((k) => `${k}:intel_pcs`));
    assert.equal(psql(`SELECT count(*) FROM endpoints WHERE url = '${url}'`), '0');

    // The endpoint as a registration writes it (endpoints_post.c), with
    // the reference values it stores (model.digest added): written here,
    // since over HTTP it could not be (above).
    const id = psql('SELECT gen_random_uuid()');
    const doc = JSON.stringify({ model, runtime: { mrtd: MRTD } });
    psql(`INSERT INTO endpoints (id, provider_id, url, model_name, model_digest, tee_type, status, reference_version, last_attested_at)
          VALUES ('${id}', '${p.id}', '${url}', 'tdx-model', '${model}', 'IntelTdx', 'attested', 1, now())`);
    psql(`INSERT INTO reference_values (endpoint_id, version, doc, sha256, created_by)
          VALUES ('${id}', 1, '${doc}', '${sha256(doc)}', 'attestation-path test')`);

    const h = await request(d, 'PUT', `/api/endpoints/${id}/attestation`, { attestation: QUOTE.toString('base64') }, bearer(p.key));
    assert.equal(h.status, 200, h.text);
    assert.equal(h.json.id, id);
    assert.equal(h.json.status, 'failed', 'the same model reason as at registration');
    assert.deepEqual(h.json.last_errors.map((e) => e.code), ['runtime_data_missing']);
    assert.deepEqual(h.json.verdict.errors.map((e) => e.code), ['runtime_data_missing'], h.text);
    assertCollateralChecks(h.json.verdict);
    // Cached: no new vendor request of any kind.
    assert.deepEqual(fake.state.counts, EXPECTED_FETCHES);
    assert.equal(fake.state.total, 4);
  } finally { await stopDaemon(d); }
});

// The hostile quote over both routes of the one attestation path: the
// verify route (200, the verdict) and the registration route (422, the
// verdict beside the error); returns both verdicts.
async function refusedEverywhere(d, quote) {
  const v = await post(d, VERIFY, { attestation: quote.toString('base64') });
  assert.equal(v.status, 200, v.text);
  const p = await newProvider(d);
  const reg = await post(d, '/api/endpoints', {
    url: `https://${uniq()}.example/hostile`, model: { name: 'm', digest: sha256('m') }, tee_type: 'IntelTdx',
    reference_values: { runtime: { mrtd: MRTD } }, attestation: quote.toString('base64'),
  }, bearer(p.key));
  assert.equal(reg.status, 422, reg.text);
  assert.equal(reg.json.error.code, 'attestation_invalid');
  return [v.json, reg.json.verdict];
}

// The good twin, on the same daemon: the vendor is asked for all four.
async function twinFetches(d, quote) {
  const r = await post(d, VERIFY, { attestation: quote.toString('base64'), expected: { runtime: { mrtd: MRTD } } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.valid, true, JSON.stringify(r.json.errors));
  assertCollateralChecks(r.json);
  assert.deepEqual(fake.state.counts, EXPECTED_FETCHES);
}

const SAMPLE_COLLATERAL = () => JSON.parse(readFileSync(join(TDX, 'collateral.json'), 'utf8'));
const codes = (v) => v.errors.map((e) => e.code);

// A quote refused for its PCK chain with CODE: no vendor request, then
// the verdicts. The order of the assertions puts what this file is about
// (no request to the vendor) first.
async function refusedForChain(quote, code) {
  const d = await daemon();
  try {
    const verdicts = await refusedEverywhere(d, quote);
    for (const v of verdicts) {
      assert.equal(v.valid, false);
      assert.equal(v.certificate_chain_valid, false);
      assert.ok(codes(v).includes(code), JSON.stringify(v.errors));
      assert.equal(v.collateral_artifacts, undefined);
    }
    assert.equal(fake.state.total, 0, JSON.stringify(fake.state.counts));
    assert.deepEqual(cachedKinds(), []);
    // With the sample's own collateral in the request (no service, no
    // vendor), the chain is the only thing wrong with the quote.
    const withColl = await post(d, VERIFY, { attestation: quote.toString('base64'), collateral: SAMPLE_COLLATERAL() });
    assert.equal(withColl.json.valid, false);
    assert.deepEqual(codes(withColl.json), [code], withColl.text);
    assert.equal(fake.state.total, 0);
    await twinFetches(d, QUOTE);
    // Sent without collateral, the verdict names the chain alone: for a
    // chain that did not verify phase 1 names no artifacts on purpose,
    // so nobody fetched any, and the reply must not blame the client for
    // collateral it was never expected to send.
    for (const v of verdicts) assert.deepEqual(codes(v), [code], JSON.stringify(v.errors));
  } finally { await stopDaemon(d); }
}

test('a PCK leaf with a broken signature: certificate_chain_invalid, and the vendor is never asked', async () => {
  await refusedForChain(brokenLeafQuote(), 'certificate_chain_invalid');
});

test('a PCK chain inflated with 200 CA certificates: pck_chain_too_long, and the vendor is never asked', async () => {
  await refusedForChain(inflatedQuote(), 'pck_chain_too_long');
});

test('evidence one byte over the size limit: evidence_too_large, and the vendor is never asked; at the limit it verifies', async () => {
  const over = paddedQuote(MAX_EVIDENCE + 1);
  const at = paddedQuote(MAX_EVIDENCE);
  const d = await daemon();
  try {
    for (const v of await refusedEverywhere(d, over)) {
      assert.equal(v.valid, false);
      assert.deepEqual(v.errors.map((e) => e.code), ['evidence_too_large'], JSON.stringify(v.errors));
      assert.equal(v.collateral_artifacts, undefined);
    }
    assert.equal(fake.state.total, 0, JSON.stringify(fake.state.counts));
    assert.deepEqual(cachedKinds(), []);
    // The same quote one byte shorter (the padding only): verified with
    // the four artifacts fetched.
    await twinFetches(d, at);
  } finally { await stopDaemon(d); }
});
