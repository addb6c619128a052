// A fake Intel PCS (v4 paths, as a PCCS serves them too), AMD KDS and
// NVIDIA NRAS JWKS endpoint on 127.0.0.1, serving the REAL collateral of tests/data with the vendors'
// headers (URL-encoded PEM issuer chains) and status codes. Failure modes
// are switched per test; every request is counted by path.
import { createServer } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const hex2buf = (h) => Buffer.from(h, 'hex');

// Intel: the dcap-qvl flat collateral of the TDX and SGX samples.
function loadIntel(root) {
  const tcb = {}; const qe = {}; const pckcrl = {}; let rootcrl = null;
  for (const dir of ['tdx/dcapqvl_v4_uptodate', 'sgx/dcapqvl_v3_processor_ca']) {
    const c = JSON.parse(readFileSync(join(root, 'tests/data', dir, 'collateral.json'), 'utf8'));
    const t = JSON.parse(c.tcb_info);
    const tee = t.id.toLowerCase();
    tcb[`${tee}/${t.fmspc.toLowerCase()}`] = {
      body: `{"tcbInfo":${c.tcb_info},"signature":"${c.tcb_info_signature}"}`,
      chain: c.tcb_info_issuer_chain,
    };
    qe[JSON.parse(c.qe_identity).id === 'TD_QE' ? 'tdx' : 'sgx'] = {
      body: `{"enclaveIdentity":${c.qe_identity},"signature":"${c.qe_identity_signature}"}`,
      chain: c.qe_identity_issuer_chain,
    };
    // The CRL's issuer name says which PCK CA signed it.
    const ca = hex2buf(c.pck_crl).includes('Intel SGX PCK Processor CA') ? 'processor' : 'platform';
    pckcrl[ca] = { body: hex2buf(c.pck_crl), chain: c.pck_crl_issuer_chain };
    rootcrl = hex2buf(c.root_ca_crl);
  }
  return { tcb, qe, pckcrl, rootcrl };
}

// AMD: every sample's VCEK, keyed by product and hwid (the report's
// CHIP_ID at 0x1A0).
function loadAmd(root) {
  const vcek = {};
  const base = join(root, 'tests/data/snp');
  for (const dir of readdirSync(base, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    const report = readFileSync(join(base, dir.name, 'report.bin'));
    const product = /milan/.test(dir.name) ? 'Milan' : 'Genoa';
    const hwid = report.subarray(0x1a0, 0x1e0).toString('hex');
    vcek[`${product}/${hwid}`] = readFileSync(join(base, dir.name, 'vcek.der'));
  }
  return vcek;
}

// NVIDIA: the NRAS key set saved beside the Tinfoil H100 token.
const NRAS_JWKS_PATH = '/nras/.well-known/jwks.json';
const loadNras = (root) => readFileSync(join(root, 'tests/data/nvidia/teep_tinfoil_h100_nras_20260629/nras_jwks.json'));

export async function startFakeVendor(root) {
  const intel = loadIntel(root);
  const amd = loadAmd(root);
  const nrasJwks = loadNras(root);
  const state = {
    mode: 'ok',          // ok | 404 | 429 | 500 | hang | hold | truncate
                         // | badsig | notjson | nokeys (the JWKS)
    match: null,         // RegExp of paths the mode applies to (null: all)
    retryAfter: null,    // Retry-After value with 429/500
    counts: {},          // path -> requests
    total: 0,
    hanging: [],
    held: [],            // 'hold': requests answered (as 'ok') by serveHeld()
    apiKeys: {},         // path -> Ocp-Apim-Subscription-Key received
    ocspReply: Buffer.from('<html>not an OCSP response</html>'),
    ocspRequests: [],    // {contentType, firstByte} of each POST /ocsp
    ocspResponder: null, // (request DER) => response DER, instead of ocspReply
    amdChain: {},        // product -> KDS cert_chain body instead of the real one
    amdCrl: {},          // product -> KDS crl body (none: 404, as no real
                         // AMD CRL is available offline)
  };
  const send = (res, status, headers, body) => {
    res.writeHead(status, headers);
    res.end(body);
  };
  const srv = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    state.total++;
    state.counts[url.pathname + url.search] = (state.counts[url.pathname + url.search] || 0) + 1;
    if (req.headers['ocp-apim-subscription-key'] !== undefined)
      state.apiKeys[url.pathname] = req.headers['ocp-apim-subscription-key'];
    const applies = state.match === null || state.match.test(url.pathname + url.search);
    const mode = applies ? state.mode : 'ok';
    if (mode === 'hang') { state.hanging.push(res); return; }
    // Held, not dropped: answered as in 'ok' mode when the test says so.
    if (mode === 'hold') { state.held.push({ path: url.pathname + url.search, res, answer: () => serve(req, res, url, 'ok') }); return; }
    serve(req, res, url, mode);
  });
  const serve = (req, res, url, mode) => {
    if (req.method === 'POST' && url.pathname === '/ocsp') {
      const parts = [];
      req.on('data', (c) => parts.push(c));
      req.on('end', () => {
        const b = Buffer.concat(parts);
        state.ocspRequests.push({ contentType: req.headers['content-type'], firstByte: b[0], length: b.length });
        const reply = state.ocspResponder ? state.ocspResponder(b) : state.ocspReply;
        send(res, 200, { 'Content-Type': 'application/ocsp-response' }, reply);
      });
      return;
    }
    if (mode === '404') return send(res, 404, {}, '');
    if (mode === '429' || mode === '500') {
      const h = state.retryAfter !== null ? { 'Retry-After': String(state.retryAfter) } : {};
      return send(res, Number(mode), h, 'busy');
    }
    let m; let body = null; const headers = {};
    if ((m = url.pathname.match(/^\/(sgx|tdx)\/certification\/v4\/tcb$/))) {
      const e = intel.tcb[`${m[1]}/${(url.searchParams.get('fmspc') || '').toLowerCase()}`];
      if (e) { body = e.body; headers['TCB-Info-Issuer-Chain'] = encodeURIComponent(e.chain); }
      headers['Content-Type'] = 'application/json';
    } else if ((m = url.pathname.match(/^\/(sgx|tdx)\/certification\/v4\/qe\/identity$/))) {
      const e = intel.qe[m[1]];
      if (e) { body = e.body; headers['SGX-Enclave-Identity-Issuer-Chain'] = encodeURIComponent(e.chain); }
      headers['Content-Type'] = 'application/json';
    } else if (url.pathname === '/sgx/certification/v4/pckcrl') {
      const e = intel.pckcrl[url.searchParams.get('ca')];
      if (e) { body = e.body; headers['SGX-PCK-CRL-Issuer-Chain'] = encodeURIComponent(e.chain); }
      headers['Content-Type'] = 'application/pkix-crl';
    } else if (url.pathname === '/sgx/certification/v4/rootcacrl' || url.pathname === '/IntelSGXRootCA.der') {
      body = intel.rootcrl;
      headers['Content-Type'] = 'application/pkix-crl';
    } else if ((m = url.pathname.match(/^\/vcek\/v1\/(Milan|Genoa|Turin)\/cert_chain$/))) {
      // KDS cert_chain: PEM, ASK then ARK, i.e. config/trust/ask_ark_*.pem.
      body = state.amdChain[m[1]] ?? readFileSync(join(root, `config/trust/ask_ark_${m[1].toLowerCase()}.pem`));
      headers['Content-Type'] = 'application/x-pem-file';
    } else if ((m = url.pathname.match(/^\/vcek\/v1\/(Milan|Genoa|Turin)\/crl$/))) {
      body = state.amdCrl[m[1]] ?? null;
      headers['Content-Type'] = 'application/pkix-crl';
    } else if ((m = url.pathname.match(/^\/vcek\/v1\/(Milan|Genoa|Turin)\/([0-9a-f]+)$/))) {
      body = amd[`${m[1]}/${m[2]}`] || null;
      headers['Content-Type'] = 'application/pkix-cert';
      if (!body) return send(res, 404, {}, '');
    } else if (url.pathname === NRAS_JWKS_PATH) {
      body = nrasJwks;
      headers['Content-Type'] = 'application/json';
      // A tampered key set: not JSON at all, or a JSON object without keys.
      if (mode === 'notjson') body = Buffer.from('<html>maintenance</html>');
      if (mode === 'nokeys') body = Buffer.from('{"keys":[]}');
    }
    if (body === null) return send(res, 404, {}, '');
    let buf = Buffer.from(body);
    if (mode === 'badsig') {
      // Flip one byte of what the signature covers: the tcbInfo's or
      // enclaveIdentity's issue date, a CRL's or a certificate's last byte.
      const s = buf.toString();
      if (s.startsWith('{')) buf = Buffer.from(s.replace(/"tcbEvaluationDataNumber":(\d)/, (_, d) => `"tcbEvaluationDataNumber":${(Number(d) + 1) % 10}`));
      else { buf = Buffer.from(buf); buf[buf.length - 40] ^= 1; }
    }
    if (mode === 'truncate') {
      headers['Content-Length'] = String(buf.length);
      res.writeHead(200, headers);
      res.write(buf.subarray(0, buf.length >> 1));
      res.destroy();
      return;
    }
    return send(res, 200, headers, buf);
  };
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${srv.address().port}`;
  return {
    base,
    state,
    nrasJwksPath: NRAS_JWKS_PATH,
    set(mode, { match = null, retryAfter = null } = {}) {
      state.mode = mode; state.match = match; state.retryAfter = retryAfter;
      if (mode !== 'hang' && mode !== 'hold') this.release();
    },
    reset() {
      state.counts = {}; state.total = 0; state.apiKeys = {}; state.ocspRequests = [];
      state.amdChain = {}; state.amdCrl = {};
      state.ocspResponder = null; state.ocspReply = Buffer.from('<html>not an OCSP response</html>');
    },
    // Drops what 'hang' and 'hold' kept (the connections are reset).
    release() {
      for (const r of state.hanging.splice(0)) r.destroy();
      for (const h of state.held.splice(0)) h.res.destroy();
    },
    // Leaves 'hold' for 'ok' and answers every held request as 'ok' does.
    serveHeld() {
      state.mode = 'ok'; state.match = null;
      for (const h of state.held.splice(0)) h.answer();
    },
    env() {
      return {
        TEEPASS_INTEL_PCS_URL: base,
        TEEPASS_INTEL_ROOT_CRL_URL: `${base}/IntelSGXRootCA.der`,
        TEEPASS_AMD_KDS_URL: base,
        TEEPASS_NVIDIA_NRAS_JWKS_URL: `${base}${NRAS_JWKS_PATH}`,
        TEEPASS_NVIDIA_OCSP_URL: `${base}/ocsp`,
      };
    },
    async close() {
      this.release();
      srv.closeAllConnections?.();
      await new Promise((r) => srv.close(r));
    },
  };
}
