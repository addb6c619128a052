#ifndef TP_CLI_H
#define TP_CLI_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

/* Exit statuses of every subcommand. */
#define CLI_OK      0
#define CLI_INVALID 1 /* a verdict that is not valid */
#define CLI_USAGE   2 /* usage, I/O or configuration error */

int cli_verify(int argc, char **argv);
int cli_mock_evidence(int argc, char **argv);
int cli_keygen(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_admin(int argc, char **argv);
int cli_collateral(int argc, char **argv);
int cli_tcb_status(int argc, char **argv);
int cli_eventlog(int argc, char **argv);
int cli_log(int argc, char **argv);
int cli_reappraise(int argc, char **argv);

/* Reads a whole file (at most MAX bytes) into *out (malloc'd, with a
 * spare NUL). False with a message on stderr. */
bool cli_read_file(const char *path, size_t max, uint8_t **out, size_t *len);

/* Loads the configuration (TEEPASS_CONFIG file, then the environment)
 * without requiring a daemon's settings. */
bool cli_load_config(struct tp_config *c);

#endif
