/*
 * AMD SEV-SNP collateral from a request, a path or the operator's CRL
 * file (load/load.h). Accepted (docs/collateral.md):
 *
 *  - the request member {"vcek" | "vlek": PEM text or base64 of DER,
 *    "cert_chain": PEM (ASK/ASVK then ARK), "crl": PEM text or base64 of
 *    DER}, strings of at most SNP_LOAD_MAX bytes: ARTIFACT_AMD_VCEK,
 *    _VLEK, _CERT_CHAIN, _CRL with key "" and source "request";
 *  - a certificate file (DER or PEM): one ARTIFACT_AMD_VCEK, key "",
 *    source "file". The file does not say which key it is; the verifier
 *    takes it for a VLEK-signed report too, as it takes a request's lone
 *    "vcek" or "vlek" member for either;
 *  - a directory: vcek.der (else vcek.pem), vlek.der (else vlek.pem),
 *    cert_chain.pem, crl.der (else crl.pem), key "", source "directory";
 *    and the KDS layout <Product>/<hwid>/<reported_tcb as %016llx>.der.
 *
 * The KDS layout: a loader cannot know the report, so every VCEK of the
 * layout is added, keyed as the collateral service keys the VCEK it
 * fetches (snp_vcek_key: "<Product>/<hwid>/<bl>.<tee>.<snp>.<ucode>
 * [.<fmc>]", the TCB decoded for the product the directory names). The
 * verifier takes the VCEK whose key its report names: one key format for
 * every loader, and a VCEK of another chip or TCB in the mirror is never
 * mistaken for this report's. A mirror holding more VCEKs than one
 * artifact set takes (ARTIFACT_SET_MAX) is recorded as malformed rather
 * than read in part.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/codec.h"
#include "load/load.h"
#include "verify/amd/snp_report.h"

/* The largest SNP certificate, chain or CRL read (as the verifier had). */
#define SNP_LOAD_MAX (64 * 1024)

/*
 * A certificate or CRL given in JSON: PEM text (kept), or base64 of DER
 * (decoded). False for anything else.
 */
static bool
json_blob(const json_t *val, enum artifact_kind kind, struct artifact_set *set)
{
	const char *s = json_string_value(val);
	size_t n = json_string_length(val);
	uint8_t *der = NULL;
	size_t dn = 0;
	bool ok;

	if (s == NULL || n == 0 || n > SNP_LOAD_MAX)
		return false;
	if (strstr(s, "-----BEGIN ") != NULL) {
		artifact_set_add(set, kind, NULL, s, n, NULL, 0, "request", 0);
		return true;
	}
	if (!codec_base64_decode(s, n, &der, &dn))
		return false;
	ok = dn > 0;
	if (ok)
		artifact_set_add(set, kind, NULL, der, dn, NULL, 0, "request",
		                 0);
	free(der);
	return ok;
}

void
load_amd_json(const json_t *member, struct artifact_set *set)
{
	static const struct {
		const char *name;
		enum artifact_kind kind;
	} keys[2] = {{"vcek", ARTIFACT_AMD_VCEK}, {"vlek", ARTIFACT_AMD_VLEK}};
	const json_t *val;

	if (member == NULL || json_is_null(member))
		return;
	if (!json_is_object(member)) {
		/* Recorded under cert_chain, not a key kind: the member as a
		 * whole is unreadable, which the report's own certificate
		 * table does not make moot (the verifier's rule). */
		artifact_set_malformed(set, ARTIFACT_AMD_CERT_CHAIN,
		                       "collateral: want a JSON object");
		return;
	}
	/* The chain and CRL first: a malformed key member that the
	 * verifier finds moot (it has the report's own certificate) must
	 * not hide them, as only the first malformed item is recorded. */
	if ((val = json_object_get(member, "cert_chain")) != NULL) {
		const char *s = json_string_value(val);
		size_t n = json_string_length(val);

		if (s == NULL || n == 0 || n > SNP_LOAD_MAX)
			artifact_set_malformed(
			        set, ARTIFACT_AMD_CERT_CHAIN,
			        "collateral.cert_chain: want PEM "
			        "text");
		else
			artifact_set_add(set, ARTIFACT_AMD_CERT_CHAIN, NULL, s,
			                 n, NULL, 0, "request", 0);
	}
	if ((val = json_object_get(member, "crl")) != NULL &&
	    !json_blob(val, ARTIFACT_AMD_CRL, set))
		artifact_set_malformed(set, ARTIFACT_AMD_CRL,
		                       "collateral.crl: want PEM text or "
		                       "base64 of DER");
	for (int i = 0; i < 2; i++)
		if ((val = json_object_get(member, keys[i].name)) != NULL &&
		    !json_blob(val, keys[i].kind, set))
			artifact_set_malformed(
			        set, keys[i].kind,
			        "collateral.%s: want PEM text or "
			        "base64 of DER",
			        keys[i].name);
}

/* DIR/NAME as KIND (key "") when it can be read; false otherwise. */
static bool
load_in_dir(const char *dir, const char *name, enum artifact_kind kind,
            struct artifact_set *set)
{
	char path[4352];
	uint8_t *b = NULL;
	size_t n = 0;
	int k = snprintf(path, sizeof(path), "%s/%s", dir, name);

	if (k < 0 || (size_t)k >= sizeof(path) ||
	    !load_read_file(path, SNP_LOAD_MAX, &b, &n))
		return false;
	artifact_set_add(set, kind, NULL, b, n, NULL, 0, "directory", 0);
	free(b);
	return true;
}

/* True when S is exactly N lower-case hex digits. */
static bool
lower_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* The VCEKs of DIR/<product>/<hwid>/ (see the top of this file). */
static void
load_kds_hwid(const char *dir, enum snp_product p, const char *hwid,
              struct artifact_set *set)
{
	char sub[4352], path[4608], key[160], tcbhex[17];
	DIR *d;
	struct dirent *e;

	snprintf(sub, sizeof(sub), "%s/%s/%s", dir, snp_product_name(p), hwid);
	if ((d = opendir(sub)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		uint8_t *b = NULL;
		size_t n = 0;

		if (strlen(e->d_name) != 20 ||
		    strcmp(e->d_name + 16, ".der") != 0)
			continue;
		memcpy(tcbhex, e->d_name, 16);
		tcbhex[16] = '\0';
		if (!lower_hex(tcbhex, 16) ||
		    !snp_vcek_key(p, hwid, strtoull(tcbhex, NULL, 16), key,
		                  sizeof(key)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", sub, e->d_name);
		if (!load_read_file(path, SNP_LOAD_MAX, &b, &n))
			continue;
		if (!artifact_set_add(set, ARTIFACT_AMD_VCEK, key, b, n, NULL,
		                      0, "directory", 0))
			artifact_set_malformed(
			        set, ARTIFACT_AMD_VCEK,
			        "collateral directory: the KDS layout holds "
			        "more VCEKs than one verification takes (%d "
			        "artifacts)",
			        ARTIFACT_SET_MAX);
		free(b);
	}
	closedir(d);
}

static void
load_kds_layout(const char *dir, struct artifact_set *set)
{
	char sub[4352];

	for (int p = SNP_PRODUCT_MILAN; p <= SNP_PRODUCT_TURIN; p++) {
		size_t hexlen = p == SNP_PRODUCT_TURIN ? 16 : 128;
		DIR *d;
		struct dirent *e;

		snprintf(sub, sizeof(sub), "%s/%s", dir,
		         snp_product_name((enum snp_product)p));
		if ((d = opendir(sub)) == NULL)
			continue;
		while ((e = readdir(d)) != NULL)
			if (lower_hex(e->d_name, hexlen))
				load_kds_hwid(dir, (enum snp_product)p,
				              e->d_name, set);
		closedir(d);
	}
}

void
load_amd_path(const char *path, struct artifact_set *set)
{
	struct stat st;
	uint8_t *b = NULL;
	size_t n = 0;

	if (path == NULL)
		return;
	if (stat(path, &st) != 0) {
		artifact_set_malformed(set, ARTIFACT_AMD_VCEK,
		                       "collateral path: cannot be read (%s)",
		                       strerror(errno));
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		if (!load_in_dir(path, "vcek.der", ARTIFACT_AMD_VCEK, set))
			load_in_dir(path, "vcek.pem", ARTIFACT_AMD_VCEK, set);
		if (!load_in_dir(path, "vlek.der", ARTIFACT_AMD_VLEK, set))
			load_in_dir(path, "vlek.pem", ARTIFACT_AMD_VLEK, set);
		load_kds_layout(path, set);
		load_in_dir(path, "cert_chain.pem", ARTIFACT_AMD_CERT_CHAIN,
		            set);
		if (!load_in_dir(path, "crl.der", ARTIFACT_AMD_CRL, set))
			load_in_dir(path, "crl.pem", ARTIFACT_AMD_CRL, set);
		return;
	}
	if (!load_read_file(path, SNP_LOAD_MAX, &b, &n)) {
		artifact_set_malformed(set, ARTIFACT_AMD_VCEK,
		                       "collateral path: not a readable file "
		                       "of at most %d bytes",
		                       SNP_LOAD_MAX);
		return;
	}
	artifact_set_add(set, ARTIFACT_AMD_VCEK, NULL, b, n, NULL, 0, "file",
	                 0);
	free(b);
}

/*
 * Always added when it can be read, so that the verifier applies its
 * rule (a CRL from the request, the directory or the collateral service
 * first; this one otherwise). The verifier recognises this loader's
 * record by its "snp.crl_file:" prefix: it matters only when no other
 * CRL is had, as before.
 */
void
load_amd_crl_file(const char *path, struct artifact_set *set)
{
	uint8_t *b = NULL;
	size_t n = 0;

	if (path == NULL || path[0] == '\0')
		return;
	if (!load_read_file(path, SNP_LOAD_MAX, &b, &n)) {
		artifact_set_malformed(set, ARTIFACT_AMD_CRL,
		                       "snp.crl_file: cannot be read (at most "
		                       "%d bytes)",
		                       SNP_LOAD_MAX);
		return;
	}
	artifact_set_add(set, ARTIFACT_AMD_CRL, NULL, b, n, NULL, 0, "config",
	                 0);
	free(b);
}
