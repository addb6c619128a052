/*
 * A pre-production or test Intel PKI (docs/operations.md, "A custom Intel
 * root"): the root of intel_root_ca_file, pinned by intel_root_ca_sha256,
 * replaces the pinned Intel SGX Root CA for every DCAP check of this
 * process. Intel's own verifier (QVL / QvE) and others (dcap-qvl,
 * go-tdx-guest) take a custom root the same way for Intel's
 * pre-production PCS.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/codec.h"
#include "config/config.h"
#include "verify/core/x509.h"
#include "verify/intel/dcap_collateral.h"

/* A root certificate is a few hundred bytes; PEM with text is more. */
#define ROOT_FILE_MAX (64 * 1024)

bool
config_intel_root_apply(const struct tp_config *c, char *err, size_t errlen)
{
	uint8_t *buf = NULL, md[32], pin[32];
	char have[65];
	X509 *root = NULL;
	FILE *f = NULL;
	size_t n;
	bool ok = false;

	if (c->intel_root_ca_file == NULL && c->intel_root_ca_sha256 == NULL)
		return true;
	if (c->intel_root_ca_file == NULL || c->intel_root_ca_sha256 == NULL) {
		snprintf(err, errlen,
		         "a custom Intel root needs both intel_root_ca_file "
		         "and intel_root_ca_sha256");
		goto out;
	}
	if (!codec_hex_decode_fixed(c->intel_root_ca_sha256, pin,
	                            sizeof(pin))) {
		snprintf(err, errlen,
		         "intel_root_ca_sha256: want 64 hex digits");
		goto out;
	}
	if ((f = fopen(c->intel_root_ca_file, "rb")) == NULL) {
		snprintf(err, errlen, "intel_root_ca_file %s: %s",
		         c->intel_root_ca_file, strerror(errno));
		goto out;
	}
	if ((buf = malloc(ROOT_FILE_MAX + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	n = fread(buf, 1, ROOT_FILE_MAX + 1, f);
	if (ferror(f) || n == 0 || n > ROOT_FILE_MAX) {
		snprintf(err, errlen,
		         "intel_root_ca_file %s: want one DER or PEM "
		         "certificate of at most %d bytes",
		         c->intel_root_ca_file, ROOT_FILE_MAX);
		goto out;
	}
	if ((root = x509_parse(buf, n)) == NULL) {
		snprintf(err, errlen,
		         "intel_root_ca_file %s: not a DER or PEM certificate",
		         c->intel_root_ca_file);
		goto out;
	}
	if (!x509_sha256(root, md)) {
		snprintf(err, errlen, "SHA-256 unavailable");
		goto out;
	}
	/* The pin: a file replaced behind the configuration's back is
	 * refused, as a replaced config/trust/ root is. */
	if (CRYPTO_memcmp(md, pin, sizeof(md)) != 0) {
		codec_hex_encode_to(md, sizeof(md), have);
		snprintf(err, errlen,
		         "intel_root_ca_file %s: its SHA-256 is %s, not "
		         "intel_root_ca_sha256 %s; refusing to trust it",
		         c->intel_root_ca_file, have, c->intel_root_ca_sha256);
		goto out;
	}
	codec_hex_encode_to(md, sizeof(md), have);
	dcap_root_ca_override(root, have);
	root = NULL;
	ok = true;
out:
	X509_free(root);
	free(buf);
	if (f != NULL)
		fclose(f);
	return ok;
}
