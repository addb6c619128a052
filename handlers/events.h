#ifndef TP_EVENTS_H
#define TP_EVENTS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "server/http.h"

/*
 * Push notifications (docs/events.md). One hub thread per instance
 * (handlers/events_hub.c) numbers committed events (db_event_sequence),
 * reads new ones into an in-memory ring and wakes the GET /api/events
 * streams, which wait suspended (MHD suspend/resume) and hold no database
 * connection; one worker thread (handlers/webhook_worker.c) delivers
 * webhooks.
 */

/* The event types, in a fixed order (bit i of a type mask). */
#define EVENTS_TYPE_COUNT 9
extern const char *const events_types[EVENTS_TYPE_COUNT];

/* The index of type NAME, or -1. */
int events_type_index(const char *name, size_t len);

/*
 * Parses a comma-separated list of types into *MASK (a bit per type) and,
 * when LITERAL is non-NULL, a PostgreSQL text array literal of them (LEN
 * bytes). False for an unknown or empty type.
 */
bool events_types_parse(const char *list, uint32_t *mask, char *literal,
                        size_t len);

/* Starts the hub and the webhook worker; false when a thread cannot
 * start. */
bool events_start(void);

/* Stops both and waits for them; safe when never started. */
void events_stop(void);

/* Ends every stream (server/daemon.c, before MHD stops: a suspended
 * connection may not outlive the daemon). */
void events_drain(void);

/*
 * Opens the stream of R: events with id above LAST (-1: only those from
 * now on) of the types in MASK (0: all; LITERAL their array literal, or
 * NULL). Replies 503 beyond events_max_streams or while the hub is not
 * running.
 */
enum MHD_Result events_stream_open(struct request *r, int64_t last,
                                   uint32_t mask, const char *literal);

/* True when URL may receive webhooks: https, or http to a loopback
 * address in development mode; no credentials in it. */
bool webhook_url_allowed(const char *url, bool dev_mode);

/* The webhook worker (handlers/webhook_worker.c). */
bool webhook_worker_start(void);
void webhook_worker_stop(void);

/* New deliveries may be due: the workers look now. */
void webhook_worker_poke(void);

/* Appends the push metrics to F (Prometheus text): open streams,
 * streams refused, events read by the hub, webhook attempts by outcome. */
void events_metrics_render(FILE *f);

/* The webhook worker's part of events_metrics_render. */
void webhook_metrics_render(FILE *f);

#endif
