/*
 * teepass reappraise [--dry-run] [--at issued|now|RFC3339] [--passport ID]
 * (docs/reappraisal.md): the stored evidence of one passport, or of
 * every active one, judged again, directly on the database of
 * TEEPASS_DATABASE_URL with the verification policy of the
 * configuration (as teepassd would). As of now, a worse verdict is
 * recorded (superseded or revoked, the endpoint failed) unless
 * --dry-run; as of the issue time or another time it is an audit that
 * changes nothing. Prints one line per passport whose verdict changes
 * (every passport with --passport), then a summary.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "cli/cli.h"
#include "common/tptime.h"
#include "handlers/reappraise.h"

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: teepass reappraise [--dry-run] [--at issued|now|TIME]"
	        " [--passport ID] [--json]\n\n"
	        "Judges stored passports again (TEEPASS_DATABASE_URL): the one"
	        " named by\n--passport, else every active passport. --at now "
	        "(the default) uses the\ncurrent collateral cache and "
	        "reference values and records a worse verdict\n(status "
	        "superseded or revoked, the endpoint failed) unless "
	        "--dry-run;\n--at issued or an RFC 3339 TIME re-runs what "
	        "each passport used, at that\ntime, and changes nothing. "
	        "--json prints each verdict too.\nExit 0, or 1 when a "
	        "verdict is worse than its passport says.\n");
}

static EVP_PKEY *
load_key(const char *path)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k;

	if (f == NULL)
		return NULL;
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	if (k == NULL) {
		rewind(f);
		k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	}
	fclose(f);
	ERR_clear_error();
	return k;
}

struct run {
	struct tp_config *cfg;
	enum reappraise_when when;
	int64_t at, now;
	bool dry_run, json;
	int judged, worse, unsupported;
};

/* One passport: judged, printed, recorded when it is worse as of now. */
static enum db_status
one(PGconn *c, struct run *u, const char *id, bool always)
{
	struct reappraisal r;
	enum db_status st;
	char t[32];
	char *v = NULL;

	st = reappraise_passport(c, u->cfg, id, u->when, u->at, &r);
	if (st != DB_OK)
		return st;
	if (r.outcome == REAPPRAISE_UNSUPPORTED) {
		u->unsupported++;
		if (always)
			printf("%s unsupported: %s\n", id,
			       r.reason != NULL ? r.reason
			                        : "no stored appraisal inputs");
		reappraisal_clear(&r);
		return DB_OK;
	}
	u->judged++;
	tptime_format(r.at, t);
	if (r.outcome != REAPPRAISE_UNCHANGED)
		u->worse++;
	if (always || r.outcome != REAPPRAISE_UNCHANGED) {
		/* A composite's failing device is named: gpu0:code. */
		json_t *errs = reappraisal_errors(r.verdict);
		const char *dev;
		size_t i;
		json_t *e;

		printf("%s %s%s as of %s: %s, valid %s", id,
		       u->dry_run || u->when != REAPPRAISE_NOW ||
		                       r.outcome == REAPPRAISE_UNCHANGED
		               ? "would be "
		               : "",
		       reappraise_outcome_name(r.outcome), t, r.ear_status,
		       r.valid ? "true" : "false");
		json_array_foreach(errs, i, e)
		{
			dev = json_string_value(json_object_get(e, "device"));
			printf("%s%s%s%s", i == 0 ? "; errors " : ",",
			       dev != NULL ? dev : "", dev != NULL ? ":" : "",
			       json_string_value(json_object_get(e, "code")));
		}
		json_decref(errs);
		printf("\n");
		if (u->json &&
		    (v = json_dumps(r.verdict, JSON_COMPACT)) != NULL)
			printf("%s\n", v);
		free(v);
	}
	if (!u->dry_run && u->when == REAPPRAISE_NOW)
		st = reappraise_apply(c, id, &r);
	if (st == DB_NOT_FOUND)
		st = DB_OK;
	reappraisal_clear(&r);
	return st;
}

struct tx {
	struct run *u;
	const char *passport;
};

static enum db_status
transaction(PGconn *c, void *arg)
{
	struct tx *x = arg;
	char after[37] = "", (*ids)[37] = NULL;
	size_t n;
	enum db_status st;

	x->u->judged = x->u->worse = x->u->unsupported = 0;
	if (x->passport != NULL)
		return one(c, x->u, x->passport, true);
	do {
		st = db_passport_active_ids(c, x->u->now, after, 500, &ids, &n);
		if (st != DB_OK)
			return st;
		for (size_t i = 0; i < n && st == DB_OK; i++)
			st = one(c, x->u, ids[i], false);
		if (n > 0)
			memcpy(after, ids[n - 1], sizeof(after));
		free(ids);
		ids = NULL;
	} while (st == DB_OK && n == 500);
	return st;
}

int
cli_reappraise(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"dry-run", 0, NULL, 'd'},  {"at", 1, NULL, 'a'},
	        {"passport", 1, NULL, 'p'}, {"json", 0, NULL, 'j'},
	        {"help", 0, NULL, 'h'},     {NULL, 0, NULL, 0}};
	struct tp_config cfg;
	struct run u = {0};
	struct tx x = {0};
	const char *at = "now";
	enum db_status st;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "da:p:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			u.dry_run = true;
			break;
		case 'a':
			at = optarg;
			break;
		case 'p':
			x.passport = optarg;
			break;
		case 'j':
			u.json = true;
			break;
		case 'h':
			usage(stdout);
			return CLI_OK;
		default:
			usage(stderr);
			return CLI_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!cli_load_config(&cfg))
		return CLI_USAGE;
	u.cfg = &cfg;
	u.at = u.now = config_now(&cfg);
	if (strcmp(at, "now") == 0) {
		u.when = REAPPRAISE_NOW;
	} else if (strcmp(at, "issued") == 0) {
		u.when = REAPPRAISE_ISSUED;
	} else if (tptime_parse(at, &u.at)) {
		u.when = REAPPRAISE_AT;
	} else {
		fprintf(stderr, "teepass: --at: issued, now or an RFC 3339 "
		                "time\n");
		config_free(&cfg);
		return CLI_USAGE;
	}
	if (cfg.dev_mode && cfg.mock_attestation_key != NULL &&
	    (cfg.verify.mock_attestation_key =
	             load_key(cfg.mock_attestation_key)) == NULL) {
		fprintf(stderr, "teepass: %s: not a PEM key\n",
		        cfg.mock_attestation_key);
		config_free(&cfg);
		return CLI_USAGE;
	}
	x.u = &u;
	db_configure(cfg.database_url);
	st = db_tx_read_committed(transaction, &x);
	db_conn_close();
	db_configure(NULL);
	config_free(&cfg);
	if (st == DB_NOT_FOUND) {
		fprintf(stderr, "teepass: no passport %s\n", x.passport);
		return CLI_USAGE;
	}
	if (st != DB_OK) {
		fprintf(stderr, "teepass: database error %d\n", (int)st);
		return CLI_USAGE;
	}
	printf("reappraise: %d passports judged%s, %d %s worse%s%s\n", u.judged,
	       u.when == REAPPRAISE_ISSUED ? " as of their issue time" : "",
	       u.worse,
	       u.dry_run || u.when != REAPPRAISE_NOW ? "would be" : "were",
	       u.unsupported > 0 ? "; not re-appraisable: " : "",
	       u.unsupported > 0 ? "some (no stored inputs, or composite "
	                           "without its devices' inputs)"
	                         : "");
	return u.worse > 0 ? CLI_INVALID : CLI_OK;
}
