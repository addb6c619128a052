#ifndef TP_DCAP_QUOTE_H
#define TP_DCAP_QUOTE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/errors.h"

/*
 * Intel DCAP ECDSA quotes, parsed without copying: every pointer borrows
 * from the quote buffer.
 *
 * Intel SGX ECDSA Quote Library API (v3 quote, appendix A.4), Intel TDX
 * DCAP Quoting Library API (v4 quote, appendix A.3; v5 quote with the
 * body descriptor, A.3.2).
 */

#define DCAP_TEE_SGX            0x00000000u
#define DCAP_TEE_TDX            0x00000081u
#define DCAP_ATT_KEY_ECDSA_P256 2
#define DCAP_HEADER_LEN         48
#define DCAP_SGX_REPORT_LEN     384
#define DCAP_TD10_REPORT_LEN    584
#define DCAP_TD15_REPORT_LEN    648
#define DCAP_CERT_PCK_CHAIN     5
#define DCAP_CERT_QE_REPORT     6

/* Quote header (48 bytes, A.4 "Quote Header"). */
struct dcap_header {
	uint16_t version;      /* 3, 4 or 5 */
	uint16_t att_key_type; /* 2: ECDSA-256-with-P-256 */
	uint32_t tee_type;     /* 0 SGX, 0x81 TDX (reserved in v3) */
	uint16_t qe_svn;
	uint16_t pce_svn;
	const uint8_t *qe_vendor_id; /* 16 */
	const uint8_t *user_data;    /* 20 */
};

/* SGX enclave report body (384 bytes, SGX SDM "REPORT" / A.4.3). */
struct dcap_sgx_report {
	const uint8_t *raw; /* the 384 bytes */
	const uint8_t *cpu_svn;
	uint32_t misc_select;
	const uint8_t *attributes; /* 16 */
	const uint8_t *mr_enclave; /* 32 */
	const uint8_t *mr_signer;  /* 32 */
	uint16_t isv_prod_id;
	uint16_t isv_svn;
	const uint8_t *report_data; /* 64 */
};

/* TD report body (TDX 1.0: 584 bytes; TDX 1.5: 648 bytes, TDX DCAP A.3.4). */
struct dcap_td_report {
	bool td15;
	const uint8_t *tee_tcb_svn;     /* 16 */
	const uint8_t *mr_seam;         /* 48 */
	const uint8_t *mr_signer_seam;  /* 48 */
	const uint8_t *seam_attributes; /* 8 */
	const uint8_t *td_attributes;   /* 8 */
	const uint8_t *xfam;            /* 8 */
	const uint8_t *mr_td;           /* 48 */
	const uint8_t *mr_config_id;    /* 48 */
	const uint8_t *mr_owner;        /* 48 */
	const uint8_t *mr_owner_config; /* 48 */
	const uint8_t *rtmr[4];         /* 48 each */
	const uint8_t *report_data;     /* 64 */
	const uint8_t *tee_tcb_svn2;    /* 16, TD 1.5 only */
	const uint8_t *mr_service_td;   /* 48, TD 1.5 only */
};

struct dcap_quote {
	struct dcap_header hdr;
	uint16_t body_type; /* v5 descriptor: 1 SGX, 2 TD 1.0, 3 TD 1.5 */
	struct dcap_sgx_report sgx; /* when tee_type is SGX */
	struct dcap_td_report td;   /* when tee_type is TDX */
	const uint8_t *signed_data; /* header .. end of body */
	size_t signed_len;
	/* Signature data (A.4.1 "Quote Signature Data" / A.3.8). */
	const uint8_t *signature; /* 64: r||s */
	const uint8_t *att_key;   /* 64: x||y */
	struct dcap_sgx_report qe_report;
	const uint8_t *qe_report_sig; /* 64 */
	const uint8_t *qe_auth;
	size_t qe_auth_len;
	uint16_t cert_type; /* innermost certification data type */
	const uint8_t *cert_data;
	size_t cert_len;
	size_t trailing;       /* bytes after the signature data */
	bool trailing_nonzero; /* any of them non-zero */
};

/*
 * Parses a v3 (SGX), v4 or v5 (TDX or SGX) quote. Returns TP_ERR_none on
 * success; otherwise the code (quote_parse_error,
 * quote_version_unsupported) with WHY naming the rejected field.
 * Trailing bytes after the signature data are reported in q->trailing and
 * are the caller's to judge.
 */
enum tp_err dcap_quote_parse(const uint8_t *buf, size_t len,
                             struct dcap_quote *q, char *why, size_t whylen);

/* Cheap detection: header version, key type and TEE type only. */
bool dcap_quote_detect(const uint8_t *buf, size_t len, uint32_t tee_type);

#endif
