/*
 * dstack's JSON runtime event log (Dstack-TEE/dstack, the "event_log" of
 * its quote report): an array of {"imr": 0..3, "event_type": u32,
 * "digest": hex SHA-384, "event": name, "event_payload": hex}. imr N is
 * RTMR N. Entries of imr 0..2 are the firmware's CCEL events (digest
 * only); named imr-3 entries are dstack's runtime events, whose digest
 * is SHA384(event_type u32 LE || ":" || event || ":" || payload).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/codec.h"
#include "verify/eventlog/eventlog.h"

#define DSTACK_IMRS 4

static bool
printable_text(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f)
			return false;
	return true;
}

/* A string member of E: false when absent, not a string or holding a
 * NUL. */
static bool
member_string(const json_t *e, const char *key, const char **s, size_t *n)
{
	const json_t *v = json_object_get(e, key);

	if (!json_is_string(v))
		return false;
	*s = json_string_value(v);
	*n = json_string_length(v);
	return strlen(*s) == *n;
}

static bool
runtime_digest(uint32_t type, const char *name, size_t nlen,
               const uint8_t *payload, size_t plen, uint8_t out[48])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t le[4] = {(uint8_t)type, (uint8_t)(type >> 8),
	                 (uint8_t)(type >> 16), (uint8_t)(type >> 24)};
	bool ok;

	ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha384(), NULL) == 1 &&
	     EVP_DigestUpdate(ctx, le, 4) == 1 &&
	     EVP_DigestUpdate(ctx, ":", 1) == 1 &&
	     EVP_DigestUpdate(ctx, name, nlen) == 1 &&
	     EVP_DigestUpdate(ctx, ":", 1) == 1 &&
	     EVP_DigestUpdate(ctx, payload, plen) == 1 &&
	     EVP_DigestFinal_ex(ctx, out, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

static enum tp_err
event_parse(const json_t *j, size_t i, struct ev_log *log, struct ev_event *e,
            char *why, size_t whylen)
{
	const json_t *imr = json_object_get(j, "imr"),
	             *type = json_object_get(j, "event_type");
	const char *digest, *name, *payload_hex;
	size_t dn, nn, pn;
	uint8_t *payload = NULL, want[48];
	size_t plen = 0;
	enum tp_err err = TP_ERR_event_log_malformed;

	if (!json_is_object(j)) {
		snprintf(why, whylen, "event %zu: not an object", i);
		goto out;
	}
	if (!json_is_integer(imr) || json_integer_value(imr) < 0 ||
	    json_integer_value(imr) >= DSTACK_IMRS) {
		snprintf(why, whylen, "event %zu: \"imr\" must be 0..3", i);
		goto out;
	}
	if (!json_is_integer(type) || json_integer_value(type) < 0 ||
	    json_integer_value(type) > 0xffffffffLL) {
		snprintf(why, whylen, "event %zu: \"event_type\" must be a u32",
		         i);
		goto out;
	}
	e->index = (uint32_t)json_integer_value(imr);
	e->type = (uint32_t)json_integer_value(type);
	if (!member_string(j, "digest", &digest, &dn) || dn != 96 ||
	    !codec_hex_decode_fixed(digest, e->digest[EV_SHA384], 48)) {
		snprintf(why, whylen,
		         "event %zu: \"digest\" must be 96 hex digits "
		         "(SHA-384)",
		         i);
		goto out;
	}
	e->has[EV_SHA384] = true;
	if (!member_string(j, "event", &name, &nn))
		name = "", nn = 0;
	if (!member_string(j, "event_payload", &payload_hex, &pn))
		payload_hex = "", pn = 0;
	if (!codec_hex_decode(payload_hex, pn, &payload, &plen)) {
		snprintf(why, whylen, "event %zu: \"event_payload\" is not hex",
		         i);
		goto out;
	}
	if (nn >= sizeof(e->name)) {
		snprintf(why, whylen,
		         "event %zu: \"event\" longer than %zu bytes", i,
		         sizeof(e->name) - 1);
		goto out;
	}
	if (e->index == 3 && nn > 0) {
		/* A runtime event: its digest must come from its name and
		 * payload, or the name says nothing about what was
		 * extended. */
		if (!runtime_digest(e->type, name, nn, payload, plen, want)) {
			snprintf(why, whylen, "event %zu: hashing failed", i);
			goto out;
		}
		if (CRYPTO_memcmp(want, e->digest[EV_SHA384], 48) != 0) {
			snprintf(why, whylen,
			         "event %zu (\"%.64s\"): digest is not "
			         "SHA384(event_type:event:payload)",
			         i, name);
			goto out;
		}
		e->digest_checked = true;
		memcpy(e->name, name, nn + 1);
		if (plen < sizeof(e->text) && printable_text(payload, plen)) {
			if (plen > 0)
				memcpy(e->text, payload, plen);
			e->text[plen] = 0;
		}
	} else if (plen > 0) {
		/* A firmware event copied from the CCEL: its payload is the
		 * TCG event data, which names it. */
		e->data = payload;
		e->data_len = plen;
		ev_event_name(e);
		e->data = NULL;
		e->data_len = 0;
	}
	if (!ev_extend(log, EV_SHA384, e->index, e->digest[EV_SHA384])) {
		snprintf(why, whylen, "event %zu: hashing failed", i);
		goto out;
	}
	err = TP_ERR_none;
out:
	free(payload);
	return err;
}

enum tp_err
ev_dstack_parse(const uint8_t *log, size_t len, struct ev_log *out, char *why,
                size_t whylen)
{
	struct ev_log l;
	json_t *root = NULL, *inner = NULL;
	const json_t *arr;
	json_error_t jerr;
	enum tp_err err = TP_ERR_event_log_malformed;
	size_t n;

	memset(&l, 0, sizeof(l));
	memset(out, 0, sizeof(*out));
	l.regs = EV_REGS_RTMR;
	l.bank[EV_SHA384] = true;
	if (len > EV_MAX_BYTES) {
		snprintf(why, whylen, "%zu bytes (at most %u)", len,
		         EV_MAX_BYTES);
		err = TP_ERR_event_log_too_large;
		goto out;
	}
	root = json_loadb((const char *)log, len, JSON_REJECT_DUPLICATES,
	                  &jerr);
	if (root == NULL) {
		snprintf(why, whylen, "JSON log: %s at byte %d", jerr.text,
		         jerr.position);
		goto out;
	}
	arr = root;
	if (json_is_object(root)) {
		const json_t *el = json_object_get(root, "event_log");

		if (json_is_string(el)) {
			inner = json_loadb(json_string_value(el),
			                   json_string_length(el),
			                   JSON_REJECT_DUPLICATES, &jerr);
			if (inner == NULL) {
				snprintf(why, whylen,
				         "\"event_log\": %s at byte %d",
				         jerr.text, jerr.position);
				goto out;
			}
			el = inner;
		}
		arr = el;
	}
	if (!json_is_array(arr)) {
		snprintf(why, whylen,
		         "JSON log: want an array of events (or "
		         "an object with \"event_log\")");
		goto out;
	}
	n = json_array_size(arr);
	if (n > EV_MAX_EVENTS) {
		snprintf(why, whylen, "%zu events (at most %d)", n,
		         EV_MAX_EVENTS);
		err = TP_ERR_event_log_too_large;
		goto out;
	}
	l.events = calloc(n > 0 ? n : 1, sizeof(*l.events));
	if (l.events == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		err = event_parse(json_array_get(arr, i), i, &l, &l.events[i],
		                  why, whylen);
		if (err != TP_ERR_none)
			goto out;
		l.n++;
	}
	*out = l;
	memset(&l, 0, sizeof(l));
	err = TP_ERR_none;
out:
	ev_log_free(&l);
	json_decref(inner);
	json_decref(root);
	return err;
}
