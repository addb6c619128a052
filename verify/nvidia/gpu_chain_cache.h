#ifndef TP_GPU_CHAIN_CACHE_H
#define TP_GPU_CHAIN_CACHE_H
#include <stdint.h>

#include <openssl/x509.h>

/*
 * Device chains that verified to the pinned NVIDIA Device Identity CA,
 * keyed by the SHA-256 of the PEM text. Without CRLs a chain's result
 * depends only on the time, so an entry holds while NOT_BEFORE <= now <=
 * NOT_AFTER (the latest notBefore and earliest notAfter of the chain and
 * anchor). Thread-safe (one mutex); fixed size, oldest entry replaced.
 */

/* The cached leaf (a new reference; the caller frees it) when KEY is
 * cached and NOW is inside its window, with its earliest notAfter in
 * *NOT_AFTER; NULL otherwise. */
X509 *gpu_chain_cache_get(const uint8_t key[32], int64_t now,
                          int64_t *not_after);

/* Records that the chain KEY with leaf LEAF (a reference is taken)
 * verified, valid from NOT_BEFORE to NOT_AFTER. */
void gpu_chain_cache_put(const uint8_t key[32], X509 *leaf, int64_t not_before,
                         int64_t not_after);

#endif
