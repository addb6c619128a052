/* teepass mock-evidence: development evidence for the full flow. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "cli/cli.h"
#include "common/codec.h"
#include "common/tptime.h"
#include "verify/core/tls_binding.h"
#include "verify/mock/mock.h"

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: teepass mock-evidence [OPTIONS]\n"
	        "\n"
	        "Prints Mock evidence (docs/mock-evidence.md) as hex on "
	        "stdout. Mock\n"
	        "evidence is software, never hardware: teepassd accepts it "
	        "only in\n"
	        "development mode, and its passports say hardware_verified: "
	        "false.\n"
	        "\n"
	        "Runtime data (what report_data binds):\n"
	        "  --model DIGEST        e.g. sha256:<hex> of the model "
	        "weights\n"
	        "  --config DIGEST       digest of the serving configuration\n"
	        "  --auditor DIGEST      digest of auditor code (repeatable)\n"
	        "  --nonce HEX           a challenge from POST "
	        "/api/challenges\n"
	        "  --public-key FILE     the endpoint's public key (PEM)\n"
	        "  --tls-cert FILE       the endpoint's TLS certificate "
	        "(PEM):\n"
	        "                        binds tls_spki_sha256 (attested TLS)\n"
	        "  --runtime-data FILE   with any of the above: write the "
	        "runtime data\n"
	        "                        JSON there; alone: read it from "
	        "there.\n"
	        "                        report_data = SHA-512(runtime data "
	        "bytes)\n"
	        "  --report-data HEX     raw 64-byte report_data instead\n"
	        "\n"
	        "Evidence:\n"
	        "  --key FILE            mock attestation key (PEM; default:\n"
	        "                        TEEPASS_MOCK_ATTESTATION_KEY)\n"
	        "  --mr0 .. --mr3 HEX    measurement registers (48 bytes "
	        "each;\n"
	        "                        default: SHA-384 of "
	        "\"teepass-mock-mrN\")\n"
	        "  --time TIME           evidence timestamp (RFC 3339; default "
	        "now)\n"
	        "  --debug               set the debug flag\n"
	        "\n"
	        "Example (the full flow with curl is in README.md):\n"
	        "  teepass mock-evidence --model sha256:ab.. --nonce $NONCE "
	        "\\\n"
	        "      --runtime-data rd.json > evidence.hex\n");
}

static bool
build_runtime_data(json_t *rd, const char *path, uint8_t **buf, size_t *len)
{
	char *s = json_dumps(rd, JSON_COMPACT | JSON_SORT_KEYS);
	FILE *f;

	if (s == NULL)
		return false;
	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "teepass: %s: cannot write\n", path);
		free(s);
		return false;
	}
	fputs(s, f);
	if (fclose(f) != 0) {
		free(s);
		return false;
	}
	*buf = (uint8_t *)s;
	*len = strlen(s);
	return true;
}

/* Attested TLS (docs/registry.md): the SHA-256 of PATH's (a PEM
 * certificate) DER SubjectPublicKeyInfo as RD's tls_spki_sha256. */
static bool
bind_tls_cert(json_t *rd, const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *cert = f != NULL ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	uint8_t md[32];
	char hex[65];
	bool ok = cert != NULL && tls_spki_sha256(cert, md);

	if (f != NULL)
		fclose(f);
	X509_free(cert);
	if (!ok) {
		fprintf(stderr,
		        "teepass: --tls-cert %s: want a PEM certificate\n",
		        path);
		return false;
	}
	codec_hex_encode_to(md, 32, hex);
	json_object_set_new(rd, "tls_spki_sha256", json_string(hex));
	return true;
}

int
cli_mock_evidence(int argc, char **argv)
{
	static const struct option opts[] = {{"model", 1, NULL, 'm'},
	                                     {"config", 1, NULL, 'c'},
	                                     {"auditor", 1, NULL, 'a'},
	                                     {"nonce", 1, NULL, 'n'},
	                                     {"public-key", 1, NULL, 'K'},
	                                     {"runtime-data", 1, NULL, 'r'},
	                                     {"report-data", 1, NULL, 'R'},
	                                     {"key", 1, NULL, 'k'},
	                                     {"mr0", 1, NULL, '0'},
	                                     {"mr1", 1, NULL, '1'},
	                                     {"mr2", 1, NULL, '2'},
	                                     {"mr3", 1, NULL, '3'},
	                                     {"time", 1, NULL, 't'},
	                                     {"debug", 0, NULL, 'd'},
	                                     {"tls-cert", 1, NULL, 'T'},
	                                     {"help", 0, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct tp_config cfg;
	struct mock_evidence ev;
	uint8_t out[MOCK_EVIDENCE_LEN], *rdbuf = NULL, *pk = NULL;
	size_t rdlen = 0, pklen = 0;
	const char *key_path = NULL, *rd_path = NULL, *report_hex = NULL;
	bool mr_set[MOCK_MR_COUNT] = {false}, building = false;
	json_t *rd = json_object(), *auditors = json_array();
	EVP_PKEY *key = NULL;
	char hex[2 * MOCK_EVIDENCE_LEN + 1];
	int64_t t = tptime_now();
	int opt, rc = CLI_USAGE;
	FILE *f;

	memset(&ev, 0, sizeof(ev));
	if (!cli_load_config(&cfg))
		goto out;
	key_path = cfg.mock_attestation_key;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'm':
		case 'c':
			json_object_set_new(rd, opt == 'm' ? "model" : "config",
			                    json_string(optarg));
			building = true;
			break;
		case 'a':
			json_array_append_new(auditors, json_string(optarg));
			building = true;
			break;
		case 'n':
			json_object_set_new(rd, "nonce", json_string(optarg));
			building = true;
			break;
		case 'T':
			if (!bind_tls_cert(rd, optarg))
				goto out;
			building = true;
			break;
		case 'K':
			free(pk);
			if (!cli_read_file(optarg, 65536, &pk, &pklen))
				goto out;
			json_object_set_new(
			        rd, "public_key",
			        json_stringn((const char *)pk, pklen));
			building = true;
			break;
		case 'r':
			rd_path = optarg;
			break;
		case 'R':
			report_hex = optarg;
			break;
		case 'k':
			key_path = optarg;
			break;
		case '0':
		case '1':
		case '2':
		case '3':
			if (!codec_hex_decode_fixed(optarg, ev.mr[opt - '0'],
			                            MOCK_MR_LEN)) {
				fprintf(stderr,
				        "teepass: --mr%c: want 48 bytes "
				        "of hex\n",
				        opt);
				goto out;
			}
			mr_set[opt - '0'] = true;
			break;
		case 't':
			if (!tptime_parse(optarg, &t)) {
				fprintf(stderr,
				        "teepass: --time: want RFC 3339\n");
				goto out;
			}
			break;
		case 'd':
			ev.flags |= MOCK_FLAG_DEBUG;
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
	if (optind != argc) {
		usage(stderr);
		goto out;
	}
	if (key_path == NULL) {
		fprintf(stderr, "teepass: no mock attestation key: pass --key "
		                "FILE or set TEEPASS_MOCK_ATTESTATION_KEY\n");
		goto out;
	}
	if ((f = fopen(key_path, "r")) == NULL ||
	    (key = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL) {
		fprintf(stderr, "teepass: %s: not a readable PEM private key\n",
		        key_path);
		if (f != NULL)
			fclose(f);
		goto out;
	}
	fclose(f);
	if (json_array_size(auditors) > 0)
		json_object_set(rd, "auditors", auditors);
	if (report_hex != NULL) {
		if (building || rd_path != NULL ||
		    !codec_hex_decode_fixed(report_hex, ev.report_data, 64)) {
			fprintf(stderr,
			        "teepass: --report-data: want 64 bytes "
			        "of hex, and no runtime data options\n");
			goto out;
		}
	} else if (building || rd_path != NULL) {
		if (rd_path == NULL) {
			fprintf(stderr,
			        "teepass: --runtime-data FILE is needed "
			        "to keep the runtime data the evidence "
			        "binds (send it base64 as "
			        "\"runtime_data\")\n");
			goto out;
		}
		if (building ? !build_runtime_data(rd, rd_path, &rdbuf, &rdlen)
		             : !cli_read_file(rd_path, 1 << 20, &rdbuf, &rdlen))
			goto out;
		SHA512(rdbuf, rdlen, ev.report_data);
	}
	for (int i = 0; i < MOCK_MR_COUNT; i++) {
		char seed[32];
		if (mr_set[i])
			continue;
		snprintf(seed, sizeof(seed), "teepass-mock-mr%d", i);
		SHA384((const uint8_t *)seed, strlen(seed), ev.mr[i]);
	}
	ev.timestamp = (uint64_t)t;
	if (!mock_build(key, &ev, out)) {
		fprintf(stderr,
		        "teepass: signing failed (is the key P-256?)\n");
		goto out;
	}
	codec_hex_encode_to(out, sizeof(out), hex);
	printf("%s\n", hex);
	rc = CLI_OK;
out:
	ERR_clear_error();
	EVP_PKEY_free(key);
	json_decref(rd);
	json_decref(auditors);
	free(rdbuf);
	free(pk);
	config_free(&cfg);
	return rc;
}
