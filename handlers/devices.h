#ifndef TP_HANDLERS_DEVICES_H
#define TP_HANDLERS_DEVICES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "server/http.h"
#include "verify/core/composite.h"

/*
 * The "devices" member of a verify or endpoint-attestation request:
 * [{"provider", "attestation", "collateral"?}, ...] (docs/api.md). Needs
 * HAVE_RUNTIME_DATA (devices prove they belong to the VM through it).
 * Fills DEVS, EVIDENCE (decoded bytes, freed by the caller) and
 * COLLATERAL (each device's "collateral" member, borrowed; NULL when
 * absent) and *N as
 * it goes, so the caller frees EVIDENCE[0..*N) on failure too. On a
 * malformed member replies 400 and returns false.
 */
bool request_devices_parse(struct request *r, const json_t *arr,
                           bool have_runtime_data,
                           struct verify_device devs[COMPOSITE_MAX_DEVICES],
                           uint8_t *evidence[COMPOSITE_MAX_DEVICES],
                           const json_t *collateral[COMPOSITE_MAX_DEVICES],
                           size_t *n);

#endif
