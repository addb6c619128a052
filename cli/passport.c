/*
 * teepass passport verify TOKEN | show ID: what a relying party does
 * with a passport (docs/client.md). verify checks the ES256 signature
 * against the issuer's JWKS (fetched over HTTP and cached on disk for
 * its max-age, or a file offline), iss, exp and iat at a given time,
 * and the revocation status from the issuer's status endpoint.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "common/codec.h"
#include "common/tptime.h"

#define MAX_TOKEN_FILE (1024 * 1024)
#define MAX_JWKS_FILE  (1024 * 1024)
/* A cached JWKS is never used longer than this, whatever max-age says. */
#define JWKS_CACHE_MAX_AGE 86400
/* Clock skew tolerated on iat (seconds). exp gets none. */
#define IAT_LEEWAY 60

struct pv {
	const char *issuer; /* base URL of teepassd */
	const char *jwks_file;
	const char *iss; /* expected iss claim */
	const char *cache_dir;
	bool no_cache, compact;
	bool undecided; /* an error that is not a refusal (exit 2) */
	int64_t at;
	long timeout_ms;
	char cache_path[4096];
	const char *jwks_source; /* "file", "cache", "fetched" */
	json_t *checks, *errors;
};

static void
pv_error(struct pv *p, enum tp_err e, const char *check, const char *why)
{
	json_t *err = json_pack("{s:s, s:s}", "code", tp_err_code(e), "message",
	                        tp_err_message(e));

	if (why != NULL && *why != '\0')
		json_object_set_new(err, "detail", json_string(why));
	json_array_append_new(p->errors, err);
	if (tp_err_status(e) != 200)
		p->undecided = true;
	if (check != NULL)
		json_array_append_new(
		        p->checks,
		        json_pack("{s:s, s:b}", "check", check, "ok", false));
}

static void
pv_ok(struct pv *p, const char *check)
{
	json_array_append_new(
	        p->checks, json_pack("{s:s, s:b}", "check", check, "ok", true));
}

/* ---- the on-disk JWKS cache ---- */

static bool
mkdir_p(const char *dir)
{
	char tmp[4096];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, dir, n + 1);
	for (char *s = tmp + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return false;
		*s = '/';
	}
	return mkdir(tmp, 0700) == 0 || errno == EEXIST;
}

/* The cache directory: --cache-dir, $TEEPASS_CACHE_DIR,
 * $XDG_CACHE_HOME/teepass, ~/.cache/teepass; false when none. */
static bool
cache_dir(const struct pv *p, char *out, size_t outlen)
{
	const char *d = p->cache_dir, *x = getenv("XDG_CACHE_HOME"),
	           *h = getenv("HOME");

	if (d == NULL)
		d = getenv("TEEPASS_CACHE_DIR");
	if (d != NULL && *d != '\0')
		return (size_t)snprintf(out, outlen, "%s", d) < outlen;
	if (x != NULL && *x == '/')
		return (size_t)snprintf(out, outlen, "%s/teepass", x) < outlen;
	if (h != NULL && *h == '/')
		return (size_t)snprintf(out, outlen, "%s/.cache/teepass", h) <
		       outlen;
	return false;
}

/* Fills p->cache_path for URL (one file per JWKS URL). */
static bool
cache_locate(struct pv *p, const char *url, char *dir, size_t dirlen)
{
	uint8_t md[32];
	char hex[65];

	if (p->no_cache || !cache_dir(p, dir, dirlen))
		return false;
	SHA256((const uint8_t *)url, strlen(url), md);
	codec_hex_encode_to(md, 16, hex);
	return (size_t)snprintf(p->cache_path, sizeof(p->cache_path),
	                        "%s/jwks-%s.json", dir,
	                        hex) < sizeof(p->cache_path);
}

/* The cached JWKS of URL while fresh at NOW (wall clock), else NULL. */
static json_t *
cache_load(const char *path, const char *url, int64_t now)
{
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	json_t *jwks = NULL;
	const char *u = json_string_value(json_object_get(doc, "url"));
	json_int_t fetched =
	        json_integer_value(json_object_get(doc, "fetched_at"));
	json_int_t expires =
	        json_integer_value(json_object_get(doc, "expires_at"));

	/* A clock set back past the fetch time makes the age unknown. */
	if (u != NULL && strcmp(u, url) == 0 && fetched <= now &&
	    now < expires &&
	    json_is_array(
	            json_object_get(json_object_get(doc, "jwks"), "keys")))
		jwks = json_incref(json_object_get(doc, "jwks"));
	json_decref(doc);
	return jwks;
}

/* Writes the cache entry atomically (temporary file, then rename). */
static void
cache_store(const char *dir, const char *path, const char *url, int64_t now,
            long max_age, const json_t *jwks)
{
	char tmp[4200];
	json_t *doc;
	FILE *f;
	int fd;

	if (max_age <= 0 || !mkdir_p(dir))
		return;
	if (max_age > JWKS_CACHE_MAX_AGE)
		max_age = JWKS_CACHE_MAX_AGE;
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0)
		return;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(tmp);
		return;
	}
	doc = json_pack("{s:s, s:I, s:I, s:O}", "url", url, "fetched_at",
	                (json_int_t)now, "expires_at",
	                (json_int_t)(now + max_age), "jwks", jwks);
	if (doc == NULL || json_dumpf(doc, f, JSON_COMPACT) != 0 ||
	    fclose(f) != 0 || rename(tmp, path) != 0)
		unlink(tmp);
	json_decref(doc);
}

/* The issuer's JWKS: from the cache unless REFRESH, else fetched.
 * NULL with an error recorded (transport: exit 2). */
static json_t *
jwks_get(struct pv *p, bool refresh)
{
	char dir[4096], why[320];
	char *url = cli_url_join(p->issuer, "/.well-known/jwks.json");
	int64_t now = tptime_now();
	struct cli_http h;
	json_t *jwks = NULL;
	bool cacheable;

	if (url == NULL) {
		pv_error(p, TP_ERR_client_jwks_unavailable, "jwks",
		         "out of memory");
		return NULL;
	}
	cacheable = cache_locate(p, url, dir, sizeof(dir));
	if (cacheable && !refresh &&
	    (jwks = cache_load(p->cache_path, url, now)) != NULL) {
		p->jwks_source = "cache";
		goto out;
	}
	if (!cli_http("GET", url, NULL, "application/jwk-set+json",
	              p->timeout_ms, &h)) {
		pv_error(p, TP_ERR_client_jwks_unavailable, "jwks", h.err);
		goto out;
	}
	if (h.status != 200) {
		snprintf(why, sizeof(why), "%s: HTTP %ld", url, h.status);
		pv_error(p, TP_ERR_client_jwks_unavailable, "jwks", why);
		cli_http_free(&h);
		goto out;
	}
	jwks = json_loadb(h.body, h.len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_array(json_object_get(jwks, "keys"))) {
		json_decref(jwks);
		jwks = NULL;
		snprintf(why, sizeof(why), "%s: no \"keys\" array", url);
		pv_error(p, TP_ERR_client_jwks_invalid, "jwks", why);
		cli_http_free(&h);
		goto out;
	}
	p->jwks_source = "fetched";
	if (cacheable)
		cache_store(dir, p->cache_path, url, now, h.max_age, jwks);
	cli_http_free(&h);
out:
	free(url);
	return jwks;
}

static json_t *
jwks_from_file(struct pv *p)
{
	json_error_t je;
	json_t *j = json_load_file(p->jwks_file, JSON_REJECT_DUPLICATES, &je);
	char why[300];

	if (!json_is_array(json_object_get(j, "keys"))) {
		json_decref(j);
		snprintf(why, sizeof(why), "%.120s: %.160s", p->jwks_file,
		         j == NULL ? je.text : "no \"keys\" array");
		pv_error(p, TP_ERR_client_jwks_invalid, "jwks", why);
		return NULL;
	}
	p->jwks_source = "file";
	return j;
}

/* ---- claims ---- */

static bool
same_issuer(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	while (na > 0 && a[na - 1] == '/')
		na--;
	while (nb > 0 && b[nb - 1] == '/')
		nb--;
	return na == nb && memcmp(a, b, na) == 0;
}

static void
check_claims(struct pv *p, const json_t *claims)
{
	const char *iss = json_string_value(json_object_get(claims, "iss"));
	const json_t *exp = json_object_get(claims, "exp"),
	             *iat = json_object_get(claims, "iat");
	char why[300], a[32];

	if (iss == NULL || !same_issuer(iss, p->iss)) {
		snprintf(why, sizeof(why), "iss: want %.120s, have %.120s",
		         p->iss, iss != NULL ? iss : "(none)");
		pv_error(p, TP_ERR_client_issuer_mismatch, "issuer", why);
	} else {
		pv_ok(p, "issuer");
	}
	tptime_format(p->at, a);
	if (!json_is_integer(exp)) {
		pv_error(p, TP_ERR_client_token_malformed, "exp",
		         "exp: missing or not an integer");
	} else if (json_integer_value(exp) <= p->at) {
		char e[32];
		tptime_format(json_integer_value(exp), e);
		snprintf(why, sizeof(why), "exp %s is not after %s", e, a);
		pv_error(p, TP_ERR_client_passport_expired, "exp", why);
	} else {
		pv_ok(p, "exp");
	}
	if (!json_is_integer(iat)) {
		pv_error(p, TP_ERR_client_token_malformed, "iat",
		         "iat: missing or not an integer");
	} else if (json_integer_value(iat) > p->at + IAT_LEEWAY) {
		char i[32];
		tptime_format(json_integer_value(iat), i);
		snprintf(why, sizeof(why), "iat %s is after %s", i, a);
		pv_error(p, TP_ERR_client_passport_not_yet_valid, "iat", why);
	} else {
		pv_ok(p, "iat");
	}
}

/* The passport id as it may appear in a URL path: a UUID's alphabet. */
static bool
id_ok(const char *id)
{
	size_t n = id != NULL ? strlen(id) : 0;

	return n > 0 && n <= 64 && strspn(id, "0123456789abcdefABCDEF-") == n;
}

/* GET /api/passports/{jti}/status; *STATUS the lifecycle it says. */
static void
check_status(struct pv *p, const char *jti, json_t *out)
{
	char path[128], why[320];
	const char *st;
	struct cli_http h;
	json_t *doc = NULL;
	char *url;

	if (!id_ok(jti)) {
		pv_error(p, TP_ERR_client_token_malformed, "revocation",
		         "jti: missing or not a passport id");
		return;
	}
	snprintf(path, sizeof(path), "/api/passports/%s/status", jti);
	if ((url = cli_url_join(p->issuer, path)) == NULL) {
		pv_error(p, TP_ERR_client_status_unavailable, "revocation",
		         "out of memory");
		return;
	}
	if (!cli_http("GET", url, NULL, "application/json", p->timeout_ms,
	              &h)) {
		pv_error(p, TP_ERR_client_status_unavailable, "revocation",
		         h.err);
		goto out;
	}
	if (h.status == 404) {
		pv_error(p, TP_ERR_client_passport_unknown, "revocation", NULL);
		goto out;
	}
	doc = json_loadb(h.body, h.len, 0, NULL);
	st = json_string_value(json_object_get(doc, "status"));
	if (h.status != 200 || st == NULL) {
		snprintf(why, sizeof(why), "%s: HTTP %ld%s", url, h.status,
		         h.status == 200 ? " without a status" : "");
		pv_error(p, TP_ERR_client_status_unavailable, "revocation",
		         why);
		goto out;
	}
	json_object_set_new(out, "status", json_string(st));
	if (strcmp(st, "active") == 0)
		pv_ok(p, "revocation");
	else if (strcmp(st, "revoked") == 0)
		pv_error(p, TP_ERR_client_passport_revoked, "revocation",
		         json_string_value(
		                 json_object_get(doc, "revocation_reason")));
	else
		pv_error(p, TP_ERR_client_passport_inactive, "revocation", st);
out:
	json_decref(doc);
	cli_http_free(&h);
	free(url);
}

/* TOKEN as given: "-" stdin, "@FILE" a file, else the token itself. */
static char *
token_arg(const char *arg)
{
	uint8_t *buf = NULL;
	size_t len = 0, s = 0;

	if (strcmp(arg, "-") != 0 && arg[0] != '@')
		return strdup(arg);
	if (!cli_read_file(arg[0] == '@' ? arg + 1 : arg, MAX_TOKEN_FILE, &buf,
	                   &len))
		return NULL;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
	                   buf[len - 1] == ' '))
		buf[--len] = '\0';
	while (s < len && (buf[s] == ' ' || buf[s] == '\n'))
		s++;
	memmove(buf, buf + s, len - s + 1);
	return (char *)buf;
}

static void
verify_usage(FILE *f)
{
	fprintf(f,
	        "usage: teepass passport verify [OPTIONS] TOKEN\n"
	        "\n"
	        "Checks a passport as a relying party: the ES256 signature "
	        "with the key of\nits kid in the issuer's JWKS, iss, exp and "
	        "iat at the verification time,\nand its revocation status "
	        "from the issuer's status endpoint. TOKEN is the\nJWS, "
	        "@FILE or - (stdin). Prints JSON: valid, id, iss, kid, iat, "
	        "exp,\nstatus, revocation_checked, checks, errors, claims.\n"
	        "\n"
	        "  --issuer URL      teepassd's base URL: JWKS from\n"
	        "                    URL/.well-known/jwks.json, status from\n"
	        "                    URL/api/passports/{jti}/status\n"
	        "  --jwks FILE       keys from FILE instead (offline); "
	        "without --issuer\n"
	        "                    the revocation status is not checked\n"
	        "                    (revocation_checked: false)\n"
	        "  --iss VALUE       the iss the passport must carry "
	        "(default: --issuer)\n"
	        "  --at TIME         verify as of TIME (RFC 3339); default "
	        "now\n"
	        "  --cache-dir DIR   JWKS cache (default $TEEPASS_CACHE_DIR, "
	        "else\n"
	        "                    $XDG_CACHE_HOME/teepass or "
	        "~/.cache/teepass);\n"
	        "                    an entry is used for the max-age the "
	        "issuer sent\n"
	        "                    (at most 24 h); an unknown kid "
	        "refetches once\n"
	        "  --no-cache        always fetch the JWKS\n"
	        "  --timeout SECS    per HTTP request (default 10)\n"
	        "  --compact         one-line JSON\n"
	        "\n"
	        "Exit status: 0 valid; 1 refused (malformed, alg, kid, "
	        "signature, iss,\nexp, iat, revoked, unknown or inactive "
	        "passport); 2 usage error, or\nthe JWKS or the status could "
	        "not be obtained (nothing was decided).\n");
}

static int
passport_verify(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"issuer", 1, NULL, 'i'},    {"jwks", 1, NULL, 'j'},
	        {"iss", 1, NULL, 's'},       {"at", 1, NULL, 'a'},
	        {"cache-dir", 1, NULL, 'd'}, {"no-cache", 0, NULL, 'n'},
	        {"timeout", 1, NULL, 't'},   {"compact", 0, NULL, 'c'},
	        {"help", 0, NULL, 'h'},      {NULL, 0, NULL, 0}};
	struct pv p = {0};
	json_t *jwks = NULL, *header = NULL, *claims = NULL, *out = NULL;
	char *token = NULL, why[320], t[32];
	const char *jti;
	enum tp_err e;
	int opt, rc = CLI_USAGE;

	p.at = tptime_now();
	p.timeout_ms = 10000;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			p.issuer = optarg;
			break;
		case 'j':
			p.jwks_file = optarg;
			break;
		case 's':
			p.iss = optarg;
			break;
		case 'a':
			if (!tptime_parse(optarg, &p.at)) {
				fprintf(stderr, "teepass: --at: want RFC 3339 "
				                "(2025-07-01T00:00:00Z)\n");
				return CLI_USAGE;
			}
			break;
		case 'd':
			p.cache_dir = optarg;
			break;
		case 'n':
			p.no_cache = true;
			break;
		case 't':
			if (!cli_timeout_opt(optarg, &p.timeout_ms))
				return CLI_USAGE;
			break;
		case 'c':
			p.compact = true;
			break;
		case 'h':
			verify_usage(stdout);
			return CLI_OK;
		default:
			verify_usage(stderr);
			return CLI_USAGE;
		}
	}
	if (optind + 1 != argc || (p.issuer == NULL && p.jwks_file == NULL)) {
		verify_usage(stderr);
		return CLI_USAGE;
	}
	if (p.iss == NULL)
		p.iss = p.issuer;
	if (p.iss == NULL) {
		fprintf(stderr, "teepass: --jwks without --issuer needs --iss "
		                "(the issuer the passport must name)\n");
		return CLI_USAGE;
	}
	if ((token = token_arg(argv[optind])) == NULL)
		return CLI_USAGE;
	p.checks = json_array();
	p.errors = json_array();
	out = json_object();

	jwks = p.jwks_file != NULL ? jwks_from_file(&p) : jwks_get(&p, false);
	if (jwks == NULL)
		goto print;
	e = cli_jws_verify(token, jwks, &header, &claims, why, sizeof(why));
	if (e == TP_ERR_client_kid_unknown &&
	    strcmp(p.jwks_source, "cache") == 0) {
		/* A key the cache predates (rotation): ask the issuer. */
		json_decref(jwks);
		if ((jwks = jwks_get(&p, true)) == NULL)
			goto print;
		e = cli_jws_verify(token, jwks, &header, &claims, why,
		                   sizeof(why));
	}
	if (e != TP_ERR_none) {
		pv_error(&p, e, "signature", why);
		/* What the token says, unauthenticated, helps diagnosis. */
		if (cli_jws_decode(token, &header, &claims)) {
			json_object_set(out, "kid",
			                json_object_get(header, "kid"));
			json_object_set(out, "id",
			                json_object_get(claims, "jti"));
		}
		goto print;
	}
	pv_ok(&p, "signature");
	check_claims(&p, claims);
	jti = json_string_value(json_object_get(claims, "jti"));
	json_object_set(out, "id", json_object_get(claims, "jti"));
	json_object_set(out, "iss", json_object_get(claims, "iss"));
	json_object_set(out, "kid", json_object_get(header, "kid"));
	json_object_set(out, "iat", json_object_get(claims, "iat"));
	json_object_set(out, "exp", json_object_get(claims, "exp"));
	json_object_set_new(out, "status", json_null());
	if (p.issuer != NULL)
		check_status(&p, jti, out);
	json_object_set(out, "claims", claims);
print:
	json_object_set_new(out, "valid",
	                    json_boolean(json_array_size(p.errors) == 0));
	tptime_format(p.at, t);
	json_object_set_new(out, "verified_at", json_string(t));
	json_object_set_new(out, "jwks_source",
	                    p.jwks_source != NULL ? json_string(p.jwks_source)
	                                          : json_null());
	json_object_set_new(
	        out, "revocation_checked",
	        json_boolean(p.issuer != NULL &&
	                     json_is_string(json_object_get(out, "status"))));
	json_object_set(out, "checks", p.checks);
	json_object_set(out, "errors", p.errors);
	json_dumpf(out, stdout,
	           (p.compact ? JSON_COMPACT : JSON_INDENT(2)) |
	                   JSON_SORT_KEYS);
	fputc('\n', stdout);
	rc = p.undecided                      ? CLI_USAGE
	     : json_array_size(p.errors) == 0 ? CLI_OK
	                                      : CLI_INVALID;
	json_decref(p.checks);
	json_decref(p.errors);
	json_decref(jwks);
	json_decref(header);
	json_decref(claims);
	json_decref(out);
	free(token);
	return rc;
}

/* ---- show ---- */

static void
show_usage(FILE *f)
{
	fprintf(f, "usage: teepass passport show [--url URL] [--token] ID\n"
	           "\n"
	           "Prints the passport ID as GET /api/passports/{id} answers "
	           "it (JSON: status,\nclaims, token, ...), or with --token "
	           "only its JWS. URL is teepassd's base\nURL (default "
	           "$TEEPASS_URL, else http://127.0.0.1:8080).\n"
	           "\n"
	           "Exit status: 0 found; 1 no such passport (404); 2 usage "
	           "error, transport\nerror or any other answer.\n");
}

static int
passport_show(int argc, char **argv)
{
	static const struct option opts[] = {{"url", 1, NULL, 'u'},
	                                     {"token", 0, NULL, 't'},
	                                     {"help", 0, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *base = NULL;
	bool token = false;
	char path[128];
	struct cli_http h;
	int opt, rc = CLI_USAGE;
	char *url;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'u':
			base = optarg;
			break;
		case 't':
			token = true;
			break;
		case 'h':
			show_usage(stdout);
			return CLI_OK;
		default:
			show_usage(stderr);
			return CLI_USAGE;
		}
	}
	if (optind + 1 != argc) {
		show_usage(stderr);
		return CLI_USAGE;
	}
	if (!id_ok(argv[optind])) {
		fprintf(stderr, "teepass: ID: a passport id (UUID)\n");
		return CLI_USAGE;
	}
	snprintf(path, sizeof(path), "/api/passports/%s", argv[optind]);
	if ((url = cli_url_join(cli_base_url(base), path)) == NULL)
		return CLI_USAGE;
	if (!cli_http("GET", url, NULL,
	              token ? "application/jwt" : "application/json", 10000,
	              &h)) {
		fprintf(stderr, "teepass: %s\n", h.err);
		goto out;
	}
	if (h.status == 200) {
		fwrite(h.body, 1, h.len, stdout);
		if (h.len == 0 || h.body[h.len - 1] != '\n')
			fputc('\n', stdout);
		rc = CLI_OK;
	} else {
		fprintf(stderr, "teepass: %s: HTTP %ld %.300s\n", url, h.status,
		        h.body);
		rc = h.status == 404 ? CLI_INVALID : CLI_USAGE;
	}
	cli_http_free(&h);
out:
	free(url);
	return rc;
}

int
cli_passport(int argc, char **argv)
{
	bool help = argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	                          strcmp(argv[1], "-h") == 0);

	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return passport_verify(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return passport_show(argc - 1, argv + 1);
	fprintf(help ? stdout : stderr,
	        "usage: teepass passport verify [OPTIONS] TOKEN\n"
	        "       teepass passport show [--url URL] [--token] ID\n\n"
	        "What a relying party does with a passport "
	        "(`teepass passport COMMAND --help`).\n");
	return help ? CLI_OK : CLI_USAGE;
}
