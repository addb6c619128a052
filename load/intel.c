/* Collateral loaders of the intel family (load/load.h). */
#include "load/load.h"

void
load_intel_json(const json_t *member, struct artifact_set *set)
{
	(void)member;
	(void)set;
}

void
load_intel_path(const char *path, struct artifact_set *set)
{
	(void)path;
	(void)set;
}
