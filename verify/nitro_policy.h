#ifndef TP_NITRO_POLICY_H
#define TP_NITRO_POLICY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Policy of the nitro verifier (owned by that module). */
struct nitro_policy {
	int reserved;
};

/* Fills the safe defaults. */
void nitro_policy_defaults(struct nitro_policy *p);

/*
 * Sets KEY (the part after "nitro.") to VALUE. Returns false with a message
 * in ERR for an unknown key or a bad value.
 */
bool nitro_policy_set(struct nitro_policy *p, const char *key,
                      const char *value, char *err, size_t errlen);

#endif
