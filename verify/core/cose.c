/*
 * Bounded CBOR reader (RFC 8949) and COSE_Sign1 (RFC 9052 §4.2, §4.4;
 * algorithms RFC 9053 §2.1). See verify/cose.h.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "verify/core/cose.h"
#include "verify/core/ecdsa.h"

bool
cose_cbor_head(struct reader *r, struct cose_cbor_head *h)
{
	struct reader t = *r;
	uint8_t ib, b8;
	uint16_t b16;
	uint32_t b32, lo;
	uint64_t arg;
	size_t rem;

	if (!reader_u8(&t, &ib))
		return false;
	h->major = ib >> 5;
	h->info = ib & 0x1f;
	if (h->info < 24) {
		arg = h->info;
	} else if (h->info == 24) {
		if (!reader_u8(&t, &b8))
			return false;
		arg = b8;
	} else if (h->info == 25) {
		if (!reader_u16be(&t, &b16))
			return false;
		arg = b16;
	} else if (h->info == 26) {
		if (!reader_u32be(&t, &b32))
			return false;
		arg = b32;
	} else if (h->info == 27) {
		if (!reader_u32be(&t, &b32) || !reader_u32be(&t, &lo))
			return false;
		arg = ((uint64_t)b32 << 32) | lo;
	} else {
		/* 28..30 reserved; 31 indefinite length or "break". */
		return false;
	}
	h->arg = arg;
	rem = reader_remaining(&t);
	switch (h->major) {
	case COSE_CBOR_BSTR:
	case COSE_CBOR_TSTR:
	case COSE_CBOR_ARRAY:
		/* Each array item takes at least one byte. */
		if (arg > rem)
			return false;
		break;
	case COSE_CBOR_MAP:
		if (arg > rem / 2)
			return false;
		break;
	default:
		break;
	}
	*r = t;
	return true;
}

bool
cose_cbor_peek(const struct reader *r, uint8_t *major)
{
	struct reader t = *r;
	uint8_t ib;

	if (!reader_u8(&t, &ib))
		return false;
	*major = ib >> 5;
	return true;
}

bool
cose_cbor_skip(struct reader *r, int depth)
{
	struct reader t = *r;
	struct cose_cbor_head h;
	uint64_t items;

	if (depth <= 0 || !cose_cbor_head(&t, &h))
		return false;
	switch (h.major) {
	case COSE_CBOR_BSTR:
	case COSE_CBOR_TSTR:
		if (!reader_skip(&t, (size_t)h.arg))
			return false;
		break;
	case COSE_CBOR_ARRAY:
	case COSE_CBOR_MAP:
		items = h.major == COSE_CBOR_MAP ? 2 * h.arg : h.arg;
		for (uint64_t i = 0; i < items; i++)
			if (!cose_cbor_skip(&t, depth - 1))
				return false;
		break;
	case COSE_CBOR_TAG:
		if (!cose_cbor_skip(&t, depth - 1))
			return false;
		break;
	case COSE_CBOR_SIMPLE:
		/* RFC 8949 §3.3: simple values 24..31 in one byte are
		 * not well-formed. Floats (25..27) carry their bits. */
		if (h.info == 24 && h.arg < 32)
			return false;
		break;
	default:
		break;
	}
	*r = t;
	return true;
}

static bool
head_of(struct reader *r, uint8_t major, struct cose_cbor_head *h)
{
	struct reader t = *r;

	if (!cose_cbor_head(&t, h) || h->major != major)
		return false;
	*r = t;
	return true;
}

bool
cose_cbor_uint(struct reader *r, uint64_t *v)
{
	struct cose_cbor_head h;

	if (!head_of(r, COSE_CBOR_UINT, &h))
		return false;
	*v = h.arg;
	return true;
}

bool
cose_cbor_int(struct reader *r, int64_t *v)
{
	struct reader t = *r;
	struct cose_cbor_head h;

	if (!cose_cbor_head(&t, &h) || h.arg > (uint64_t)INT64_MAX)
		return false;
	if (h.major == COSE_CBOR_UINT)
		*v = (int64_t)h.arg;
	else if (h.major == COSE_CBOR_NINT)
		*v = -1 - (int64_t)h.arg;
	else
		return false;
	*r = t;
	return true;
}

static bool
string_of(struct reader *r, uint8_t major, const uint8_t **p, size_t *n)
{
	struct reader t = *r;
	struct cose_cbor_head h;

	if (!head_of(&t, major, &h) || !reader_bytes(&t, (size_t)h.arg, p))
		return false;
	*n = (size_t)h.arg;
	*r = t;
	return true;
}

bool
cose_cbor_bstr(struct reader *r, const uint8_t **p, size_t *n)
{
	return string_of(r, COSE_CBOR_BSTR, p, n);
}

bool
cose_cbor_tstr(struct reader *r, const uint8_t **p, size_t *n)
{
	return string_of(r, COSE_CBOR_TSTR, p, n);
}

bool
cose_cbor_array(struct reader *r, size_t *n)
{
	struct cose_cbor_head h;

	if (!head_of(r, COSE_CBOR_ARRAY, &h))
		return false;
	*n = (size_t)h.arg;
	return true;
}

bool
cose_cbor_map(struct reader *r, size_t *n)
{
	struct cose_cbor_head h;

	if (!head_of(r, COSE_CBOR_MAP, &h))
		return false;
	*n = (size_t)h.arg;
	return true;
}

bool
cose_cbor_tag(struct reader *r, uint64_t *tag)
{
	struct cose_cbor_head h;

	if (!head_of(r, COSE_CBOR_TAG, &h))
		return false;
	*tag = h.arg;
	return true;
}

bool
cose_cbor_bool(struct reader *r, bool *b)
{
	struct reader t = *r;
	struct cose_cbor_head h;

	if (!head_of(&t, COSE_CBOR_SIMPLE, &h) || h.info >= 24 ||
	    (h.arg != COSE_CBOR_FALSE && h.arg != COSE_CBOR_TRUE))
		return false;
	*b = h.arg == COSE_CBOR_TRUE;
	*r = t;
	return true;
}

bool
cose_cbor_null(struct reader *r)
{
	struct reader t = *r;
	struct cose_cbor_head h;

	if (!head_of(&t, COSE_CBOR_SIMPLE, &h) || h.info >= 24 ||
	    h.arg != COSE_CBOR_NULL)
		return false;
	*r = t;
	return true;
}

bool
cose_cbor_key(struct reader *r, struct cose_cbor_key *k)
{
	struct reader t = *r;
	struct cose_cbor_head h;

	memset(k, 0, sizeof(*k));
	if (!cose_cbor_head(&t, &h))
		return false;
	k->major = h.major;
	k->arg = h.arg;
	if (h.major == COSE_CBOR_TSTR) {
		if (!reader_bytes(&t, (size_t)h.arg, &k->p))
			return false;
		k->n = (size_t)h.arg;
	} else if (h.major != COSE_CBOR_UINT && h.major != COSE_CBOR_NINT) {
		return false;
	}
	*r = t;
	return true;
}

bool
cose_cbor_key_eq(const struct cose_cbor_key *a, const struct cose_cbor_key *b)
{
	if (a->major != b->major || a->arg != b->arg)
		return false;
	return a->major != COSE_CBOR_TSTR || memcmp(a->p, b->p, a->n) == 0;
}

bool
cose_cbor_key_is_int(const struct cose_cbor_key *k, int64_t v)
{
	if (v >= 0)
		return k->major == COSE_CBOR_UINT && k->arg == (uint64_t)v;
	return k->major == COSE_CBOR_NINT && k->arg == (uint64_t)(-1 - v);
}

bool
cose_cbor_key_is_str(const struct cose_cbor_key *k, const char *s)
{
	size_t n = strlen(s);

	return k->major == COSE_CBOR_TSTR && k->n == n &&
	       memcmp(k->p, s, n) == 0;
}

void
cose_cbor_key_name(const struct cose_cbor_key *k, char *out, size_t outlen)
{
	size_t i, o = 0;

	if (outlen == 0)
		return;
	if (k->major == COSE_CBOR_UINT) {
		snprintf(out, outlen, "%llu", (unsigned long long)k->arg);
		return;
	}
	if (k->major == COSE_CBOR_NINT) {
		snprintf(out, outlen, "-1-%llu", (unsigned long long)k->arg);
		return;
	}
	/* Text keys are client bytes: printable ASCII only, bounded. */
	if (o + 1 < outlen)
		out[o++] = '"';
	for (i = 0; i < k->n && i < 32 && o + 2 < outlen; i++)
		out[o++] = (k->p[i] >= 0x20 && k->p[i] < 0x7f && k->p[i] != '"')
		                   ? (char)k->p[i]
		                   : '?';
	if (i < k->n && o + 4 < outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	if (o + 1 < outlen)
		out[o++] = '"';
	out[o] = '\0';
}

size_t
cose_cbor_put_head(uint8_t out[9], uint8_t major, uint64_t arg)
{
	uint8_t mt = (uint8_t)(major << 5);

	if (arg < 24) {
		out[0] = mt | (uint8_t)arg;
		return 1;
	}
	if (arg <= 0xff) {
		out[0] = mt | 24;
		out[1] = (uint8_t)arg;
		return 2;
	}
	if (arg <= 0xffff) {
		out[0] = mt | 25;
		out[1] = (uint8_t)(arg >> 8);
		out[2] = (uint8_t)arg;
		return 3;
	}
	if (arg <= 0xffffffffu) {
		out[0] = mt | 26;
		for (int i = 0; i < 4; i++)
			out[1 + i] = (uint8_t)(arg >> (24 - 8 * i));
		return 5;
	}
	out[0] = mt | 27;
	for (int i = 0; i < 8; i++)
		out[1 + i] = (uint8_t)(arg >> (56 - 8 * i));
	return 9;
}

/* ---- COSE_Sign1 ---- */

#define HDR_ALG  1
#define HDR_CRIT 2
#define HDR_CTY  3
#define HDR_KID  4

struct header_labels {
	struct cose_cbor_key k[COSE_MAX_HEADER_LABELS];
	size_t n;
};

static bool
labels_has(const struct header_labels *l, const struct cose_cbor_key *k)
{
	for (size_t i = 0; i < l->n; i++)
		if (cose_cbor_key_eq(&l->k[i], k))
			return true;
	return false;
}

static bool
understood(const struct cose_cbor_key *k)
{
	return cose_cbor_key_is_int(k, HDR_ALG) ||
	       cose_cbor_key_is_int(k, HDR_CTY) ||
	       cose_cbor_key_is_int(k, HDR_KID);
}

/*
 * One header map (RFC 9052 §3). PROT is true for the protected one;
 * OTHER holds the protected labels when reading the unprotected map.
 */
static bool
read_header(struct reader *r, bool prot, const struct header_labels *other,
            struct header_labels *mine, struct cose_sign1 *s, bool *has_alg,
            struct reader *crit, enum tp_err *code, char *why, size_t whylen)
{
	const char *which = prot ? "protected" : "unprotected";
	struct cose_cbor_key k;
	struct cose_cbor_head h;
	struct reader t;
	size_t n;
	char name[48];

	if (!cose_cbor_map(r, &n)) {
		snprintf(why, whylen, "%s header: want a map", which);
		return false;
	}
	if (n > COSE_MAX_HEADER_LABELS) {
		snprintf(why, whylen, "%s header: %zu labels, at most %d",
		         which, n, COSE_MAX_HEADER_LABELS);
		return false;
	}
	mine->n = 0;
	for (size_t i = 0; i < n; i++) {
		if (!cose_cbor_key(r, &k)) {
			snprintf(why, whylen,
			         "%s header: label %zu is not an int or text",
			         which, i);
			return false;
		}
		cose_cbor_key_name(&k, name, sizeof(name));
		if (labels_has(mine, &k) ||
		    (other != NULL && labels_has(other, &k))) {
			snprintf(why, whylen,
			         "%s header: label %s appears twice "
			         "(RFC 9052 §3)",
			         which, name);
			return false;
		}
		mine->k[mine->n++] = k;
		if (cose_cbor_key_is_int(&k, HDR_ALG)) {
			if (!prot) {
				*code = TP_ERR_cose_alg_unsupported;
				snprintf(why, whylen,
				         "alg: must be in the protected "
				         "header");
				return false;
			}
			t = *r;
			if (!cose_cbor_head(&t, &h) ||
			    (h.major != COSE_CBOR_UINT &&
			     h.major != COSE_CBOR_NINT &&
			     h.major != COSE_CBOR_TSTR)) {
				snprintf(why, whylen,
				         "alg: want an int or text");
				return false;
			}
			if (!cose_cbor_int(r, &s->alg) ||
			    (s->alg != COSE_ALG_ES256 &&
			     s->alg != COSE_ALG_ES384 &&
			     s->alg != COSE_ALG_ES512)) {
				*code = TP_ERR_cose_alg_unsupported;
				snprintf(why, whylen,
				         "alg: want ES256 (-7), ES384 (-35) "
				         "or ES512 (-36)");
				return false;
			}
			*has_alg = true;
		} else if (cose_cbor_key_is_int(&k, HDR_CRIT)) {
			if (!prot) {
				*code = TP_ERR_cose_crit_unsupported;
				snprintf(why, whylen,
				         "crit: must be in the protected "
				         "header (RFC 9052 §3.1)");
				return false;
			}
			*crit = *r;
			if (!cose_cbor_skip(r, 2)) {
				snprintf(why, whylen, "crit: malformed");
				return false;
			}
		} else if (cose_cbor_key_is_int(&k, HDR_CTY)) {
			t = *r;
			if (!cose_cbor_head(&t, &h) ||
			    (h.major != COSE_CBOR_UINT &&
			     h.major != COSE_CBOR_TSTR) ||
			    !cose_cbor_skip(r, 1)) {
				snprintf(why, whylen,
				         "content type: want uint or text");
				return false;
			}
			s->has_content_type = true;
		} else if (cose_cbor_key_is_int(&k, HDR_KID)) {
			if (!cose_cbor_bstr(r, &s->kid, &s->kid_len)) {
				snprintf(why, whylen, "kid: want a bstr");
				return false;
			}
		} else if (!cose_cbor_skip(r, COSE_CBOR_MAX_DEPTH - 2)) {
			snprintf(why, whylen,
			         "%s header: value of label %s is malformed "
			         "or nested deeper than %d",
			         which, name, COSE_CBOR_MAX_DEPTH - 2);
			return false;
		}
	}
	return true;
}

/* RFC 9052 §3.1 crit: a non-empty array of labels, each present in the
 * protected header and understood here. */
static bool
check_crit(struct reader *crit, const struct header_labels *prot,
           enum tp_err *code, char *why, size_t whylen)
{
	struct cose_cbor_key k;
	size_t n;
	char name[48];

	if (!cose_cbor_array(crit, &n) || n == 0) {
		snprintf(why, whylen, "crit: want a non-empty array");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (!cose_cbor_key(crit, &k)) {
			snprintf(why, whylen, "crit[%zu]: want a label", i);
			return false;
		}
		cose_cbor_key_name(&k, name, sizeof(name));
		if (!understood(&k)) {
			*code = TP_ERR_cose_crit_unsupported;
			snprintf(why, whylen,
			         "crit: label %s is not understood by this "
			         "verifier",
			         name);
			return false;
		}
		if (!labels_has(prot, &k)) {
			snprintf(why, whylen,
			         "crit: label %s is not in the protected "
			         "header",
			         name);
			return false;
		}
	}
	return true;
}

bool
cose_sign1_read(struct reader *r, struct cose_sign1 *s, enum tp_err *code,
                char *why, size_t whylen)
{
	struct header_labels *pl = NULL, *ul = NULL;
	struct reader t = *r, pr, crit;
	uint64_t tag;
	size_t n;
	bool has_alg = false, ok = false;
	uint8_t major;

	memset(s, 0, sizeof(*s));
	memset(&crit, 0, sizeof(crit));
	*code = TP_ERR_cose_parse_error;
	if ((pl = calloc(1, sizeof(*pl))) == NULL ||
	    (ul = calloc(1, sizeof(*ul))) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	if (cose_cbor_peek(&t, &major) && major == COSE_CBOR_TAG) {
		if (!cose_cbor_tag(&t, &tag) || tag != COSE_TAG_SIGN1) {
			snprintf(why, whylen,
			         "tag: want 18 (COSE_Sign1) or none");
			goto out;
		}
		s->tagged = true;
	}
	if (!cose_cbor_array(&t, &n) || n != 4) {
		snprintf(why, whylen,
		         "COSE_Sign1: want an array of 4 items at offset %zu",
		         reader_offset(&t));
		goto out;
	}
	if (!cose_cbor_bstr(&t, &s->prot, &s->prot_len)) {
		snprintf(why, whylen, "protected: want a bstr within %zu bytes",
		         reader_remaining(&t));
		goto out;
	}
	/* RFC 9052 §3: an empty protected header is a zero-length bstr;
	 * this verifier needs alg there, so it must be a map. */
	reader_init(&pr, s->prot, s->prot_len);
	if (!read_header(&pr, true, NULL, pl, s, &has_alg, &crit, code, why,
	                 whylen))
		goto out;
	if (reader_remaining(&pr) != 0) {
		snprintf(why, whylen,
		         "protected: %zu bytes after the header map",
		         reader_remaining(&pr));
		goto out;
	}
	if (!has_alg) {
		*code = TP_ERR_cose_alg_unsupported;
		snprintf(why, whylen, "alg: missing from the protected header");
		goto out;
	}
	if (crit.buf != NULL && !check_crit(&crit, pl, code, why, whylen))
		goto out;
	if (!read_header(&t, false, pl, ul, s, &has_alg, &crit, code, why,
	                 whylen))
		goto out;
	if (cose_cbor_null(&t)) {
		snprintf(why, whylen,
		         "payload: detached (nil) payloads are "
		         "not supported");
		goto out;
	}
	if (!cose_cbor_bstr(&t, &s->payload, &s->payload_len)) {
		snprintf(why, whylen, "payload: want a bstr within %zu bytes",
		         reader_remaining(&t));
		goto out;
	}
	if (!cose_cbor_bstr(&t, &s->signature, &s->signature_len)) {
		snprintf(why, whylen, "signature: want a bstr within %zu bytes",
		         reader_remaining(&t));
		goto out;
	}
	*r = t;
	ok = true;
out:
	free(pl);
	free(ul);
	return ok;
}

bool
cose_sign1_parse(const uint8_t *buf, size_t len, struct cose_sign1 *s,
                 enum tp_err *code, char *why, size_t whylen)
{
	struct reader r;

	reader_init(&r, buf, len);
	if (!cose_sign1_read(&r, s, code, why, whylen))
		return false;
	if (reader_remaining(&r) != 0) {
		*code = TP_ERR_cose_parse_error;
		snprintf(why, whylen, "COSE_Sign1: %zu trailing bytes",
		         reader_remaining(&r));
		return false;
	}
	return true;
}

bool
cose_sig_structure(const struct cose_sign1 *s, uint8_t **out, size_t *outlen)
{
	static const char ctx[] = "Signature1";
	uint8_t h[9], *buf = NULL, *p;
	size_t need, hn;

	*out = NULL;
	*outlen = 0;
	if (s->prot_len > SIZE_MAX / 4 || s->payload_len > SIZE_MAX / 4)
		return false;
	need = 1 + 1 + (sizeof(ctx) - 1) + 9 + s->prot_len + 1 + 9 +
	       s->payload_len;
	if ((buf = malloc(need)) == NULL)
		return false;
	p = buf;
	p += cose_cbor_put_head(p, COSE_CBOR_ARRAY, 4);
	p += cose_cbor_put_head(p, COSE_CBOR_TSTR, sizeof(ctx) - 1);
	memcpy(p, ctx, sizeof(ctx) - 1);
	p += sizeof(ctx) - 1;
	hn = cose_cbor_put_head(h, COSE_CBOR_BSTR, s->prot_len);
	memcpy(p, h, hn);
	p += hn;
	if (s->prot_len > 0)
		memcpy(p, s->prot, s->prot_len);
	p += s->prot_len;
	p += cose_cbor_put_head(p, COSE_CBOR_BSTR, 0); /* external_aad */
	hn = cose_cbor_put_head(h, COSE_CBOR_BSTR, s->payload_len);
	memcpy(p, h, hn);
	p += hn;
	if (s->payload_len > 0)
		memcpy(p, s->payload, s->payload_len);
	p += s->payload_len;
	*outlen = (size_t)(p - buf);
	*out = buf;
	return true;
}

/* Digests fetched once: an implicit fetch per verification costs. */
static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static EVP_MD *md_sha256, *md_sha384, *md_sha512;

static void
md_fetch(void)
{
	md_sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
	md_sha384 = EVP_MD_fetch(NULL, "SHA2-384", NULL);
	md_sha512 = EVP_MD_fetch(NULL, "SHA2-512", NULL);
}

static const EVP_MD *
md_or(const EVP_MD *fetched, const EVP_MD *legacy)
{
	return fetched != NULL ? fetched : legacy;
}

static bool
alg_params(int64_t alg, const EVP_MD **md, size_t *n, const char **curve)
{
	pthread_once(&md_once, md_fetch);
	switch (alg) {
	case COSE_ALG_ES256:
		*md = md_or(md_sha256, EVP_sha256());
		*n = 32;
		*curve = "prime256v1";
		return true;
	case COSE_ALG_ES384:
		*md = md_or(md_sha384, EVP_sha384());
		*n = 48;
		*curve = "secp384r1";
		return true;
	case COSE_ALG_ES512:
		*md = md_or(md_sha512, EVP_sha512());
		*n = 66;
		*curve = "secp521r1";
		return true;
	default:
		return false;
	}
}

bool
cose_sign1_verify(const struct cose_sign1 *s, EVP_PKEY *pub, char *why,
                  size_t whylen)
{
	const EVP_MD *md;
	const char *curve;
	char group[64];
	uint8_t *tbs = NULL;
	size_t n, tbslen = 0;
	bool ok = false;

	if (!alg_params(s->alg, &md, &n, &curve)) {
		snprintf(why, whylen, "alg %lld is not supported",
		         (long long)s->alg);
		goto out;
	}
	if (pub == NULL || EVP_PKEY_get_base_id(pub) != EVP_PKEY_EC ||
	    !EVP_PKEY_get_utf8_string_param(pub, OSSL_PKEY_PARAM_GROUP_NAME,
	                                    group, sizeof(group), NULL) ||
	    strcmp(group, curve) != 0) {
		snprintf(why, whylen, "signing key: want an EC key on %s",
		         curve);
		goto out;
	}
	/* RFC 9053 §2.1: the signature is r||s, each the curve's size. */
	if (s->signature_len != 2 * n) {
		snprintf(why, whylen,
		         "signature: want %zu bytes (r||s), have %zu", 2 * n,
		         s->signature_len);
		goto out;
	}
	if (!cose_sig_structure(s, &tbs, &tbslen)) {
		snprintf(why, whylen, "Sig_structure: out of memory");
		goto out;
	}
	if (!ecdsa_verify_raw(pub, md, tbs, tbslen, s->signature,
	                      s->signature + n, n)) {
		snprintf(why, whylen,
		         "signature over Sig_structure [\"Signature1\", "
		         "protected, h'', payload] does not verify");
		goto out;
	}
	ok = true;
out:
	free(tbs);
	return ok;
}
