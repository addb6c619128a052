#include <inttypes.h>
#include <stdio.h>

#include "common/codec.h"
#include "db/tlog.h"

static const struct db_stmt stmt = {
        "tlog_checkpoint_insert",
        "INSERT INTO tlog_checkpoints (tree_size, root_hash, note)"
        " VALUES ($1::bigint, decode($2, 'hex'), $3)",
        3};

enum db_status
db_tlog_checkpoint_insert(PGconn *c, uint64_t size, const uint8_t root[32],
                          const char *note)
{
	char sz[24], hex[65];
	const char *v[3] = {sz, hex, note};
	enum db_status st;

	snprintf(sz, sizeof(sz), "%" PRIu64, size);
	codec_hex_encode_to(root, 32, hex);
	PQclear(db_run(c, &stmt, v, NULL, NULL, &st));
	return st;
}
