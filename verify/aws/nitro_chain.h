#ifndef TP_NITRO_CHAIN_H
#define TP_NITRO_CHAIN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "common/errors.h"
#include "verify/aws/nitro_doc.h"

/*
 * The certificate chain of a Nitro attestation document (AWS Nitro
 * Enclaves User Guide, "Verifying the root of trust", certificate
 * validity): certificate <- cabundle[n-1] <- ... <- cabundle[0] = ANCHOR,
 * each certificate issued by the one before it in cabundle, all valid at
 * AT, with X509_V_FLAG_X509_STRICT (basic constraints, key usage, path
 * length). The caller has already checked cabundle[0] against the pinned
 * root byte for byte.
 *
 * The cabundle part (root to cabundle[n-1]) is cached by the SHA-256 of
 * its certificates, inside the intersection of their validity windows:
 * documents from the same instance then cost one certificate signature
 * (the leaf's) here. The cache is thread-safe and bounded.
 *
 * On success returns true, *LEAF (the parsed certificate; the caller
 * frees it) and *NOT_AFTER (the earliest notAfter of the whole chain).
 * On failure sets *CODE (certificate_expired, certificate_chain_invalid)
 * and the reason in WHY.
 */
bool nitro_chain_verify(const struct nitro_doc *d, X509 *anchor, int64_t at,
                        X509 **leaf, int64_t *not_after, enum tp_err *code,
                        char *why, size_t whylen);

/*
 * The caches' size (entries each): verified cabundles (one an instance
 * host) and parsed enclave leaves (one an enclave), least recently used
 * evicted first. The pinned root is never an entry.
 */
#define NITRO_CACHE_INSTANCES_DEFAULT 4096
void nitro_chain_cache_configure(size_t instances);

/* Verified cabundles cached now (tests). */
size_t nitro_chain_cache_entries(void);

/* Empties the cache (tests, benchmarks). */
void nitro_chain_cache_clear(void);

/* Cache hits and misses since start (tests, benchmarks). */
void nitro_chain_cache_stats(uint64_t *hits, uint64_t *misses);

#endif
