#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "common/codec.h"
#include "verify/core/tls_binding.h"

bool
tls_binding_layout_parse(const char *s, enum tls_binding_layout *out)
{
	if (s == NULL)
		return false;
	if (strcmp(s, "runtime_data") == 0)
		*out = TLS_BINDING_RUNTIME_DATA;
	else if (strcmp(s, "report_data") == 0)
		*out = TLS_BINDING_REPORT_DATA;
	else if (strcmp(s, "report_data_split") == 0)
		*out = TLS_BINDING_REPORT_DATA_SPLIT;
	else
		return false;
	return true;
}

const char *
tls_binding_layout_name(enum tls_binding_layout l)
{
	switch (l) {
	case TLS_BINDING_REPORT_DATA:
		return "report_data";
	case TLS_BINDING_REPORT_DATA_SPLIT:
		return "report_data_split";
	default:
		return "runtime_data";
	}
}

bool
tls_binding_runtime_data_upper(enum tls_binding_layout l)
{
	return l == TLS_BINDING_REPORT_DATA_SPLIT;
}

/* Exactly 64 hex digits (either case) into OUT. */
static bool
hex32(const char *s, uint8_t out[32])
{
	if (s == NULL || strlen(s) != 64)
		return false;
	for (size_t i = 0; i < 64; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		      (c >= 'A' && c <= 'F')))
			return false;
	}
	return codec_hex_decode_fixed(s, out, 32);
}

int
tls_binding_get(const struct verdict *v, enum tls_binding_layout layout,
                uint8_t spki[32], char *why, size_t whylen)
{
	const json_t *x;

	/* RA-TLS evidence is the endpoint's certificate itself: the quote
	 * binds its key (verify/ratls), whatever layout was declared. */
	if (v->provider == TP_PROVIDER_RA_TLS &&
	    (x = json_object_get(v->claims, "tls_public_key_sha256")) != NULL) {
		if (!hex32(json_string_value(x), spki)) {
			snprintf(why, whylen,
			         "tls_public_key_sha256: want 64 hex digits");
			return -1;
		}
		return 1;
	}
	if (layout == TLS_BINDING_REPORT_DATA ||
	    layout == TLS_BINDING_REPORT_DATA_SPLIT) {
		const char *s;
		char pre[65];

		const char *name = tls_binding_layout_name(layout);

		x = json_object_get(v->claims, "report_data");
		if ((s = json_string_value(x)) == NULL) {
			snprintf(why, whylen,
			         "tls_binding %s: the evidence has no "
			         "report_data claim",
			         name);
			return -1;
		}
		/* report_data is 64 bytes on SGX, TDX, SNP and Mock: its
		 * first 32 are the key's digest (split: the other 32 are
		 * the runtime data's, which verification checked). */
		if (strlen(s) <
		    (layout == TLS_BINDING_REPORT_DATA ? 64 : 128)) {
			snprintf(why, whylen,
			         "tls_binding %s: want %s bytes of report_data",
			         name,
			         layout == TLS_BINDING_REPORT_DATA
			                 ? "at least 32"
			                 : "64");
			return -1;
		}
		memcpy(pre, s, 64);
		pre[64] = '\0';
		if (!hex32(pre, spki)) {
			snprintf(why, whylen, "tls_binding %s: not hex", name);
			return -1;
		}
		return 1;
	}
	x = json_object_get(v->bound, "tls_spki_sha256");
	if (x == NULL)
		return 0; /* no runtime data, or no key in it */
	if (v->binding_valid != TP_TRUE) {
		snprintf(why, whylen,
		         "runtime_data.tls_spki_sha256: the runtime data is "
		         "not bound to the evidence");
		return -1;
	}
	if (!json_is_string(x) || !hex32(json_string_value(x), spki)) {
		snprintf(why, whylen,
		         "runtime_data.tls_spki_sha256: want 64 hex digits "
		         "(SHA-256 of the DER SubjectPublicKeyInfo)");
		return -1;
	}
	return 1;
}

bool
tls_spki_sha256(X509 *cert, uint8_t out[32])
{
	unsigned char *der = NULL;
	int len;

	if (cert == NULL)
		return false;
	len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
	if (len <= 0)
		return false;
	SHA256(der, (size_t)len, out);
	OPENSSL_free(der);
	return true;
}

enum tp_err
tls_binding_compare(const uint8_t bound[32], const uint8_t presented[32])
{
	return CRYPTO_memcmp(bound, presented, 32) == 0
	               ? TP_ERR_none
	               : TP_ERR_tls_key_mismatch;
}
