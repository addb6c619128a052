/* teepass keygen: a passport signing key. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "passport/passport.h"

int
cli_keygen(int argc, char **argv)
{
	static const struct option opts[] = {{"out", 1, NULL, 'o'},
	                                     {"help", 0, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *out = NULL;
	char kid[48], err[256];
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			out = optarg;
			break;
		case 'h':
			printf("usage: teepass keygen --out FILE\n\n"
			       "Creates a P-256 (ES256) private key in FILE, "
			       "mode "
			       "0600, and prints its\nRFC 7638 thumbprint (the "
			       "\"kid\" of the passports it signs). Refuses "
			       "to\n"
			       "overwrite an existing file. Also used for the "
			       "mock attestation and mock\nsigning keys of "
			       "development mode.\n");
			return CLI_OK;
		default:
			return CLI_USAGE;
		}
	}
	if (out == NULL || optind != argc) {
		fprintf(stderr, "usage: teepass keygen --out FILE\n");
		return CLI_USAGE;
	}
	if (!passport_key_generate(out, kid, err, sizeof(err))) {
		fprintf(stderr, "teepass: %s\n", err);
		return CLI_USAGE;
	}
	printf("%s\n", kid);
	return CLI_OK;
}
