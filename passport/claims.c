#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "common/codec.h"
#include "passport/passport.h"

/* AR4SI trustworthiness claim values (draft-ietf-rats-ar4si). */
#define TV_NONE      0
#define TV_AFFIRMING 2
#define TV_WARNING   32

static json_t *
sha256_of_json(const json_t *j)
{
	uint8_t md[32];
	char hex[65], buf[72];
	char *s;

	if (j == NULL)
		j = json_null();
	/* Canonical enough for a fingerprint: sorted keys, compact. */
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (s == NULL)
		return json_null();
	SHA256((const uint8_t *)s, strlen(s), md);
	free(s);
	codec_hex_encode_to(md, 32, hex);
	snprintf(buf, sizeof(buf), "sha256:%s", hex);
	return json_string(buf);
}

/* The evidence claims without the copy of runtime_data (that is carried
 * by the model/config/auditors/public_key claims). */
static json_t *
measurements(const struct verdict *v)
{
	json_t *m = json_deep_copy(v->claims);

	json_object_del(m, "runtime_data");
	return m;
}

/* EAR submodules of a composite passport: cpu0 (the main evidence) and
 * each device, with its tier, type and measurements. */
static json_t *
submods(const struct verdict *v, json_t *cpu_measurements)
{
	json_t *out = json_object(), *dev;
	const char *name;

	json_object_set_new(out, "cpu0",
	                    json_pack("{s:s, s:s, s:b, s:O}", "ear.status",
	                              verdict_status(v), "tee_type",
	                              provider_name(v->provider),
	                              "hardware_attested", v->hardware_verified,
	                              "measurements", cpu_measurements));
	json_object_foreach(v->submods, name, dev)
	{
		json_t *m = json_deep_copy(json_object_get(dev, "claims"));
		json_object_del(m, "runtime_data");
		json_object_set_new(
		        out, name,
		        json_pack("{s:O, s:O, s:O, s:o, s:O}", "ear.status",
		                  json_object_get(dev, "status"), "tee_type",
		                  json_object_get(dev, "provider"),
		                  "hardware_attested",
		                  json_object_get(dev, "hardware_verified"),
		                  "measurements", m, "evidence_sha256",
		                  json_object_get(dev, "evidence_sha256")));
	}
	return out;
}

json_t *
passport_claims(const struct verdict *v, const struct passport_params *p)
{
	char ev[65], sub[80];
	int64_t exp = p->iat + p->ttl;
	bool hw = v->hardware_verified;
	json_t *c, *tv, *m, *runtime;

	if (v->expires_at < exp)
		exp = v->expires_at;
	codec_hex_encode_to(v->evidence_sha256, 32, ev);
	if (p->endpoint_id != NULL)
		snprintf(sub, sizeof(sub), "%s", p->endpoint_id);
	else
		snprintf(sub, sizeof(sub), "sha256:%s", ev);
	tv = json_pack("{s:i, s:i, s:i, s:i}", "hardware",
	               hw ? TV_AFFIRMING : TV_NONE, "executables",
	               v->measurements_valid == TP_TRUE ? TV_AFFIRMING
	                                                : TV_NONE,
	               "configuration",
	               json_object_get(v->bound, "config") != NULL &&
	                               v->measurements_valid == TP_TRUE
	                       ? TV_AFFIRMING
	                       : TV_NONE,
	               "instance-identity",
	               v->binding_valid == TP_TRUE ? TV_AFFIRMING : TV_NONE);
	if (v->warning && hw)
		json_object_set_new(tv, "hardware", json_integer(TV_WARNING));
	m = measurements(v);
	runtime = sha256_of_json(m);
	/* O borrows (advisory_ids, collateral), o steals (new values). */
	c = json_pack(
	        "{s:s, s:s, s:s, s:I, s:I, s:s, s:{s:s, s:s}, s:s, s:o,"
	        " s:s, s:b, s:O, s:o, s:o, s:o, s:s, s:O, s:o}",
	        "iss", p->issuer, "sub", sub, "jti", p->id, "iat",
	        (json_int_t)p->iat, "exp", (json_int_t)exp, "eat_profile",
	        "tag:teepass,2026:passport/v1", "ear.verifier-id", "developer",
	        "teepass", "build", TEEPASS_VERSION, "ear.status",
	        verdict_status(v), "ear.trustworthiness-vector", tv, "tee_type",
	        provider_name(v->provider), "hardware_attested", hw,
	        "advisory_ids", v->advisory_ids, "measurements", m, "runtime",
	        runtime, "policy_sha256", sha256_of_json(p->policy),
	        "evidence_sha256", ev, "collateral_sha256", v->collateral,
	        "tcb_status",
	        v->tcb_status[0] ? json_string(v->tcb_status) : json_null());
	if (c == NULL)
		return NULL;
	if (p->endpoint_id != NULL)
		json_object_set_new(c, "endpoint_id",
		                    json_string(p->endpoint_id));
	if (v->submods != NULL)
		json_object_set_new(c, "submods", submods(v, m));
	/* What the attester bound through runtime_data (only once the
	 * binding held: v->bound is NULL otherwise). */
	if (v->bound != NULL) {
		static const char *const keys[] = {
		        "model", "config", "auditors", "public_key", "nonce"};
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			json_t *val = json_object_get(v->bound, keys[i]);
			if (val != NULL)
				json_object_set(c, keys[i], val);
		}
	}
	return c;
}
