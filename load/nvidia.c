/* Collateral loaders of the nvidia family (load/load.h). */
#include "load/load.h"

void
load_nvidia_json(const json_t *member, struct artifact_set *set)
{
	(void)member;
	(void)set;
}

void
load_nvidia_path(const char *path, struct artifact_set *set)
{
	(void)path;
	(void)set;
}
