#ifndef TP_SNP_POLICY_H
#define TP_SNP_POLICY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Policy of the snp verifier (owned by that module). */
struct snp_policy {
	int reserved;
};

/* Fills the safe defaults. */
void snp_policy_defaults(struct snp_policy *p);

/*
 * Sets KEY (the part after "snp.") to VALUE. Returns false with a message
 * in ERR for an unknown key or a bad value.
 */
bool snp_policy_set(struct snp_policy *p, const char *key, const char *value,
                    char *err, size_t errlen);

#endif
