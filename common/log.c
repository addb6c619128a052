#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "common/log.h"

static enum tp_log_level min_level = TP_LOG_INFO;
static _Thread_local char request_id[40];

void
tp_log_set_level(enum tp_log_level lvl)
{
	min_level = lvl;
}

void
tp_log_set_request_id(const char *id)
{
	if (id == NULL)
		request_id[0] = '\0';
	else
		snprintf(request_id, sizeof(request_id), "%s", id);
}

void
tp_log(enum tp_log_level lvl, const char *fmt, ...)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	char msg[1024], ts[40];
	struct timespec now;
	struct tm tm;
	json_t *o;
	char *line;
	va_list ap;

	if (lvl < min_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + strlen(ts), sizeof(ts) - strlen(ts), ".%03ldZ",
	         now.tv_nsec / 1000000);
	o = json_pack("{s:s, s:s, s:s}", "ts", ts, "level", names[lvl], "msg",
	              msg);
	if (o == NULL)
		return;
	if (request_id[0] != '\0')
		json_object_set_new(o, "request_id", json_string(request_id));
	line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (line != NULL) {
		fprintf(stderr, "%s\n", line);
		free(line);
	}
	json_decref(o);
}
