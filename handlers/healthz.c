#include "handlers/handlers.h"

enum MHD_Result
handler_healthz(struct request *r)
{
	return reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}
