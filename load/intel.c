/*
 * Intel DCAP collateral from a request or a directory (load/load.h).
 *
 * Accepted (docs/collateral.md):
 *  - the flat shape of the samples: tcb_info (the exact signed JSON text
 *    of the tcbInfo object), tcb_info_signature (hex r||s),
 *    tcb_info_issuer_chain (PEM), qe_identity, qe_identity_signature,
 *    qe_identity_issuer_chain, pck_crl (hex DER or PEM),
 *    pck_crl_issuer_chain, root_ca_crl; camelCase spellings too;
 *  - tcb_info / qe_identity as the Intel PCS response body text
 *    {"tcbInfo": {...}, "signature": "..."} (resp. "enclaveIdentity"),
 *    kept byte for byte;
 *  - tcb_info / qe_identity as a nested JSON object (PCS body or the bare
 *    object): the exact bytes are lost, so the object is re-serialised
 *    compactly in member order, which is what Intel's PCS serves today,
 *    and the artifact is flagged ARTIFACT_RESERIALIZED;
 *  - a directory with tcb_info.json and qe_identity.json (PCS bodies),
 *    *_issuer_chain.pem, pck_crl.der and root_ca_crl.der (the layout of
 *    the shared TDX samples), or a JSON file in the shapes above.
 * Each document becomes one artifact in the PCS wire format: a bare
 * tcbInfo text with its separate signature is wrapped as
 * {"tcbInfo":<text>,"signature":"<hex>"}, so the signed bytes stay
 * exactly the ones sent. Hex CRLs are decoded to DER.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "load/load.h"

/* One signed document and what travels beside it. */
struct doc_names {
	enum artifact_kind kind;
	const char *member; /* of the PCS body */
	const char *doc[3], *sig[3], *chain[3];
};

static const struct doc_names docs[2] = {
        {ARTIFACT_INTEL_TCB_INFO,
         "tcbInfo",
         {"tcb_info", "tcbInfo", NULL},
         {"tcb_info_signature", "tcbInfoSignature", NULL},
         {"tcb_info_issuer_chain", "tcbInfoIssuerChain", NULL}},
        {ARTIFACT_INTEL_QE_IDENTITY,
         "enclaveIdentity",
         {"qe_identity", "qeIdentity", "enclaveIdentity"},
         {"qe_identity_signature", "qeIdentitySignature", NULL},
         {"qe_identity_issuer_chain", "qeIdentityIssuerChain", NULL}},
};

static const json_t *
lookup(const json_t *c, const char *const names[3])
{
	const json_t *v;

	for (int k = 0; k < 3 && names[k] != NULL; k++)
		if ((v = json_object_get(c, names[k])) != NULL)
			return v;
	return NULL;
}

/* A string member NAMES (NULL when absent; recorded when not a string). */
static const char *
string_member(const json_t *c, const char *const names[3], enum artifact_kind k,
              struct artifact_set *set)
{
	const json_t *v = lookup(c, names);

	if (v == NULL)
		return NULL;
	if (!json_is_string(v)) {
		artifact_set_malformed(set, k, "%s: want a string", names[0]);
		return NULL;
	}
	return json_string_value(v);
}

/*
 * True when TEXT is a PCS body: an object with MEMBER beside others.
 * Without MEMBER (or "qeIdentity") spelled out and without a \u escape
 * (the only escape that can spell a letter), no member of TEXT can be
 * named so: that answer needs no parse (issue 19: the bare tcbInfo
 * text of the flat shape, sent with every request).
 */
static bool
is_pcs_body(const char *text, size_t n, const char *member)
{
	json_t *o;
	bool yes, named = memmem(text, n, member, strlen(member)) != NULL ||
	                  (strcmp(member, "enclaveIdentity") == 0 &&
	                   memmem(text, n, "qeIdentity", 10) != NULL);

	if (!named && memmem(text, n, "\\u", 2) == NULL)
		return false;
	o = json_loadb(text, n, 0, NULL);
	yes = json_is_object(o) && (json_object_get(o, member) != NULL ||
	                            (strcmp(member, "enclaveIdentity") == 0 &&
	                             json_object_get(o, "qeIdentity") != NULL));

	json_decref(o);
	return yes;
}

/* {"<member>":<text>,"signature":"<sig>"}; malloc'd. */
static char *
wrap(const char *member, const char *text, const char *sig)
{
	size_t n = strlen(member) + strlen(text) + strlen(sig) + 32;
	char *b = malloc(n);

	if (b != NULL)
		snprintf(b, n, "{\"%s\":%s,\"signature\":\"%s\"}", member, text,
		         sig);
	return b;
}

/* A signature must be hex (it is then safe inside a JSON string). */
static bool
sig_ok(const char *sig, const struct doc_names *d, struct artifact_set *set)
{
	uint8_t *b = NULL;
	size_t n = 0;
	bool ok = codec_hex_decode(sig, strlen(sig), &b, &n);

	free(b);
	if (!ok)
		artifact_set_malformed(set, d->kind, "%s: not hex", d->sig[0]);
	return ok;
}

static void
load_doc(const json_t *c, const struct doc_names *d, struct artifact_set *set,
         const char *src)
{
	const json_t *v = lookup(c, d->doc);
	const char *sig = string_member(c, d->sig, d->kind, set);
	const char *chain = string_member(c, d->chain, d->kind, set);
	char *text = NULL, *body = NULL;
	unsigned flags = 0;

	if (v == NULL)
		return;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		if (sig == NULL || is_pcs_body(s, n, d->member)) {
			artifact_set_add(set, d->kind, NULL, s, n, chain,
			                 chain != NULL ? strlen(chain) : 0, src,
			                 0);
			return;
		}
		if (!sig_ok(sig, d, set))
			return;
		body = wrap(d->member, s, sig);
	} else if (json_is_object(v)) {
		const json_t *inner = json_object_get(v, d->member);
		if (inner == NULL && strcmp(d->member, "enclaveIdentity") == 0)
			inner = json_object_get(v, "qeIdentity");
		if (inner != NULL) {
			sig = json_string_value(
			        json_object_get(v, "signature"));
		} else {
			inner = v;
		}
		text = json_dumps(inner, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (text == NULL) {
			artifact_set_malformed(set, d->kind,
			                       "%s: cannot serialise",
			                       d->doc[0]);
			return;
		}
		flags = ARTIFACT_RESERIALIZED;
		if (sig == NULL) {
			body = text;
			text = NULL;
		} else if (sig_ok(sig, d, set)) {
			body = wrap(d->member, text, sig);
		}
	} else {
		artifact_set_malformed(set, d->kind,
		                       "%s: want a string or an object",
		                       d->doc[0]);
		return;
	}
	if (body != NULL)
		artifact_set_add(set, d->kind, NULL, body, strlen(body), chain,
		                 chain != NULL ? strlen(chain) : 0, src, flags);
	free(body);
	free(text);
}

/*
 * A CRL given as text: PEM kept as is, hex decoded to DER. Text that is
 * neither is kept as it came, so the verifier names it ("not a DER or PEM
 * CRL").
 */
static void
load_crl(const json_t *c, const char *const names[3], enum artifact_kind k,
         const char *const chain_names[3], struct artifact_set *set,
         const char *src)
{
	const char *s = string_member(c, names, k, set);
	const char *chain = chain_names != NULL
	                            ? string_member(c, chain_names, k, set)
	                            : NULL;
	size_t n, cn = chain != NULL ? strlen(chain) : 0;
	uint8_t *der = NULL;
	size_t dn = 0;

	if (s == NULL)
		return; /* the verifier names what is missing */
	n = strlen(s);
	if (memmem(s, n, "-----BEGIN", 10) == NULL &&
	    codec_hex_decode(s, n, &der, &dn))
		artifact_set_add(set, k, NULL, der, dn, chain, cn, src, 0);
	else
		artifact_set_add(set, k, NULL, s, n, chain, cn, src, 0);
	free(der);
}

static void
load_intel_source(const json_t *member, struct artifact_set *set,
                  const char *src)
{
	static const char *const pck[3] = {"pck_crl", "pckCrl", NULL};
	static const char *const pck_chain[3] = {"pck_crl_issuer_chain",
	                                         "pckCrlIssuerChain", NULL};
	static const char *const root[3] = {"root_ca_crl", "rootCaCrl", NULL};

	if (!json_is_object(member)) {
		artifact_set_malformed(set, ARTIFACT_INTEL_TCB_INFO,
		                       "tcb_info: collateral is not a JSON "
		                       "object");
		return;
	}
	for (int d = 0; d < 2; d++)
		load_doc(member, &docs[d], set, src);
	load_crl(member, pck, ARTIFACT_INTEL_PCK_CRL, pck_chain, set, src);
	load_crl(member, root, ARTIFACT_INTEL_ROOT_CA_CRL, NULL, set, src);
}

void
load_intel_json(const json_t *member, struct artifact_set *set)
{
	load_intel_source(member, set, "request");
}

/* DIR/NAME and DIR/CHAIN (or NULL) as one artifact of KIND. */
static void
load_file(const char *dir, const char *name, const char *chain_name,
          enum artifact_kind kind, struct artifact_set *set)
{
	char path[4352];
	uint8_t *body = NULL, *chain = NULL;
	size_t n = 0, cn = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!load_read_file(path, LOAD_MAX_FILE, &body, &n))
		return;
	if (chain_name != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, chain_name);
		load_read_file(path, LOAD_MAX_FILE, &chain, &cn);
	}
	artifact_set_add(set, kind, NULL, body, n, (const char *)chain, cn,
	                 "directory", 0);
	free(body);
	free(chain);
}

void
load_intel_path(const char *path, struct artifact_set *set)
{
	json_t *doc;

	if (load_is_dir(path)) {
		load_file(path, "tcb_info.json", "tcb_info_issuer_chain.pem",
		          ARTIFACT_INTEL_TCB_INFO, set);
		load_file(path, "qe_identity.json",
		          "qe_identity_issuer_chain.pem",
		          ARTIFACT_INTEL_QE_IDENTITY, set);
		load_file(path, "pck_crl.der", "pck_crl_issuer_chain.pem",
		          ARTIFACT_INTEL_PCK_CRL, set);
		load_file(path, "root_ca_crl.der", NULL,
		          ARTIFACT_INTEL_ROOT_CA_CRL, set);
		return;
	}
	if ((doc = json_load_file(path, JSON_REJECT_DUPLICATES, NULL)) ==
	    NULL) {
		artifact_set_malformed(set, ARTIFACT_INTEL_TCB_INFO,
		                       "tcb_info: collateral path is neither a "
		                       "directory nor a JSON file");
		return;
	}
	load_intel_source(doc, set, "file");
	json_decref(doc);
}
