/* teepass verify: offline verification, the same verdict as the API. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "cli/cli.h"
#include "common/codec.h"
#include "common/tptime.h"
#include "load/load.h"
#include "verify/core/expected.h"
#include "verify/verify.h"

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: teepass verify [OPTIONS] FILE\n"
	        "\n"
	        "Verifies the evidence in FILE (raw bytes, or hex / base64 "
	        "text; '-'\n"
	        "reads stdin) without a database or network, and prints the "
	        "verdict\n"
	        "JSON of POST /api/verify/tee-attestation. Exit status: 0 "
	        "valid,\n"
	        "1 invalid, 2 usage or I/O error.\n"
	        "\n"
	        "  --at TIME             verify as of TIME (RFC 3339), e.g. "
	        "to audit\n"
	        "                        old evidence whose collateral has "
	        "expired;\n"
	        "                        default: now\n"
	        "  --provider NAME       evidence format (IntelTdx, "
	        "AmdSevSnp, ...);\n"
	        "                        default: detected from the bytes\n"
	        "  --collateral PATH     collateral file or directory "
	        "(format-specific:\n"
	        "                        see docs/collateral.md)\n"
	        "  --runtime-data FILE   the runtime data bound into "
	        "report_data\n"
	        "  --expected FILE       JSON reference values: "
	        "{\"runtime\": {...},\n"
	        "                        \"model\": ..., \"config\": ..., "
	        "\"auditors\": [...],\n"
	        "                        \"components\": {\"kernel\": "
	        "\"sha384:<hex>\", ...}}\n"
	        "  --nonce HEX           a challenge that must be bound to "
	        "the evidence\n"
	        "                        (offline, its single use cannot be "
	        "checked)\n"
	        "  --event-log FILE      the measured-boot event log: a TDX "
	        "CCEL data area\n"
	        "                        (/sys/firmware/acpi/tables/data/"
	        "CCEL), dstack's JSON\n"
	        "                        runtime log, or a TPM log; replayed "
	        "against the\n"
	        "                        evidence's registers "
	        "(docs/eventlog.md)\n"
	        "  --event-log-table FILE  the CCEL ACPI table "
	        "(/sys/firmware/acpi/tables/CCEL)\n"
	        "  --allow-debug         accept debug-mode TEEs\n"
	        "  --policy KEY=VALUE    set a policy key (see "
	        "config/teepass.conf.example)\n"
	        "  --dev                 development mode: accept Mock "
	        "evidence, checked\n"
	        "                        with --mock-key or "
	        "mock_attestation_key\n"
	        "  --mock-key FILE       the mock attestation key (PEM)\n"
	        "  --compact             print the verdict on one line\n");
}

/* Raw bytes stay raw; printable text must be hex or base64. JSON
 * evidence (NVIDIA, Azure) and PEM (RA-TLS certificates) stay as text. */
static bool
decode_evidence(uint8_t **buf, size_t *len)
{
	uint8_t *dec = NULL;
	size_t declen = 0, i = 0;

	while (i < *len && isspace((*buf)[i]))
		i++;
	if (i < *len && ((*buf)[i] == '{' || (*buf)[i] == '['))
		return true;
	if (*len - i >= 11 && memcmp(*buf + i, "-----BEGIN ", 11) == 0)
		return true;
	for (size_t j = 0; j < *len; j++)
		if (!isprint((*buf)[j]) && !isspace((*buf)[j]))
			return true; /* binary */
	if (!codec_evidence_decode((const char *)*buf, *len, &dec, &declen)) {
		fprintf(stderr, "teepass: evidence file is text but neither "
		                "hex nor base64\n");
		return false;
	}
	free(*buf);
	*buf = dec;
	*len = declen;
	return true;
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

int
cli_verify(int argc, char **argv)
{
	static const struct option opts[] = {{"at", 1, NULL, 'a'},
	                                     {"provider", 1, NULL, 'p'},
	                                     {"collateral", 1, NULL, 'c'},
	                                     {"runtime-data", 1, NULL, 'r'},
	                                     {"expected", 1, NULL, 'e'},
	                                     {"nonce", 1, NULL, 'n'},
	                                     {"event-log", 1, NULL, 'L'},
	                                     {"event-log-table", 1, NULL, 'T'},
	                                     {"allow-debug", 0, NULL, 'D'},
	                                     {"policy", 1, NULL, 'P'},
	                                     {"dev", 0, NULL, 'd'},
	                                     {"mock-key", 1, NULL, 'k'},
	                                     {"compact", 0, NULL, 'C'},
	                                     {"help", 0, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct tp_config cfg;
	struct verify_request req = {0};
	struct verdict v;
	struct verify_evidence phase;
	struct artifact_set set;
	const char *coll_path = NULL;
	uint8_t *ev = NULL, *rd = NULL, *exp_buf = NULL, nonce[64];
	uint8_t *elog = NULL, *etable = NULL;
	size_t evlen = 0, rdlen = 0, explen = 0, noncelen = 0, eloglen = 0,
	       etablelen = 0;
	const char *mock_key = NULL;
	json_t *expected = NULL, *out = NULL;
	char err[256], field[96], *s;
	int opt, rc = CLI_USAGE, flags = JSON_INDENT(2);
	bool at_given = false;

	memset(&v, 0, sizeof(v));
	artifact_set_init(&set);
	if (!cli_load_config(&cfg))
		return CLI_USAGE;
	req.now = tptime_now();
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			if (!tptime_parse(optarg, &req.now)) {
				fprintf(stderr,
				        "teepass: --at: want an RFC 3339 "
				        "time, e.g. 2025-07-01T00:00:00Z\n");
				goto out;
			}
			at_given = true;
			break;
		case 'p':
			if (!provider_parse(optarg, &req.provider)) {
				fprintf(stderr,
				        "teepass: --provider: unknown "
				        "provider \"%s\"\n",
				        optarg);
				goto out;
			}
			break;
		case 'c':
			coll_path = optarg;
			break;
		case 'r':
			free(rd);
			if (!cli_read_file(optarg, 1 << 20, &rd, &rdlen))
				goto out;
			break;
		case 'e':
			free(exp_buf);
			if (!cli_read_file(optarg, 1 << 20, &exp_buf, &explen))
				goto out;
			json_decref(expected);
			expected = json_loadb((const char *)exp_buf, explen,
			                      JSON_REJECT_DUPLICATES, NULL);
			if (expected == NULL ||
			    !expected_validate(expected, field,
			                       sizeof(field))) {
				fprintf(stderr,
				        "teepass: --expected: %s is not "
				        "valid reference values (%s)\n",
				        optarg, expected ? field : "bad JSON");
				goto out;
			}
			break;
		case 'n':
			noncelen = strlen(optarg) / 2;
			if (noncelen == 0 || noncelen > sizeof(nonce) ||
			    !codec_hex_decode_fixed(optarg, nonce, noncelen)) {
				fprintf(stderr, "teepass: --nonce: want hex\n");
				goto out;
			}
			break;
		case 'L':
			free(elog);
			if (!cli_read_file(optarg, 4 << 20, &elog, &eloglen))
				goto out;
			break;
		case 'T':
			free(etable);
			if (!cli_read_file(optarg, 1 << 16, &etable,
			                   &etablelen))
				goto out;
			break;
		case 'D':
			cfg.verify.allow_debug = true;
			break;
		case 'P':
			if ((s = strchr(optarg, '=')) == NULL) {
				fprintf(stderr, "teepass: --policy: want "
				                "KEY=VALUE\n");
				goto out;
			}
			*s = '\0';
			if (!config_set(&cfg, optarg, s + 1, err,
			                sizeof(err))) {
				fprintf(stderr, "teepass: --policy: %s\n", err);
				goto out;
			}
			break;
		case 'd':
			cfg.dev_mode = cfg.verify.dev_mode = true;
			break;
		case 'k':
			mock_key = optarg;
			break;
		case 'C':
			flags = JSON_COMPACT;
			break;
		case 'h':
			usage(stdout);
			rc = CLI_OK;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		goto out;
	}
	if (!cli_read_file(argv[optind], 16 << 20, &ev, &evlen) ||
	    !decode_evidence(&ev, &evlen))
		goto out;
	if (cfg.dev_mode) {
		const char *path =
		        mock_key ? mock_key : cfg.mock_attestation_key;
		if (path != NULL && (cfg.verify.mock_attestation_key =
		                             load_key(path)) == NULL) {
			fprintf(stderr, "teepass: %s: not a PEM key\n", path);
			goto out;
		}
	}
	if (!at_given && cfg.dev_mode && cfg.dev_fixed_time >= 0)
		req.now = cfg.dev_fixed_time;
	if (coll_path == NULL)
		coll_path = cfg.collateral_dir;
	req.evidence = ev;
	req.evidence_len = evlen;
	req.runtime_data = rd;
	req.runtime_data_len = rdlen;
	req.nonce = noncelen > 0 ? nonce : NULL;
	req.nonce_len = noncelen;
	req.expected = expected;
	req.event_log = elog;
	req.event_log_len = eloglen;
	req.event_log_table = etable;
	req.event_log_table_len = etablelen;
	req.cfg = &cfg.verify;
	req.artifacts = &set;
	/* Phase 1 names the provider; the loader then reads what
	 * --collateral holds for it (the layout `teepass collateral export`
	 * writes, a sample directory or a collateral file). */
	verify_begin(&req, &v, &phase);
	if (coll_path != NULL && !load_path(phase.provider, coll_path, &set)) {
		fprintf(stderr,
		        "teepass: --collateral %s: no such file or "
		        "directory\n",
		        coll_path);
		verify_evidence_free(&phase);
		goto out;
	}
	if (cfg.verify.snp.crl_file[0] != '\0')
		load_amd_crl_file(cfg.verify.snp.crl_file, &set);
	verify_finish(&req, &phase, &v);
	verify_evidence_free(&phase);
	out = verdict_to_json(&v);
	s = json_dumps(out, flags);
	if (s != NULL) {
		printf("%s\n", s);
		free(s);
	}
	rc = verdict_valid(&v) ? CLI_OK : CLI_INVALID;
out:
	json_decref(out);
	json_decref(expected);
	verdict_free(&v);
	free(ev);
	free(rd);
	free(elog);
	free(etable);
	free(exp_buf);
	config_free(&cfg);
	artifact_set_clear(&set);
	return rc;
}
