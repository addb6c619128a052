/*
 * teepass collateral import PATH... | export DIR | list: the collateral
 * cache of the daemon (docs/collateral.md, "Bundles"). Every imported
 * artifact is verified like a fetched one before it is written.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/x509.h>

#include "cli/cli.h"
#include "collateral/collateral.h"
#include "common/codec.h"
#include "common/tptime.h"
#include "handlers/db_json.h"
#include "verify/intel/dcap_collateral.h"
#include "verify/core/x509.h"

#define MAX_FILE (1024 * 1024)

/* File extension of each kind in the export layout. */
static const char *const kind_ext[COLL_KIND__COUNT] = {
        "json", "json", "der", "der", "der", "json", "pem", "der"};

struct import_ctx {
	PGconn *c;
	int64_t at;
	int imported, refused;
};

/* CRLs are kept as DER, whatever the input encoding. */
static bool
crl_to_der(uint8_t **body, size_t *len)
{
	X509_CRL *crl = x509_crl_parse(*body, *len);
	unsigned char *der = NULL;
	int n;

	if (crl == NULL)
		return false;
	n = i2d_X509_CRL(crl, &der);
	X509_CRL_free(crl);
	if (n <= 0)
		return false;
	free(*body);
	*body = malloc((size_t)n);
	if (*body == NULL) {
		OPENSSL_free(der);
		return false;
	}
	memcpy(*body, der, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(der);
	return true;
}

/* Verifies and writes one artifact; takes BODY and CHAIN (malloc'd). */
static void
import_one(struct import_ctx *ic, enum artifact_kind kind, uint8_t *body,
           size_t len, char *chain, const char *from)
{
	struct db_collateral_row r;
	bool stale = false;
	char why[256], a[32], b[32];

	memset(&r, 0, sizeof(r));
	snprintf(r.kind, sizeof(r.kind), "%s", artifact_kind_name(kind));
	snprintf(r.source, sizeof(r.source), "import");
	if ((kind == ARTIFACT_INTEL_PCK_CRL ||
	     kind == ARTIFACT_INTEL_ROOT_CA_CRL || kind == ARTIFACT_AMD_CRL) &&
	    body != NULL && !crl_to_der(&body, &len)) {
		fprintf(stderr, "teepass: %s: %s: not a CRL\n", from, r.kind);
		ic->refused++;
		goto out;
	}
	r.body = body;
	r.body_len = len;
	r.issuer_chain = chain;
	r.fetched_at = tptime_now();
	body = NULL;
	chain = NULL;
	if (!coll_artifact_check(&r, ic->at, &stale, why, sizeof(why)) &&
	    !stale) {
		fprintf(stderr, "teepass: %s: %s refused: %s\n", from, r.kind,
		        why);
		ic->refused++;
		goto out;
	}
	if (db_collateral_put(ic->c, &r) != DB_OK) {
		fprintf(stderr, "teepass: %s: %s/%s: database write failed\n",
		        from, r.kind, r.key);
		ic->refused++;
		goto out;
	}
	tptime_format(r.issue_date, a);
	tptime_format(r.next_update, b);
	printf("%s/%s [%s, %s)%s\n", r.kind, r.key, a, b,
	       stale ? " (outside its window at the import time: kept, never "
	               "used outside it)"
	             : "");
	ic->imported++;
out:
	free(body);
	free(chain);
	db_collateral_row_clear(&r);
}

static bool
read_opt(const char *path, uint8_t **out, size_t *len)
{
	struct stat st;

	*out = NULL;
	*len = 0;
	if (stat(path, &st) != 0)
		return false;
	return cli_read_file(path, MAX_FILE, out, len);
}

/* A signed Intel document as a PCS body {"<member>": ..., "signature"}:
 * kept as is when it is one; else built from the signed text and the
 * hex signature (dcap-qvl's flat shape). */
static uint8_t *
intel_body(const char *member, const char *text, size_t len, const char *sig,
           size_t *outlen)
{
	size_t off, vlen, n;
	char *b;

	if (dcap_json_member_span(text, len, member, &off, &vlen)) {
		b = strndup(text, len);
		*outlen = len;
		return (uint8_t *)b;
	}
	if (sig == NULL)
		return NULL;
	n = len + strlen(sig) + strlen(member) + 32;
	if ((b = malloc(n)) == NULL)
		return NULL;
	*outlen = (size_t)snprintf(b, n, "{\"%s\":%.*s,\"signature\":\"%s\"}",
	                           member, (int)len, text, sig);
	return (uint8_t *)b;
}

static char *
str_dup(const json_t *v)
{
	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

/* dcap-qvl's flat collateral JSON (docs/collateral.md). */
static void
import_flat(struct import_ctx *ic, const json_t *doc, const char *from)
{
	static const char *const docs[2][4] = {
	        {"tcb_info", "tcb_info_signature", "tcb_info_issuer_chain",
	         "tcbInfo"},
	        {"qe_identity", "qe_identity_signature",
	         "qe_identity_issuer_chain", "enclaveIdentity"}};
	static const char *const crls[2][2] = {
	        {"pck_crl", "pck_crl_issuer_chain"}, {"root_ca_crl", NULL}};

	for (int d = 0; d < 2; d++) {
		const json_t *t = json_object_get(doc, docs[d][0]);
		uint8_t *body;
		size_t n = 0;
		if (!json_is_string(t))
			continue;
		body = intel_body(
		        docs[d][3], json_string_value(t), json_string_length(t),
		        json_string_value(json_object_get(doc, docs[d][1])),
		        &n);
		import_one(ic,
		           d == 0 ? ARTIFACT_INTEL_TCB_INFO
		                  : ARTIFACT_INTEL_QE_IDENTITY,
		           body, n, str_dup(json_object_get(doc, docs[d][2])),
		           from);
	}
	for (int d = 0; d < 2; d++) {
		const json_t *t = json_object_get(doc, crls[d][0]);
		const char *s = json_string_value(t);
		uint8_t *body = NULL;
		size_t n = 0;
		if (s == NULL)
			continue;
		if (strstr(s, "-----BEGIN") != NULL) {
			body = (uint8_t *)strdup(s);
			n = strlen(s);
		} else if (!codec_hex_decode(s, strlen(s), &body, &n)) {
			fprintf(stderr, "teepass: %s: %s: not hex\n", from,
			        crls[d][0]);
			ic->refused++;
			continue;
		}
		import_one(ic,
		           d == 0 ? ARTIFACT_INTEL_PCK_CRL
		                  : ARTIFACT_INTEL_ROOT_CA_CRL,
		           body, n,
		           crls[d][1] != NULL
		                   ? str_dup(json_object_get(doc, crls[d][1]))
		                   : NULL,
		           from);
	}
}

/* The issuer chains of a pccsadmin file are the PCS response headers as
 * received: URL-encoded PEM. A copy, decoded; NULL when malformed. */
static char *
pct_decode(const char *s)
{
	size_t n = strlen(s), o = 0;
	char *out = malloc(n + 1);

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (s[i] != '%') {
			out[o++] = s[i];
			continue;
		}
		if (i + 2 >= n || !isxdigit((unsigned char)s[i + 1]) ||
		    !isxdigit((unsigned char)s[i + 2]) ||
		    sscanf(s + i + 1, "%2x", &v) != 1 || v == 0) {
			free(out);
			return NULL;
		}
		out[o++] = (char)v;
		i += 2;
	}
	out[o] = '\0';
	return out;
}

static char *
header_chain(const json_t *certs, const char *name)
{
	const char *s = json_string_value(json_object_get(certs, name));

	return s != NULL ? pct_decode(s) : NULL;
}

/* The chain among the PCK certificate issuer chains (one per PCK CA;
 * the same chain issues the CA's CRL) under which the DER CRL verifies,
 * decoded; NULL when none does. */
static char *
pck_crl_chain(const json_t *chains, const uint8_t *der, size_t len, int64_t at)
{
	const char *k;
	const json_t *v;

	json_object_foreach((json_t *)chains, k, v)
	{
		struct db_collateral_row r;
		bool stale, ok;
		char why[256], *chain;

		if (!json_is_string(v) ||
		    (chain = pct_decode(json_string_value(v))) == NULL)
			continue;
		memset(&r, 0, sizeof(r));
		snprintf(r.kind, sizeof(r.kind), "intel_pck_crl");
		r.body = malloc(len);
		if (r.body == NULL) {
			free(chain);
			return NULL;
		}
		memcpy(r.body, der, len);
		r.body_len = len;
		r.issuer_chain = strdup(chain);
		ok = coll_artifact_check(&r, at, &stale, why, sizeof(why)) ||
		     stale;
		db_collateral_row_clear(&r);
		if (ok)
			return chain;
		free(chain);
	}
	return NULL;
}

/*
 * The platform_collaterals.json that Intel's `pccsadmin fetch` writes
 * (SGXDataCenterAttestationPrimitives, tools/PccsAdminTool, PCS API v4):
 * {"collaterals": {"version": 4, "tcbinfos": [{"fmspc", "sgx_tcbinfo",
 * "tdx_tcbinfo", ...}], "pckcacrl": {"processorCrl", "platformCrl"} (hex
 * DER), "qeidentity", "tdqeidentity" (PCS body text), "certificates":
 * {"SGX-PCK-Certificate-Issuer-Chain": {<ca>: chain},
 * "TCB-Info-Issuer-Chain", "SGX-Enclave-Identity-Issuer-Chain"}
 * (URL-encoded), "rootcacrl" (hex DER)}}. TCB Infos are stored parsed:
 * the signed text is their compact serialisation in the stored order,
 * which the signature check then confirms or refutes. Early TCB Infos
 * and identities, the QvE identity and PCK certificates are not
 * imported. Every artifact is verified like any other import.
 */
static void
import_pccsadmin(struct import_ctx *ic, const json_t *c, const char *from)
{
	static const char *const tcb_keys[3] = {"sgx_tcbinfo", "tcbinfo",
	                                        "tdx_tcbinfo"};
	static const char *const id_keys[2] = {"qeidentity", "tdqeidentity"};
	static const char *const crl_keys[3] = {"processorCrl", "platformCrl",
	                                        "rootcacrl"};
	const json_t *certs = json_object_get(c, "certificates");
	const json_t *tcbs = json_object_get(c, "tcbinfos"), *t;
	const json_t *crls = json_object_get(c, "pckcacrl");
	size_t i;

	if (json_integer_value(json_object_get(c, "version")) != 4) {
		fprintf(stderr,
		        "teepass: %s: collaterals.version: only the PCS v4 "
		        "layout of pccsadmin is read\n",
		        from);
		ic->refused++;
		return;
	}
	json_array_foreach(tcbs, i, t)
	{
		for (int k = 0; k < 3; k++) {
			const json_t *doc = json_object_get(t, tcb_keys[k]);
			const char *sig = json_string_value(
			        json_object_get(doc, "signature"));
			char *text;
			uint8_t *body;
			size_t n = 0;

			if (doc == NULL)
				continue;
			text = json_dumps(json_object_get(doc, "tcbInfo"),
			                  JSON_COMPACT | JSON_PRESERVE_ORDER);
			if (text == NULL || sig == NULL) {
				fprintf(stderr,
				        "teepass: %s: tcbinfos[%zu].%s: want "
				        "{tcbInfo, signature}\n",
				        from, i, tcb_keys[k]);
				free(text);
				ic->refused++;
				continue;
			}
			body = intel_body("tcbInfo", text, strlen(text), sig,
			                  &n);
			free(text);
			import_one(ic, ARTIFACT_INTEL_TCB_INFO, body, n,
			           header_chain(certs, "TCB-Info-Issuer-Chain"),
			           from);
		}
	}
	for (int k = 0; k < 2; k++) {
		const char *s =
		        json_string_value(json_object_get(c, id_keys[k]));
		if (s == NULL || s[0] == '\0')
			continue;
		import_one(ic, ARTIFACT_INTEL_QE_IDENTITY, (uint8_t *)strdup(s),
		           strlen(s),
		           header_chain(certs,
		                        "SGX-Enclave-Identity-Issuer-Chain"),
		           from);
	}
	for (int k = 0; k < 3; k++) {
		const char *s = json_string_value(
		        json_object_get(k < 2 ? crls : c, crl_keys[k]));
		uint8_t *der = NULL;
		size_t n = 0;
		char *chain = NULL;

		if (s == NULL || s[0] == '\0')
			continue;
		if (!codec_hex_decode(s, strlen(s), &der, &n)) {
			fprintf(stderr,
			        "teepass: %s: %s: not hex of a DER CRL\n", from,
			        crl_keys[k]);
			ic->refused++;
			continue;
		}
		if (k < 2 &&
		    (chain = pck_crl_chain(
		             json_object_get(certs,
		                             "SGX-PCK-Certificate-Issuer-"
		                             "Chain"),
		             der, n, ic->at)) == NULL) {
			fprintf(stderr,
			        "teepass: %s: pckcacrl.%s refused: no PCK "
			        "certificate issuer chain in the file under "
			        "which it verifies\n",
			        from, crl_keys[k]);
			free(der);
			ic->refused++;
			continue;
		}
		import_one(ic,
		           k < 2 ? ARTIFACT_INTEL_PCK_CRL
		                 : ARTIFACT_INTEL_ROOT_CA_CRL,
		           der, n, chain, from);
	}
}

/* teepass's own JSON bundle: {"artifacts": [{kind, body (base64),
 * issuer_chain?}]} (what `export --json` writes). */
static void
import_bundle(struct import_ctx *ic, const json_t *arr, const char *from)
{
	size_t i;
	const json_t *a;

	json_array_foreach(arr, i, a)
	{
		enum artifact_kind k;
		const char *kind =
		        json_string_value(json_object_get(a, "kind"));
		const char *b64 = json_string_value(json_object_get(a, "body"));
		uint8_t *body = NULL;
		size_t n = 0;

		if (kind == NULL || !artifact_kind_parse(kind, &k) ||
		    k >= COLL_KIND__COUNT || b64 == NULL ||
		    !codec_base64_decode(b64, strlen(b64), &body, &n)) {
			fprintf(stderr,
			        "teepass: %s: artifacts[%zu]: want kind and "
			        "base64 body\n",
			        from, i);
			ic->refused++;
			continue;
		}
		import_one(ic, k, body, n,
		           str_dup(json_object_get(a, "issuer_chain")), from);
	}
}

static void
import_file(struct import_ctx *ic, const char *path, enum artifact_kind kind,
            const char *chain_path)
{
	uint8_t *body = NULL, *chain = NULL;
	size_t n = 0, cn = 0;

	if (!cli_read_file(path, MAX_FILE, &body, &n)) {
		ic->refused++;
		return;
	}
	if (chain_path != NULL)
		read_opt(chain_path, &chain, &cn);
	import_one(ic, kind, body, n, (char *)chain, path);
}

/* The export layout DIR/<kind>/<name>.<ext> with <name>.issuer_chain.pem
 * beside it, or the sample layout (tcb_info.json, qe_identity.json,
 * pck_crl.der, root_ca_crl.der with *_issuer_chain.pem; vcek.der). */
static void
import_dir(struct import_ctx *ic, const char *dir)
{
	static const struct {
		const char *file, *chain;
		enum artifact_kind kind;
	} sample[] = {
	        {"tcb_info.json", "tcb_info_issuer_chain.pem",
	         ARTIFACT_INTEL_TCB_INFO},
	        {"qe_identity.json", "qe_identity_issuer_chain.pem",
	         ARTIFACT_INTEL_QE_IDENTITY},
	        {"pck_crl.der", "pck_crl_issuer_chain.pem",
	         ARTIFACT_INTEL_PCK_CRL},
	        {"root_ca_crl.der", NULL, ARTIFACT_INTEL_ROOT_CA_CRL},
	        {"vcek.der", NULL, ARTIFACT_AMD_VCEK},
	        {"vcek.pem", NULL, ARTIFACT_AMD_VCEK},
	        {"nras_jwks.json", NULL, ARTIFACT_NVIDIA_NRAS_JWKS},
	        {"cert_chain.pem", NULL, ARTIFACT_AMD_CERT_CHAIN},
	        {"crl.der", NULL, ARTIFACT_AMD_CRL},
	};
	char path[4096], chain[8448];
	struct stat st;

	for (size_t i = 0; i < sizeof(sample) / sizeof(sample[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, sample[i].file);
		if (stat(path, &st) != 0)
			continue;
		if (sample[i].chain != NULL)
			snprintf(chain, sizeof(chain), "%s/%s", dir,
			         sample[i].chain);
		import_file(ic, path, sample[i].kind,
		            sample[i].chain != NULL ? chain : NULL);
	}
	for (int k = 0; k < COLL_KIND__COUNT; k++) {
		DIR *d;
		struct dirent *e;
		snprintf(path, sizeof(path), "%s/%s", dir,
		         artifact_kind_name((enum artifact_kind)k));
		if ((d = opendir(path)) == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			const char *dot = strrchr(e->d_name, '.');
			size_t stem;
			if (e->d_name[0] == '.' || dot == NULL ||
			    strcmp(dot + 1, kind_ext[k]) != 0 ||
			    strstr(e->d_name, ".issuer_chain.") != NULL)
				continue;
			stem = (size_t)(dot - e->d_name);
			snprintf(chain, sizeof(chain),
			         "%s/%.*s.issuer_chain.pem", path, (int)stem,
			         e->d_name);
			snprintf(path + strlen(path),
			         sizeof(path) - strlen(path), "/%s", e->d_name);
			import_file(ic, path, (enum artifact_kind)k, chain);
			*strrchr(path, '/') = '\0';
		}
		closedir(d);
	}
}

static void
import_path(struct import_ctx *ic, const char *path)
{
	struct stat st;
	json_t *doc;
	const json_t *arts;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "teepass: %s: %s\n", path, strerror(errno));
		ic->refused++;
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		import_dir(ic, path);
		return;
	}
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	if (doc == NULL) {
		/* Not JSON: a VCEK certificate (DER or PEM). */
		import_file(ic, path, ARTIFACT_AMD_VCEK, NULL);
		return;
	}
	if ((arts = json_object_get(doc, "artifacts")) != NULL &&
	    json_is_array(arts))
		import_bundle(ic, arts, path);
	else if (json_is_object(json_object_get(doc, "collaterals")))
		import_pccsadmin(ic, json_object_get(doc, "collaterals"), path);
	else if (json_object_get(doc, "vcek") != NULL) {
		const char *s = json_string_value(json_object_get(doc, "vcek"));
		uint8_t *b = NULL;
		size_t n = 0;
		if (s != NULL && codec_base64_decode(s, strlen(s), &b, &n))
			import_one(ic, ARTIFACT_AMD_VCEK, b, n, NULL, path);
		else
			ic->refused++;
	} else
		import_flat(ic, doc, path);
	json_decref(doc);
}

static bool
write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	bool ok = f != NULL && fwrite(buf, 1, len, f) == len;

	if (f != NULL && fclose(f) != 0)
		ok = false;
	if (!ok)
		fprintf(stderr, "teepass: %s: %s\n", path, strerror(errno));
	return ok;
}

static int
export_dir(PGconn *c, const char *dir, int64_t at)
{
	struct db_collateral_entry *rows = NULL;
	json_t *arr = NULL, *a;
	size_t i, count = 0;
	int rc = CLI_USAGE;
	char path[4096];

	if (db_collateral_list(c, at, true, &rows, &count) != DB_OK ||
	    (arr = db_json_collateral_list(rows, count, true)) == NULL) {
		db_collateral_list_free(rows, count);
		fprintf(stderr, "teepass: cannot read the collateral cache\n");
		return CLI_USAGE;
	}
	db_collateral_list_free(rows, count);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "teepass: %s: %s\n", dir, strerror(errno));
		goto out;
	}
	json_array_foreach(arr, i, a)
	{
		const char *kind =
		        json_string_value(json_object_get(a, "kind"));
		const char *b64 = json_string_value(json_object_get(a, "body"));
		const char *chain =
		        json_string_value(json_object_get(a, "issuer_chain"));
		char name[200];
		enum artifact_kind k;
		uint8_t *body = NULL;
		size_t n = 0;

		if (kind == NULL || !artifact_kind_parse(kind, &k) ||
		    k >= COLL_KIND__COUNT || b64 == NULL ||
		    !codec_base64_decode(b64, strlen(b64), &body, &n))
			goto out;
		snprintf(name, sizeof(name), "%s",
		         json_string_value(json_object_get(a, "key")));
		for (char *p = name; *p != '\0'; p++)
			if (*p == '/')
				*p = '_';
		snprintf(path, sizeof(path), "%s/%s", dir, kind);
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			free(body);
			goto out;
		}
		snprintf(path, sizeof(path), "%s/%s/%s.%s", dir, kind, name,
		         kind_ext[k]);
		if (!write_file(path, body, n)) {
			free(body);
			goto out;
		}
		free(body);
		if (chain != NULL) {
			snprintf(path, sizeof(path),
			         "%s/%s/%s.issuer_chain.pem", dir, kind, name);
			if (!write_file(path, chain, strlen(chain)))
				goto out;
		}
		printf("%s/%s\n", kind,
		       json_string_value(json_object_get(a, "key")));
	}
	rc = CLI_OK;
out:
	json_decref(arr);
	return rc;
}

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: teepass collateral import [--at TIME] PATH...\n"
	        "       teepass collateral export DIR\n"
	        "       teepass collateral list [--at TIME]\n\n"
	        "The daemon's collateral cache (TEEPASS_DATABASE_URL).\n"
	        "import: each artifact is verified (signature, chain to the "
	        "pinned vendor\n"
	        "  root) as of TIME (default now) before it is written. PATH: "
	        "a directory\n"
	        "  in the export layout or the sample layout, a dcap-qvl "
	        "collateral JSON,\n"
	        "  a bundle {\"artifacts\": [...]}, or a VCEK (DER/PEM).\n"
	        "export: writes DIR/<kind>/<key>.<json|der> and "
	        "<key>.issuer_chain.pem.\n"
	        "list: the cached artifacts with their validity at TIME, as "
	        "JSON.\n");
}

int
cli_collateral(int argc, char **argv)
{
	static const struct option opts[] = {{"at", 1, NULL, 'a'},
	                                     {"help", 0, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct tp_config cfg;
	struct import_ctx ic = {0};
	const char *cmd;
	int opt, rc = CLI_USAGE;
	bool have_cfg = false;

	ic.at = tptime_now();
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	cmd = argv[1];
	optind = 1;
	while ((opt = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			if (!tptime_parse(optarg, &ic.at)) {
				fprintf(stderr, "teepass: --at: want an RFC "
				                "3339 time\n");
				return CLI_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return CLI_OK;
		default:
			return CLI_USAGE;
		}
	}
	if (!cli_load_config(&cfg))
		return CLI_USAGE;
	have_cfg = true;
	if (cfg.database_url == NULL) {
		fprintf(stderr, "teepass: set TEEPASS_DATABASE_URL (libpq "
		                "connection string)\n");
		goto out;
	}
	db_configure(cfg.database_url);
	if ((ic.c = db_conn()) == NULL) {
		fprintf(stderr, "teepass: cannot connect to the database\n");
		goto out;
	}
	if (strcmp(cmd, "import") == 0) {
		if (optind + 1 >= argc) {
			usage(stderr);
			goto out;
		}
		for (int i = optind + 1; i < argc; i++)
			import_path(&ic, argv[i]);
		fprintf(stderr, "teepass: %d imported, %d refused\n",
		        ic.imported, ic.refused);
		rc = ic.refused == 0 && ic.imported > 0 ? CLI_OK : CLI_INVALID;
	} else if (strcmp(cmd, "export") == 0 && optind + 2 == argc) {
		rc = export_dir(ic.c, argv[optind + 1], ic.at);
	} else if (strcmp(cmd, "list") == 0) {
		struct db_collateral_entry *rows = NULL;
		size_t count = 0;
		json_t *arr = NULL;
		char *s;
		if (db_collateral_list(ic.c, ic.at, false, &rows, &count) !=
		    DB_OK)
			goto out;
		arr = db_json_collateral_list(rows, count, false);
		db_collateral_list_free(rows, count);
		s = json_dumps(arr, JSON_INDENT(2));
		printf("%s\n", s != NULL ? s : "[]");
		free(s);
		json_decref(arr);
		rc = CLI_OK;
	} else {
		usage(stderr);
	}
out:
	db_conn_close();
	db_configure(NULL);
	if (have_cfg)
		config_free(&cfg);
	return rc;
}
