/*
 * teepass eventlog [--table CCEL_TABLE] [--tpm|--ccel] [--format json|text]
 * LOG: parses and replays a measured-boot event log (verify/eventlog/,
 * docs/eventlog.md) and prints its events and registers per bank.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/codec.h"
#include "verify/eventlog/eventlog.h"

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: teepass eventlog [--table CCEL_TABLE] [--tpm|--ccel]\n"
	        "                        [--format json|text] LOG\n\n"
	        "Parses a measured-boot event log and replays it: a TCG PC "
	        "Client crypto-agile\n"
	        "log (TPM 2.0 firmware log, or a TDX CCEL data area) or "
	        "dstack's JSON runtime\n"
	        "log (an array of events, or a quote report with "
	        "\"event_log\"). Prints its\n"
	        "events (name and text of what they measured, when they say "
	        "so) and the\n"
	        "replayed registers per bank: pcrN for a TPM log; rtmr0..3 "
	        "(SHA-384) for a CCEL\n"
	        "or dstack log.\n\n"
	        "  --tpm              register indices are TPM PCRs 0..23\n"
	        "  --ccel             register indices are TDX CC MRs (0 "
	        "MRTD, 1..4 RTMR0..3)\n"
	        "  --table FILE       the CCEL ACPI table (checked: "
	        "signature, length,\n"
	        "                     checksum, TDX); implies --ccel, and "
	        "only its log area\n"
	        "                     length (LAML) of LOG is read\n"
	        "  --format json|text output (default json)\n\n"
	        "Without --tpm/--ccel/--table a binary log whose Spec ID "
	        "event declares only\n"
	        "SHA-384 is a CCEL log, any other a TPM log; a JSON log is "
	        "dstack's.\n"
	        "Exit 0 when the log parses, 1 when it is malformed, too "
	        "large or unsupported\n"
	        "(the reason on stderr), 2 on usage or I/O errors.\n");
}

static bool
only_sha384(const struct ev_log *l)
{
	for (int b = 0; b < EV_BANK__COUNT; b++)
		if (l->bank[b] != (b == EV_SHA384))
			return false;
	return true;
}

static void
print_text(const struct ev_log *l, const struct ev_ccel_table *t)
{
	char name[16], h[2 * EV_MAX_DIGEST + 1];

	if (t != NULL)
		printf("ccel table: revision %u, oem \"%s\", cc type %u, "
		       "subtype %u, laml %llu, lasa 0x%llx\n",
		       t->revision, t->oem_id, t->cc_type, t->cc_subtype,
		       (unsigned long long)t->laml,
		       (unsigned long long)t->lasa);
	printf("format: %s, %zu events\n",
	       l->regs == EV_REGS_CC_MR  ? "ccel"
	       : l->regs == EV_REGS_RTMR ? "dstack"
	                                 : "tcg",
	       l->n);
	for (size_t k = 0; k < l->n; k++) {
		const struct ev_event *e = &l->events[k];
		const char *tn = ev_type_name(e->type);

		ev_reg_name(l, e->index, name, sizeof(name));
		printf("%4zu %-6s ", k, name);
		if (tn != NULL && !(l->regs == EV_REGS_RTMR && e->index == 3))
			printf("%s", tn);
		else
			printf("0x%08x", e->type);
		if (e->name[0] != 0)
			printf(" %s", e->name);
		if (e->text[0] != 0)
			printf(" \"%s\"", e->text);
		if (e->digest_checked)
			printf(" (digest checked)");
		printf("\n");
	}
	for (int b = 0; b < EV_BANK__COUNT; b++) {
		if (!l->bank[b])
			continue;
		printf("registers %s:\n", ev_bank_name((enum ev_bank)b));
		for (uint32_t i = 0; i < EV_MAX_REGS; i++) {
			bool shown = l->regs == EV_REGS_CC_MR ? i >= 1 && i <= 4
			             : l->regs == EV_REGS_RTMR
			                     ? i <= 3
			                     : l->extended[b][i];
			if (!shown)
				continue;
			ev_reg_name(l, i, name, sizeof(name));
			codec_hex_encode_to(l->reg[b][i],
			                    ev_bank_size((enum ev_bank)b), h);
			printf("  %-6s %s\n", name, h);
		}
	}
}

int
cli_eventlog(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"table", 1, NULL, 'T'}, {"tpm", 0, NULL, 't'},
	        {"ccel", 0, NULL, 'c'},  {"format", 1, NULL, 'f'},
	        {"help", 0, NULL, 'h'},  {NULL, 0, NULL, 0}};
	const char *table_path = NULL;
	uint8_t *buf = NULL, *tbuf = NULL;
	size_t len = 0, tlen = 0;
	struct ev_log log = {0};
	struct ev_ccel_table table;
	enum ev_regs regs = EV_REGS_TPM_PCR;
	bool forced = false, text = false;
	char why[256] = "";
	enum tp_err err;
	json_t *j = NULL;
	int opt, rc = CLI_USAGE;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'T':
			table_path = optarg;
			regs = EV_REGS_CC_MR;
			forced = true;
			break;
		case 't':
		case 'c':
			if (forced && regs != (opt == 't' ? EV_REGS_TPM_PCR
			                                  : EV_REGS_CC_MR)) {
				fprintf(stderr, "teepass: eventlog: --tpm "
				                "contradicts --ccel/--table\n");
				return CLI_USAGE;
			}
			regs = opt == 't' ? EV_REGS_TPM_PCR : EV_REGS_CC_MR;
			forced = true;
			break;
		case 'f':
			if (strcmp(optarg, "json") != 0 &&
			    strcmp(optarg, "text") != 0) {
				fprintf(stderr, "teepass: --format: json or "
				                "text\n");
				return CLI_USAGE;
			}
			text = strcmp(optarg, "text") == 0;
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
	if (!cli_read_file(argv[optind], EV_MAX_BYTES, &buf, &len))
		goto out;
	if (table_path != NULL) {
		if (!cli_read_file(table_path, 4096, &tbuf, &tlen))
			goto out;
		err = ev_ccel_table_parse2(tbuf, tlen, &table, why,
		                           sizeof(why));
		if (err != TP_ERR_none) {
			fprintf(stderr, "teepass: %s: %s: %s\n", table_path,
			        tp_err_code(err), why);
			rc = CLI_INVALID;
			goto out;
		}
		/* The data area is LAML bytes; what follows is not log. */
		if (len > table.laml)
			len = (size_t)table.laml;
	}
	err = ev_log_parse(buf, len, regs, &log, why, sizeof(why));
	if (err == TP_ERR_none && !forced && log.regs == EV_REGS_TPM_PCR &&
	    only_sha384(&log)) {
		/* A SHA-384-only Spec ID is a TDX CCEL log (TPM logs carry
		 * SHA-256): read it again as CC MRs. */
		ev_log_free(&log);
		err = ev_log_parse(buf, len, EV_REGS_CC_MR, &log, why,
		                   sizeof(why));
	}
	if (err != TP_ERR_none) {
		fprintf(stderr, "teepass: %s: %s: %s\n", argv[optind],
		        tp_err_code(err), why);
		rc = CLI_INVALID;
		goto out;
	}
	if (text) {
		print_text(&log, table_path != NULL ? &table : NULL);
	} else {
		j = ev_log_json(&log);
		if (table_path != NULL)
			json_object_set_new(
			        j, "ccel_table",
			        json_pack("{s:i,s:s,s:i,s:i,s:I,s:I}",
			                  "revision", table.revision, "oem_id",
			                  table.oem_id, "cc_type",
			                  table.cc_type, "cc_subtype",
			                  table.cc_subtype, "laml",
			                  (json_int_t)table.laml, "lasa",
			                  (json_int_t)table.lasa));
		if (json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) != 0)
			goto out;
		printf("\n");
	}
	rc = CLI_OK;
out:
	json_decref(j);
	ev_log_free(&log);
	free(buf);
	free(tbuf);
	return rc;
}
