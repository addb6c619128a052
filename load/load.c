/* The loaders' dispatch by family, the export layout and file reading. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "load/load.h"

bool
load_is_dir(const char *path)
{
	struct stat st;

	return path != NULL && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool
load_read_file(const char *path, size_t max, uint8_t **out, size_t *len)
{
	FILE *f = NULL;
	uint8_t *b = NULL;
	struct stat st;
	size_t n;
	bool ok = false;

	*out = NULL;
	*len = 0;
	if ((f = fopen(path, "rb")) == NULL)
		goto out;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size <= 0 || (uint64_t)st.st_size > max)
		goto out;
	if ((b = malloc((size_t)st.st_size + 1)) == NULL)
		goto out;
	n = fread(b, 1, (size_t)st.st_size, f);
	if (n != (size_t)st.st_size)
		goto out;
	b[n] = '\0';
	*out = b;
	*len = n;
	b = NULL;
	ok = true;
out:
	free(b);
	if (f != NULL)
		fclose(f);
	return ok;
}

/* The file extension `teepass collateral export` writes for KIND. */
static const char *
export_ext(enum artifact_kind k)
{
	switch (k) {
	case ARTIFACT_INTEL_TCB_INFO:
	case ARTIFACT_INTEL_QE_IDENTITY:
	case ARTIFACT_NVIDIA_NRAS_JWKS:
		return "json";
	case ARTIFACT_AMD_CERT_CHAIN:
	case ARTIFACT_NVIDIA_DEVICE_CHAIN:
	case ARTIFACT_ARM_KEY:
	case ARTIFACT_TPM_AK:
		return "pem";
	case ARTIFACT_NVIDIA_RIM:
		return "xml";
	default:
		return "der";
	}
}

/*
 * The export layout: DIR/<kind>/<name>.<ext>, the issuer chain in
 * <name>.issuer_chain.pem. <name> is the cache key with '/' written as
 * '_' (`teepass collateral export`); no key of a cached kind holds a '_',
 * so the key is restored and verifiers pick among several platforms'
 * artifacts by it. Files of other kinds keep no key.
 */
static void
load_export_layout(const char *dir, struct artifact_set *set)
{
	char path[4096], file[4352], chainpath[4352], key[160];

	for (int k = 0; k < ARTIFACT_KIND__COUNT; k++) {
		DIR *d;
		struct dirent *e;

		snprintf(path, sizeof(path), "%s/%s", dir,
		         artifact_kind_name((enum artifact_kind)k));
		if ((d = opendir(path)) == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			const char *dot = strrchr(e->d_name, '.');
			uint8_t *body = NULL, *chain = NULL;
			size_t n = 0, cn = 0;

			if (e->d_name[0] == '.' || dot == NULL ||
			    strcmp(dot + 1,
			           export_ext((enum artifact_kind)k)) != 0 ||
			    strstr(e->d_name, ".issuer_chain.") != NULL)
				continue;
			snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
			snprintf(chainpath, sizeof(chainpath),
			         "%s/%.*s.issuer_chain.pem", path,
			         (int)(dot - e->d_name), e->d_name);
			if (!load_read_file(file, LOAD_MAX_FILE, &body, &n)) {
				artifact_set_malformed(
				        set, (enum artifact_kind)k,
				        "%s/%s: cannot be read",
				        artifact_kind_name(
				                (enum artifact_kind)k),
				        e->d_name);
				continue;
			}
			load_read_file(chainpath, LOAD_MAX_FILE, &chain, &cn);
			key[0] = '\0';
			if (k <= ARTIFACT_AMD_CRL &&
			    (size_t)(dot - e->d_name) < sizeof(key)) {
				memcpy(key, e->d_name,
				       (size_t)(dot - e->d_name));
				key[dot - e->d_name] = '\0';
				for (char *c = key; *c != '\0'; c++)
					if (*c == '_')
						*c = '/';
			}
			artifact_set_add(set, (enum artifact_kind)k, key, body,
			                 n, (const char *)chain, cn,
			                 "directory", 0);
			free(body);
			free(chain);
		}
		closedir(d);
	}
}

void
load_json(enum tp_provider p, const json_t *member, struct artifact_set *set)
{
	if (member == NULL || json_is_null(member))
		return;
	switch (p) {
	case TP_PROVIDER_INTEL_SGX:
	case TP_PROVIDER_INTEL_TDX:
	case TP_PROVIDER_AZURE_TDX_VTPM: /* its TD quote's collateral */
	case TP_PROVIDER_RA_TLS:         /* the certificate's quote's */
		load_intel_json(member, set);
		break;
	case TP_PROVIDER_AMD_SEV_SNP:
	case TP_PROVIDER_AZURE_SNP_VTPM: /* its SNP report's chain and CRL */
		load_amd_json(member, set);
		break;
	case TP_PROVIDER_NVIDIA_GPU:
		load_nvidia_json(member, set);
		break;
	case TP_PROVIDER_ARM_PSA:
	case TP_PROVIDER_ARM_CCA:
		load_arm_json(member, set);
		break;
	case TP_PROVIDER_TPM:
		load_tpm_json(member, set);
		break;
	default:
		break; /* formats that use no collateral */
	}
}

bool
load_path(enum tp_provider p, const char *path, struct artifact_set *set)
{
	struct stat st;
	bool found;

	if (path == NULL)
		return false;
	/* A path that does not exist still goes to the family, which names
	 * it as it names any unreadable collateral. */
	found = stat(path, &st) == 0;
	if (found && S_ISDIR(st.st_mode))
		load_export_layout(path, set);
	switch (p) {
	case TP_PROVIDER_INTEL_SGX:
	case TP_PROVIDER_INTEL_TDX:
	case TP_PROVIDER_AZURE_TDX_VTPM:
	case TP_PROVIDER_RA_TLS:
		load_intel_path(path, set);
		break;
	case TP_PROVIDER_AMD_SEV_SNP:
	case TP_PROVIDER_AZURE_SNP_VTPM:
		load_amd_path(path, set);
		break;
	case TP_PROVIDER_NVIDIA_GPU:
		load_nvidia_path(path, set);
		break;
	case TP_PROVIDER_ARM_PSA:
	case TP_PROVIDER_ARM_CCA:
		load_arm_path(path, set);
		break;
	case TP_PROVIDER_TPM:
		load_tpm_path(path, set);
		break;
	default:
		break;
	}
	return found;
}
