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
/* Client connections: DELTA +1 opened, -1 closed. */
void metrics_connection(int delta);
/* A connection closed by the request deadline or the drain. */
void metrics_connection_cut(void);

/* Latency histograms (seconds): every HTTP request, arrival to
 * completion; every verification, by provider. */
void metrics_request_seconds(double seconds);
void metrics_verification_seconds(enum tp_provider p, double seconds);

/* The text exposition format; malloc'd. */
char *metrics_render(void);

#endif
