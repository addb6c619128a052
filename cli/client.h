#ifndef TP_CLI_CLIENT_H
#define TP_CLI_CLIENT_H
/* The relying-party client: teepass attest and teepass passport
 * (docs/client.md). HTTP with libcurl, ES256 JWS checks with OpenSSL. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/errors.h"

/* The largest answer the client reads (bytes). */
#define CLI_HTTP_MAX_BODY (8 * 1024 * 1024)

/* One HTTP exchange. */
struct cli_http {
	long status; /* 0 when no answer arrived */
	char *body;  /* NUL-terminated, malloc'd */
	size_t len;
	bool overflow;       /* the answer exceeded CLI_HTTP_MAX_BODY */
	long max_age;        /* Cache-Control max-age; -1 none or no-store */
	char request_id[80]; /* X-Request-Id of the answer */
	char err[320];       /* transport failure */
};

/*
 * METHOD ("GET" or "POST") URL, with a JSON body when JSON is not NULL
 * and an Accept header when ACCEPT is not NULL; TIMEOUT_MS bounds the
 * whole exchange. Only http and https, no redirect. False with H->err
 * when no complete answer arrived. Free with cli_http_free.
 */
bool cli_http(const char *method, const char *url, const char *json,
              const char *accept, long timeout_ms, struct cli_http *h);

/* Frees H's body; NULL-safe. */
void cli_http_free(struct cli_http *h);

/* --timeout SECONDS (1..600) as milliseconds into *MS; false with the
 * rule on stderr. */
bool cli_timeout_opt(const char *arg, long *ms);

/* BASE without its trailing slashes followed by PATH (malloc'd). */
char *cli_url_join(const char *base, const char *path);

/*
 * Verifies the compact JWS TOKEN (ES256 only) with the key of its kid
 * in JWKS ({"keys": [...]}, P-256 JWKs). On success returns TP_ERR_none
 * with *HEADER and *CLAIMS (new references); else the client_* code
 * with WHY. The caller frees what it got.
 */
enum tp_err cli_jws_verify(const char *token, const json_t *jwks,
                           json_t **header, json_t **claims, char *why,
                           size_t whylen);

/* Decodes a JWS's header and claims without checking anything (NULL
 * when TOKEN is not a compact JWS with JSON parts). */
bool cli_jws_decode(const char *token, json_t **header, json_t **claims);

/* The base URL of teepassd: OPT, else $TEEPASS_URL, else
 * http://127.0.0.1:8080. */
const char *cli_base_url(const char *opt);

int cli_attest(int argc, char **argv);
int cli_passport(int argc, char **argv);

#endif
