/*
 * AMD SEV-SNP attestation reports (issue 4): parse the report, find the
 * VCEK/VLEK, verify its chain to the pinned ARK of the report's product,
 * the report signature, the VCEK's binding to the chip and TCB, then the
 * guest policy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/sha.h>

#include "common/codec.h"
#include "common/tptime.h"
#include "verify/core/reader.h"
#include "verify/amd/snp_cert.h"
#include "verify/amd/snp_report.h"
#include "verify/amd/snp_tinfoil.h"
#include "verify/verify.h"
#include "verify/core/x509.h"

/* The limit of the loaders (load/amd.c), named in a message. */
#define SNP_COLLATERAL_MAX (64 * 1024)

/*
 * The endorsement key and its companions, borrowed: from the extended
 * report's certificate table (into the evidence) or from req->artifacts.
 */
struct snp_sources {
	const uint8_t *ek;
	size_t ek_len;
	const char *ek_origin;            /* for messages */
	const struct artifact *ek_art;    /* NULL: the certificate table */
	const struct artifact *chain_art; /* PEM ASK/ASVK [+ ARK], or NULL */
	const uint8_t *chain;
	size_t chain_len;
	const uint8_t *crl;
	size_t crl_len;
};

static bool
snp_detect(const uint8_t *buf, size_t len)
{
	struct reader r;
	uint32_t version, svn, vmpl, algo;
	uint64_t policy;

	/* VERSION, POLICY (bit 17 must be one), VMPL 0..3 and
	 * SIGNATURE_ALGO 1: specific enough without reading the rest. */
	reader_init(&r, buf, len);
	if (!reader_u32le(&r, &version) || !reader_u32le(&r, &svn) ||
	    !reader_u64le(&r, &policy) || !reader_skip(&r, 32) ||
	    !reader_u32le(&r, &vmpl) || !reader_u32le(&r, &algo))
		return false;
	/* Versions 1 and 4 are let through so that verify() names them. */
	if (version >= 1 && version <= 5 &&
	    (policy & SNP_POLICY_RESERVED_ONE) != 0 && vmpl <= 3 &&
	    algo == SNP_SIG_ALGO_ECDSA_P384_SHA384)
		return true;
	/* A Tinfoil attestation bundle (JSON) carrying such a report. */
	return snp_tinfoil_detect(buf, len);
}

/*
 * The extended report's certificate table (SEV-SNP GHCB spec, "SNP Guest
 * Request", extended guest request; layout as in the SEV-SNP ABI spec's
 * certificate table): entries of GUID (16 bytes, RFC 4122 byte order),
 * offset (u32 LE, from the start of the table) and length (u32 LE),
 * ending with an all-zero entry. Copies out the VCEK or VLEK.
 */
static const uint8_t guid_vcek[16] = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64,
                                      0x45, 0x64, 0xad, 0xc5, 0xf4, 0xb9,
                                      0x3b, 0xe8, 0xac, 0xcd};
static const uint8_t guid_vlek[16] = {0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a,
                                      0x48, 0x3e, 0xaa, 0xe6, 0x39, 0xc0,
                                      0x45, 0xa0, 0xb8, 0xa1};

static bool
cert_table_parse(const uint8_t *buf, size_t len, bool vlek,
                 struct snp_sources *src, char *why, size_t whylen)
{
	static const uint8_t zero[16];
	struct reader r, body;
	const uint8_t *guid, *cert;
	uint32_t off, n;

	reader_init(&r, buf, len);
	for (;;) {
		if (!reader_bytes(&r, 16, &guid) || !reader_u32le(&r, &off) ||
		    !reader_u32le(&r, &n)) {
			snprintf(why, whylen,
			         "certificate table: entry at 0x%zx truncated "
			         "or table not terminated by a zero entry",
			         reader_offset(&r));
			return false;
		}
		if (memcmp(guid, zero, 16) == 0 && off == 0 && n == 0)
			break;
		reader_init(&body, buf, len);
		if (!reader_skip(&body, off) ||
		    !reader_bytes(&body, n, &cert) || n == 0) {
			snprintf(why, whylen,
			         "certificate table: entry offset 0x%x length "
			         "0x%x outside the %zu-byte table",
			         off, n, len);
			return false;
		}
		if (memcmp(guid, vlek ? guid_vlek : guid_vcek, 16) != 0)
			continue;
		if (src->ek != NULL) {
			snprintf(why, whylen,
			         "certificate table: two %s entries",
			         vlek ? "VLEK" : "VCEK");
			return false;
		}
		src->ek = cert;
		src->ek_len = n;
		src->ek_origin = "extended report certificate table";
	}
	return true;
}

/*
 * Choosing among req->artifacts (filled by the loaders, load/amd.c, and
 * the collateral service, collateral/resolve.c, in that order of
 * precedence: the set's order).
 *
 * The VCEK/VLEK: the extended report's own certificate first; else the
 * first artifact of the report's key kind that is unkeyed (a request, a
 * file, a sample directory, an export) or keyed by the key this report
 * names (snp_vcek_key: the KDS layout of a directory and the collateral
 * service key their VCEKs alike), so a mirror's VCEK of another chip or
 * TCB is never taken. When several unkeyed ones qualify (an export of
 * several chips) and the first is not the request's, the one whose chip
 * and TCB are the report's is taken, else the first. Failing all that, a
 * request's or a file's certificate of the other kind (a lone "vcek" or
 * "vlek" member; a file names no kind): the checks below then say which
 * key it is.
 */

/* The origin of artifact A, for messages. */
static const char *
origin(const struct artifact *a)
{
	if (strcmp(a->source, "request") == 0)
		return "collateral";
	if (strcmp(a->source, "directory") == 0)
		return "collateral directory";
	if (strcmp(a->source, "file") == 0)
		return "collateral file";
	return "collateral service";
}

static bool
from_request(const struct artifact *a)
{
	return strcmp(a->source, "request") == 0;
}

/* The VCEK keys REP may name: its product's, or each product's (v2). */
static size_t
report_keys(const struct snp_report *rep, char keys[3][160])
{
	enum snp_product want = snp_report_product(rep);
	size_t n = 0;

	for (int p = SNP_PRODUCT_MILAN; p <= SNP_PRODUCT_TURIN; p++)
		if ((want == SNP_PRODUCT_UNKNOWN ||
		     want == (enum snp_product)p) &&
		    snp_report_vcek_key(rep, (enum snp_product)p, keys[n], 160))
			n++;
	return n;
}

static bool
ek_candidate(const struct artifact *a, bool vlek, char keys[3][160],
             size_t nkeys)
{
	if (vlek || a->key[0] == '\0')
		return true;
	for (size_t i = 0; i < nkeys; i++)
		if (strcmp(a->key, keys[i]) == 0)
			return true;
	return false;
}

/* True when A is a VCEK/VLEK of REP's chip (VCEK) and reported TCB. */
static bool
ek_fits(const struct artifact *a, const struct snp_report *rep, bool vlek)
{
	X509 *x = x509_parse(a->body, a->body_len);
	struct snp_ek_info info;
	struct snp_tcb t;
	char why[200];
	bool ok;

	ok = x != NULL && snp_ek_info_parse(x, &info, why, sizeof(why)) &&
	     info.is_vlek == vlek;
	if (ok && !vlek)
		ok = info.hwid_len > 0 &&
		     memcmp(info.hwid, rep->chip_id, info.hwid_len) == 0;
	if (ok) {
		snp_tcb_decode(rep->reported_tcb, info.product, &t);
		ok = info.bl == t.bl && info.tee == t.tee &&
		     info.snp == t.snp && info.microcode == t.microcode &&
		     (!t.has_fmc || info.fmc == t.fmc);
	}
	X509_free(x);
	ERR_clear_error();
	return ok;
}

static const struct artifact *
pick_ek(const struct artifact_set *s, const struct snp_report *rep, bool vlek)
{
	enum artifact_kind k = vlek ? ARTIFACT_AMD_VLEK : ARTIFACT_AMD_VCEK;
	enum artifact_kind other = vlek ? ARTIFACT_AMD_VCEK : ARTIFACT_AMD_VLEK;
	const struct artifact *a, *first = NULL;
	char keys[3][160];
	size_t nkeys = report_keys(rep, keys), n = 0;

	for (size_t i = 0; (a = artifact_set_nth(s, k, i)) != NULL; i++) {
		if (!ek_candidate(a, vlek, keys, nkeys))
			continue;
		if (first == NULL)
			first = a;
		n++;
	}
	if (first != NULL && (n == 1 || from_request(first)))
		return first;
	if (first != NULL) {
		for (size_t i = 0; (a = artifact_set_nth(s, k, i)) != NULL; i++)
			if (ek_candidate(a, vlek, keys, nkeys) &&
			    ek_fits(a, rep, vlek))
				return a;
		return first;
	}
	for (size_t i = 0; (a = artifact_set_nth(s, other, i)) != NULL; i++)
		if (a->key[0] == '\0' &&
		    (from_request(a) || strcmp(a->source, "file") == 0))
			return a;
	return NULL;
}

/*
 * The cert_chain: the first; when there are several and the first is not
 * the request's, the one holding the certificate that issued EK.
 */
static const struct artifact *
pick_chain(const struct artifact_set *s, const uint8_t *ek, size_t eklen)
{
	const struct artifact *a,
	        *first = artifact_set_nth(s, ARTIFACT_AMD_CERT_CHAIN, 0);
	const struct artifact *found = NULL;
	X509 *x;

	if (first == NULL || from_request(first) ||
	    artifact_set_count(s, ARTIFACT_AMD_CERT_CHAIN) == 1)
		return first;
	if ((x = x509_parse(ek, eklen)) == NULL)
		return first;
	for (size_t i = 0;
	     found == NULL &&
	     (a = artifact_set_nth(s, ARTIFACT_AMD_CERT_CHAIN, i)) != NULL;
	     i++) {
		STACK_OF(X509) *sk = x509_parse_pem_chain(a->body, a->body_len);

		for (int j = 0; sk != NULL && j < sk_X509_num(sk); j++)
			if (X509_NAME_cmp(
			            X509_get_subject_name(sk_X509_value(sk, j)),
			            X509_get_issuer_name(x)) == 0)
				found = a;
		sk_X509_pop_free(sk, X509_free);
	}
	X509_free(x);
	ERR_clear_error();
	return found != NULL ? found : first;
}

/* True when the CRL A is issued by PRODUCT's ARK (by name). */
static bool
crl_of(const struct artifact *a, enum snp_product product)
{
	const struct snp_roots *roots = snp_roots_get(product);
	X509_CRL *crl = x509_crl_parse(a->body, a->body_len);
	bool ok = crl != NULL && roots != NULL &&
	          X509_NAME_cmp(X509_CRL_get_issuer(crl),
	                        X509_get_subject_name(roots->ark)) == 0;

	X509_CRL_free(crl);
	ERR_clear_error();
	return ok;
}

/*
 * The CRL: the request's, a directory's or the collateral service's
 * before the operator's snp.crl_file (source "config"), which is used
 * only when no other is had. Among several (none from the request), the
 * first that PRODUCT's ARK issued (the others before snp.crl_file), else
 * the first.
 */
static const struct artifact *
pick_crl(const struct artifact_set *s, enum snp_product product)
{
	const struct artifact *a, *first = NULL, *conf = NULL;

	for (size_t i = 0;
	     (a = artifact_set_nth(s, ARTIFACT_AMD_CRL, i)) != NULL; i++) {
		bool config = strcmp(a->source, "config") == 0;
		if (config && conf == NULL)
			conf = a;
		if (!config && first == NULL)
			first = a;
	}
	if ((first != NULL && from_request(first)) ||
	    artifact_set_count(s, ARTIFACT_AMD_CRL) <= 1)
		return first != NULL ? first : conf;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0;
		     (a = artifact_set_nth(s, ARTIFACT_AMD_CRL, i)) != NULL;
		     i++)
			if ((strcmp(a->source, "config") == 0) == (pass == 1) &&
			    crl_of(a, product))
				return a;
	return first != NULL ? first : conf;
}

/*
 * A loader's record of an item it could not read (s->malformed) fails
 * the verification, unless it is moot: a key member or path when the key
 * came from the certificate table or from the request's member of the
 * report's own kind (as before: neither the other member nor the path
 * was then read), or the operator's snp.crl_file (its record begins with
 * "snp.crl_file:", load_amd_crl_file), which is judged below.
 */
static bool
malformed_moot(const struct artifact_set *s, const struct snp_sources *src,
               bool vlek)
{
	enum artifact_kind k = vlek ? ARTIFACT_AMD_VLEK : ARTIFACT_AMD_VCEK;

	if (s->malformed_kind == ARTIFACT_AMD_CRL &&
	    strncmp(s->why, "snp.crl_file:", 13) == 0)
		return true;
	if (s->malformed_kind != ARTIFACT_AMD_VCEK &&
	    s->malformed_kind != ARTIFACT_AMD_VLEK)
		return false;
	return src->ek != NULL &&
	       (src->ek_art == NULL ||
	        (src->ek_art->kind == k && from_request(src->ek_art)));
}

/*
 * Gathers the VCEK/VLEK (and optional chain) from the set after the
 * certificate table, which cert_table_parse read. False with WHY for a
 * loader's record of unusable collateral.
 */
static bool
gather_sources(const struct verify_request *req, const struct snp_report *rep,
               bool vlek, struct snp_sources *src, char *why, size_t whylen)
{
	const struct artifact_set *s = req->artifacts;

	if (src->ek == NULL && (src->ek_art = pick_ek(s, rep, vlek)) != NULL) {
		src->ek = src->ek_art->body;
		src->ek_len = src->ek_art->body_len;
		src->ek_origin = origin(src->ek_art);
	}
	if (s != NULL && s->malformed && !malformed_moot(s, src, vlek)) {
		snprintf(why, whylen, "%s", s->why);
		return false;
	}
	if (src->ek != NULL &&
	    (src->chain_art = pick_chain(s, src->ek, src->ek_len)) != NULL) {
		src->chain = src->chain_art->body;
		src->chain_len = src->chain_art->body_len;
	}
	return true;
}

static const char *
key_name(bool vlek)
{
	return vlek ? "VLEK" : "VCEK";
}

static void
collateral_hash(struct verdict *v, const char *item, const uint8_t sha[32])
{
	char hex[65];

	codec_hex_encode_to(sha, 32, hex);
	json_object_set_new(v->collateral, item, json_string(hex));
}

/* Checks one certificate's validity window at AT. */
static bool
window_ok(X509 *x, const char *name, int64_t at, int64_t *from, int64_t *until,
          struct verdict *v)
{
	int64_t nb, na;

	if (!snp_cert_window(x, &nb, &na)) {
		verdict_fail(v, "snp_cert_chain",
		             TP_ERR_certificate_chain_invalid,
		             "%s: validity dates unreadable", name);
		return false;
	}
	if (at < nb || at > na) {
		char a[32], b[32], c[32];
		tptime_format(nb, a);
		tptime_format(na, b);
		tptime_format(at, c);
		verdict_fail(v, "snp_cert_chain", TP_ERR_certificate_expired,
		             "%s: valid from %s to %s, verification time %s",
		             name, a, b, c);
		return false;
	}
	if (nb > *from)
		*from = nb;
	if (na < *until)
		*until = na;
	return true;
}

/*
 * Picks the intermediate out of a supplied cert_chain and refuses any
 * root in it that is not the pinned ARK of PRODUCT. Sets *inter (owned)
 * when the chain has the certificate that issued EK.
 */
static bool
supplied_chain(const struct snp_sources *src, X509 *ek,
               enum snp_product product, X509 **inter, struct verdict *v)
{
	STACK_OF(X509) *sk = NULL;
	const struct snp_roots *mine = snp_roots_get(product);
	bool ok = false;
	uint8_t sha[32];

	*inter = NULL;
	if ((sk = x509_parse_pem_chain(src->chain, src->chain_len)) == NULL) {
		verdict_fail(v, "snp_cert_chain", TP_ERR_collateral_invalid,
		             "cert_chain: no PEM certificate could be read");
		goto out;
	}
	for (int i = 0; i < sk_X509_num(sk); i++) {
		X509 *c = sk_X509_value(sk, i);
		bool self = X509_NAME_cmp(X509_get_subject_name(c),
		                          X509_get_issuer_name(c)) == 0;

		if (self) {
			if (!x509_sha256(c, sha))
				goto bad;
			if (CRYPTO_memcmp(sha, mine->ark_sha256, 32) == 0)
				continue;
			for (int p = SNP_PRODUCT_MILAN; p <= SNP_PRODUCT_TURIN;
			     p++) {
				const struct snp_roots *o = snp_roots_get(p);
				if (o != NULL &&
				    CRYPTO_memcmp(sha, o->ark_sha256, 32) ==
				            0) {
					verdict_fail(
					        v, "snp_product",
					        TP_ERR_snp_product_mismatch,
					        "cert_chain: its root is "
					        "ARK-%s, the report is from a "
					        "%s processor",
					        snp_product_name(p),
					        snp_product_name(product));
					goto out;
				}
			}
			verdict_fail(
			        v, "snp_cert_chain",
			        TP_ERR_certificate_chain_invalid,
			        "cert_chain: certificate %d is a root that "
			        "is not AMD's pinned ARK-%s",
			        i, snp_product_name(product));
			goto out;
		}
		if (X509_NAME_cmp(X509_get_subject_name(c),
		                  X509_get_issuer_name(ek)) == 0 &&
		    *inter == NULL) {
			X509_up_ref(c);
			*inter = c;
		}
	}
	ok = true;
	goto out;
bad:
	verdict_fail(v, "snp_cert_chain", TP_ERR_collateral_invalid,
	             "cert_chain: unreadable certificate");
out:
	if (!ok) {
		X509_free(*inter);
		*inter = NULL;
	}
	sk_X509_pop_free(sk, X509_free);
	return ok;
}

/*
 * Verifies the chain EK -> ASK/ASVK -> pinned ARK at AT (or takes it from
 * the cache) and fills E. Records its own failed check.
 */
static bool
verify_chain(const struct verify_request *req, const struct snp_sources *src,
             enum snp_product report_product, bool vlek, struct snp_ek *e,
             struct verdict *v)
{
	const struct snp_roots *roots = NULL;
	X509 *ek = NULL, *inter = NULL;
	EVP_PKEY *pub;
	enum snp_product product;
	uint8_t keybuf[66], key[32];
	char why[200], group[32];
	bool ok = false;

	memset(e, 0, sizeof(*e));
	/*
	 * Cache key: the leaf's bytes, the supplied chain's bytes, the
	 * report's product and key kind, i.e. every input of the checks
	 * below but the time, which the cache checks against the window.
	 * Only chains that passed every check are cached, so a hit stands
	 * for those checks.
	 */
	memset(keybuf, 0, sizeof(keybuf));
	SHA256(src->ek, src->ek_len, keybuf);
	if (src->chain != NULL)
		SHA256(src->chain, src->chain_len, keybuf + 32);
	keybuf[64] = (uint8_t)report_product;
	keybuf[65] = vlek;
	SHA256(keybuf, sizeof(keybuf), key);
	if (snp_cache_get(key, req->now, e)) {
		verdict_pass(v, "snp_vcek");
		verdict_pass(v, "snp_product");
		verdict_pass(v, "snp_cert_chain");
		ok = true;
		goto out;
	}
	if ((ek = x509_parse(src->ek, src->ek_len)) == NULL) {
		verdict_fail(v, "snp_vcek", TP_ERR_collateral_invalid,
		             "%s from the %s: not a DER or PEM certificate",
		             key_name(vlek), src->ek_origin);
		goto out;
	}
	if (!snp_ek_info_parse(ek, &e->info, why, sizeof(why))) {
		verdict_fail(v, "snp_vcek", TP_ERR_snp_vcek_invalid, "%s: %s",
		             key_name(vlek), why);
		goto out;
	}
	if (e->info.is_vlek != vlek) {
		verdict_fail(v, "snp_vcek", TP_ERR_snp_signing_key_mismatch,
		             "the report is signed by a %s, the certificate "
		             "supplied is a %s",
		             key_name(vlek), key_name(e->info.is_vlek));
		goto out;
	}
	verdict_pass(v, "snp_vcek");
	/* The product: the report's CPUID when it has one, else the
	 * certificate's issuer (itself checked against that ARK below). */
	product = e->info.product;
	if (report_product != SNP_PRODUCT_UNKNOWN &&
	    report_product != product) {
		verdict_fail(v, "snp_product", TP_ERR_snp_product_mismatch,
		             "the report is from a %s processor (CPUID), the "
		             "%s is issued for %s",
		             snp_product_name(report_product), key_name(vlek),
		             snp_product_name(product));
		goto out;
	}
	if ((roots = snp_roots_get(product)) == NULL) {
		verdict_fail(v, "snp_cert_chain",
		             TP_ERR_certificate_chain_invalid,
		             "the pinned ARK-%s could not be loaded",
		             snp_product_name(product));
		goto out;
	}
	if (src->chain != NULL && !supplied_chain(src, ek, product, &inter, v))
		goto out;
	verdict_pass(v, "snp_product");
	if (inter == NULL) {
		inter = vlek ? roots->asvk : roots->ask;
		X509_up_ref(inter);
		memcpy(e->inter_sha256,
		       vlek ? roots->asvk_sha256 : roots->ask_sha256, 32);
	} else if (!x509_sha256(inter, e->inter_sha256)) {
		verdict_fail(v, "snp_cert_chain", TP_ERR_collateral_invalid,
		             "cert_chain: unreadable intermediate");
		goto out;
	}
	memcpy(e->ark_sha256, roots->ark_sha256, 32);
	memcpy(e->leaf_sha256, keybuf, 32);
	e->valid_from = INT64_MIN;
	e->valid_until = INT64_MAX;
	if (!window_ok(roots->ark, "ARK", req->now, &e->valid_from,
	               &e->valid_until, v) ||
	    !window_ok(inter, vlek ? "ASVK" : "ASK", req->now, &e->valid_from,
	               &e->valid_until, v) ||
	    !window_ok(ek, key_name(vlek), req->now, &e->valid_from,
	               &e->valid_until, v))
		goto out;
	e->leaf_not_after = e->valid_until;
	{
		int64_t nb;
		(void)snp_cert_window(ek, &nb, &e->leaf_not_after);
	}
	if (!snp_link_verify(inter, roots->ark, why, sizeof(why))) {
		verdict_fail(v, "snp_cert_chain",
		             TP_ERR_certificate_chain_invalid,
		             "%s -> ARK-%s: %s", vlek ? "ASVK" : "ASK",
		             snp_product_name(product), why);
		goto out;
	}
	if (!snp_link_verify(ek, inter, why, sizeof(why))) {
		verdict_fail(v, "snp_cert_chain",
		             TP_ERR_certificate_chain_invalid, "%s -> %s: %s",
		             key_name(vlek), vlek ? "ASVK" : "ASK", why);
		goto out;
	}
	pub = X509_get0_pubkey(ek);
	if (pub == NULL || !EVP_PKEY_is_a(pub, "EC") ||
	    EVP_PKEY_get_group_name(pub, group, sizeof(group), NULL) != 1 ||
	    strcmp(group, "secp384r1") != 0) {
		verdict_fail(v, "snp_cert_chain", TP_ERR_snp_vcek_invalid,
		             "%s: public key is not ECDSA P-384",
		             key_name(vlek));
		goto out;
	}
	EVP_PKEY_up_ref(pub);
	e->pub = pub;
	snp_cache_put(key, e);
	verdict_pass(v, "snp_cert_chain");
	ok = true;
out:
	ERR_clear_error();
	if (!ok)
		snp_ek_clear(e);
	X509_free(inter);
	X509_free(ek);
	return ok;
}

/* The ARK-signed CRL, when one is supplied: signature, freshness, and
 * whether it revokes the intermediate that issued the key. */
static bool
check_crl(const struct verify_request *req, const struct snp_sources *src,
          enum snp_product product, bool vlek, struct verdict *v)
{
	const struct snp_roots *roots = snp_roots_get(product);
	X509_CRL *crl = NULL;
	X509_REVOKED *rev = NULL;
	const ASN1_TIME *t;
	struct tm tm;
	int64_t this_upd, next_upd;
	bool ok = false;

	if ((crl = x509_crl_parse(src->crl, src->crl_len)) == NULL) {
		verdict_fail(v, "snp_crl", TP_ERR_collateral_invalid,
		             "crl: not a DER or PEM CRL");
		goto out;
	}
	if (roots == NULL ||
	    X509_NAME_cmp(X509_CRL_get_issuer(crl),
	                  X509_get_subject_name(roots->ark)) != 0 ||
	    X509_CRL_verify(crl, X509_get0_pubkey(roots->ark)) != 1) {
		verdict_fail(v, "snp_crl", TP_ERR_certificate_chain_invalid,
		             "crl: not signed by the pinned ARK-%s",
		             snp_product_name(product));
		goto out;
	}
	if ((t = X509_CRL_get0_lastUpdate(crl)) == NULL ||
	    ASN1_TIME_to_tm(t, &tm) != 1) {
		verdict_fail(v, "snp_crl", TP_ERR_collateral_invalid,
		             "crl: thisUpdate unreadable");
		goto out;
	}
	this_upd = (int64_t)timegm(&tm);
	next_upd = INT64_MAX;
	if ((t = X509_CRL_get0_nextUpdate(crl)) != NULL) {
		if (ASN1_TIME_to_tm(t, &tm) != 1)
			goto out;
		next_upd = (int64_t)timegm(&tm);
	}
	if (req->now < this_upd || req->now > next_upd) {
		char a[32], b[32], c[32];
		tptime_format(this_upd, a);
		tptime_format(next_upd, b);
		tptime_format(req->now, c);
		verdict_fail(v, "snp_crl", TP_ERR_collateral_expired,
		             "crl: valid from %s to %s, verification time %s",
		             a, b, c);
		goto out;
	}
	if (X509_CRL_get0_by_cert(crl, &rev, vlek ? roots->asvk : roots->ask) ==
	    1) {
		verdict_fail(v, "snp_crl", TP_ERR_certificate_revoked,
		             "crl: the %s is revoked", vlek ? "ASVK" : "ASK");
		goto out;
	}
	verdict_collateral(v, "crl", src->crl, src->crl_len);
	verdict_expires_no_later_than(v, next_upd);
	verdict_pass(v, "snp_crl");
	ok = true;
out:
	ERR_clear_error();
	X509_CRL_free(crl);
	return ok;
}

/* r and s: 72-byte little-endian, zero-extended; P-384 wants 48 BE. */
static bool
sig_component(const uint8_t le[SNP_SIG_COMPONENT_LEN], uint8_t be[48])
{
	for (size_t i = 48; i < SNP_SIG_COMPONENT_LEN; i++)
		if (le[i] != 0)
			return false;
	for (size_t i = 0; i < 48; i++)
		be[i] = le[47 - i];
	return true;
}

static bool
tcb_at_least(const struct snp_tcb *t, const struct snp_tcb_min *m, char *why,
             size_t whylen, const char *what)
{
	if (t->bl < m->bl || t->tee < m->tee || t->snp < m->snp ||
	    t->microcode < m->microcode || (t->has_fmc && t->fmc < m->fmc)) {
		snprintf(why, whylen,
		         "%s bl=%u tee=%u snp=%u microcode=%u fmc=%u is below "
		         "the minimum bl=%u tee=%u snp=%u microcode=%u fmc=%u",
		         what, t->bl, t->tee, t->snp, t->microcode, t->fmc,
		         m->bl, m->tee, m->snp, m->microcode, m->fmc);
		return false;
	}
	return true;
}

static void
claims(const struct snp_report *rep, enum snp_product product, bool vlek,
       struct verdict *v)
{
	struct snp_tcb t;
	char ver[16];

	verdict_claim_int(v, "version", rep->version);
	verdict_claim_hex(v, "measurement", rep->measurement, 48);
	verdict_claim_hex(v, "host_data", rep->host_data, 32);
	verdict_claim_hex(v, "report_data", rep->report_data, 64);
	verdict_claim_hex(v, "id_key_digest", rep->id_key_digest, 48);
	verdict_claim_hex(v, "author_key_digest", rep->author_key_digest, 48);
	verdict_claim_hex(v, "report_id", rep->report_id, 32);
	verdict_claim_hex(v, "report_id_ma", rep->report_id_ma, 32);
	verdict_claim_json(v, "policy", snp_policy_bits_json(rep->policy));
	verdict_claim_int(v, "vmpl", rep->vmpl);
	verdict_claim_int(v, "guest_svn", rep->guest_svn);
	verdict_claim_hex(v, "family_id", rep->family_id, 16);
	verdict_claim_hex(v, "image_id", rep->image_id, 16);
	verdict_claim_hex(v, "chip_id", rep->chip_id, 64);
	verdict_claim_json(v, "platform_info",
	                   snp_platform_info_json(rep->platform_info));
	snp_tcb_decode(rep->current_tcb, product, &t);
	verdict_claim_json(v, "current_tcb", snp_tcb_json(&t));
	snp_tcb_decode(rep->reported_tcb, product, &t);
	verdict_claim_json(v, "reported_tcb", snp_tcb_json(&t));
	snp_tcb_decode(rep->committed_tcb, product, &t);
	verdict_claim_json(v, "committed_tcb", snp_tcb_json(&t));
	snp_tcb_decode(rep->launch_tcb, product, &t);
	verdict_claim_json(v, "launch_tcb", snp_tcb_json(&t));
	verdict_claim_str(v, "signing_key", vlek ? "vlek" : "vcek");
	verdict_claim_bool(v, "debug", rep->policy & SNP_POLICY_DEBUG);
	verdict_claim_str(v, "product", snp_product_name(product));
	snprintf(ver, sizeof(ver), "%u.%u.%u", rep->current_major,
	         rep->current_minor, rep->current_build);
	verdict_claim_str(v, "current_firmware", ver);
	snprintf(ver, sizeof(ver), "%u.%u.%u", rep->committed_major,
	         rep->committed_minor, rep->committed_build);
	verdict_claim_str(v, "committed_firmware", ver);
	if (rep->version >= 3) {
		json_t *o = json_object();
		if (o != NULL) {
			json_object_set_new(o, "family",
			                    json_integer(rep->cpuid_fam));
			json_object_set_new(o, "model",
			                    json_integer(rep->cpuid_mod));
			json_object_set_new(o, "stepping",
			                    json_integer(rep->cpuid_step));
		}
		verdict_claim_json(v, "cpuid", o);
	}
	if (rep->version >= 5) {
		char hex[17];
		snprintf(hex, sizeof(hex), "%016llx",
		         (unsigned long long)rep->launch_mit_vector);
		verdict_claim_str(v, "launch_mit_vector", hex);
		snprintf(hex, sizeof(hex), "%016llx",
		         (unsigned long long)rep->current_mit_vector);
		verdict_claim_str(v, "current_mit_vector", hex);
	}
}

static void
check_policy(const struct verify_request *req, const struct snp_report *rep,
             enum snp_product product, bool vlek, struct verdict *v)
{
	const struct snp_policy *p = &req->cfg->snp;
	struct snp_tcb reported, launch;
	char why[256];
	bool ok = true;

	if ((rep->policy & SNP_POLICY_DEBUG) && !req->cfg->allow_debug)
		verdict_fail(v, "debug_policy", TP_ERR_debug_not_allowed,
		             "guest POLICY 0x%llx has DEBUG (bit 19) set and "
		             "the policy refuses debug guests",
		             (unsigned long long)rep->policy);
	else
		verdict_pass(v, "debug_policy");

	if (rep->version < p->min_report_version) {
		ok = false;
		verdict_fail(v, "snp_policy", TP_ERR_policy_violation,
		             "VERSION %u is below snp.min_report_version %u",
		             rep->version, p->min_report_version);
	}
	if ((p->allowed_vmpls & (1u << rep->vmpl)) == 0) {
		ok = false;
		verdict_fail(v, "snp_policy", TP_ERR_policy_violation,
		             "VMPL %u is not in snp.allowed_vmpls", rep->vmpl);
	}
	if ((rep->policy & SNP_POLICY_MIGRATE_MA) && !p->allow_migrate_ma) {
		ok = false;
		verdict_fail(
		        v, "snp_policy", TP_ERR_policy_violation,
		        "guest POLICY allows a migration agent (MIGRATE_MA, "
		        "bit 18) and snp.allow_migrate_ma is false");
	}
	if (vlek && !p->allow_vlek) {
		ok = false;
		verdict_fail(v, "snp_policy", TP_ERR_policy_violation,
		             "the report is signed by a VLEK and "
		             "snp.allow_vlek is false");
	}
	if (rep->guest_svn < p->min_guest_svn) {
		ok = false;
		verdict_fail(v, "snp_policy", TP_ERR_policy_violation,
		             "GUEST_SVN %u is below snp.min_guest_svn %u",
		             rep->guest_svn, p->min_guest_svn);
	}
	if (ok)
		verdict_pass(v, "snp_policy");

	snp_tcb_decode(rep->reported_tcb, product, &reported);
	snp_tcb_decode(rep->launch_tcb, product, &launch);
	if (!tcb_at_least(&reported, &p->min_reported_tcb, why, sizeof(why),
	                  "REPORTED_TCB") ||
	    !tcb_at_least(&launch, &p->min_launch_tcb, why, sizeof(why),
	                  "LAUNCH_TCB")) {
		snprintf(v->tcb_status, sizeof(v->tcb_status), "OutOfDate");
		if (p->allow_outdated_tcb) {
			v->warning = true;
			verdict_pass(v, "snp_tcb");
		} else {
			verdict_fail(v, "snp_tcb", TP_ERR_snp_tcb_below_minimum,
			             "%s", why);
		}
	} else {
		snprintf(v->tcb_status, sizeof(v->tcb_status), "UpToDate");
		verdict_pass(v, "snp_tcb");
	}
}

/* What phase 1 parsed, for phase 2. */
struct snp_parsed {
	struct snp_report rep;
	bool vlek;
	/* The extended report's certificate table's key: its place in the
	 * evidence (ek_len 0: none). */
	size_t ek_off, ek_len;
	/* A Tinfoil bundle unpacked into an extended report (NULL: the
	 * evidence is the report itself); ek_off is then into it. */
	uint8_t *own;
	size_t own_len;
};

/* The report bytes of P: the unpacked bundle, else the evidence. */
static const uint8_t *
ev_bytes(const struct verify_request *req, const struct snp_parsed *p)
{
	return p->own != NULL ? p->own : req->evidence;
}

static size_t
ev_len(const struct verify_request *req, const struct snp_parsed *p)
{
	return p->own != NULL ? p->own_len : req->evidence_len;
}

/*
 * Phase 1's checks, which need no collateral: the report's format, its
 * signing key, the extended report's certificate table and the product.
 * False when the verdict is final (the failure is recorded).
 */
static bool
snp_parse(const struct verify_request *req, struct verdict *v,
          struct snp_parsed *p)
{
	struct snp_report *rep = &p->rep;
	struct snp_sources src;
	enum snp_product product;
	enum tp_err code;
	unsigned signing_key;
	const uint8_t *ev;
	size_t evlen;
	char why[256];

	memset(p, 0, sizeof(*p));
	memset(&src, 0, sizeof(src));
	v->hardware_verified = true;
	/* A Tinfoil bundle: its gzip-compressed report and its VCEK, as the
	 * extended report they amount to. */
	if (snp_tinfoil_detect(req->evidence, req->evidence_len)) {
		if (!snp_tinfoil_unpack(req->evidence, req->evidence_len,
		                        &p->own, &p->own_len, &code, why,
		                        sizeof(why))) {
			verdict_fail(v, "snp_report_format", code,
			             "Tinfoil attestation bundle: %s", why);
			return false;
		}
	}
	ev = ev_bytes(req, p);
	evlen = ev_len(req, p);
	if (!snp_report_parse(ev, evlen, rep, why, sizeof(why))) {
		code = TP_ERR_snp_report_parse_error;
		if (evlen >= 4 && rep->version != 2 && rep->version != 3 &&
		    rep->version != 5)
			code = TP_ERR_snp_report_version_unsupported;
		verdict_fail(v, "snp_report_format", code, "SEV-SNP report: %s",
		             why);
		return false;
	}
	signing_key = snp_report_signing_key(rep);
	if (signing_key == SNP_SIGNING_KEY_NONE || (rep->flags & 2) != 0) {
		v->signature_valid = TP_FALSE;
		verdict_fail(
		        v, "snp_report_format", TP_ERR_snp_report_unsigned,
		        "SEV-SNP report: SIGNING_KEY %u, MASK_CHIP_KEY %u: "
		        "the report is not signed",
		        signing_key, (rep->flags >> 1) & 1);
		return false;
	}
	if (signing_key != SNP_SIGNING_KEY_VCEK &&
	    signing_key != SNP_SIGNING_KEY_VLEK) {
		verdict_fail(v, "snp_report_format",
		             TP_ERR_snp_report_parse_error,
		             "SEV-SNP report: SIGNING_KEY %u: want 0 (VCEK) or "
		             "1 (VLEK)",
		             signing_key);
		return false;
	}
	p->vlek = signing_key == SNP_SIGNING_KEY_VLEK;
	if (evlen > SNP_REPORT_LEN) {
		struct reader rd;
		const uint8_t *table;
		size_t n = evlen - SNP_REPORT_LEN;

		reader_init(&rd, ev, evlen);
		if (!reader_skip(&rd, SNP_REPORT_LEN) ||
		    !reader_bytes(&rd, n, &table) ||
		    !cert_table_parse(table, n, p->vlek, &src, why,
		                      sizeof(why))) {
			verdict_fail(v, "snp_report_format",
			             TP_ERR_snp_report_parse_error,
			             "SEV-SNP extended report: %s", why);
			return false;
		}
		if (src.ek != NULL) {
			p->ek_off = (size_t)(src.ek - ev);
			p->ek_len = src.ek_len;
		}
	}
	verdict_pass(v, "snp_report_format");

	product = snp_report_product(rep);
	if (rep->version >= 3 && product == SNP_PRODUCT_UNKNOWN &&
	    rep->cpuid_fam != 0) {
		verdict_fail(
		        v, "snp_product", TP_ERR_snp_product_unknown,
		        "CPUID family 0x%02x model 0x%02x: no AMD root key "
		        "is known for this processor",
		        rep->cpuid_fam, rep->cpuid_mod);
		return false;
	}
	return true;
}

/*
 * The artifacts the collateral service should obtain for a report that
 * parsed: the VCEK its chip id and reported TCB name (unavoidably read
 * before any signature can be checked: it is what names the key), and,
 * optional, the product's KDS cert_chain and CRL (the VCEK verifies
 * under the pinned ASK without them). A v2 report names no product: the
 * VCEKs of Milan, Genoa and Turin are alternatives (group 1, tried in
 * that order), and the optional needs are keyed "": the product of the
 * VCEK that was had. Nothing for a report with a certificate table (it
 * carries its key), a VLEK-signed one (KDS serves VLEKs to cloud
 * providers only) or one whose chip id is masked (zero).
 */
static void
snp_name_needs(const struct verify_request *req, const struct snp_parsed *p,
               struct artifact_needs *needs)
{
	static const uint8_t zero[64];
	enum snp_product want = snp_report_product(&p->rep);
	char key[160];

	if (ev_len(req, p) != SNP_REPORT_LEN || p->vlek ||
	    memcmp(p->rep.chip_id, zero, sizeof(zero)) == 0)
		return;
	if (want != SNP_PRODUCT_UNKNOWN) {
		if (!snp_report_vcek_key(&p->rep, want, key, sizeof(key)))
			return;
		artifact_needs_add(needs, ARTIFACT_AMD_VCEK, key, false, 0);
		artifact_needs_add(needs, ARTIFACT_AMD_CERT_CHAIN,
		                   snp_product_name(want), true, 0);
		artifact_needs_add(needs, ARTIFACT_AMD_CRL,
		                   snp_product_name(want), true, 0);
		return;
	}
	for (int q = SNP_PRODUCT_MILAN; q <= SNP_PRODUCT_TURIN; q++)
		if (snp_report_vcek_key(&p->rep, (enum snp_product)q, key,
		                        sizeof(key)))
			artifact_needs_add(needs, ARTIFACT_AMD_VCEK, key, false,
			                   1);
	artifact_needs_add(needs, ARTIFACT_AMD_CERT_CHAIN, "", true, 0);
	artifact_needs_add(needs, ARTIFACT_AMD_CRL, "", true, 0);
}

/* Phase 1 (verify/provider.h): the report parsed once, and its needs. */
static void *
snp_needs(const struct verify_request *req, struct verdict *v,
          struct artifact_needs *needs)
{
	struct snp_parsed *p = malloc(sizeof(*p));

	if (p == NULL) {
		verdict_error(v, TP_ERR_internal_error, "out of memory");
		return NULL;
	}
	if (!snp_parse(req, v, p)) {
		free(p->own);
		free(p);
		return NULL;
	}
	snp_name_needs(req, p, needs);
	return p;
}

static void
snp_parsed_free(void *parsed)
{
	struct snp_parsed *p = parsed;

	if (p != NULL)
		free(p->own);
	free(parsed);
}

/*
 * Phase 2: the key from the certificate table or req->artifacts, its
 * chain to the pinned ARK, the CRL, the signature, the key's binding to
 * the chip and TCB, then the guest policy.
 */
static void
snp_verify_parsed(const struct verify_request *req, void *parsed,
                  struct verdict *v)
{
	const struct snp_parsed *p = parsed;
	const struct snp_report *rp = &p->rep;
	struct snp_sources src;
	const struct artifact *crl;
	struct snp_ek ek;
	struct snp_tcb reported;
	enum snp_product product;
	uint8_t r[48], s[48];
	bool vlek = p->vlek, sig_ok;
	char why[256];

	memset(&src, 0, sizeof(src));
	memset(&ek, 0, sizeof(ek));
	if (p->ek_len > 0) {
		src.ek = ev_bytes(req, p) + p->ek_off;
		src.ek_len = p->ek_len;
		src.ek_origin = "extended report certificate table";
	}
	product = snp_report_product(rp);
	if (!gather_sources(req, rp, vlek, &src, why, sizeof(why))) {
		verdict_fail(v, "snp_vcek", TP_ERR_collateral_invalid, "%s",
		             why);
		goto out;
	}
	/* The operator's snp.crl_file, when set, is loaded beside the rest
	 * (load_amd_crl_file); without any CRL it could not be read. */
	if (req->cfg->snp.crl_file[0] != '\0' &&
	    artifact_set_count(req->artifacts, ARTIFACT_AMD_CRL) == 0) {
		verdict_fail(v, "snp_crl", TP_ERR_collateral_invalid,
		             "snp.crl_file: cannot be read (at most %d bytes)",
		             SNP_COLLATERAL_MAX);
		goto out;
	}
	if (src.ek == NULL) {
		v->certificate_chain_valid = TP_FALSE;
		verdict_fail(v, "snp_vcek", TP_ERR_snp_vcek_missing,
		             "no %s certificate: supply collateral.%s, an "
		             "extended report, or a collateral path",
		             key_name(vlek), vlek ? "vlek" : "vcek");
		goto out;
	}
	if (!verify_chain(req, &src, product, vlek, &ek, v)) {
		v->certificate_chain_valid = TP_FALSE;
		goto out;
	}
	v->certificate_chain_valid = TP_TRUE;
	product = ek.info.product;
	verdict_collateral(v, vlek ? "vlek" : "vcek", src.ek, src.ek_len);
	collateral_hash(v, vlek ? "asvk" : "ask", ek.inter_sha256);
	collateral_hash(v, "ark", ek.ark_sha256);
	/* The chain's earliest notAfter (the VCEK's, in practice). */
	verdict_expires_no_later_than(v, ek.valid_until);
	if ((crl = pick_crl(req->artifacts, product)) != NULL) {
		src.crl = crl->body;
		src.crl_len = crl->body_len;
	}
	if (src.crl != NULL && !check_crl(req, &src, product, vlek, v))
		goto out;
	if (src.crl == NULL && req->cfg->snp.require_crl)
		verdict_fail(
		        v, "snp_crl", TP_ERR_policy_violation,
		        "crl: snp.require_crl is set and no AMD CRL was "
		        "supplied or could be had, so revocation of the %s "
		        "cannot be checked",
		        vlek ? "ASVK" : "ASK");

	/* A failed signature does not stop the binding checks below: a
	 * VCEK of another chip or TCB is named as such, not only as a bad
	 * signature. Claims are only given for a verified report. */
	sig_ok = sig_component(rp->sig_r, r) && sig_component(rp->sig_s, s) &&
	         snp_ecdsa_p384_verify(ek.pub, ev_bytes(req, p),
	                               SNP_REPORT_SIGNED_LEN, r, s);
	if (!sig_ok) {
		v->signature_valid = TP_FALSE;
		verdict_fail(v, "snp_signature", TP_ERR_snp_signature_invalid,
		             "ECDSA P-384 signature over report bytes "
		             "0x000..0x29F does not verify with the %s",
		             key_name(vlek));
	} else {
		v->signature_valid = TP_TRUE;
		verdict_pass(v, "snp_signature");
	}

	/* The key's chip and TCB must be the report's: a genuine VCEK of
	 * another chip, or of an older TCB of this one, is refused. */
	if (!vlek) {
		size_t n = ek.info.hwid_len;
		if (n == 0 ||
		    CRYPTO_memcmp(ek.info.hwid, rp->chip_id, n) != 0) {
			char have[17], want[17];
			codec_hex_encode_to(rp->chip_id, 8, have);
			codec_hex_encode_to(ek.info.hwid, 8, want);
			verdict_fail(v, "snp_vcek_chip",
			             TP_ERR_vcek_chip_mismatch,
			             "VCEK hwID %s… differs from CHIP_ID %s…%s",
			             want, have,
			             rp->chip_id[0] == 0 && rp->chip_id[1] == 0
			                     ? " (is CHIP_ID masked?)"
			                     : "");
		} else {
			verdict_pass(v, "snp_vcek_chip");
		}
	}
	snp_tcb_decode(rp->reported_tcb, product, &reported);
	if (ek.info.bl != reported.bl || ek.info.tee != reported.tee ||
	    ek.info.snp != reported.snp ||
	    ek.info.microcode != reported.microcode ||
	    (reported.has_fmc && ek.info.fmc != reported.fmc))
		verdict_fail(v, "snp_vcek_tcb", TP_ERR_vcek_tcb_mismatch,
		             "%s TCB bl=%d tee=%d snp=%d microcode=%d differs "
		             "from REPORTED_TCB bl=%u tee=%u snp=%u "
		             "microcode=%u",
		             key_name(vlek), ek.info.bl, ek.info.tee,
		             ek.info.snp, ek.info.microcode, reported.bl,
		             reported.tee, reported.snp, reported.microcode);
	else
		verdict_pass(v, "snp_vcek_tcb");

	if (!sig_ok)
		goto out;
	claims(rp, product, vlek, v);
	/* Never "passed" without a CRL that check_crl accepted: without
	 * one, revocation of the ASK/ASVK was not checked. */
	verdict_claim_str(v, "amd_crl",
	                  src.crl != NULL ? "passed" : "unchecked");
	if (ek.info.csp_id[0] != '\0')
		verdict_claim_str(v, "csp_id", ek.info.csp_id);
	verdict_add_binding(v, "report_data", rp->report_data, 64);
	check_policy(req, rp, product, vlek, v);
out:
	snp_ek_clear(&ek);
}

/* Both phases at once (a caller without a collateral service). */
static void
snp_verify(const struct verify_request *req, struct verdict *v)
{
	struct snp_parsed p;

	if (snp_parse(req, v, &p))
		snp_verify_parsed(req, &p, v);
	free(p.own);
}

const struct provider_ops provider_amd_sev_snp = {
        .id = TP_PROVIDER_AMD_SEV_SNP,
        .detect = snp_detect,
        .verify = snp_verify,
        .needs = snp_needs,
        .verify_parsed = snp_verify_parsed,
        .parsed_free = snp_parsed_free};
