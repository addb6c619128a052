#include "handlers/nonce.h"

void
nonce_record(struct verdict *v, enum db_nonce_result res)
{
	switch (res) {
	case DB_NONCE_OK:
		v->fresh = v->fresh == TP_FALSE ? TP_FALSE : TP_TRUE;
		verdict_pass(v, "nonce_unused");
		return;
	case DB_NONCE_UNKNOWN:
		verdict_fail(
		        v, "nonce_unused", TP_ERR_nonce_unknown,
		        "the nonce was not issued by POST /api/challenges");
		break;
	case DB_NONCE_EXPIRED:
		verdict_fail(v, "nonce_unused", TP_ERR_nonce_expired,
		             "the nonce expired before it was used");
		break;
	case DB_NONCE_REPLAYED:
		verdict_fail(v, "nonce_unused", TP_ERR_nonce_replayed,
		             "the nonce was already used");
		break;
	}
	v->fresh = TP_FALSE;
}
