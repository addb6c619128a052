#ifndef TP_TLS_BINDING_H
#define TP_TLS_BINDING_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "common/errors.h"
#include "verify/core/verdict.h"

/*
 * Attested TLS (issue 18, docs/registry.md "Attested TLS"): evidence may
 * bind the endpoint's TLS key, the SHA-256 of the server certificate's
 * DER SubjectPublicKeyInfo, in one of two layouts.
 */
enum tls_binding_layout {
	/* the bound runtime data's "tls_spki_sha256" (64 hex): the runtime
	 * data's own hash is in report_data, so the key is as trusted as
	 * the rest of the runtime data */
	TLS_BINDING_RUNTIME_DATA,
	/* REPORT_DATA[0:32] == sha256(SPKI), the way Tinfoil's enclaves
	 * bind their certificate key (the rest is theirs: an HPKE key) */
	TLS_BINDING_REPORT_DATA,
	/* REPORT_DATA[0:32] == sha256(SPKI) and REPORT_DATA[32:64] ==
	 * sha256(runtime data): the key and the runtime data (the model
	 * digest...) both bound; the verification reads the runtime data
	 * only from [32:64] (verify_request.runtime_data_upper) */
	TLS_BINDING_REPORT_DATA_SPLIT,
};

/* The longest layout name, with its NUL. */
#define TLS_BINDING_NAME_MAX 18

/* "runtime_data", "report_data" or "report_data_split" into *OUT; false
 * for anything else. */
bool tls_binding_layout_parse(const char *s, enum tls_binding_layout *out);

/* The layout's name as tls_binding_layout_parse reads it. */
const char *tls_binding_layout_name(enum tls_binding_layout l);

/* Whether L reads the runtime data from REPORT_DATA[32:64] only. */
bool tls_binding_runtime_data_upper(enum tls_binding_layout l);

/*
 * The TLS key digest that the verdict V binds in LAYOUT, into SPKI
 * (RaTls evidence: its certificate's, tls_public_key_sha256, in any
 * layout).
 * Returns 1 when one is bound, 0 when the evidence binds none (the
 * runtime data has no tls_spki_sha256; there is no report_data claim),
 * -1 when it is malformed (not 64 hex digits, or a runtime-data layout
 * whose binding did not hold), with the reason in WHY. Only read after
 * the verdict is valid: v->bound is trusted only once the binding held.
 */
int tls_binding_get(const struct verdict *v, enum tls_binding_layout layout,
                    uint8_t spki[32], char *why, size_t whylen);

/* SHA-256 of CERT's DER SubjectPublicKeyInfo into OUT; false on error. */
bool tls_spki_sha256(X509 *cert, uint8_t out[32]);

/*
 * Compares a certificate's SPKI digest with the bound one in constant
 * time: TP_ERR_none when they are equal, TP_ERR_tls_key_mismatch when
 * not.
 */
enum tp_err tls_binding_compare(const uint8_t bound[32],
                                const uint8_t presented[32]);

#endif
