#ifndef TP_HANDLERS_NONCE_H
#define TP_HANDLERS_NONCE_H

#include "db/db.h"
#include "verify/core/verdict.h"

/*
 * Records on V the outcome of consuming the request's nonce in the
 * database: a passed "nonce_unused" check, or a failed one with
 * nonce_unknown / nonce_expired / nonce_replayed (fresh becomes false).
 */
void nonce_record(struct verdict *v, enum db_nonce_result res);

#endif
