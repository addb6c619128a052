#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db/row.h"

struct db_row
db_row_at(const PGresult *res, int row)
{
	struct db_row r = {res, row,
	                   res != NULL && row >= 0 && row < PQntuples(res)};

	return r;
}

/* The column number of NAME, or -1 (and ok cleared). */
static int
column(struct db_row *r, const char *name)
{
	int i;

	if (!r->ok)
		return -1;
	/* PQfnumber folds unquoted names to lower case: ours already are. */
	if ((i = PQfnumber(r->res, name)) < 0)
		r->ok = false;
	return i;
}

bool
db_row_null(struct db_row *r, const char *name)
{
	int i = column(r, name);

	return i < 0 || PQgetisnull(r->res, r->row, i);
}

const char *
db_row_text(struct db_row *r, const char *name)
{
	int i = column(r, name);

	if (i < 0 || PQgetisnull(r->res, r->row, i))
		return NULL;
	return PQgetvalue(r->res, r->row, i);
}

char *
db_row_strdup(struct db_row *r, const char *name)
{
	const char *s = db_row_text(r, name);
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		r->ok = false;
	return d;
}

void
db_row_copy(struct db_row *r, const char *name, char *buf, size_t len)
{
	const char *s = db_row_text(r, name);
	size_t n = s != NULL ? strlen(s) : 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (n >= len) {
		r->ok = false;
		return;
	}
	if (n > 0)
		memcpy(buf, s, n + 1);
}

/* Column NAME, which must not be NULL. */
static const char *
required(struct db_row *r, const char *name)
{
	int i = column(r, name);

	if (i < 0)
		return NULL;
	if (PQgetisnull(r->res, r->row, i)) {
		r->ok = false;
		return NULL;
	}
	return PQgetvalue(r->res, r->row, i);
}

static int64_t
parse_int64(struct db_row *r, const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0) {
		r->ok = false;
		return 0;
	}
	return (int64_t)v;
}

int64_t
db_row_int64(struct db_row *r, const char *name)
{
	const char *s = required(r, name);

	return s != NULL ? parse_int64(r, s) : 0;
}

bool
db_row_bool(struct db_row *r, const char *name)
{
	const char *s = required(r, name);

	if (s == NULL)
		return false;
	if (strcmp(s, "t") != 0 && strcmp(s, "f") != 0) {
		r->ok = false;
		return false;
	}
	return s[0] == 't';
}

int64_t
db_row_time(struct db_row *r, const char *name)
{
	int i = column(r, name);

	if (i < 0)
		return 0;
	if (PQgetisnull(r->res, r->row, i))
		return DB_TIME_NULL;
	return parse_int64(r, PQgetvalue(r->res, r->row, i));
}

void
db_row_bytea(struct db_row *r, const char *name, uint8_t **out, size_t *len)
{
	const char *s = required(r, name);
	unsigned char *bin = NULL;
	size_t n = 0;

	*out = NULL;
	*len = 0;
	if (s == NULL)
		return;
	/* bytea arrives as text (\x...): unescape it. */
	if ((bin = PQunescapeBytea((const unsigned char *)s, &n)) == NULL ||
	    (*out = malloc(n + 1)) == NULL) {
		r->ok = false;
		PQfreemem(bin);
		return;
	}
	memcpy(*out, bin, n);
	(*out)[n] = '\0';
	*len = n;
	PQfreemem(bin);
}

enum db_status
db_row_ids(PGconn *c, const struct db_stmt *stmt, const char *const *v,
           char (**ids)[37], size_t *n)
{
	enum db_status st;
	PGresult *res;
	size_t count;

	*ids = NULL;
	*n = 0;
	if ((res = db_run(c, stmt, v, NULL, NULL, &st)) == NULL)
		return st;
	count = (size_t)PQntuples(res);
	if ((*ids = calloc(count > 0 ? count : 1, sizeof(**ids))) == NULL) {
		st = DB_ERROR;
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		struct db_row row = db_row_at(res, (int)i);

		db_row_copy(&row, "id", (*ids)[i], sizeof((*ids)[i]));
		if (!row.ok) {
			free(*ids);
			*ids = NULL;
			st = DB_ERROR;
			goto out;
		}
	}
	*n = count;
	st = DB_OK;
out:
	PQclear(res);
	return st;
}
