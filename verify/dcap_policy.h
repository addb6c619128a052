#ifndef TP_DCAP_POLICY_H
#define TP_DCAP_POLICY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Policy of the dcap verifier (owned by that module). */
struct dcap_policy {
	int reserved;
};

/* Fills the safe defaults. */
void dcap_policy_defaults(struct dcap_policy *p);

/*
 * Sets KEY (the part after "dcap.") to VALUE. Returns false with a message
 * in ERR for an unknown key or a bad value.
 */
bool dcap_policy_set(struct dcap_policy *p, const char *key, const char *value,
                     char *err, size_t errlen);

#endif
