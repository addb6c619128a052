/*
 * Fuzz target: attested TLS (docs/registry.md): the input as an endpoint
 * URL (common/tls_target.c), as an allow-list, as runtime data carrying
 * tls_spki_sha256 and as a report_data claim (verify/core/tls_binding.c).
 */
#include "common/tls_target.h"
#include "tests/fuzz/fuzz.h"
#include "verify/core/tls_binding.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size), why[256];
	struct tls_target t;
	struct verdict v;
	uint8_t spki[32];
	json_t *str;

	if (tls_target_parse(s, &t))
		(void)tls_target_allowed(&t, "*.llm.example, 127.0.0.1");
	if (tls_target_parse("https://a.llm.example:8443/", &t))
		(void)tls_target_allowed(&t, s);
	verdict_init(&v, TP_PROVIDER_MOCK, FUZZ_NOW);
	v.binding_valid = TP_TRUE;
	v.bound = json_loadb((const char *)data, size, 0, NULL);
	(void)tls_binding_get(&v, TLS_BINDING_RUNTIME_DATA, spki, why,
	                      sizeof(why));
	if ((str = json_stringn(s, size)) != NULL)
		verdict_claim_json(&v, "report_data", str);
	(void)tls_binding_get(&v, TLS_BINDING_REPORT_DATA, spki, why,
	                      sizeof(why));
	verdict_free(&v);
	free(s);
	return 0;
}
