/* The transparency log's signing key and origin (handlers/log.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "config/config.h"
#include "handlers/log.h"
#include "server/app.h"
#include "tlog/note.h"

static EVP_PKEY *key;
static char origin[TLOG_NAME_MAX];
static char *vkey;

bool
log_key_load(const char *path, const char *want_origin, const char *issuer,
             char *err, size_t errlen)
{
	FILE *f;
	const char *o;
	size_t n;

	if (!config_key_file_private(path, err, errlen))
		return false;
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot open", path);
		return false;
	}
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	ERR_clear_error();
	if (key == NULL || EVP_PKEY_id(key) != EVP_PKEY_ED25519) {
		snprintf(err, errlen, "%s: not an Ed25519 PEM private key",
		         path);
		goto fail;
	}
	if (want_origin != NULL && *want_origin != '\0') {
		snprintf(origin, sizeof(origin), "%s", want_origin);
	} else {
		o = issuer;
		if (strncmp(o, "https://", 8) == 0)
			o += 8;
		else if (strncmp(o, "http://", 7) == 0)
			o += 7;
		n = strlen(o);
		while (n > 0 && o[n - 1] == '/')
			n--;
		snprintf(origin, sizeof(origin), "%.*s/log", (int)n, o);
	}
	if (!tlog_name_valid(origin)) {
		snprintf(err, errlen,
		         "log origin: not a valid key name (no spaces or '+')");
		goto fail;
	}
	if ((vkey = tlog_vkey_format(origin, key)) == NULL) {
		snprintf(err, errlen,
		         "log key: cannot format its verifier key");
		goto fail;
	}
	return true;
fail:
	log_key_free();
	return false;
}

bool
log_enabled(void)
{
	return key != NULL && vkey != NULL;
}

enum tp_err
log_off_code(void)
{
	return app.cfg.transparency_log ? TP_ERR_log_unavailable
	                                : TP_ERR_log_disabled;
}

const char *
log_origin(void)
{
	return origin;
}

const char *
log_verifier_key(void)
{
	return vkey;
}

EVP_PKEY *
log_signing_pkey(void)
{
	return key;
}

void
log_key_free(void)
{
	EVP_PKEY_free(key);
	key = NULL;
	free(vkey);
	vkey = NULL;
}
