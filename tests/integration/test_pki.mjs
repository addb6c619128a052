// A test Intel PKI (issue 17: a lower-status TCB Info and a revoked PCK,
// cases no real Intel-signed data shows), made at test time in a tmp
// directory, for a daemon started with intel_root_ca_file /
// intel_root_ca_sha256 (docs/operations.md, "A custom Intel root").
//
// - The openssl CLI makes the X.509 parts (`openssl ca`, dates pinned
//   with -startdate/-enddate and -crl_lastupdate/-crl_nextupdate): a root
//   CA, a PCK Platform CA and a TCB Signing certificate under it (the
//   real chains' names, key usages and constraints), and a PCK leaf that
//   carries the real quote's PCK leaf SGX extension (1.2.840.113741.1.13.1:
//   FMSPC, TCB components, PCE SVN) byte for byte with a fresh key; the
//   PCK CRL without and with that leaf's serial revoked; a root CRL.
// - node:crypto signs with ECDSA P-256 where Intel signs raw r||s
//   (dsaEncoding 'ieee-p1363'): the QE report of the rewritten quote, and
//   TCB Info / QE Identity over the exact bytes of their tcbInfo /
//   enclaveIdentity text.
// - The real quote is rewritten: header, body, attestation key and its
//   signature (over header||body only: still valid), QE report and QE
//   authentication data kept; the PEM chain of the certification data
//   (type 6 -> QE report certification data -> type 5) replaced by the
//   test chain, the QE report signed again with the test PCK leaf key,
//   every length field (type 5 size, type 6 size, signature data length)
//   set again. Trailing bytes after the signature data are kept.
//
// The TCB Info and QE Identity are the real ones' text, only signed by
// the test TCB Signing key; the "newer" TCB Info is the real one with a
// higher tcbEvaluationDataNumber, a later issueDate and the quote's TCB
// level (the first, highest, level: the quote is UpToDate under it)
// lowered to OutOfDate with an advisory.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, createPrivateKey, sign, randomBytes } from 'node:crypto';

const SGX_EXT = '1.2.840.113741.1.13.1';
const O = 'O=Intel Corporation/L=Santa Clara/ST=CA/C=US';

function ossl(dir, args, input) {
  return execFileSync('openssl', args, { cwd: dir, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

// YYYYMMDDHHMMSSZ of an RFC 3339 time (openssl ca's date form).
const asn1 = (t) => new Date(t).toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');

// Layout of a v4 quote's signature data (Intel TDX DCAP Quote Generation
// Library and Quote Verification Library, Appendix A: Quote format):
// header 48, TD report body 584, then u32 signature data length; ECDSA
// signature 64, attestation key 64, certification data u16 type (6) u32
// size: QE report 384, its signature 64, u16 auth data length, auth
// data, u16 type (5), u32 size, PEM chain.
export function quoteParts(q) {
  const HDR = 48, BODY = 584;
  if (q.readUInt16LE(0) !== 4) throw new Error('want a v4 quote');
  const sigLenAt = HDR + BODY;
  const sigLen = q.readUInt32LE(sigLenAt);
  let o = sigLenAt + 4 + 128;
  if (q.readUInt16LE(o) !== 6) throw new Error('want certification data type 6');
  const qeReportAt = o + 6;
  o = qeReportAt + 384 + 64;
  const authLen = q.readUInt16LE(o);
  o += 2 + authLen;
  if (q.readUInt16LE(o) !== 5) throw new Error('want certification data type 5');
  const pemLen = q.readUInt32LE(o + 2);
  const pemAt = o + 6;
  const end = sigLenAt + 4 + sigLen;
  if (pemAt + pemLen !== end) throw new Error('certification data sizes do not add up');
  return { sigLenAt, qeReportAt, authEnd: o, pemAt, pemLen, end, pem: q.subarray(pemAt, pemAt + pemLen).toString('latin1') };
}

const pems = (text) => text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g);

// The DER of the SGX extension's value (the OCTET STRING's content) of
// the PEM certificate CERT.
function sgxExtension(dir, cert) {
  writeFileSync(join(dir, 'real_leaf.pem'), cert);
  const lines = ossl(dir, ['asn1parse', '-in', 'real_leaf.pem']).split('\n');
  const i = lines.findIndex((l) => l.includes(`:${SGX_EXT}`));
  const m = i >= 0 && /OCTET STRING\s+\[HEX DUMP\]:([0-9A-F]+)/.exec(lines[i + 1]);
  if (!m) throw new Error('the real PCK leaf has no SGX extension');
  return m[1];
}

function caConf(dir, sgxHex) {
  const ca = (name) => `[ca_${name}]
dir = ${join(dir, name)}
database = $dir/index.txt
serial = $dir/serial
crlnumber = $dir/crlnumber
new_certs_dir = $dir
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
preserve = yes
crl_extensions = crl_ext
`;
  return `[ca]
default_ca = ca_root
${ca('root')}
${ca('pck')}
[policy_any]
commonName = supplied
organizationName = optional
localityName = optional
stateOrProvinceName = optional
countryName = optional
[crl_ext]
authorityKeyIdentifier = keyid:always
[ext_root]
basicConstraints = critical,CA:TRUE,pathlen:1
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:https://certificates.trustedservices.intel.com/IntelSGXRootCA.der
[ext_ca]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:https://certificates.trustedservices.intel.com/IntelSGXRootCA.der
[ext_signer]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:https://certificates.trustedservices.intel.com/IntelSGXRootCA.der
[ext_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:https://api.trustedservices.intel.com/sgx/certification/v4/pckcrl?ca=platform&encoding=der
${SGX_EXT} = DER:${sgxHex}
`;
}

// Signs TEXT (a tcbInfo / enclaveIdentity value, exact bytes) with KEY:
// hex of r||s, as Intel's *_signature fields.
const signHex = (key, text) => sign('sha256', Buffer.from(text, 'utf8'), { key, dsaEncoding: 'ieee-p1363' }).toString('hex');

/*
 * Makes the PKI and the test artifacts. QUOTE: the real quote's bytes;
 * COLLATERAL: its real collateral (the flat JSON of collateral.json);
 * FROM / UNTIL: the certificates' window; CRLS_AT: the CRLs' lastUpdate
 * (the revoking one REVOKED_AT), CRL_UNTIL their nextUpdate; NEWER: the
 * issue date of the newer TCB Info. Returns paths and objects:
 *   rootFile, rootSha256, quote (Buffer), collateral (flat JSON object),
 *   newerTcbInfo, revokingCrl (flat JSON objects for
 *   `teepass collateral import`), leafSerial (hex), dir.
 */
export function makeTestPki({ quote, collateral, from, until, crlsAt, revokedAt, crlUntil, newer }) {
  const dir = mkdtempSync(join(tmpdir(), 'teepass-pki-'));
  const parts = quoteParts(quote);
  const realLeaf = pems(parts.pem)[0];
  const sgxHex = sgxExtension(dir, realLeaf);
  const leafSerial = '3c' + randomBytes(19).toString('hex');
  for (const ca of ['root', 'pck']) {
    execFileSync('mkdir', ['-p', join(dir, ca)]);
    writeFileSync(join(dir, ca, 'index.txt'), '');
    writeFileSync(join(dir, ca, 'crlnumber'), '01\n');
  }
  writeFileSync(join(dir, 'root', 'serial'), randomBytes(16).toString('hex') + '\n');
  writeFileSync(join(dir, 'pck', 'serial'), leafSerial + '\n');
  writeFileSync(join(dir, 'ca.cnf'), caConf(dir, sgxHex));
  const cnf = ['-config', 'ca.cnf', '-batch', '-notext', '-startdate', asn1(from), '-enddate', asn1(until)];
  const make = (name, cn, ca, ext, selfsign) => {
    ossl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-pkeyopt', 'ec_param_enc:named_curve', '-out', `${name}.key`]);
    ossl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}/${O}`, '-out', `${name}.csr`]);
    const signer = selfsign ? ['-selfsign', '-keyfile', `${name}.key`] : ['-keyfile', `${ca}.key`, '-cert', `${ca}.pem`];
    ossl(dir, ['ca', ...cnf, '-name', `ca_${ca}`, ...signer, '-extensions', ext, '-in', `${name}.csr`, '-out', `${name}.pem`]);
    return readFileSync(join(dir, `${name}.pem`), 'utf8');
  };
  const root = make('root', 'Intel SGX Root CA', 'root', 'ext_root', true);
  const pckCa = make('pck', 'Intel SGX PCK Platform CA', 'root', 'ext_ca', false);
  const signer = make('tcb', 'Intel SGX TCB Signing', 'root', 'ext_signer', false);
  const leaf = make('leaf', 'Intel SGX PCK Certificate', 'pck', 'ext_leaf', false);
  ossl(dir, ['x509', '-in', 'root.pem', '-outform', 'DER', '-out', 'root.der']);
  const rootDer = readFileSync(join(dir, 'root.der'));
  const rootSha256 = createHash('sha256').update(rootDer).digest('hex');

  const crl = (ca, out, at) => {
    ossl(dir, ['ca', '-config', 'ca.cnf', '-batch', '-name', `ca_${ca}`, '-keyfile', `${ca}.key`, '-cert', `${ca}.pem`,
      '-gencrl', '-crl_lastupdate', asn1(at), '-crl_nextupdate', asn1(crlUntil), '-out', `${out}.pem`]);
    ossl(dir, ['crl', '-in', `${out}.pem`, '-outform', 'DER', '-out', `${out}.der`]);
    return readFileSync(join(dir, `${out}.der`)).toString('hex');
  };
  const rootCrl = crl('root', 'root_crl', crlsAt);
  const pckCrl = crl('pck', 'pck_crl', crlsAt);
  ossl(dir, ['ca', '-config', 'ca.cnf', '-batch', '-name', 'ca_pck', '-keyfile', 'pck.key', '-cert', 'pck.pem',
    '-revoke', 'leaf.pem', '-crl_reason', 'keyCompromise']);
  const pckCrlRevoked = crl('pck', 'pck_crl_revoked', revokedAt);

  // The quote with the test chain and the QE report signed by the test
  // PCK leaf key.
  const leafKey = createPrivateKey(readFileSync(join(dir, 'leaf.key')));
  const chain = Buffer.from(leaf + pckCa + root + '\0', 'latin1');
  const head = Buffer.from(quote.subarray(0, parts.authEnd + 2));
  const qeReport = head.subarray(parts.qeReportAt, parts.qeReportAt + 384);
  sign('sha256', qeReport, { key: leafKey, dsaEncoding: 'ieee-p1363' }).copy(head, parts.qeReportAt + 384);
  const size5 = Buffer.alloc(4);
  size5.writeUInt32LE(chain.length);
  const out = Buffer.concat([head, size5, chain, quote.subarray(parts.end)]);
  const newEnd = parts.authEnd + 6 + chain.length;
  out.writeUInt32LE(newEnd - (parts.qeReportAt), parts.qeReportAt - 4);     // type 6 size
  out.writeUInt32LE(newEnd - (parts.sigLenAt + 4), parts.sigLenAt);          // signature data length

  // Collateral signed by the test TCB Signing key.
  const tcbKey = createPrivateKey(readFileSync(join(dir, 'tcb.key')));
  const pckCaChain = pckCa + root;
  const signerChain = signer + root;
  const base = {
    tcb_info: collateral.tcb_info,
    tcb_info_signature: signHex(tcbKey, collateral.tcb_info),
    tcb_info_issuer_chain: signerChain,
    qe_identity: collateral.qe_identity,
    qe_identity_signature: signHex(tcbKey, collateral.qe_identity),
    qe_identity_issuer_chain: signerChain,
    pck_crl: pckCrl,
    pck_crl_issuer_chain: pckCaChain,
    root_ca_crl: rootCrl,
  };
  const t = JSON.parse(collateral.tcb_info);
  t.tcbEvaluationDataNumber += 1;
  t.issueDate = newer;
  t.tcbLevels[0].tcbStatus = 'OutOfDate';
  t.tcbLevels[0].advisoryIDs = ['INTEL-SA-00999'];
  const lowered = JSON.stringify(t);
  const newerTcbInfo = { tcb_info: lowered, tcb_info_signature: signHex(tcbKey, lowered), tcb_info_issuer_chain: signerChain };
  const revokingCrl = { pck_crl: pckCrlRevoked, pck_crl_issuer_chain: pckCaChain };
  return { dir, rootFile: join(dir, 'root.der'), rootPem: join(dir, 'root.pem'), rootSha256, quote: out, collateral: base, newerTcbInfo, revokingCrl, leafSerial };
}
