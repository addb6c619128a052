#ifndef TP_EXPECTED_H
#define TP_EXPECTED_H
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "verify/core/verdict.h"

/*
 * Checks the shape of an "expected" object: only "runtime" (object of
 * claim name -> string/number/bool), "model", "config" (strings) and
 * "auditors" (array of strings), "components" (verify/eventlog/appraise.h)
 * and "pcrs" ({bank: {"pcrN": hex}}, N 0..23, hex of the bank's size).
 * On failure writes the offending field's
 * path (our own names, never client bytes beyond a safe key) into FIELD.
 */
bool expected_validate(const json_t *expected, char *field, size_t fieldlen);

/*
 * Compares EXPECTED with the verdict's claims and its bound runtime data,
 * recording checks and setting measurements_valid (left null when
 * EXPECTED is NULL or empty).
 */
void expected_appraise(const json_t *expected, struct verdict *v);

#endif
