#ifndef TP_LOAD_H
#define TP_LOAD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "verify/core/artifact.h"
#include "verify/provider.h"

/*
 * Loaders (STYLE.md, "Collateral"): the collateral a request, a file or a
 * directory carries, turned into the typed artifact set that verify/
 * checks. Pure: no network, no SQL (the PostgreSQL cache and the vendor
 * fetch are the collateral service's loaders, collateral/resolve.c). A
 * loader never judges an artifact; it only reads it. A member it cannot
 * read is recorded with artifact_set_malformed, so the verifier names it.
 */

/*
 * The request's "collateral" member MEMBER (a JSON object; anything else
 * is recorded as malformed) for evidence of provider P, into SET with
 * source "request".
 */
void load_json(enum tp_provider p, const json_t *member,
               struct artifact_set *set);

/*
 * PATH, for evidence of provider P: a directory in the export layout of
 * `teepass collateral export` (DIR/<kind>/<name>.<ext>, with
 * <name>.issuer_chain.pem beside it) or in a family's sample layout
 * (tcb_info.json, vcek.der, …), or a single file a family reads (a
 * collateral JSON, a certificate, a key). False when PATH cannot be
 * read at all.
 */
bool load_path(enum tp_provider p, const char *path, struct artifact_set *set);

/*
 * Reads the regular file PATH (at most MAX bytes) into *OUT (malloc'd,
 * NUL-terminated beyond *LEN). False when it cannot be read, is empty or
 * is larger.
 */
bool load_read_file(const char *path, size_t max, uint8_t **out, size_t *len);

/* True when PATH is a directory. */
bool load_is_dir(const char *path);

/* The largest collateral file a loader reads. */
#define LOAD_MAX_FILE (4u << 20)

/* ---- Families (load/<family>.c); the same contracts as above. ---- */
void load_intel_json(const json_t *member, struct artifact_set *set);
void load_intel_path(const char *path, struct artifact_set *set);
void load_amd_json(const json_t *member, struct artifact_set *set);
void load_amd_path(const char *path, struct artifact_set *set);
/*
 * The operator's AMD CRL file (config snp.crl_file: DER or PEM), added
 * as ARTIFACT_AMD_CRL with source "config" after the other loaders; an
 * unreadable file is recorded as malformed.
 */
void load_amd_crl_file(const char *path, struct artifact_set *set);
void load_nvidia_json(const json_t *member, struct artifact_set *set);
void load_nvidia_path(const char *path, struct artifact_set *set);
void load_arm_json(const json_t *member, struct artifact_set *set);
void load_arm_path(const char *path, struct artifact_set *set);
void load_tpm_json(const json_t *member, struct artifact_set *set);
void load_tpm_path(const char *path, struct artifact_set *set);

#endif
