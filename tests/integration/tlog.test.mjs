// The transparency log (issue 17, docs/transparency.md) from the outside:
// every proof the server hands out is checked by the RFC 9162 verification
// algorithms (sections 2.1.3.2 and 2.1.4.2) written here in JavaScript,
// and every checkpoint's C2SP signed-note Ed25519 signature by node:crypto
// — none of this shares code with the server's C.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, verify as edVerify, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  startDaemon, stopDaemon, get, post, psql, mockEvidence, mockEvidenceMr, sha256,
  createAdminKey, bearer, request, writeTmp, BIN,
} from './lib.mjs';

let d, vkey;
before(async () => {
  d = await startDaemon();
  const k = await get(d, '/api/log/key');
  assert.equal(k.status, 200, k.text);
  vkey = k.json.verifier_key;
});
after(async () => { await stopDaemon(d); });

// --- RFC 9162 2.1, from the text ----------------------------------------
const H = (...parts) => createHash('sha256').update(Buffer.concat(parts)).digest();
const leafHash = (bytes) => H(Buffer.from([0]), Buffer.from(bytes));
const nodeHash = (l, r) => H(Buffer.from([1]), l, r);

// 2.1.3.2: verifying an inclusion proof.
function verifyInclusion(leafIndex, treeSize, leaf, path, root) {
  if (leafIndex >= treeSize) return false;
  let fn = BigInt(leafIndex), sn = BigInt(treeSize) - 1n, r = leaf;
  for (const p of path) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return sn === 0n && r.equals(root);
}

// 2.1.4.2: verifying a consistency proof.
function verifyConsistency(first, second, firstHash, secondHash, path) {
  if (first === second) return path.length === 0 && firstHash.equals(secondHash);
  if (path.length === 0 || first > second) return false;
  let p = [...path];
  const pow2 = (first & (first - 1)) === 0;
  if (pow2) p = [firstHash, ...p];
  let fn = BigInt(first) - 1n, sn = BigInt(second) - 1n;
  while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
  let fr = p[0], sr = p[0];
  for (const c of p.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr); sr = nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return fr.equals(firstHash) && sr.equals(secondHash) && sn === 0n;
}

// The reference roots of RFC 6962's eight test leaves: the JS checker is
// itself checked before it checks the server.
test('the JavaScript RFC 9162 checker reproduces the CT reference proofs', () => {
  const leaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657',
    '606162636465666768696a6b6c6d6e6f'].map((h) => leafHash(Buffer.from(h, 'hex')));
  const root8 = Buffer.from('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328', 'hex');
  const root6 = Buffer.from('76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef', 'hex');
  const p = ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'].map((h) => Buffer.from(h, 'hex'));
  assert.ok(verifyInclusion(5, 8, leaves[5], p, root8));
  assert.ok(!verifyInclusion(4, 8, leaves[5], p, root8));
  const c = ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'].map((h) => Buffer.from(h, 'hex'));
  assert.ok(verifyConsistency(6, 8, root6, root8, c));
  assert.ok(!verifyConsistency(6, 8, root8, root8, c));
});

// --- C2SP signed note / tlog-checkpoint ----------------------------------
function parseVkey(s) {
  // The base64 key may itself contain '+': split at the first two.
  const a = s.indexOf('+'), b = s.indexOf('+', a + 1);
  const name = s.slice(0, a), idHex = s.slice(a + 1, b), b64 = s.slice(b + 1);
  const raw = Buffer.from(b64, 'base64');
  assert.equal(raw.length, 33);
  assert.equal(raw[0], 1, 'signature type Ed25519');
  const id = H(Buffer.from(name), Buffer.from([0x0a, 0x01]), raw.subarray(1)).subarray(0, 4);
  assert.equal(id.toString('hex'), idHex, 'key id = SHA-256(name || 0x0A || 0x01 || key)[:4]');
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw.subarray(1)]);
  return { name, id, key: createPublicKey({ key: spki, format: 'der', type: 'spki' }) };
}

// Verifies the note's signature and returns {origin, size, root}.
function openCheckpoint(note, vk) {
  const split = note.lastIndexOf('\n\n');
  assert.ok(split > 0, 'a blank line before the signatures');
  const body = note.slice(0, split + 1);
  const sigLines = note.slice(split + 2).split('\n').filter((l) => l !== '');
  const mine = sigLines.find((l) => l.startsWith(`\u2014 ${vk.name} `));
  assert.ok(mine, `a signature line by ${vk.name}`);
  const blob = Buffer.from(mine.slice(vk.name.length + 3), 'base64');
  assert.equal(blob.length, 68);
  assert.ok(blob.subarray(0, 4).equals(vk.id), 'the key id of the signature');
  const ok = edVerify(null, Buffer.from(body, 'utf8'), vk.key, blob.subarray(4));
  const [origin, size, root] = body.split('\n');
  return { ok, origin, size: Number(size), root: Buffer.from(root, 'base64') };
}

async function checkpoint() {
  const r = await get(d, '/api/log/checkpoint');
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/plain/);
  const cp = openCheckpoint(r.text, parseVkey(vkey));
  assert.ok(cp.ok, 'checkpoint signature verifies with the published key');
  assert.equal(cp.origin, parseVkey(vkey).name);
  assert.match(String(cp.size), /^\d+$/);
  assert.equal(cp.root.length, 32);
  return { ...cp, note: r.text };
}

const b64s = (a) => a.map((h) => Buffer.from(h, 'base64'));

async function issue(tag) {
  const ev = mockEvidence({ model: sha256(`tlog ${tag} ${randomBytes(8).toString('hex')}`) });
  const r = await post(d, '/api/verify/tee-attestation', { attestation: ev.attestation, runtime_data: ev.runtime_data });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.valid, true, JSON.stringify(r.json.errors));
  assert.ok(r.json.passport?.token);
  return r.json;
}

const saved = [];

test('each new passport comes with its inclusion proof in the checkpoint just signed', async () => {
  for (let i = 0; i < 5; i++) {
    const v = await issue(`seq ${i}`);
    const t = v.transparency_log;
    assert.ok(t, 'the verify reply carries transparency_log');
    assert.ok(Number.isInteger(t.leaf_index) && t.leaf_index >= 0);
    assert.ok(t.tree_size > t.leaf_index);
    // Nothing else is issued in between: the latest checkpoint is the
    // tree the proof is for.
    const cp = await checkpoint();
    assert.equal(cp.size, t.tree_size);
    assert.ok(verifyInclusion(t.leaf_index, t.tree_size, leafHash(Buffer.from(v.passport.token, 'utf8')),
      b64s(t.hashes), cp.root), 'the reply proof verifies against the signed root');
    // Committed before the reply, leaf = the JWS bytes.
    assert.equal(psql(`select leaf_index from tlog_entries where passport_id = '${v.passport.id}'`), String(t.leaf_index));
    assert.equal(psql(`select convert_from(leaf, 'UTF8') = '${v.passport.token}' from tlog_entries where passport_id = '${v.passport.id}'`), 't');
    assert.equal(psql(`select encode(leaf_hash, 'hex') from tlog_entries where passport_id = '${v.passport.id}'`),
      leafHash(Buffer.from(v.passport.token, 'utf8')).toString('hex'));
    saved.push({ cp, v });
  }
});

test('GET /api/passports/{id}/inclusion against the latest and older tree sizes', async () => {
  const latest = await checkpoint();
  for (const { cp, v } of saved) {
    const leaf = leafHash(Buffer.from(v.passport.token, 'utf8'));
    const now = await get(d, `/api/passports/${v.passport.id}/inclusion`);
    assert.equal(now.status, 200, now.text);
    assert.equal(now.json.tree_size, latest.size);
    assert.ok(verifyInclusion(now.json.leaf_index, latest.size, leaf, b64s(now.json.hashes), latest.root));
    const old = await get(d, `/api/passports/${v.passport.id}/inclusion?tree_size=${cp.size}`);
    assert.equal(old.status, 200, old.text);
    assert.equal(old.json.tree_size, cp.size);
    assert.ok(verifyInclusion(old.json.leaf_index, cp.size, leaf, b64s(old.json.hashes), cp.root));
    // The proof of another passport's leaf does not verify for this one.
    assert.ok(!verifyInclusion(now.json.leaf_index, latest.size,
      leafHash(Buffer.from(v.passport.token + 'x')), b64s(now.json.hashes), latest.root));
  }
});

test('consistency proofs between every pair of saved checkpoints', async () => {
  const latest = await checkpoint();
  const cps = [...saved.map((s) => s.cp), latest];
  for (let i = 0; i < cps.length; i++) {
    for (let j = i; j < cps.length; j++) {
      const r = await get(d, `/api/log/consistency?from=${cps[i].size}&to=${cps[j].size}`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.from, cps[i].size);
      assert.equal(r.json.to, cps[j].size);
      assert.ok(verifyConsistency(cps[i].size, cps[j].size, cps[i].root, cps[j].root, b64s(r.json.hashes)),
        `consistency ${cps[i].size} -> ${cps[j].size}`);
      if (cps[i].size < cps[j].size) assert.ok(!verifyConsistency(cps[i].size, cps[j].size, cps[j].root, cps[j].root, b64s(r.json.hashes)));
    }
  }
  // "to" defaults to the latest size.
  const r = await get(d, `/api/log/consistency?from=${cps[0].size}`);
  assert.equal(r.json.to, latest.size);
});

test('concurrent verifications: distinct consecutive leaf indexes, every proof verifies', async () => {
  const before = (await checkpoint()).size;
  const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => issue(`par ${i}`)));
  const latest = await checkpoint();
  assert.equal(latest.size, before + 8);
  const idx = replies.map((v) => v.transparency_log.leaf_index).sort((a, b) => a - b);
  assert.deepEqual(idx, Array.from({ length: 8 }, (_, i) => before + i));
  for (const v of replies) {
    const r = await get(d, `/api/passports/${v.passport.id}/inclusion`);
    assert.ok(verifyInclusion(r.json.leaf_index, latest.size, leafHash(Buffer.from(v.passport.token)),
      b64s(r.json.hashes), latest.root));
  }
});

test('two instances on one database: each sequences in turn, every reply proof verifies against its signed checkpoint', async () => {
  // Each instance keeps the tree's right edge and its last batch in
  // memory; the other's appends must make it read the stored tree again.
  const e = await startDaemon();
  try {
    const before = (await checkpoint()).size;
    const one = async (dd, tag) => {
      const ev = mockEvidence({ model: sha256(`tlog two ${tag} ${randomBytes(8).toString('hex')}`) });
      const r = await post(dd, '/api/verify/tee-attestation', { attestation: ev.attestation, runtime_data: ev.runtime_data });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.valid, true, JSON.stringify(r.json.errors));
      return r.json;
    };
    const replies = [];
    for (let round = 0; round < 4; round++)
      replies.push(...await Promise.all(Array.from({ length: 6 }, (_, i) => one(i % 2 ? e : d, `${round} ${i}`))));
    const vk = parseVkey(vkey);
    for (const v of replies) {
      const t = v.transparency_log;
      assert.ok(t, 'the verify reply carries transparency_log');
      const note = psql(`select note from tlog_checkpoints where tree_size = ${t.tree_size}`);
      const cp = openCheckpoint(note + '\n', vk);
      assert.ok(cp.ok, 'the checkpoint of that size is signed');
      assert.equal(cp.size, t.tree_size);
      assert.ok(verifyInclusion(t.leaf_index, t.tree_size, leafHash(Buffer.from(v.passport.token, 'utf8')),
        b64s(t.hashes), cp.root), `leaf ${t.leaf_index} in ${t.tree_size}`);
      assert.equal(psql(`select leaf_index from tlog_entries where passport_id = '${v.passport.id}'`), String(t.leaf_index));
    }
    const idx = replies.map((v) => v.transparency_log.leaf_index).sort((a, b) => a - b);
    assert.deepEqual(idx, Array.from({ length: replies.length }, (_, i) => before + i));
    const r = cli(['--database', '--key', vkey]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  } finally {
    await stopDaemon(e);
  }
});

test('an entry committed but never sequenced (a crash before the sequencer ran) is sequenced by the next append', async () => {
  const src = saved[0].v.passport.id;
  const before = await checkpoint();
  // The token's columns: whole (before migration 0007) or as its parts.
  const id = psql(`insert into passports (id, verified_at, expires_at, ear_status, tee_type, hardware_attested,
    claims, token, jws_header, jws_payload, jws_signature, kid, evidence, evidence_sha256, request_sha256)
    select gen_random_uuid(), verified_at, expires_at, ear_status, tee_type, hardware_attested, claims,
    token, jws_header, jws_payload, jws_signature, kid, evidence, evidence_sha256, 'crash-test' from passports where id = '${src}' returning id`).split('\n')[0];
  assert.equal(psql(`select count(*) from tlog_entries where leaf_index is null`), '1');
  const after = await checkpoint();
  assert.equal(after.size, before.size + 1);
  assert.equal(psql(`select count(*) from tlog_entries where leaf_index is null`), '0');
  const r = await get(d, `/api/passports/${id}/inclusion`);
  assert.equal(r.json.leaf_index, before.size);
  const tok = psql(`select coalesce(token, passport_jws_of(jws_header, kid, jws_payload, jws_signature)) from passports where id = '${id}'`);
  // Inserted by another statement than teepassd's: the trigger computed
  // the leaf hash (migration 0016).
  assert.equal(psql(`select encode(leaf_hash, 'hex') from tlog_entries where passport_id = '${id}'`),
    leafHash(Buffer.from(tok)).toString('hex'));
  assert.ok(verifyInclusion(r.json.leaf_index, after.size, leafHash(Buffer.from(tok)), b64s(r.json.hashes), after.root));
});

test('reference-value changes are logged as canonical JSON records', async () => {
  const admin = createAdminKey('tlog tests');
  const pr = await post(d, '/api/providers', { name: `tlog ${randomBytes(4).toString('hex')}` }, bearer(admin));
  assert.equal(pr.status, 201, pr.text);
  const key = pr.json.api_key.token;
  const model = sha256(`tlog model ${randomBytes(6).toString('hex')}`);
  const mr0 = 'c3'.repeat(48);
  const ev = mockEvidenceMr({ model, mr: { mr0 } });
  const e = await post(d, '/api/endpoints', {
    url: `https://${randomBytes(6).toString('hex')}.example/v1`, model: { name: 'm', digest: model },
    tee_type: 'mock', reference_values: { runtime: { mr0 } },
    attestation: ev.attestation, runtime_data: ev.runtime_data,
  }, bearer(key));
  assert.equal(e.status, 201, e.text);
  const p = await request(d, 'PATCH', `/api/endpoints/${e.json.id}`, { reference_values: { runtime: { mr0: 'd4'.repeat(48) } } }, bearer(key));
  assert.equal(p.status, 200, p.text);
  const cp = await checkpoint();
  const rows = psql(`select e.leaf_index, convert_from(e.leaf, 'UTF8'), r.sha256, encode(e.leaf_hash, 'hex') from tlog_entries e
    join reference_values r on r.endpoint_id = e.endpoint_id and r.version = e.ref_version
    where e.kind = 'reference_values' and e.endpoint_id = '${e.json.id}' order by e.ref_version`).split('\n').map((l) => l.split('|'));
  assert.equal(rows.length, 2);
  rows.forEach(([idx, leaf, digest, lh], i) => {
    // The trigger stored the leaf's RFC 9162 hash (migration 0016).
    assert.equal(lh, leafHash(Buffer.from(leaf, 'utf8')).toString('hex'));
    assert.match(leaf, /^\{"created_at":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ","endpoint_id":"[0-9a-f-]{36}","reference_sha256":"sha256:[0-9a-f]{64}","type":"teepass.reference_values","version":\d+\}$/);
    const rec = JSON.parse(leaf);
    assert.equal(rec.endpoint_id, e.json.id);
    assert.equal(rec.version, i + 1);
    assert.equal(rec.reference_sha256, digest);
    assert.ok(Number(idx) < cp.size, 'sequenced into the signed tree');
  });
});

test('hostile sizes and ranges answer 400 with a stable code', async () => {
  const cp = await checkpoint();
  const v = saved[2].v;
  const li = saved[2].v.transparency_log.leaf_index;
  for (const ts of ['abc', '', '-1', '0', String(li), String(cp.size + 1), '99999999999999999999', '1e3', '+5', ' 5', '0x10']) {
    const r = await get(d, `/api/passports/${v.passport.id}/inclusion?tree_size=${encodeURIComponent(ts)}`);
    assert.equal(r.status, 400, `tree_size=${ts}: ${r.text}`);
    assert.equal(r.json.error.code, 'log_tree_size_invalid');
  }
  for (const q of ['', 'from=0', 'from=abc', `from=3&to=2`, `from=1&to=${cp.size + 1}`, `from=${cp.size + 1}`,
    'from=-1', 'from=18446744073709551617', 'from=1&to=x']) {
    const r = await get(d, `/api/log/consistency?${q}`);
    assert.equal(r.status, 400, `${q}: ${r.text}`);
    assert.equal(r.json.error.code, 'log_range_invalid');
  }
  for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
    const r = await get(d, `/api/passports/${id}/inclusion`);
    assert.equal(r.status, 404);
    assert.equal(r.json.error.code, 'log_entry_not_found');
  }
});

function cli(args) {
  return spawnSync(join(BIN, 'teepass'), ['log', 'verify', ...args], { encoding: 'utf8' });
}

test('teepass log verify: inclusion and consistency from the HTTP API with the published key', async () => {
  const oldFile = writeTmp(`cp-old-${randomBytes(4).toString('hex')}`, saved[0].cp.note);
  await issue('cli');
  const v = saved[1].v;
  let r = cli(['--key', vkey, '--server', d.base, '--passport', v.passport.id, '--old-checkpoint', oldFile]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /ok inclusion/);
  assert.match(r.stdout, /ok consistency/);
  // A checkpoint file whose root was changed: its signature fails.
  const cp = await checkpoint();
  const lines = cp.note.split('\n');
  const root = Buffer.from(lines[2], 'base64'); root[0] ^= 1;
  lines[2] = root.toString('base64');
  const forged = writeTmp(`cp-forged-${randomBytes(4).toString('hex')}`, lines.join('\n'));
  r = cli(['--key', vkey, '--server', d.base, '--checkpoint', forged, '--passport', v.passport.id]);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /FAIL checkpoint/);
  // Another key under the same name (made here): no signature of it.
  const name = parseVkey(vkey).name;
  const pub = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
  const id = H(Buffer.from(name), Buffer.from([0x0a, 0x01]), pub).subarray(0, 4).toString('hex');
  const other = `${name}+${id}+${Buffer.concat([Buffer.from([1]), pub]).toString('base64')}`;
  r = cli(['--key', other, '--server', d.base]);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /FAIL checkpoint: note: no signature by/);
  // A key whose id does not match its name and key: refused as input.
  r = cli(['--key', `${name}+00000000+${Buffer.concat([Buffer.from([1]), pub]).toString('base64')}`, '--server', d.base]);
  assert.equal(r.status, 2, r.stdout + r.stderr);
});

test('teepass log verify --database detects a tampered stored leaf', async () => {
  let r = cli(['--database', '--key', vkey]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /ok log/);
  const idx = saved[1].v.transparency_log.leaf_index;
  const orig = psql(`select encode(leaf, 'hex') from tlog_entries where leaf_index = ${idx}`);
  psql(`update tlog_entries set leaf = leaf || '\\x20'::bytea where leaf_index = ${idx}`);
  try {
    r = cli(['--database', '--key', vkey]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`FAIL leaf ${idx}`));
    assert.match(r.stdout, /FAIL nodes: level 0 index/);
    assert.match(r.stdout, /FAIL checkpoint \d+: its signed root is not the root of the stored leaves/);
  } finally {
    psql(`update tlog_entries set leaf = decode('${orig}', 'hex') where leaf_index = ${idx}`);
  }
  r = cli(['--database', '--key', vkey]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('teepass log verify --database detects a stored leaf hash that is not its leaf\'s', async () => {
  // The sequencer builds the tree from the stored leaf hashes (migration
  // 0016), so each must be checked against its leaf.
  const idx = saved[2].v.transparency_log.leaf_index;
  const want = leafHash(Buffer.from(saved[2].v.passport.token, 'utf8')).toString('hex');
  assert.equal(psql(`select encode(leaf_hash, 'hex') from tlog_entries where leaf_index = ${idx}`), want);
  psql(`update tlog_entries set leaf_hash = sha256(leaf_hash) where leaf_index = ${idx}`);
  try {
    const r = cli(['--database', '--key', vkey]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`FAIL leaf ${idx}: its stored leaf hash is not the hash of its leaf`));
    // The leaf itself and the tree are intact.
    assert.doesNotMatch(r.stdout, /FAIL nodes|FAIL checkpoint/);
  } finally {
    psql(`update tlog_entries set leaf_hash = decode('${want}', 'hex') where leaf_index = ${idx}`);
  }
  const r = cli(['--database', '--key', vkey]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
