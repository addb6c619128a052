/* The EAR claims of a passport (docs/passport.md). */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "common/codec.h"
#include "passport/passport.h"

/* AR4SI trustworthiness claim values (draft-ietf-rats-ar4si). */
#define TV_NONE      0
#define TV_AFFIRMING 2
#define TV_WARNING   32

/* "sha256:<hex>" of J serialised canonically enough for a fingerprint
 * (sorted keys, compact), or of TEXT, J so serialised already. */
static json_t *
sha256_of_json_text(const json_t *j, const char *text)
{
	uint8_t md[32];
	char hex[65], buf[72];
	char *s = NULL;

	if (text == NULL) {
		if (j == NULL)
			j = json_null();
		s = json_dumps(j,
		               JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		if (s == NULL)
			return json_null();
		text = s;
	}
	SHA256((const uint8_t *)text, strlen(text), md);
	free(s);
	codec_hex_encode_to(md, 32, hex);
	snprintf(buf, sizeof(buf), "sha256:%s", hex);
	return json_string(buf);
}

static json_t *
sha256_of_json(const json_t *j)
{
	return sha256_of_json_text(j, NULL);
}

/* The evidence claims without the copy of runtime_data (that is carried
 * by the model/config/auditors/cnf claims). */
static json_t *
measurements(const json_t *claims)
{
	json_t *m = json_deep_copy(claims);

	if (m == NULL)
		m = json_object();
	json_object_del(m, "runtime_data");
	return m;
}

/* AR4SI runtime-opaque: 2 where the hardware encrypts the workload's
 * memory; else no claim (0). Nitro Enclaves isolate without encrypting
 * (AR4SI 32), but 32 is of the warning tier and would contradict an
 * affirming status, so no claim is made for them either. */
static int
runtime_opaque(const char *provider)
{
	static const char *const encrypted[] = {
	        "IntelTdx",     "IntelSgx", "AmdSevSnp", "AzureSnpVtpm",
	        "AzureTdxVtpm", "RaTls",    "ArmCca"};

	for (size_t i = 0; i < sizeof(encrypted) / sizeof(encrypted[0]); i++)
		if (strcmp(provider, encrypted[i]) == 0)
			return TV_AFFIRMING;
	return TV_NONE;
}

/*
 * The full AR4SI vector of one valid appraisal (invalid evidence gets no
 * passport, so no claim is ever contraindicated here). What teepass does
 * not appraise is 0 ("no claim"), never left out.
 */
static json_t *
trust_vector(const char *provider, bool hw, bool warn, bool exec_ok,
             bool config_ok)
{
	return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}",
	                 "instance-identity", hw ? TV_AFFIRMING : TV_NONE,
	                 "configuration", config_ok ? TV_AFFIRMING : TV_NONE,
	                 "executables", exec_ok ? TV_AFFIRMING : TV_NONE,
	                 "file-system", TV_NONE, "hardware",
	                 !hw    ? TV_NONE
	                 : warn ? TV_WARNING
	                        : TV_AFFIRMING,
	                 "runtime-opaque",
	                 hw ? runtime_opaque(provider) : TV_NONE,
	                 "storage-opaque", TV_NONE, "sourced-data", TV_NONE);
}

/* "tag:teepass,2026:policy/<provider>/sha256:<hex>" of the expected
 * values (JSON null when none were given; TEXT: serialised already). */
static json_t *
policy_id(const char *provider, const json_t *policy, const char *text)
{
	json_t *d = sha256_of_json_text(policy, text);
	char buf[160];

	snprintf(buf, sizeof(buf), "tag:teepass,2026:policy/%s/%s", provider,
	         json_string_value(d) ? json_string_value(d) : "");
	json_decref(d);
	return json_string(buf);
}

/* One EAR appraisal: status, vector, policy id and what teepass
 * annotates (provider, hardware_verified, TCB, the evidence claims). */
static json_t *
appraisal(const char *status, const char *provider, bool hw, bool warn,
          bool exec_ok, bool config_ok, const json_t *policy,
          const char *policy_text, const json_t *claims, const char *tcb,
          const json_t *advisories)
{
	json_t *m = measurements(claims);

	return json_pack("{s:s, s:o, s:o, s:s, s:b, s:o, s:o, s:o, s:o}",
	                 "ear.status", status, "ear.trustworthiness-vector",
	                 trust_vector(provider, hw, warn, exec_ok, config_ok),
	                 "ear.appraisal-policy-id",
	                 policy_id(provider, policy, policy_text), "provider",
	                 provider, "hardware_verified", hw, "tcb_status",
	                 tcb != NULL && tcb[0] ? json_string(tcb) : json_null(),
	                 "advisory_ids",
	                 json_is_array(advisories) ? json_deep_copy(advisories)
	                                           : json_array(),
	                 "runtime", sha256_of_json(m),
	                 "ear.teepass.annotated-evidence", m);
}

/* Submodules: the main evidence ("gpu0" for NVIDIA GPU evidence alone,
 * else "cpu0") and each device of a composite. */
static json_t *
submods(const struct verdict *v, const struct passport_params *p,
        const char *ev_hex)
{
	const char *prov = provider_name(v->provider);
	bool hw = v->hardware_verified;
	bool exec_ok = v->measurements_valid == TP_TRUE;
	bool config_ok = exec_ok && json_object_get(v->bound, "config") != NULL;
	const char *main_name =
	        v->provider == TP_PROVIDER_NVIDIA_GPU && v->submods == NULL
	                ? "gpu0"
	                : "cpu0";
	json_t *out = json_object(), *dev, *a;
	const char *name;

	a = appraisal(verdict_status(v), prov, hw, v->warning, exec_ok,
	              config_ok, p->policy,
	              p->policy != NULL ? p->policy_json : NULL, v->claims,
	              v->tcb_status, v->advisory_ids);
	if (out == NULL || a == NULL) {
		json_decref(out);
		json_decref(a);
		return NULL;
	}
	json_object_set_new(a, "evidence_sha256", json_string(ev_hex));
	json_object_set(a, "collateral_sha256", v->collateral);
	json_object_set_new(out, main_name, a);
	json_object_foreach(v->submods, name, dev)
	{
		const char *st =
		        json_string_value(json_object_get(dev, "status"));
		const char *dp =
		        json_string_value(json_object_get(dev, "provider"));
		bool dhw =
		        json_is_true(json_object_get(dev, "hardware_verified"));
		bool dexec = json_is_true(
		        json_object_get(dev, "measurements_valid"));

		a = appraisal(
		        st ? st : "none", dp ? dp : "", dhw,
		        st != NULL && strcmp(st, "warning") == 0, dexec, false,
		        NULL, NULL, json_object_get(dev, "claims"),
		        json_string_value(json_object_get(dev, "tcb_status")),
		        json_object_get(dev, "advisory_ids"));
		if (a == NULL) {
			json_decref(out);
			return NULL;
		}
		json_object_set(a, "evidence_sha256",
		                json_object_get(dev, "evidence_sha256"));
		json_object_set(a, "collateral_sha256",
		                json_object_get(dev, "collateral_sha256"));
		json_object_set_new(out, name, a);
	}
	return out;
}

/* A public JWK of a PEM public key (EC P-256/384/521 or RSA), or NULL. */
static json_t *
jwk_of_pem(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)strnlen(pem, 16384));
	EVP_PKEY *k = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	BIGNUM *a = NULL, *b = NULL;
	uint8_t buf[1024];
	char group[32], *sa = NULL, *sb = NULL;
	const char *crv = NULL;
	json_t *j = NULL;
	int n;

	if (k == NULL)
		goto out;
	if (EVP_PKEY_is_a(k, "EC")) {
		size_t fl;
		if (EVP_PKEY_get_utf8_string_param(
		            k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
		            NULL) != 1)
			goto out;
		if (strcmp(group, "prime256v1") == 0)
			crv = "P-256", fl = 32;
		else if (strcmp(group, "secp384r1") == 0)
			crv = "P-384", fl = 48;
		else if (strcmp(group, "secp521r1") == 0)
			crv = "P-521", fl = 66;
		else
			goto out;
		if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, &a) !=
		            1 ||
		    EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, &b) !=
		            1 ||
		    BN_bn2binpad(a, buf, (int)fl) != (int)fl ||
		    (sa = codec_base64url_encode(buf, fl)) == NULL ||
		    BN_bn2binpad(b, buf, (int)fl) != (int)fl ||
		    (sb = codec_base64url_encode(buf, fl)) == NULL)
			goto out;
		j = json_pack("{s:s, s:s, s:s, s:s}", "kty", "EC", "crv", crv,
		              "x", sa, "y", sb);
	} else if (EVP_PKEY_is_a(k, "RSA")) {
		if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &a) != 1 ||
		    EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &b) != 1 ||
		    (n = BN_bn2bin(a, buf)) <= 0 || n > (int)sizeof(buf) ||
		    (sa = codec_base64url_encode(buf, (size_t)n)) == NULL ||
		    (n = BN_bn2bin(b, buf)) <= 0 ||
		    (sb = codec_base64url_encode(buf, (size_t)n)) == NULL)
			goto out;
		j = json_pack("{s:s, s:s, s:s}", "kty", "RSA", "n", sa, "e",
		              sb);
	}
out:
	ERR_clear_error();
	free(sa);
	free(sb);
	BN_free(a);
	BN_free(b);
	EVP_PKEY_free(k);
	BIO_free(bio);
	return j;
}

/* The public members of a JWK the attester bound (RFC 7517), or NULL
 * when it is not one. */
static json_t *
public_jwk(const json_t *in)
{
	static const char *const members[] = {"kty", "crv", "x",  "y",
	                                      "n",   "e",   "kid"};
	const char *kty = json_string_value(json_object_get(in, "kty"));
	json_t *j;

	if (kty == NULL || json_object_get(in, "d") != NULL)
		return NULL;
	if ((j = json_object()) == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		json_t *m = json_object_get(in, members[i]);
		if (json_is_string(m))
			json_object_set(j, members[i], m);
	}
	return j;
}

json_t *
passport_cnf(const json_t *public_key)
{
	json_t *jwk = NULL;

	if (json_is_object(public_key))
		jwk = public_jwk(public_key);
	else if (json_is_string(public_key))
		jwk = jwk_of_pem(json_string_value(public_key));
	if (jwk == NULL)
		return NULL;
	return json_pack("{s:o}", "jwk", jwk);
}

json_t *
passport_claims(const struct verdict *v, const struct passport_params *p)
{
	char ev[65], sub[80];
	int64_t exp = p->iat + p->ttl;
	const json_t *nonce;
	json_t *c, *sm, *cnf;

	if (v->expires_at < exp)
		exp = v->expires_at;
	codec_hex_encode_to(v->evidence_sha256, 32, ev);
	if (p->endpoint_id != NULL)
		snprintf(sub, sizeof(sub), "%s", p->endpoint_id);
	else
		snprintf(sub, sizeof(sub), "sha256:%s", ev);
	if ((sm = submods(v, p, ev)) == NULL)
		return NULL;
	c = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:{s:s, s:s}, s:o}",
	              "iss", p->issuer, "sub", sub, "jti", p->id, "iat",
	              (json_int_t)p->iat, "exp", (json_int_t)exp, "eat_profile",
	              PASSPORT_EAT_PROFILE, "ear.verifier-id", "developer",
	              "teepass", "build", TEEPASS_VERSION, "submods", sm);
	if (c == NULL)
		return NULL;
	if (p->endpoint_id != NULL)
		json_object_set_new(c, "endpoint_id",
		                    json_string(p->endpoint_id));
	/* The challenge the evidence answered, else the nonce the attester
	 * bound in its runtime data (EAT: a text string of 8..88 bytes). */
	nonce = p->nonce_hex != NULL ? NULL
	                             : json_object_get(v->bound, "nonce");
	if (p->nonce_hex != NULL)
		json_object_set_new(c, "eat_nonce", json_string(p->nonce_hex));
	else if (json_is_string(nonce) && json_string_length(nonce) >= 8 &&
	         json_string_length(nonce) <= 88)
		json_object_set(c, "eat_nonce", (json_t *)nonce);
	/* What the attester bound through runtime_data (only once the
	 * binding held: v->bound is NULL otherwise). */
	if (v->bound != NULL) {
		static const char *const keys[] = {"model", "config",
		                                   "auditors", "public_key"};
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			json_t *val = json_object_get(v->bound, keys[i]);
			if (val != NULL)
				json_object_set(c, keys[i], val);
		}
		cnf = passport_cnf(json_object_get(v->bound, "public_key"));
		if (cnf != NULL)
			json_object_set_new(c, "cnf", cnf);
	}
	return c;
}
