#ifndef TP_ERRORS_H
#define TP_ERRORS_H

/* The single error-code registry (the .def files of common/codes). */
enum tp_err {
	TP_ERR_none = 0, /* no error: what a check returns when it passed */
#define TP_ERR(id, status, msg) TP_ERR_##id,
#include "common/codes/all.def"
#undef TP_ERR
	TP_ERR__COUNT /* number of entries, TP_ERR_none included */
};

/* Stable snake_case code, e.g. "body_too_large" ("none" for
 * TP_ERR_none). */
const char *tp_err_code(enum tp_err e);
/* HTTP status for the code (200 for codes reported inside a verdict). */
int tp_err_status(enum tp_err e);
/* Fixed message; never contains client bytes. */
const char *tp_err_message(enum tp_err e);

#endif
