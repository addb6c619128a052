/*
 * The dashboard (issue 16): the files of web/, embedded at build time
 * (cmake/embed_files.cmake), served at / (index.html) and /ui/<name>.
 * Every answer carries the Content-Security-Policy of server/http.c (no
 * inline script or style), an ETag of the bytes and "no-cache": browsers
 * keep the files but revalidate, so an upgraded daemon is seen at once.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

#include "common/codec.h"
#include "common/trust_blobs.h"
#include "handlers/handlers.h"

extern const struct trust_blob web_blobs[];

static const struct trust_blob *
web_blob_find(const char *name)
{
	for (const struct trust_blob *b = web_blobs; b->name != NULL; b++)
		if (strcmp(b->name, name) == 0)
			return b;
	return NULL;
}

/* The media type of NAME by its extension; NULL: not served. */
static const char *
web_content_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
	        {".html", "text/html; charset=utf-8"},
	        {".js", "text/javascript; charset=utf-8"},
	        {".css", "text/css; charset=utf-8"},
	        {".svg", "image/svg+xml"},
	};
	const char *dot = strrchr(name, '.');

	if (dot == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return NULL;
}

static enum MHD_Result
web_reply(struct request *r, const struct trust_blob *b, const char *type)
{
	uint8_t md[SHA256_DIGEST_LENGTH];
	char hex[2 * 16 + 1], etag[40];
	const char *inm;
	enum MHD_Result ret;

	SHA256(b->data, b->len, md);
	codec_hex_encode_to(md, 16, hex);
	snprintf(etag, sizeof(etag), "\"%s\"", hex);
	r->cache_control = "no-cache";
	r->etag = etag;
	inm = request_header(r, "If-None-Match");
	if (inm != NULL && strstr(inm, etag) != NULL)
		ret = reply_bytes(r, 304, NULL, "", 0);
	else
		ret = reply_bytes(r, 200, type, (const char *)b->data, b->len);
	r->etag = NULL; /* ETAG is this frame's */
	return ret;
}

enum MHD_Result
handler_ui_index(struct request *r)
{
	const struct trust_blob *b = web_blob_find("index.html");

	if (b == NULL)
		return reply_error(r, TP_ERR_not_found, NULL);
	return web_reply(r, b, web_content_type(b->name));
}

enum MHD_Result
handler_ui_asset(struct request *r)
{
	const struct trust_blob *b;
	const char *type = web_content_type(r->param);

	/* Only embedded names: a path never reaches the file system. */
	if (type == NULL || (b = web_blob_find(r->param)) == NULL)
		return reply_error(r, TP_ERR_not_found, NULL);
	return web_reply(r, b, type);
}
