/*
 * What every evidence format carrying a TPM quote shares
 * (verify/tpm/tpm_evidence.h): its JSON members and PCR values, and the
 * claims of a verified quote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/codec.h"
#include "verify/tpm/tpm_evidence.h"

bool
tpm_json_bytes(const json_t *o, const char *path, const char *name,
               uint8_t **out, size_t *len, char *why, size_t whylen)
{
	const json_t *v = json_object_get(o, name);

	if (!json_is_string(v) || json_string_length(v) == 0) {
		snprintf(why, whylen, "%s%s: want a base64 or hex string", path,
		         name);
		return false;
	}
	if (!codec_evidence_decode(json_string_value(v), json_string_length(v),
	                           out, len) ||
	    *len == 0) {
		free(*out);
		*out = NULL;
		snprintf(why, whylen, "%s%s: neither base64 nor hex", path,
		         name);
		return false;
	}
	return true;
}

/* The bank named NAME ("sha256", …) of P, added when absent; -1 if NAME
 * is no bank. */
static int
bank_of(struct tpm_pcrs *p, const char *name)
{
	static const uint16_t algs[] = {TPM_ALG_SHA1, TPM_ALG_SHA256,
	                                TPM_ALG_SHA384, TPM_ALG_SHA512};
	int b;

	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (strcmp(name, tpm_alg_name(algs[i])) != 0)
			continue;
		if ((b = tpm_pcrs_bank(p, algs[i])) >= 0)
			return b;
		if (p->n >= TPM_MAX_BANKS)
			return -1;
		p->alg[p->n] = algs[i];
		return (int)p->n++;
	}
	return -1;
}

/* One PCR value V (hex) as PCR I of bank B. */
static bool
pcr_value(struct tpm_pcrs *p, int b, unsigned i, const json_t *v,
          const char *where, char *why, size_t whylen)
{
	size_t n = (size_t)EVP_MD_get_size(tpm_alg_md(p->alg[b]));
	const char *s = json_string_value(v);

	if (s == NULL || strlen(s) != 2 * n ||
	    !codec_hex_decode_fixed(s, p->val[b][i], n)) {
		snprintf(why, whylen, "%s: want %zu hex digits", where, 2 * n);
		return false;
	}
	if (p->have[b][i]) {
		snprintf(why, whylen, "%s: PCR %u given twice", where, i);
		return false;
	}
	p->have[b][i] = true;
	return true;
}

bool
tpm_json_pcrs(const json_t *j, struct tpm_pcrs *p, char *why, size_t whylen)
{
	char where[64];
	const char *bank, *idx;
	const json_t *vals, *v;
	size_t i;

	memset(p, 0, sizeof(*p));
	if (json_is_array(j)) {
		int b = bank_of(p, "sha256");

		if (json_array_size(j) == 0 ||
		    json_array_size(j) > TPM_PCR_COUNT) {
			snprintf(why, whylen,
			         "tpm_quote.pcrs: %zu values; want 1..%d",
			         json_array_size(j), TPM_PCR_COUNT);
			return false;
		}
		json_array_foreach(j, i, v)
		{
			snprintf(where, sizeof(where), "tpm_quote.pcrs[%zu]",
			         i);
			if (!pcr_value(p, b, (unsigned)i, v, where, why,
			               whylen))
				return false;
		}
		return true;
	}
	if (!json_is_object(j) || json_object_size(j) == 0) {
		snprintf(why, whylen,
		         "tpm_quote.pcrs: want an array of SHA-256 values or "
		         "an object of banks");
		return false;
	}
	json_object_foreach((json_t *)j, bank, vals)
	{
		int b = bank_of(p, bank);

		if (b < 0 || !json_is_object(vals)) {
			snprintf(why, whylen,
			         "tpm_quote.pcrs: want banks sha1, sha256, "
			         "sha384, sha512 of {\"<index>\": \"<hex>\"}");
			return false;
		}
		json_object_foreach((json_t *)vals, idx, v)
		{
			char *end;
			unsigned long n = strtoul(idx, &end, 10);

			snprintf(where, sizeof(where), "tpm_quote.pcrs.%s",
			         tpm_alg_name(p->alg[b]));
			if (idx[0] < '0' || idx[0] > '9' || *end != '\0' ||
			    n >= TPM_PCR_COUNT || (idx[0] == '0' && idx[1])) {
				snprintf(why, whylen,
				         "%s: keys are PCR indices 0..%d",
				         where, TPM_PCR_COUNT - 1);
				return false;
			}
			if (!pcr_value(p, b, (unsigned)n, v, where, why,
			               whylen))
				return false;
		}
	}
	return true;
}

/* A u64 claim: an integer when it fits, else its decimal text. */
static void
claim_u64(struct verdict *v, const char *name, uint64_t n)
{
	char s[24];

	if (n <= INT64_MAX) {
		verdict_claim_int(v, name, (int64_t)n);
		return;
	}
	snprintf(s, sizeof(s), "%llu", (unsigned long long)n);
	verdict_claim_str(v, name, s);
}

void
tpm_pcrs_claim_add(json_t *all, const struct tpm_quote *q,
                   const struct tpm_pcrs *pcrs)
{
	char name[16], hex[2 * TPM_MAX_DIGEST + 1];

	if (all == NULL)
		return;
	for (size_t s = 0; s < q->n_sel; s++) {
		const struct tpm_pcr_selection *sel = &q->sel[s];
		int b = tpm_pcrs_bank(pcrs, sel->hash);
		const char *bn = tpm_alg_name(sel->hash);
		json_t *bank;

		if (b < 0)
			continue;
		if ((bank = json_object_get(all, bn)) == NULL) {
			bank = json_object();
			if (bank == NULL ||
			    json_object_set_new(all, bn, bank) != 0)
				continue;
		}
		for (unsigned i = 0; i < TPM_PCR_COUNT; i++) {
			if (!tpm_pcr_selected(sel, i) || !pcrs->have[b][i])
				continue;
			snprintf(name, sizeof(name), "pcr%u", i);
			codec_hex_encode_to(
			        pcrs->val[b][i],
			        (size_t)EVP_MD_get_size(tpm_alg_md(sel->hash)),
			        hex);
			json_object_set_new(bank, name, json_string(hex));
		}
	}
}

void
tpm_claim_pcrs(struct verdict *v, const struct tpm_quote *q,
               const struct tpm_pcrs *pcrs)
{
	json_t *all = json_object();

	tpm_pcrs_claim_add(all, q, pcrs);
	if (all != NULL)
		verdict_claim_json(v, "pcrs", all); /* stolen */
}

void
tpm_quote_claims(struct verdict *v, const struct tpm_quote *q)
{
	uint8_t fw[8];

	for (int i = 0; i < 8; i++)
		fw[i] = (uint8_t)(q->firmware_version >> (56 - 8 * i));
	claim_u64(v, "clock", q->clock);
	verdict_claim_int(v, "reset_count", q->reset_count);
	verdict_claim_int(v, "restart_count", q->restart_count);
	verdict_claim_bool(v, "clock_safe", q->safe);
	verdict_claim_hex(v, "firmware_version", fw, sizeof(fw));
	verdict_claim_hex(v, "qualified_signer", q->signer, q->signer_len);
	verdict_claim_hex(v, "extra_data", q->extra, q->extra_len);
	verdict_claim_hex(v, "pcr_digest", q->pcr_digest, q->pcr_digest_len);
	/* extraData is what runtime_data (or the nonce) is bound through;
	 * a binding holds at most 64 bytes (a TPM2B_DATA up to 66). */
	if (q->extra_len > 0 && q->extra_len <= sizeof(v->bindings[0].buf))
		verdict_add_binding(v, "extra_data", q->extra, q->extra_len);
}
