/*
 * teepass tcb-status QUOTE: the TCB forecast of an Intel quote against the
 * standard and the early TCB Info (docs/collateral.md), with the cache of
 * TEEPASS_DATABASE_URL and the configured Intel service.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "collateral/collateral.h"
#include "common/codec.h"
#include "common/tptime.h"

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: teepass tcb-status [--at TIME] QUOTE\n\n"
	        "Evaluates an Intel SGX/TDX quote (binary, hex or base64 "
	        "file) against the\n"
	        "standard and the early TCB Info of its FMSPC, from the "
	        "collateral cache or\n"
	        "intel_pcs_url (unless offline), and names the TCB components "
	        "below the\n"
	        "first UpToDate level. Prints JSON; exit 0 when both say "
	        "UpToDate, 1 when\n"
	        "either does not, 2 on usage or collateral errors.\n");
}

static bool
up_to_date(const json_t *o, const char *which)
{
	const char *s = json_string_value(
	        json_object_get(json_object_get(o, which), "tcb_status"));
	return s != NULL && strcmp(s, "UpToDate") == 0;
}

int
cli_tcb_status(int argc, char **argv)
{
	static const struct option opts[] = {{"at", 1, NULL, 'a'},
	                                     {"help", 0, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct tp_config cfg;
	int64_t at = tptime_now(), retry = 0;
	uint8_t *buf = NULL, *ev = NULL;
	size_t len = 0, evlen = 0;
	char artifact[200];
	json_t *out = NULL;
	enum coll_status st;
	int opt, rc = CLI_USAGE;
	bool text = true;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			if (!tptime_parse(optarg, &at)) {
				fprintf(stderr, "teepass: --at: want an RFC "
				                "3339 time\n");
				return CLI_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return CLI_OK;
		default:
			return CLI_USAGE;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!cli_load_config(&cfg))
		return CLI_USAGE;
	if (cfg.database_url == NULL) {
		fprintf(stderr, "teepass: set TEEPASS_DATABASE_URL (libpq "
		                "connection string): the collateral cache\n");
		goto out;
	}
	if (!cli_read_file(argv[optind], 1 << 20, &buf, &len))
		goto out;
	for (size_t i = 0; i < len; i++)
		if (!isprint(buf[i]) && !isspace(buf[i]))
			text = false;
	if (!text) {
		ev = buf;
		evlen = len;
		buf = NULL;
	} else if (!codec_evidence_decode((const char *)buf, len, &ev,
	                                  &evlen)) {
		fprintf(stderr, "teepass: quote file is text but neither hex "
		                "nor base64\n");
		goto out;
	}
	db_configure(cfg.database_url);
	coll_configure(&(struct coll_config){
	        .intel_url = cfg.intel_pcs_url,
	        .intel_root_crl_url = cfg.intel_root_crl_url,
	        .intel_api_key = cfg.intel_pcs_api_key,
	        .amd_url = cfg.amd_kds_url,
	        .proxy = cfg.collateral_proxy,
	        .timeout_ms = (long)cfg.collateral_timeout_ms,
	        .offline = cfg.offline});
	st = coll_tcb_forecast(ev, evlen, at, &out, artifact, sizeof(artifact),
	                       &retry);
	coll_configure(&(struct coll_config){0});
	if (st == COLL_OK) {
		char *s = json_dumps(out, JSON_INDENT(2));
		printf("%s\n", s != NULL ? s : "null");
		free(s);
		rc = up_to_date(out, "standard") && up_to_date(out, "early")
		             ? CLI_OK
		             : CLI_INVALID;
	} else if (st == COLL_BAD_EVIDENCE) {
		fprintf(stderr, "teepass: not an Intel quote with a PCK "
		                "certificate chain\n");
	} else {
		fprintf(stderr,
		        "teepass: collateral %s cannot be had (%s); retry in "
		        "%llds\n",
		        artifact,
		        st == COLL_OFFLINE_MISSING ? "offline, not cached"
		        : st == COLL_NOT_FOUND     ? "the vendor has none"
		        : st == COLL_VENDOR_INVALID
		                ? "the vendor's does not verify"
		                : "vendor or database unavailable",
		        (long long)retry);
	}
out:
	json_decref(out);
	free(buf);
	free(ev);
	db_conn_close();
	db_configure(NULL);
	config_free(&cfg);
	return rc;
}
