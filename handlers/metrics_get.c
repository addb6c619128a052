#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "server/metrics.h"

enum MHD_Result
handler_metrics(struct request *r)
{
	char *text = metrics_render();
	enum MHD_Result ret;

	if (text == NULL)
		return reply_error(r, TP_ERR_internal_error, NULL);
	ret = reply_bytes(r, 200, "text/plain; version=0.0.4", text,
	                  strlen(text));
	free(text);
	return ret;
}
