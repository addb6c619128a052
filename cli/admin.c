/*
 * teepass admin create-key: the first admin API key, made directly in
 * the database (TEEPASS_DATABASE_URL), since no key exists yet to ask
 * the API with. The token is printed once on stdout; only its SHA-256
 * is stored.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/apikey.h"
#include "common/tptime.h"
#include "db/registry.h"

struct tx_args {
	const char *actor;
	const char *id;
	const char *sha256;
	const char *label;
};

static enum db_status
transaction(PGconn *c, void *arg)
{
	struct tx_args *a = arg;
	enum db_status st;
	json_t *detail;

	if ((st = db_api_key_insert(c, a->id, a->sha256, NULL, a->label)) !=
	    DB_OK)
		return st;
	detail = json_pack("{s:s}", "scope", "admin");
	st = db_audit_insert(c, a->actor, "api_key.created", a->id, detail);
	json_decref(detail);
	return st;
}

static int
create_key(int argc, char **argv)
{
	static const struct option opts[] = {{"label", 1, NULL, 'l'},
	                                     {"help", 0, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct tp_config cfg;
	struct tx_args a = {0};
	char id[APIKEY_ID_LEN + 1], token[APIKEY_TOKEN_LEN + 1], sha[65];
	char actor[80];
	const char *user = getenv("USER");
	int opt, rc = CLI_USAGE;
	enum db_status st;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "l:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			if (strlen(optarg) == 0 || strlen(optarg) > 200) {
				fprintf(stderr, "teepass: --label: 1 to 200 "
				                "bytes\n");
				return CLI_USAGE;
			}
			a.label = optarg;
			break;
		case 'h':
			printf("usage: teepass admin create-key [--label "
			       "TEXT]\n\n"
			       "Creates an admin API key in the database of "
			       "TEEPASS_DATABASE_URL and\nprints it once on "
			       "stdout (only its SHA-256 is stored). Use it as"
			       "\n\"Authorization: Bearer <key>\"; revoke it "
			       "with DELETE /api/keys/{id}.\n");
			return CLI_OK;
		default:
			return CLI_USAGE;
		}
	}
	if (optind != argc)
		return CLI_USAGE;
	if (!cli_load_config(&cfg))
		return CLI_USAGE;
	if (cfg.database_url == NULL) {
		fprintf(stderr, "teepass: set TEEPASS_DATABASE_URL (libpq "
		                "connection string)\n");
		goto out;
	}
	if (!apikey_generate(id, token, sha)) {
		fprintf(stderr, "teepass: no randomness\n");
		goto out;
	}
	snprintf(actor, sizeof(actor), "cli:%.60s",
	         user != NULL && *user != '\0' ? user : "unknown");
	a.actor = actor;
	a.id = id;
	a.sha256 = sha;
	db_configure(cfg.database_url);
	st = db_tx(transaction, &a);
	db_conn_close();
	db_configure(NULL);
	if (st != DB_OK) {
		fprintf(stderr, "teepass: cannot store the key (database "
		                "unreachable or not migrated: run `teepass "
		                "migrate`)\n");
		goto out;
	}
	printf("%s\n", token);
	fprintf(stderr,
	        "teepass: admin key %s created; it is shown only "
	        "this once\n",
	        id);
	rc = CLI_OK;
out:
	explicit_bzero(token, sizeof(token));
	config_free(&cfg);
	return rc;
}

struct revoke_args {
	const char *actor;
	const char *id;
	struct db_api_key_revoked out;
};

static enum db_status
revoke_tx(PGconn *c, void *arg)
{
	struct revoke_args *a = arg;
	enum db_status st;

	if ((st = db_api_key_revoke(c, a->id, NULL, &a->out)) != DB_OK)
		return st;
	return db_audit_insert(c, a->actor, "api_key.revoked", a->id, NULL);
}

/* teepass admin revoke-key ID: the way back in when every admin key is
 * lost or leaked (any key, admin or provider). */
static int
revoke_key(int argc, char **argv)
{
	struct tp_config cfg;
	struct revoke_args a = {0};
	const char *user = getenv("USER");
	char actor[80], at[32];
	enum db_status st;
	int rc = CLI_USAGE;

	if (argc == 2 &&
	    (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: teepass admin revoke-key ID\n\n"
		       "Revokes the API key ID (admin or provider; the 16 hex "
		       "characters after\n\"tp_\" in the token) in the "
		       "database of TEEPASS_DATABASE_URL, and writes\nan "
		       "api_key.revoked audit entry: the way back in when "
		       "every admin key is\nlost or leaked. Exit 0 revoked, 1 "
		       "no such key, 2 usage or database error.\n");
		return CLI_OK;
	}
	if (argc != 2 || strlen(argv[1]) != APIKEY_ID_LEN ||
	    strspn(argv[1], "0123456789abcdef") != APIKEY_ID_LEN) {
		fprintf(stderr,
		        "usage: teepass admin revoke-key ID (the 16 hex "
		        "characters after tp_)\n");
		return CLI_USAGE;
	}
	if (!cli_load_config(&cfg))
		return CLI_USAGE;
	if (cfg.database_url == NULL) {
		fprintf(stderr, "teepass: set TEEPASS_DATABASE_URL (libpq "
		                "connection string)\n");
		goto out;
	}
	snprintf(actor, sizeof(actor), "cli:%.60s",
	         user != NULL && *user != '\0' ? user : "unknown");
	a.actor = actor;
	a.id = argv[1];
	db_configure(cfg.database_url);
	st = db_tx(revoke_tx, &a);
	db_conn_close();
	db_configure(NULL);
	if (st == DB_NOT_FOUND) {
		fprintf(stderr, "teepass: no API key %s\n", argv[1]);
		rc = CLI_INVALID;
		goto out;
	}
	if (st != DB_OK) {
		fprintf(stderr, "teepass: cannot revoke the key (database "
		                "unreachable or not migrated)\n");
		goto out;
	}
	tptime_format(a.out.revoked_at / 1000000, at);
	printf("%s revoked at %s\n", argv[1], at);
	rc = CLI_OK;
out:
	config_free(&cfg);
	return rc;
}

int
cli_admin(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "create-key") == 0)
		return create_key(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "revoke-key") == 0)
		return revoke_key(argc - 1, argv + 1);
	bool help = argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	                          strcmp(argv[1], "-h") == 0);

	fprintf(help ? stdout : stderr,
	        "usage: teepass admin create-key [--label TEXT]\n"
	        "       teepass admin revoke-key ID\n\n"
	        "API keys made or revoked straight in the database of "
	        "TEEPASS_DATABASE_URL\n(`teepass admin COMMAND --help` "
	        "explains each).\n");
	return help ? CLI_OK : CLI_USAGE;
}
