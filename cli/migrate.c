/* teepass migrate: bring the database schema up to this build. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "db/db.h"

int
cli_migrate(int argc, char **argv)
{
	static const struct option opts[] = {{"status", 0, NULL, 's'},
	                                     {"help", 0, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct tp_config cfg;
	bool status_only = false;
	char err[512];
	int opt, applied = 0, version = 0, rc = CLI_USAGE;
	PGconn *c;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			status_only = true;
			break;
		case 'h':
			printf("usage: teepass migrate [--status]\n\n"
			       "Applies the pending migrations (migrations/, "
			       "built in) to the database "
			       "of\nTEEPASS_DATABASE_URL "
			       "under an advisory lock; --status only "
			       "reports.\n");
			return CLI_OK;
		default:
			return CLI_USAGE;
		}
	}
	if (!cli_load_config(&cfg))
		return CLI_USAGE;
	if (cfg.database_url == NULL) {
		fprintf(stderr, "teepass: set TEEPASS_DATABASE_URL (libpq "
		                "connection string)\n");
		goto out;
	}
	if (!status_only &&
	    !db_migrate(cfg.database_url, &applied, err, sizeof(err))) {
		fprintf(stderr, "teepass: migrate: %s\n", err);
		goto out;
	}
	c = PQconnectdb(cfg.database_url);
	if (PQstatus(c) != CONNECTION_OK ||
	    db_schema_version(c, &version) != DB_OK) {
		fprintf(stderr, "teepass: cannot read the schema version\n");
		PQfinish(c);
		goto out;
	}
	PQfinish(c);
	printf("schema version %d (this build: %d)%s", version,
	       db_migrations_latest(), status_only ? "\n" : "");
	if (!status_only)
		printf(", %d migration%s applied\n", applied,
		       applied == 1 ? "" : "s");
	rc = version >= db_migrations_latest() ? CLI_OK : CLI_INVALID;
out:
	config_free(&cfg);
	return rc;
}
