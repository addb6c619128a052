/*
 * GET /api/events?types=&last_event_id= (public): Server-Sent Events of
 * passport and endpoint status changes (docs/events.md). Resumes after
 * the Last-Event-ID header (or ?last_event_id=, for clients that cannot
 * set it); without either, only events from now on.
 */
#include <errno.h>
#include <stdlib.h>

#include "handlers/events.h"
#include "handlers/handlers.h"

static bool
parse_id(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0)
		return false;
	*out = v;
	return true;
}

enum MHD_Result
handler_events_get(struct request *r)
{
	const char *types = request_query(r, "types");
	const char *last = request_header(r, "Last-Event-ID");
	char literal[512];
	uint32_t mask = 0;
	int64_t after = -1;

	if (last == NULL)
		last = request_query(r, "last_event_id");
	if (last != NULL && !parse_id(last, &after))
		return reply_error(r, TP_ERR_last_event_id_invalid, NULL);
	if (types != NULL &&
	    !events_types_parse(types, &mask, literal, sizeof(literal)))
		return reply_error(r, TP_ERR_event_type_unknown, "types");
	return events_stream_open(r, after, mask,
	                          types != NULL ? literal : NULL);
}
