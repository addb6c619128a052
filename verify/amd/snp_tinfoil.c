/* Tinfoil attestation bundles as SEV-SNP evidence: see snp_tinfoil.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <zlib.h>

#include "common/codec.h"
#include "verify/amd/snp_report.h"
#include "verify/amd/snp_tinfoil.h"

/* The VCEK GUID of the certificate table (SEV-SNP GHCB / ABI specs). */
static const uint8_t guid_vcek[16] = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64,
                                      0x45, 0x64, 0xad, 0xc5, 0xf4, 0xb9,
                                      0x3b, 0xe8, 0xac, 0xcd};

static json_t *
load(const uint8_t *buf, size_t len)
{
	json_error_t jerr;
	size_t i = 0;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
	                   buf[i] == '\n'))
		i++;
	if (i == len || buf[i] != '{' || len > SNP_TINFOIL_MAX_BUNDLE)
		return NULL;
	return json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES,
	                  &jerr);
}

static const char *
format_of(const json_t *j)
{
	return json_string_value(json_object_get(
	        json_object_get(j, "enclaveAttestationReport"), "format"));
}

bool
snp_tinfoil_detect(const uint8_t *buf, size_t len)
{
	json_t *j = load(buf, len);
	const char *f = format_of(j);
	bool yes = f != NULL && strncmp(f, SNP_TINFOIL_FORMAT,
	                                strlen(SNP_TINFOIL_FORMAT)) == 0;

	json_decref(j);
	return yes;
}

/* Inflates the gzip stream IN into OUT (at most MAX bytes). 1: done,
 * 0: corrupt or truncated, -1: more than MAX bytes. */
static int
gunzip(const uint8_t *in, size_t inlen, uint8_t *out, size_t max,
       size_t *outlen, char *why, size_t whylen)
{
	z_stream zs;
	int rc, res = 0;

	memset(&zs, 0, sizeof(zs));
	/* 16 + MAX_WBITS: a gzip wrapper (RFC 1952) and nothing else. */
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		snprintf(why, whylen, "body: zlib cannot start");
		return 0;
	}
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)inlen;
	/* One byte more than the bound: filling it means too large. */
	zs.next_out = out;
	zs.avail_out = (uInt)(max + 1);
	rc = inflate(&zs, Z_FINISH);
	*outlen = zs.total_out;
	if (zs.total_out > max) {
		snprintf(why, whylen,
		         "body: the gzip stream inflates past %zu bytes", max);
		res = -1;
	} else if (rc != Z_STREAM_END) {
		snprintf(why, whylen,
		         "body: corrupt or truncated gzip stream (zlib %d%s%s)",
		         rc, zs.msg != NULL ? ": " : "",
		         zs.msg != NULL ? zs.msg : "");
	} else if (zs.avail_in != 0) {
		snprintf(why, whylen, "body: %u bytes after the gzip stream",
		         zs.avail_in);
	} else {
		res = 1;
	}
	inflateEnd(&zs);
	return res;
}

bool
snp_tinfoil_unpack(const uint8_t *buf, size_t len, uint8_t **out,
                   size_t *outlen, enum tp_err *code, char *why, size_t whylen)
{
	json_t *j = load(buf, len);
	const char *f = format_of(j), *body, *vcek;
	uint8_t *gz = NULL, *der = NULL, *o = NULL, *p;
	size_t gzlen = 0, derlen = 0, rlen = 0;
	bool ok = false;
	int rc;

	*out = NULL;
	*outlen = 0;
	*code = TP_ERR_snp_bundle_invalid;
	if (j == NULL || f == NULL) {
		snprintf(why, whylen,
		         "not a JSON object with enclaveAttestationReport."
		         "format");
		goto out;
	}
	if (strcmp(f, SNP_TINFOIL_FORMAT "v2") != 0) {
		snprintf(why, whylen,
		         "enclaveAttestationReport.format: want \"%sv2\"",
		         SNP_TINFOIL_FORMAT);
		goto out;
	}
	body = json_string_value(json_object_get(
	        json_object_get(j, "enclaveAttestationReport"), "body"));
	if (body == NULL ||
	    !codec_base64_decode(body, strlen(body), &gz, &gzlen) ||
	    gzlen == 0) {
		snprintf(why, whylen,
		         "enclaveAttestationReport.body: want base64 of a gzip "
		         "stream");
		goto out;
	}
	vcek = json_string_value(json_object_get(j, "vcek"));
	if (json_object_get(j, "vcek") != NULL &&
	    (vcek == NULL ||
	     !codec_base64_decode(vcek, strlen(vcek), &der, &derlen) ||
	     derlen == 0 || derlen > 16384)) {
		snprintf(why, whylen, "vcek: want base64 of a DER certificate");
		goto out;
	}
	/* The report, then room for the certificate table. */
	o = malloc(SNP_TINFOIL_MAX_INFLATED + 1 + 48 + derlen);
	if (o == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	rc = gunzip(gz, gzlen, o, SNP_TINFOIL_MAX_INFLATED, &rlen, why, whylen);
	if (rc < 0) {
		*code = TP_ERR_snp_bundle_too_large;
		goto out;
	}
	if (rc == 0)
		goto out;
	if (rlen != SNP_REPORT_LEN) {
		snprintf(why, whylen,
		         "body: inflates to %zu bytes, a report is %d", rlen,
		         SNP_REPORT_LEN);
		goto out;
	}
	p = o + rlen;
	if (der != NULL) {
		/* Entry: GUID, offset from the table's start, length; then
		 * the all-zero terminator; then the certificate. */
		memcpy(p, guid_vcek, 16);
		p[16] = 48;
		p[17] = p[18] = p[19] = 0;
		p[20] = (uint8_t)(derlen & 0xff);
		p[21] = (uint8_t)((derlen >> 8) & 0xff);
		p[22] = p[23] = 0;
		memset(p + 24, 0, 24);
		memcpy(p + 48, der, derlen);
		p += 48 + derlen;
	}
	*outlen = (size_t)(p - o);
	*out = o;
	o = NULL;
	ok = true;
out:
	free(o);
	free(gz);
	free(der);
	json_decref(j);
	return ok;
}
