#include <stdlib.h>
#include <string.h>

#include "db/endpoint_view.h"

bool
endpoint_view_read(struct db_row *r, struct db_endpoint *e)
{
	db_row_copy(r, "id", e->id, sizeof(e->id));
	db_row_copy(r, "provider_id", e->provider_id, sizeof(e->provider_id));
	e->url = db_row_strdup(r, "url");
	e->model_name = db_row_strdup(r, "model_name");
	e->model_digest = db_row_strdup(r, "model_digest");
	db_row_copy(r, "tee_type", e->tee_type, sizeof(e->tee_type));
	db_row_copy(r, "status", e->status, sizeof(e->status));
	e->ref_version = (int)db_row_int64(r, "ref_version");
	db_row_copy(r, "ref_sha256", e->ref_sha256, sizeof(e->ref_sha256));
	e->ref_doc_json = db_row_strdup(r, "ref_doc");
	db_row_copy(r, "passport_id", e->passport_id, sizeof(e->passport_id));
	if (e->passport_id[0] != '\0') {
		db_row_copy(r, "passport_status", e->passport_status,
		            sizeof(e->passport_status));
		e->passport_expires_at = db_row_time(r, "passport_expires_at");
		e->passport_token = db_row_strdup(r, "passport_token");
	}
	e->last_attested_at = db_row_time(r, "last_attested_at");
	e->last_errors_json = db_row_strdup(r, "last_errors");
	e->created_at = db_row_time(r, "created_at");
	e->retired_at = db_row_time(r, "retired_at");
	db_row_copy(r, "tls_binding", e->tls_binding, sizeof(e->tls_binding));
	db_row_copy(r, "tls_spki_sha256", e->tls_spki_sha256,
	            sizeof(e->tls_spki_sha256));
	e->tls_checked_at = db_row_time(r, "tls_checked_at");
	return r->ok;
}

void
db_endpoint_clear(struct db_endpoint *e)
{
	if (e == NULL)
		return;
	free(e->url);
	free(e->model_name);
	free(e->model_digest);
	free(e->ref_doc_json);
	free(e->passport_token);
	free(e->last_errors_json);
	e->url = e->model_name = e->model_digest = NULL;
	e->ref_doc_json = e->passport_token = e->last_errors_json = NULL;
}

void
db_endpoint_list_free(struct db_endpoint *e, size_t n)
{
	for (size_t i = 0; e != NULL && i < n; i++)
		db_endpoint_clear(&e[i]);
	free(e);
}
