/* teepass: the command line of the teepass verifier. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: teepass COMMAND [OPTIONS]\n"
	           "\n"
	           "Commands:\n"
	           "  verify FILE         verify evidence offline; prints the "
	           "verdict JSON\n"
	           "                      (exit 0 valid, 1 invalid, 2 usage or "
	           "I/O error)\n"
	           "  mock-evidence       make Mock (development) evidence, "
	           "hex on stdout\n"
	           "  keygen --out FILE   create a P-256 passport signing key "
	           "(mode 0600)\n"
	           "  migrate             apply database migrations "
	           "(TEEPASS_DATABASE_URL)\n"
	           "  admin create-key    create an admin API key (printed "
	           "once)\n"
	           "  admin revoke-key ID revoke any API key\n"
	           "  collateral import|export|list   the collateral cache "
	           "(offline bundles)\n"
	           "  tcb-status QUOTE    TCB forecast: standard and early TCB "
	           "Info\n"
	           "  eventlog LOG        parse and replay a measured-boot "
	           "event log\n"
	           "  log keygen|verify   the transparency log: its key, "
	           "proofs, an audit\n"
	           "  reappraise          judge stored passports again (now, "
	           "as issued, at a time)\n"
	           "  attest EVIDENCE     send evidence to teepassd; prints "
	           "the verdict\n"
	           "                      and passport (exit 0 valid, 1 "
	           "refused, 2 error)\n"
	           "  passport verify TOKEN   check a passport: signature, "
	           "exp, revocation\n"
	           "  passport show ID    a passport as teepassd stores it\n"
	           "\n"
	           "`teepass COMMAND --help` explains each command.\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CLI_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("teepass %s\n", TEEPASS_VERSION);
		return CLI_OK;
	}
	if (strcmp(argv[1], "verify") == 0)
		return cli_verify(argc - 1, argv + 1);
	if (strcmp(argv[1], "mock-evidence") == 0)
		return cli_mock_evidence(argc - 1, argv + 1);
	if (strcmp(argv[1], "keygen") == 0)
		return cli_keygen(argc - 1, argv + 1);
	if (strcmp(argv[1], "migrate") == 0)
		return cli_migrate(argc - 1, argv + 1);
	if (strcmp(argv[1], "admin") == 0)
		return cli_admin(argc - 1, argv + 1);
	if (strcmp(argv[1], "collateral") == 0)
		return cli_collateral(argc - 1, argv + 1);
	if (strcmp(argv[1], "tcb-status") == 0)
		return cli_tcb_status(argc - 1, argv + 1);
	if (strcmp(argv[1], "eventlog") == 0)
		return cli_eventlog(argc - 1, argv + 1);
	if (strcmp(argv[1], "log") == 0)
		return cli_log(argc - 1, argv + 1);
	if (strcmp(argv[1], "reappraise") == 0)
		return cli_reappraise(argc - 1, argv + 1);
	if (strcmp(argv[1], "attest") == 0)
		return cli_attest(argc - 1, argv + 1);
	if (strcmp(argv[1], "passport") == 0)
		return cli_passport(argc - 1, argv + 1);
	fprintf(stderr, "teepass: unknown command \"%s\"\n\n", argv[1]);
	usage(stderr);
	return CLI_USAGE;
}
