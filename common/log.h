#ifndef TP_LOG_H
#define TP_LOG_H

enum tp_log_level { TP_LOG_DEBUG, TP_LOG_INFO, TP_LOG_WARN, TP_LOG_ERROR };

/*
 * Structured logging: one JSON object a line on stderr with the time, the
 * level, the request id of the calling thread (when set) and the message.
 * Never pass secrets or raw client bytes.
 */
void tp_log(enum tp_log_level lvl, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Minimum level printed (default info). */
void tp_log_set_level(enum tp_log_level lvl);

/* The request id logged by this thread; NULL clears it. */
void tp_log_set_request_id(const char *id);

#endif
