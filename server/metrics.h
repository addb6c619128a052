#ifndef TP_METRICS_H
#define TP_METRICS_H

#include "verify/provider.h"

/* Prometheus counters (atomic; any thread). */
void metrics_request(int status);
void metrics_verification(enum tp_provider p, bool valid);
void metrics_passport_issued(void);
/* A verdict's EAR status: "affirming", "warning", "contraindicated" or
 * "none" (anything else is not counted). */
void metrics_ear_status(const char *status);
void metrics_db_unavailable(void);

/* The text exposition format; malloc'd. */
char *metrics_render(void);

#endif
