#include "common/errors.h"

static const struct {
	const char *code;
	int status;
	const char *message;
} registry[TP_ERR__COUNT] = {
        [TP_ERR_none] = {"none", 200, "no error"},
#define TP_ERR(id, st, msg) [TP_ERR_##id] = {#id, st, msg},
#include "common/codes/all.def"
#undef TP_ERR
};

const char *
tp_err_code(enum tp_err e)
{
	return (unsigned)e < TP_ERR__COUNT ? registry[e].code
	                                   : "internal_error";
}

int
tp_err_status(enum tp_err e)
{
	return (unsigned)e < TP_ERR__COUNT ? registry[e].status : 500;
}

const char *
tp_err_message(enum tp_err e)
{
	return (unsigned)e < TP_ERR__COUNT ? registry[e].message
	                                   : "internal error";
}
