/*
 * OCSP response checks for the device chain (verify/gpu_ocsp.c) against a
 * PKI made at test time: root R, intermediate CA I, leaf L, a responder D
 * that I delegated (id-kp-OCSPSigning) and one it did not (D2), a
 * look-alike of I (same name, other key) and responses signed by each;
 * then the real nvtrust H100 evidence with "ocsp" collateral: no response
 * leaves "unchecked", a response that is not NVIDIA's is refused. The
 * same for the RIM signing chains (verify/rim_swid.c rim_ocsp_chain, and
 * collateral "rim_ocsp" with the real 550.144.03 driver RIM).
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/codec.h"
#include "verify/nvidia/gpu_ocsp.h"
#include "verify/nvidia/rim_swid.h"
#include "verify/core/x509.h"
#include "test_gpu_util.h"

#define T0   1800000000LL
#define DAY  86400LL
#define SKEW 300

struct party {
	EVP_PKEY *key;
	X509 *cert;
};

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(e);
	assert_int_equal(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
}

/* A P-384 certificate CN signed by ISSUER (NULL: self-signed), valid
 * [NB, NA); CA or end entity, with the OCSP signing EKU when OCSP. */
static struct party
make(const char *cn, const struct party *issuer, long serial, int64_t nb,
     int64_t na, bool ca, bool ocsp)
{
	struct party p = {EVP_EC_gen("P-384"), X509_new()};
	X509_NAME *name = X509_NAME_new();

	assert_non_null(p.key);
	assert_non_null(p.cert);
	assert_int_equal(X509_set_version(p.cert, 2), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(p.cert), serial);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	                           (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(p.cert, name);
	X509_set_issuer_name(
	        p.cert,
	        issuer != NULL ? X509_get_subject_name(issuer->cert) : name);
	X509_NAME_free(name);
	ASN1_TIME_set(X509_getm_notBefore(p.cert), (time_t)nb);
	ASN1_TIME_set(X509_getm_notAfter(p.cert), (time_t)na);
	X509_set_pubkey(p.cert, p.key);
	add_ext(p.cert, NULL, NID_subject_key_identifier, "hash");
	if (issuer != NULL)
		add_ext(p.cert, issuer->cert, NID_authority_key_identifier,
		        "keyid:always");
	add_ext(p.cert, NULL, NID_basic_constraints,
	        ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	add_ext(p.cert, NULL, NID_key_usage,
	        ca ? "critical,keyCertSign,cRLSign"
	           : "critical,digitalSignature");
	if (ocsp)
		add_ext(p.cert, NULL, NID_ext_key_usage, "OCSPSigning");
	assert_true(X509_sign(p.cert, issuer != NULL ? issuer->key : p.key,
	                      EVP_sha384()) > 0);
	return p;
}

static void
party_free(struct party *p)
{
	EVP_PKEY_free(p->key);
	X509_free(p->cert);
}

static struct {
	struct party root, ca, leaf, deleg, nodeleg, fake_ca, late_deleg;
	STACK_OF(X509) * untrusted; /* I, as a chain would carry it */
} pki;

static int
setup(void **state)
{
	(void)state;
	pki.root = make("Test Root", NULL, 1, T0 - 400 * DAY, T0 + 400 * DAY,
	                true, false);
	pki.ca = make("Test CA", &pki.root, 2, T0 - 300 * DAY, T0 + 300 * DAY,
	              true, false);
	pki.leaf = make("Test Leaf", &pki.ca, 3, T0 - 100 * DAY, T0 + 100 * DAY,
	                false, false);
	pki.deleg = make("Test Responder", &pki.ca, 4, T0 - 10 * DAY,
	                 T0 + 10 * DAY, false, true);
	pki.nodeleg = make("Test Not A Responder", &pki.ca, 5, T0 - 10 * DAY,
	                   T0 + 10 * DAY, false, false);
	/* Same name as I, another key, under a root of its own. */
	pki.fake_ca = make("Test CA", NULL, 2, T0 - 300 * DAY, T0 + 300 * DAY,
	                   true, false);
	/* A delegated responder whose certificate expired before T0. */
	pki.late_deleg = make("Test Old Responder", &pki.ca, 6, T0 - 10 * DAY,
	                      T0 - 10, false, true);
	pki.untrusted = sk_X509_new_null();
	assert_non_null(pki.untrusted);
	sk_X509_push(pki.untrusted, pki.ca.cert);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	sk_X509_free(pki.untrusted);
	party_free(&pki.root);
	party_free(&pki.ca);
	party_free(&pki.leaf);
	party_free(&pki.deleg);
	party_free(&pki.nodeleg);
	party_free(&pki.fake_ca);
	party_free(&pki.late_deleg);
	return 0;
}

/* A DER OCSPResponse about CERT (issued by ISSUER) signed by SIGNER with
 * STATUS, window [THIS, NEXT) (NEXT 0: none). */
static uint8_t *
response(X509 *cert, X509 *issuer, const struct party *signer, int status,
         int64_t this_upd, int64_t next_upd, size_t *len)
{
	OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
	OCSP_CERTID *id = OCSP_cert_to_id(EVP_sha1(), cert, issuer);
	ASN1_GENERALIZEDTIME *tu = ASN1_GENERALIZEDTIME_set(NULL, this_upd);
	ASN1_GENERALIZEDTIME *nu =
	        next_upd != 0 ? ASN1_GENERALIZEDTIME_set(NULL, next_upd) : NULL;
	ASN1_GENERALIZEDTIME *rev =
	        status == V_OCSP_CERTSTATUS_REVOKED
	                ? ASN1_GENERALIZEDTIME_set(NULL, this_upd - DAY)
	                : NULL;
	OCSP_RESPONSE *resp;
	unsigned char *der = NULL;
	int n;

	assert_non_null(bs);
	assert_non_null(id);
	assert_non_null(OCSP_basic_add1_status(
	        bs, id, status, status == V_OCSP_CERTSTATUS_REVOKED ? 1 : -1,
	        rev, tu, nu));
	assert_int_equal(OCSP_basic_sign(bs, signer->cert, signer->key,
	                                 EVP_sha384(), NULL, 0),
	                 1);
	resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
	assert_non_null(resp);
	n = i2d_OCSP_RESPONSE(resp, &der);
	assert_true(n > 0);
	*len = (size_t)n;
	OCSP_RESPONSE_free(resp);
	OCSP_BASICRESP_free(bs);
	OCSP_CERTID_free(id);
	ASN1_GENERALIZEDTIME_free(tu);
	ASN1_GENERALIZEDTIME_free(nu);
	ASN1_GENERALIZEDTIME_free(rev);
	return der;
}

/* The leaf checked with response (DER, LEN) at NOW. */
static enum gpu_ocsp_result
check_leaf(const uint8_t *der, size_t len, int64_t now, int64_t *nu)
{
	char why[256] = "";
	int64_t dummy;

	return gpu_ocsp_check(der, len, pki.leaf.cert, pki.ca.cert,
	                      pki.untrusted, pki.root.cert, now, SKEW,
	                      nu != NULL ? nu : &dummy, why, sizeof(why));
}

static void
test_good_and_revoked(void **state)
{
	size_t n;
	int64_t nu = 0;
	uint8_t *r;

	(void)state;
	r = response(pki.leaf.cert, pki.ca.cert, &pki.ca,
	             V_OCSP_CERTSTATUS_GOOD, T0 - 3600, T0 + DAY, &n);
	assert_int_equal(check_leaf(r, n, T0, &nu), GPU_OCSP_GOOD);
	assert_int_equal(nu, T0 + DAY);
	OPENSSL_free(r);

	r = response(pki.leaf.cert, pki.ca.cert, &pki.ca,
	             V_OCSP_CERTSTATUS_REVOKED, T0 - 3600, T0 + DAY, &n);
	assert_int_equal(check_leaf(r, n, T0, NULL), GPU_OCSP_REVOKED);
	OPENSSL_free(r);

	r = response(pki.leaf.cert, pki.ca.cert, &pki.ca,
	             V_OCSP_CERTSTATUS_UNKNOWN, T0 - 3600, T0 + DAY, &n);
	assert_int_equal(check_leaf(r, n, T0, NULL), GPU_OCSP_INVALID);
	OPENSSL_free(r);

	/* The intermediate, answered by the root. */
	r = response(pki.ca.cert, pki.root.cert, &pki.root,
	             V_OCSP_CERTSTATUS_GOOD, T0 - 3600, T0 + DAY, &n);
	{
		char why[256];
		int64_t x;
		assert_int_equal(gpu_ocsp_check(r, n, pki.ca.cert,
		                                pki.root.cert, NULL,
		                                pki.root.cert, T0, SKEW, &x,
		                                why, sizeof(why)),
		                 GPU_OCSP_GOOD);
	}
	OPENSSL_free(r);
}

static void
test_responders(void **state)
{
	size_t n;
	uint8_t *r;

	(void)state;
	/* Delegated by I with id-kp-OCSPSigning: authorised. */
	r = response(pki.leaf.cert, pki.ca.cert, &pki.deleg,
	             V_OCSP_CERTSTATUS_GOOD, T0 - 3600, T0 + DAY, &n);
	assert_int_equal(check_leaf(r, n, T0, NULL), GPU_OCSP_GOOD);
	OPENSSL_free(r);
	/* Issued by I but without the EKU: any end entity of I otherwise. */
	r = response(pki.leaf.cert, pki.ca.cert, &pki.nodeleg,
	             V_OCSP_CERTSTATUS_GOOD, T0 - 3600, T0 + DAY, &n);
	assert_int_equal(check_leaf(r, n, T0, NULL), GPU_OCSP_INVALID);
	OPENSSL_free(r);
	/* The leaf cannot vouch for itself. */
	r = response(pki.leaf.cert, pki.ca.cert, &pki.leaf,
	             V_OCSP_CERTSTATUS_GOOD, T0 - 3600, T0 + DAY, &n);
	assert_int_equal(check_leaf(r, n, T0, NULL), GPU_OCSP_INVALID);
	OPENSSL_free(r);
	/* A look-alike of I (same name, its own key and root): its CertID
	 * names another key, and it does not chain to R either. */
	r = response(pki.leaf.cert, pki.fake_ca.cert, &pki.fake_ca,
	             V_OCSP_CERTSTATUS_GOOD, T0 - 3600, T0 + DAY, &n);
	assert_int_equal(check_leaf(r, n, T0, NULL), GPU_OCSP_INVALID);
	OPENSSL_free(r);
	/* The real CertID, signed by the look-alike. */
	r = response(pki.leaf.cert, pki.ca.cert, &pki.fake_ca,
	             V_OCSP_CERTSTATUS_GOOD, T0 - 3600, T0 + DAY, &n);
	assert_int_equal(check_leaf(r, n, T0, NULL), GPU_OCSP_INVALID);
	OPENSSL_free(r);
	/* A delegated responder whose certificate expired before the
	 * verification time: judged at that time, not the wall clock. */
	r = response(pki.leaf.cert, pki.ca.cert, &pki.late_deleg,
	             V_OCSP_CERTSTATUS_GOOD, T0 - 3600, T0 + DAY, &n);
	assert_int_equal(check_leaf(r, n, T0, NULL), GPU_OCSP_INVALID);
	assert_int_equal(check_leaf(r, n, T0 - 20, NULL), GPU_OCSP_GOOD);
	OPENSSL_free(r);
}

static void
test_other_certificate_and_time(void **state)
{
	size_t n;
	uint8_t *r;

	(void)state;
	/* A good answer about another certificate (D) of the same CA. */
	r = response(pki.deleg.cert, pki.ca.cert, &pki.ca,
	             V_OCSP_CERTSTATUS_GOOD, T0 - 3600, T0 + DAY, &n);
	assert_int_equal(check_leaf(r, n, T0, NULL), GPU_OCSP_INVALID);
	OPENSSL_free(r);
	/* The window [thisUpdate, nextUpdate), with the skew before. */
	r = response(pki.leaf.cert, pki.ca.cert, &pki.ca,
	             V_OCSP_CERTSTATUS_GOOD, T0, T0 + DAY, &n);
	assert_int_equal(check_leaf(r, n, T0 + DAY, NULL), GPU_OCSP_INVALID);
	assert_int_equal(check_leaf(r, n, T0 + DAY - 1, NULL), GPU_OCSP_GOOD);
	assert_int_equal(check_leaf(r, n, T0 - SKEW, NULL), GPU_OCSP_GOOD);
	assert_int_equal(check_leaf(r, n, T0 - SKEW - 1, NULL),
	                 GPU_OCSP_INVALID);
	OPENSSL_free(r);
	/* No nextUpdate: could be replayed forever. */
	r = response(pki.leaf.cert, pki.ca.cert, &pki.ca,
	             V_OCSP_CERTSTATUS_GOOD, T0 - 3600, 0, &n);
	assert_int_equal(check_leaf(r, n, T0, NULL), GPU_OCSP_INVALID);
	OPENSSL_free(r);
}

static void
test_malformed(void **state)
{
	size_t n;
	uint8_t *r, *copy;
	OCSP_RESPONSE *later;
	unsigned char *der = NULL;
	int dn;

	(void)state;
	assert_int_equal(check_leaf(NULL, 0, T0, NULL), GPU_OCSP_INVALID);
	assert_int_equal(check_leaf((const uint8_t *)"garbage", 7, T0, NULL),
	                 GPU_OCSP_INVALID);
	/* responseStatus tryLater, no body. */
	later = OCSP_response_create(OCSP_RESPONSE_STATUS_TRYLATER, NULL);
	assert_non_null(later);
	dn = i2d_OCSP_RESPONSE(later, &der);
	assert_true(dn > 0);
	assert_int_equal(check_leaf(der, (size_t)dn, T0, NULL),
	                 GPU_OCSP_INVALID);
	OPENSSL_free(der);
	OCSP_RESPONSE_free(later);

	r = response(pki.leaf.cert, pki.ca.cert, &pki.ca,
	             V_OCSP_CERTSTATUS_GOOD, T0 - 3600, T0 + DAY, &n);
	copy = malloc(n + 1);
	assert_non_null(copy);
	memcpy(copy, r, n);
	assert_int_equal(check_leaf(copy, n, T0, NULL), GPU_OCSP_GOOD);
	/* Truncated at every offset; one trailing byte. */
	for (size_t k = 0; k < n; k++)
		assert_int_equal(check_leaf(copy, k, T0, NULL),
		                 GPU_OCSP_INVALID);
	copy[n] = 0;
	assert_int_equal(check_leaf(copy, n + 1, T0, NULL), GPU_OCSP_INVALID);
	/* thisUpdate (T0 - 1 h = 2027-01-15T07:00:00Z) altered inside the
	 * signed ResponseData: the signature no longer verifies. */
	{
		static const char tu[] = "20270115070000Z";
		uint8_t *at = memmem(copy, n, tu, sizeof(tu) - 1);
		assert_non_null(at);
		at[3] = '8'; /* 2028 */
		assert_int_equal(check_leaf(copy, n, T0, NULL),
		                 GPU_OCSP_INVALID);
		at[3] = '7';
		assert_int_equal(check_leaf(copy, n, T0, NULL), GPU_OCSP_GOOD);
	}
	free(copy);
	OPENSSL_free(r);
}

#define H100 NV "nvtrust_sample_h100/"

static json_t *
h100_collateral(json_t *ocsp)
{
	size_t n;
	uint8_t *pem = tu_read_file(H100 "cert_chain.pem", &n);
	json_t *c = json_pack("{s:s%, s:o}", "cert_chain", (char *)pem, n,
	                      "ocsp", ocsp);

	assert_non_null(c);
	free(pem);
	return c;
}

static void
h100_run(json_t *coll, struct verdict *v)
{
	size_t n;
	uint8_t *ev = tu_read_file(H100 "spdm_report.bin", &n);
	struct gpu_case c = {.ev = ev, .len = n, .collateral = coll};

	gpu_run(&c, v);
	free(ev);
}

static bool
has_check(const struct verdict *v, const char *name)
{
	size_t i;
	json_t *c;

	json_array_foreach(v->checks, i, c)
	{
		const char *n = json_string_value(json_object_get(c, "check"));
		if (n != NULL && strcmp(n, name) == 0)
			return true;
	}
	return false;
}

/* The serial of X as the collateral keys it (hex). */
static char *
serial_hex(X509 *x)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *h = BN_bn2hex(bn);

	BN_free(bn);
	return h;
}

static void
test_real_chain(void **state)
{
	size_t n, rn;
	uint8_t *pem = tu_read_file(H100 "cert_chain.pem", &n), *r;
	STACK_OF(X509) *chain = x509_parse_pem_chain(pem, n);
	X509 *leaf, *issuer;
	char *serial, *b64;
	struct verdict v;
	json_t *coll;

	(void)state;
	assert_non_null(chain);
	leaf = sk_X509_value(chain, 0);
	issuer = sk_X509_value(chain, 1);
	serial = serial_hex(leaf);

	/* Control: no responses at all. */
	coll = h100_collateral(json_object());
	h100_run(coll, &v);
	assert_true(verdict_valid(&v));
	assert_string_equal(claim_s(&v, "ocsp_status"), "unchecked");
	assert_true(has_check(&v, "spdm_signature"));
	assert_false(has_check(&v, "gpu_ocsp"));
	verdict_free(&v);
	json_decref(coll);

	/* A response for a serial the chain does not hold: still
	 * unchecked, never passed. */
	coll = h100_collateral(json_pack("{s:s}", "01", "AAAA"));
	h100_run(coll, &v);
	assert_true(verdict_valid(&v));
	assert_string_equal(claim_s(&v, "ocsp_status"), "unchecked");
	verdict_free(&v);
	json_decref(coll);

	/* Bytes that are no OCSP response, for the leaf. */
	coll = h100_collateral(json_pack("{s:s}", serial, "AAAA"));
	h100_run(coll, &v);
	assert_false(verdict_valid(&v));
	assert_string_equal(first_code(&v), "gpu_ocsp_invalid");
	verdict_free(&v);
	json_decref(coll);

	/* The leaf's real CertID answered "good" by a key that is not
	 * NVIDIA's (the test CA): refused. */
	r = response(leaf, issuer, &pki.ca, V_OCSP_CERTSTATUS_GOOD,
	             1790000000 - 3600, 1790000000 + DAY, &rn);
	b64 = codec_base64_encode(r, rn);
	coll = h100_collateral(json_pack("{s:s}", serial, b64));
	h100_run(coll, &v);
	assert_false(verdict_valid(&v));
	assert_string_equal(first_code(&v), "gpu_ocsp_invalid");
	assert_string_not_equal(claim_s(&v, "ocsp_status"), "passed");
	verdict_free(&v);
	json_decref(coll);

	free(b64);
	OPENSSL_free(r);
	OPENSSL_free(serial);
	sk_X509_pop_free(chain, X509_free);
	free(pem);
}

/* A chain as a RIM's KeyInfo carries it, signer first. */
static STACK_OF(X509) * chain_of(X509 *a, X509 *b, X509 *c)
{
	STACK_OF(X509) *sk = sk_X509_new_null();

	assert_non_null(sk);
	sk_X509_push(sk, a);
	if (b != NULL)
		sk_X509_push(sk, b);
	if (c != NULL)
		sk_X509_push(sk, c);
	return sk;
}

/* Adds to RESPONSES, keyed by CERT's serial (hex), a response about CERT
 * (issued by ISSUER) signed by SIGNER with STATUS, valid [T0 - 1 h,
 * T0 + NEXT). */
static void
put(json_t *responses, X509 *cert, X509 *issuer, const struct party *signer,
    int status, int64_t next)
{
	size_t n;
	uint8_t *r = response(cert, issuer, signer, status, T0 - 3600,
	                      T0 + next, &n);
	char *b64 = codec_base64_encode(r, n);
	char *serial = serial_hex(cert);

	json_object_set_new(responses, serial, json_string(b64));
	OPENSSL_free(serial);
	free(b64);
	OPENSSL_free(r);
}

/* rim_ocsp_chain over CHAIN with the responses of SET at T0, to the test
 * root. */
static enum rim_ocsp_status
rim_check_set(const struct artifact_set *set, STACK_OF(X509) * chain,
              struct verdict *v)
{
	static struct verify_config cfg;
	struct verify_request req;
	char why[320] = "";

	verify_config_defaults(&cfg);
	memset(&req, 0, sizeof(req));
	req.now = T0;
	req.cfg = &cfg;
	req.artifacts = set;
	verdict_init(v, TP_PROVIDER_NVIDIA_GPU, T0);
	return rim_ocsp_chain(set, chain, pki.root.cert, &req, v, "rim0", why,
	                      sizeof(why));
}

/* The same with RESPONSES (NULL: none) as the request's "rim_ocsp",
 * through the loader. */
static enum rim_ocsp_status
rim_check(const json_t *responses, STACK_OF(X509) * chain, struct verdict *v)
{
	struct artifact_set set;
	enum rim_ocsp_status r;
	json_t *coll = json_object();

	if (responses != NULL)
		json_object_set(coll, "rim_ocsp", (json_t *)responses);
	gpu_load(&set, coll, NULL);
	json_decref(coll);
	r = rim_check_set(&set, chain, v);
	artifact_set_clear(&set);
	return r;
}

static void
test_rim_chain_ocsp(void **state)
{
	STACK_OF(X509) *chain = chain_of(pki.leaf.cert, pki.ca.cert, NULL);
	STACK_OF(X509) *with_root =
	        chain_of(pki.leaf.cert, pki.ca.cert, pki.root.cert);
	json_t *rs = json_object();
	struct verdict v;
	char *leaf_serial = serial_hex(pki.leaf.cert);

	(void)state;
	/* No responses (offline): unchecked. */
	assert_int_equal(rim_check(NULL, chain, &v), RIM_OCSP_UNCHECKED);
	verdict_free(&v);
	assert_int_equal(rim_check(rs, chain, &v), RIM_OCSP_UNCHECKED);
	verdict_free(&v);

	/* The signer answered, its issuing CA not: unchecked, never
	 * passed. */
	put(rs, pki.leaf.cert, pki.ca.cert, &pki.ca, V_OCSP_CERTSTATUS_GOOD,
	    DAY);
	assert_int_equal(rim_check(rs, chain, &v), RIM_OCSP_UNCHECKED);
	verdict_free(&v);

	/* Both certificates below the root answered "good": passed; each
	 * response recorded as collateral; the verdict expires with the
	 * earliest nextUpdate. */
	put(rs, pki.ca.cert, pki.root.cert, &pki.root, V_OCSP_CERTSTATUS_GOOD,
	    2 * DAY);
	assert_int_equal(rim_check(rs, chain, &v), RIM_OCSP_PASSED);
	assert_non_null(json_object_get(v.collateral, "rim0.0"));
	assert_non_null(json_object_get(v.collateral, "rim0.1"));
	assert_true(v.expires_at <= T0 + DAY);
	verdict_free(&v);
	/* A chain that carries the pinned root too: the root is not asked
	 * about. */
	assert_int_equal(rim_check(rs, with_root, &v), RIM_OCSP_PASSED);
	verdict_free(&v);

	/* The intermediate revoked by the root. */
	put(rs, pki.ca.cert, pki.root.cert, &pki.root,
	    V_OCSP_CERTSTATUS_REVOKED, DAY);
	assert_int_equal(rim_check(rs, chain, &v), RIM_OCSP_REVOKED);
	verdict_free(&v);

	/* The intermediate's "good" signed by a look-alike of the CA (same
	 * name, another key): not authentic. */
	put(rs, pki.ca.cert, pki.root.cert, &pki.fake_ca,
	    V_OCSP_CERTSTATUS_GOOD, DAY);
	assert_int_equal(rim_check(rs, chain, &v), RIM_OCSP_INVALID);
	verdict_free(&v);

	/* Expired at the verification time (nextUpdate before T0). */
	put(rs, pki.ca.cert, pki.root.cert, &pki.root, V_OCSP_CERTSTATUS_GOOD,
	    -60);
	assert_int_equal(rim_check(rs, chain, &v), RIM_OCSP_INVALID);
	verdict_free(&v);

	/* The leaf's response is not base64. */
	put(rs, pki.ca.cert, pki.root.cert, &pki.root, V_OCSP_CERTSTATUS_GOOD,
	    DAY);
	json_object_set_new(rs, leaf_serial, json_string("not base64!"));
	assert_int_equal(rim_check(rs, chain, &v), RIM_OCSP_INVALID);
	verdict_free(&v);

	/* The leaf's "good" response filed under the CA's serial and the
	 * CA's under the leaf's: each judged against its own CertID. */
	{
		json_t *swapped = json_object();
		char *ca_serial = serial_hex(pki.ca.cert);
		size_t n;
		uint8_t *r = response(pki.leaf.cert, pki.ca.cert, &pki.ca,
		                      V_OCSP_CERTSTATUS_GOOD, T0 - 3600,
		                      T0 + DAY, &n);
		char *b64 = codec_base64_encode(r, n);
		json_object_set_new(swapped, ca_serial, json_string(b64));
		json_object_set_new(swapped, leaf_serial, json_string(b64));
		assert_int_equal(rim_check(swapped, chain, &v),
		                 RIM_OCSP_INVALID);
		verdict_free(&v);
		json_decref(swapped);
		free(b64);
		OPENSSL_free(r);
		OPENSSL_free(ca_serial);
	}

	OPENSSL_free(leaf_serial);
	json_decref(rs);
	sk_X509_free(chain);
	sk_X509_free(with_root);
}

#define DRIVER_RIM "tests/data/nvidia/rims/NV_GPU_DRIVER_GH100_550.144.03.xml"
#define RIM_AT     1768435200LL /* 2026-01-15T00:00:00Z, RIM signer valid */

/* The nvtrust H100 with the 550.144.03 driver RIM (its chain verifies to
 * the RIM root at RIM_AT; MANIFEST: it is for another driver, so the
 * verdict is invalid whatever OCSP says) and collateral KEY: RESPONSES. */
static void
rim_run(const char *key, json_t *responses, struct verdict *v)
{
	size_t n, rl;
	uint8_t *ev = tu_read_file(H100 "spdm_report.bin", &n);
	uint8_t *pem = tu_read_file(H100 "cert_chain.pem", &rl);
	char *rim = (char *)tu_read_file(DRIVER_RIM, &rl);
	json_t *coll = json_pack("{s:s, s:[s], s:o}", "cert_chain", (char *)pem,
	                         "rims", rim, key, responses);
	struct gpu_case c = {
	        .ev = ev, .len = n, .collateral = coll, .now = RIM_AT};

	assert_non_null(coll);
	gpu_run(&c, v);
	json_decref(coll);
	free(rim);
	free(pem);
	free(ev);
}

static const char *
rim0_ocsp_status(const struct verdict *v)
{
	json_t *info = json_array_get(json_object_get(v->claims, "rims"), 0);
	const char *s = json_string_value(json_object_get(info, "ocsp_status"));
	return s ? s : "(none)";
}

static void
test_real_rim_chain(void **state)
{
	size_t n, rn;
	char *xml = (char *)tu_read_file(DRIVER_RIM, &n), why[200];
	struct rim *rim = rim_parse(xml, n, why, sizeof(why));
	X509 *signer, *issuer;
	char *serial, *b64;
	uint8_t *r;
	struct verdict v;

	(void)state;
	assert_non_null(rim);
	assert_true(rim->n_certs >= 2);
	signer = x509_parse(rim->certs[0], rim->cert_lens[0]);
	issuer = x509_parse(rim->certs[1], rim->cert_lens[1]);
	assert_non_null(signer);
	assert_non_null(issuer);
	serial = serial_hex(signer);

	/* Control: no responses. The chain check ran and passed. */
	rim_run("rim_ocsp", json_object(), &v);
	assert_true(has_check(&v, "rim0_chain"));
	assert_false(verdict_has_error(&v, TP_ERR_certificate_chain_invalid));
	assert_true(verdict_has_error(&v, TP_ERR_rim_version_mismatch));
	assert_false(has_check(&v, "rim0_ocsp"));
	assert_string_equal(claim_s(&v, "rim_ocsp_status"), "unchecked");
	assert_string_equal(rim0_ocsp_status(&v), "unchecked");
	verdict_free(&v);

	/* A response for a serial the RIM chain does not hold. */
	rim_run("rim_ocsp", json_pack("{s:s}", "01", "AAAA"), &v);
	assert_false(has_check(&v, "rim0_ocsp"));
	assert_string_equal(claim_s(&v, "rim_ocsp_status"), "unchecked");
	verdict_free(&v);

	/* Bytes that are no OCSP response, for the RIM signer. */
	rim_run("rim_ocsp", json_pack("{s:s}", serial, "AAAA"), &v);
	assert_true(has_check(&v, "rim0_ocsp"));
	assert_true(verdict_has_error(&v, TP_ERR_gpu_ocsp_invalid));
	assert_string_not_equal(claim_s(&v, "rim_ocsp_status"), "passed");
	verdict_free(&v);

	/* The signer's real CertID answered "good" by a key that is not
	 * NVIDIA's (the test CA): refused, never passed. */
	r = response(signer, issuer, &pki.ca, V_OCSP_CERTSTATUS_GOOD,
	             RIM_AT - 3600, RIM_AT + DAY, &rn);
	b64 = codec_base64_encode(r, rn);
	rim_run("rim_ocsp", json_pack("{s:s}", serial, b64), &v);
	assert_true(verdict_has_error(&v, TP_ERR_gpu_ocsp_invalid));
	assert_string_not_equal(claim_s(&v, "rim_ocsp_status"), "passed");
	assert_string_not_equal(rim0_ocsp_status(&v), "passed");
	verdict_free(&v);

	/* The same bytes as device-chain collateral "ocsp" say nothing
	 * about the RIM chain. */
	rim_run("ocsp", json_pack("{s:s}", serial, b64), &v);
	assert_false(has_check(&v, "rim0_ocsp"));
	assert_string_equal(claim_s(&v, "rim_ocsp_status"), "unchecked");
	verdict_free(&v);

	free(b64);
	OPENSSL_free(r);
	OPENSSL_free(serial);
	X509_free(signer);
	X509_free(issuer);
	rim_free(rim);
	free(xml);
}

/* The shapes the loader (load/nvidia.c) reads from the request's "ocsp"
 * and "rim_ocsp", and what the verifier makes of what it could not read;
 * responses without a key (the export layout) matched by their CertID. */
static void
test_loader_shapes(void **state)
{
	size_t n, rn;
	uint8_t *pem = tu_read_file(H100 "cert_chain.pem", &n), *r;
	STACK_OF(X509) *h100 = x509_parse_pem_chain(pem, n);
	STACK_OF(X509) *chain = chain_of(pki.leaf.cert, pki.ca.cert, NULL);
	char *serial = serial_hex(sk_X509_value(h100, 0)), *lower;
	struct artifact_set set;
	struct verdict v;
	json_t *coll;

	(void)state;
	/* A serial key in lower case is the same certificate's. */
	lower = strdup(serial);
	for (char *p = lower; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	coll = h100_collateral(json_pack("{s:s}", lower, "AAAA"));
	gpu_load(&set, coll, NULL);
	assert_non_null(artifact_set_find(&set, ARTIFACT_NVIDIA_OCSP, serial));
	artifact_set_clear(&set);
	h100_run(coll, &v);
	assert_false(verdict_valid(&v));
	assert_true(has_check(&v, "gpu_ocsp"));
	assert_string_equal(first_code(&v), "gpu_ocsp_invalid");
	verdict_free(&v);
	json_decref(coll);

	/* Not base64, not a string, not a map: gpu_ocsp_invalid, never
	 * "unchecked" as if nothing had been sent. */
	coll = h100_collateral(json_pack("{s:s}", serial, "not base64!"));
	h100_run(coll, &v);
	assert_false(verdict_valid(&v));
	assert_string_equal(first_code(&v), "gpu_ocsp_invalid");
	verdict_free(&v);
	json_decref(coll);
	coll = h100_collateral(json_pack("{s:i}", serial, 5));
	h100_run(coll, &v);
	assert_string_equal(first_code(&v), "gpu_ocsp_invalid");
	verdict_free(&v);
	json_decref(coll);
	coll = h100_collateral(json_string("AAAA"));
	h100_run(coll, &v);
	assert_string_equal(first_code(&v), "gpu_ocsp_invalid");
	verdict_free(&v);
	json_decref(coll);

	/* An empty map: no response (the marker only), "unchecked". */
	coll = h100_collateral(json_object());
	gpu_load(&set, coll, NULL);
	assert_int_equal(artifact_set_count(&set, ARTIFACT_NVIDIA_OCSP), 1);
	assert_non_null(artifact_set_find(&set, ARTIFACT_NVIDIA_OCSP,
	                                  GPU_OCSP_GIVEN_KEY));
	assert_int_equal(gpu_ocsp_count(&set, ARTIFACT_NVIDIA_OCSP), 0);
	artifact_set_clear(&set);
	json_decref(coll);

	/* Keyless responses, as `teepass collateral export` files them:
	 * each found by the certificate it speaks of. */
	artifact_set_init(&set);
	r = response(pki.leaf.cert, pki.ca.cert, &pki.ca,
	             V_OCSP_CERTSTATUS_GOOD, T0 - 3600, T0 + DAY, &rn);
	assert_true(artifact_set_add(&set, ARTIFACT_NVIDIA_RIM_OCSP, NULL, r,
	                             rn, NULL, 0, "directory", 0));
	OPENSSL_free(r);
	assert_int_equal(rim_check_set(&set, chain, &v), RIM_OCSP_UNCHECKED);
	verdict_free(&v);
	r = response(pki.ca.cert, pki.root.cert, &pki.root,
	             V_OCSP_CERTSTATUS_GOOD, T0 - 3600, T0 + DAY, &rn);
	assert_true(artifact_set_add(&set, ARTIFACT_NVIDIA_RIM_OCSP, NULL, r,
	                             rn, NULL, 0, "directory", 0));
	OPENSSL_free(r);
	assert_int_equal(rim_check_set(&set, chain, &v), RIM_OCSP_PASSED);
	verdict_free(&v);
	/* The same responses as device-chain OCSP say nothing of the RIM
	 * chain. */
	artifact_set_clear(&set);
	r = response(pki.leaf.cert, pki.ca.cert, &pki.ca,
	             V_OCSP_CERTSTATUS_GOOD, T0 - 3600, T0 + DAY, &rn);
	assert_true(artifact_set_add(&set, ARTIFACT_NVIDIA_OCSP, NULL, r, rn,
	                             NULL, 0, "directory", 0));
	OPENSSL_free(r);
	assert_int_equal(rim_check_set(&set, chain, &v), RIM_OCSP_UNCHECKED);
	verdict_free(&v);
	artifact_set_clear(&set);

	/* An empty "rim_ocsp" map: unchecked. */
	{
		json_t *empty = json_object();
		assert_int_equal(rim_check(empty, chain, &v),
		                 RIM_OCSP_UNCHECKED);
		verdict_free(&v);
		json_decref(empty);
	}

	free(lower);
	OPENSSL_free(serial);
	sk_X509_free(chain);
	sk_X509_pop_free(h100, X509_free);
	free(pem);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_good_and_revoked),
	        cmocka_unit_test(test_responders),
	        cmocka_unit_test(test_other_certificate_and_time),
	        cmocka_unit_test(test_malformed),
	        cmocka_unit_test(test_real_chain),
	        cmocka_unit_test(test_rim_chain_ocsp),
	        cmocka_unit_test(test_real_rim_chain),
	        cmocka_unit_test(test_loader_shapes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
