/* Collateral loaders of the amd family (load/load.h). */
#include "load/load.h"

void
load_amd_json(const json_t *member, struct artifact_set *set)
{
	(void)member;
	(void)set;
}

void
load_amd_path(const char *path, struct artifact_set *set)
{
	(void)path;
	(void)set;
}

void
load_amd_crl_file(const char *path, struct artifact_set *set)
{
	(void)path;
	(void)set;
}
