/*
 * teepass log: the transparency log from the outside (docs/transparency.md).
 *   keygen --out FILE   an Ed25519 log signing key (mode 0600)
 *   verify ...          a passport's inclusion and two checkpoints'
 *                       consistency from the HTTP API and files, checked
 *                       with the published verifier key alone; or
 *                       --database: the tree recomputed from the stored
 *                       leaves against the stored nodes and every signed
 *                       checkpoint.
 */
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "common/codec.h"
#include "db/db.h"
#include "db/tlog.h"
#include "tlog/merkle.h"
#include "tlog/note.h"

static int
keygen(int argc, char **argv)
{
	EVP_PKEY *k = NULL;
	FILE *f = NULL;
	int fd, rc = CLI_USAGE;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		printf("usage: teepass log keygen --out FILE\n"
		       "Writes a new Ed25519 transparency-log signing key "
		       "(PEM, "
		       "mode 0600)\n"
		       "to FILE, which must not exist; point log_signing_key "
		       "(TEEPASS_LOG_SIGNING_KEY) at it.\n");
		return CLI_OK;
	}
	if (argc != 3 || strcmp(argv[1], "--out") != 0) {
		fprintf(stderr, "usage: teepass log keygen --out FILE\n");
		return CLI_USAGE;
	}
	if ((k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL) {
		fprintf(stderr, "teepass: cannot generate an Ed25519 key\n");
		goto out;
	}
	if ((fd = open(argv[2], O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0 ||
	    (f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "teepass: %s: cannot create (exists?)\n",
		        argv[2]);
		goto out;
	}
	if (PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) != 1) {
		fprintf(stderr, "teepass: %s: cannot write\n", argv[2]);
		goto out;
	}
	rc = CLI_OK;
out:
	if (f != NULL && fclose(f) != 0)
		rc = CLI_USAGE;
	EVP_PKEY_free(k);
	return rc;
}

/* --- HTTP --------------------------------------------------------------- */

/* GET URL with ACCEPT (cli/http.c): the body (malloc'd) of a 200, else
 * NULL with the reason on stderr. */
static char *
http_get(const char *url, const char *accept, size_t *len)
{
	struct cli_http h;
	char *body;

	if (!cli_http("GET", url, NULL, accept, 30000, &h) || h.status != 200 ||
	    h.body == NULL) {
		fprintf(stderr, "teepass: GET %s: %s\n", url,
		        h.err[0] != '\0' ? h.err
		        : h.overflow     ? "reply too large"
		                         : "not 200");
		cli_http_free(&h);
		return NULL;
	}
	body = h.body;
	*len = h.len;
	h.body = NULL;
	cli_http_free(&h);
	return body;
}

/* {"hashes": [base64 of 32 bytes...]} into OUT. */
static bool
proof_hashes(const json_t *doc, uint8_t out[][TLOG_HASH_LEN], size_t *len)
{
	const json_t *a = json_object_get(doc, "hashes");
	size_t i;
	json_t *v;

	*len = 0;
	if (!json_is_array(a) || json_array_size(a) > TLOG_MAX_PROOF)
		return false;
	json_array_foreach(a, i, v)
	{
		const char *s = json_string_value(v);
		uint8_t *raw = NULL;
		size_t n = 0;
		if (s == NULL || !codec_base64_decode(s, strlen(s), &raw, &n) ||
		    n != TLOG_HASH_LEN) {
			free(raw);
			return false;
		}
		memcpy(out[i], raw, TLOG_HASH_LEN);
		free(raw);
	}
	*len = json_array_size(a);
	return true;
}

/* A checkpoint from FILE, else from SERVER, verified with VK. */
static bool
load_checkpoint(const char *file, const char *server,
                const struct tlog_vkey *vk, struct tlog_checkpoint *cp,
                const char *what)
{
	char url[1024], err[256], *note = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	bool ok;

	if (file != NULL) {
		if (!cli_read_file(file, TLOG_NOTE_MAX, &buf, &len))
			return false;
		note = (char *)buf;
	} else if (server != NULL) {
		snprintf(url, sizeof(url), "%s/api/log/checkpoint", server);
		if ((note = http_get(url, "text/plain", &len)) == NULL)
			return false;
	} else {
		fprintf(stderr, "teepass: %s: give a file or --server\n", what);
		return false;
	}
	ok = tlog_checkpoint_verify(note, len, vk, cp, err, sizeof(err));
	if (!ok)
		printf("FAIL %s: %s\n", what, err);
	else
		printf("ok %s: signed by %s, tree size %" PRIu64 "\n", what,
		       vk->name, cp->size);
	free(note);
	return ok;
}

static bool
verify_inclusion(const char *server, const char *id, const char *token_file,
                 const struct tlog_checkpoint *cp)
{
	uint8_t proof[TLOG_MAX_PROOF][TLOG_HASH_LEN], lh[TLOG_HASH_LEN];
	char url[1024], *token = NULL, *reply = NULL;
	json_t *doc = NULL;
	size_t tlen = 0, rlen = 0, plen = 0;
	uint8_t *buf = NULL;
	json_int_t li, ts;
	bool ok = false;

	if (token_file != NULL) {
		if (!cli_read_file(token_file, CLI_HTTP_MAX_BODY, &buf, &tlen))
			goto out;
		token = (char *)buf;
	} else {
		snprintf(url, sizeof(url), "%s/api/passports/%s", server, id);
		if ((token = http_get(url, "application/jwt", &tlen)) == NULL)
			goto out;
	}
	/* The leaf is the compact JWS exactly; a file's final newline is
	 * not part of it. */
	while (tlen > 0 && (token[tlen - 1] == '\n' || token[tlen - 1] == '\r'))
		tlen--;
	snprintf(url, sizeof(url),
	         "%s/api/passports/%s/inclusion?tree_size=%" PRIu64, server, id,
	         cp->size);
	if ((reply = http_get(url, "application/json", &rlen)) == NULL)
		goto out;
	doc = json_loadb(reply, rlen, 0, NULL);
	li = json_integer_value(json_object_get(doc, "leaf_index"));
	ts = json_integer_value(json_object_get(doc, "tree_size"));
	if (!json_is_integer(json_object_get(doc, "leaf_index")) || li < 0 ||
	    ts != (json_int_t)cp->size || !proof_hashes(doc, proof, &plen)) {
		printf("FAIL inclusion: malformed proof reply\n");
		goto out;
	}
	tlog_leaf_hash((const uint8_t *)token, tlen, lh);
	if (!tlog_inclusion_verify((uint64_t)li, cp->size, lh, proof, plen,
	                           cp->root)) {
		printf("FAIL inclusion: passport %s is not leaf %lld of the "
		       "checkpoint's tree\n",
		       id, (long long)li);
		goto out;
	}
	printf("ok inclusion: passport %s is leaf %lld of %" PRIu64 "\n", id,
	       (long long)li, cp->size);
	ok = true;
out:
	json_decref(doc);
	free(reply);
	free(token);
	return ok;
}

static bool
verify_consistency(const char *server, const struct tlog_checkpoint *old,
                   const struct tlog_checkpoint *cur)
{
	uint8_t proof[TLOG_MAX_PROOF][TLOG_HASH_LEN];
	char url[1024], *reply = NULL;
	json_t *doc = NULL;
	size_t rlen = 0, plen = 0;
	bool ok = false;

	if (old->size == 0 || old->size > cur->size) {
		/* The empty tree is a prefix of every tree; a larger old
		 * tree never is. */
		ok = old->size == 0;
		printf("%s consistency: %" PRIu64 " -> %" PRIu64 "\n",
		       ok ? "ok" : "FAIL", old->size, cur->size);
		return ok;
	}
	snprintf(url, sizeof(url),
	         "%s/api/log/consistency?from=%" PRIu64 "&to=%" PRIu64, server,
	         old->size, cur->size);
	if ((reply = http_get(url, "application/json", &rlen)) == NULL)
		goto out;
	doc = json_loadb(reply, rlen, 0, NULL);
	if (!proof_hashes(doc, proof, &plen)) {
		printf("FAIL consistency: malformed proof reply\n");
		goto out;
	}
	if (!tlog_consistency_verify(old->size, cur->size, old->root, cur->root,
	                             proof, plen)) {
		printf("FAIL consistency: the tree of %" PRIu64
		       " is not a prefix of the tree of %" PRIu64 "\n",
		       old->size, cur->size);
		goto out;
	}
	printf("ok consistency: %" PRIu64 " -> %" PRIu64 "\n", old->size,
	       cur->size);
	ok = true;
out:
	json_decref(doc);
	free(reply);
	return ok;
}

/* --- the audit of the stored log ---------------------------------------- */

struct levels {
	uint8_t (*h[64])[TLOG_HASH_LEN];
	size_t n[64];
	unsigned depth;
};

static bool
level_node(void *ctx, unsigned level, uint64_t idx, uint8_t out[32])
{
	struct levels *L = ctx;

	if (level >= L->depth || idx >= L->n[level])
		return false;
	memcpy(out, L->h[level][idx], 32);
	return true;
}

static int
audit(const struct tlog_vkey *vk)
{
	struct db_tlog_leaf *leaves = NULL;
	struct db_tlog_checkpoint *cps = NULL;
	struct levels L = {0};
	size_t n = 0, ncp = 0, problems = 0, purged = 0;
	uint64_t latest = 0;
	PGconn *c;

	if ((c = db_conn()) == NULL) {
		fprintf(stderr, "teepass: cannot connect to the database\n");
		return CLI_USAGE;
	}
	if (db_tlog_leaves_all(c, &leaves, &n) != DB_OK ||
	    db_tlog_checkpoints_all(c, &cps, &ncp) != DB_OK) {
		fprintf(stderr, "teepass: cannot read the log tables\n");
		problems = SIZE_MAX;
		goto out;
	}
	/* Level 0: the hashes of the stored leaves, recomputed. */
	L.depth = 1;
	L.n[0] = n;
	L.h[0] = calloc(n ? n : 1, TLOG_HASH_LEN);
	for (size_t i = 0; L.h[0] != NULL && i < n; i++) {
		const struct db_tlog_leaf *l = &leaves[i];
		if (l->leaf_index != i) {
			printf("FAIL leaf indexes: position %zu holds index "
			       "%" PRIu64 "\n",
			       i, l->leaf_index);
			problems++;
		}
		/* A passport row purged by retention (or removed) leaves
		 * its leaf in the log: only a stored token that differs
		 * from its leaf is tampering. */
		if (strcmp(l->kind, "passport") == 0 && l->token == NULL)
			purged++;
		else if (strcmp(l->kind, "passport") == 0 &&
		         (strlen(l->token) != l->leaf_len ||
		          memcmp(l->token, l->leaf, l->leaf_len) != 0)) {
			printf("FAIL leaf %zu: the passport row's token is not "
			       "the logged leaf\n",
			       i);
			problems++;
		}
		/* The tree commits to the stored leaf hash (migration
		 * 0016): it must be the leaf's. */
		tlog_leaf_hash(l->leaf, l->leaf_len, L.h[0][i]);
		if (CRYPTO_memcmp(L.h[0][i], l->leaf_hash, 32) != 0) {
			printf("FAIL leaf %zu: its stored leaf hash is not the "
			       "hash of its leaf\n",
			       i);
			problems++;
		}
	}
	for (unsigned l = 0; L.h[l] != NULL && L.n[l] >= 2 && l < 62; l++) {
		L.n[l + 1] = L.n[l] / 2;
		L.h[l + 1] = calloc(L.n[l + 1], TLOG_HASH_LEN);
		if (L.h[l + 1] == NULL)
			break;
		for (size_t j = 0; j < L.n[l + 1]; j++)
			tlog_node_hash(L.h[l][2 * j], L.h[l][2 * j + 1],
			               L.h[l + 1][j]);
		L.depth = l + 2;
	}
	/* The stored nodes: each must be the recomputed one. */
	for (unsigned l = 0; l < L.depth; l++) {
		struct db_tlog_node *sn = NULL;
		size_t k = 0, bad = 0;
		if (db_tlog_nodes_level(c, l, &sn, &k) != DB_OK) {
			problems++;
			continue;
		}
		if (k != L.n[l]) {
			printf("FAIL nodes: level %u has %zu stored, %zu "
			       "recomputed\n",
			       l, k, L.n[l]);
			problems++;
		}
		for (size_t j = 0; j < k; j++)
			if (sn[j].idx >= L.n[l] ||
			    memcmp(sn[j].hash, L.h[l][sn[j].idx], 32) != 0) {
				if (bad++ == 0)
					printf("FAIL nodes: level %u index "
					       "%" PRIu64
					       " differs from the stored "
					       "leaves' tree\n",
					       l, sn[j].idx);
				problems++;
			}
		free(sn);
	}
	/* Every checkpoint: signed, and the root of its size recomputed. */
	for (size_t i = 0; i < ncp; i++) {
		struct tlog_checkpoint cp;
		uint8_t root[32];
		char err[256];
		if (!tlog_checkpoint_verify(cps[i].note, strlen(cps[i].note),
		                            vk, &cp, err, sizeof(err))) {
			printf("FAIL checkpoint %" PRIu64 ": %s\n", cps[i].size,
			       err);
			problems++;
			continue;
		}
		if (cp.size != cps[i].size ||
		    memcmp(cp.root, cps[i].root, 32) != 0) {
			printf("FAIL checkpoint %" PRIu64
			       ": the signed note and its row differ\n",
			       cps[i].size);
			problems++;
		}
		if (cp.size > n || !tlog_root(level_node, &L, cp.size, root) ||
		    memcmp(root, cp.root, 32) != 0) {
			printf("FAIL checkpoint %" PRIu64
			       ": its signed root is not the root of the "
			       "stored leaves\n",
			       cp.size);
			problems++;
		}
		latest = cp.size;
	}
	if (latest != n) {
		printf("FAIL checkpoints: the latest covers %" PRIu64
		       " of %zu sequenced leaves\n",
		       latest, n);
		problems++;
	}
	if (purged > 0)
		printf("note: %zu logged passports are no longer stored "
		       "(purged by retention); their leaves stay in the log\n",
		       purged);
	if (problems == 0)
		printf("ok log: %zu leaves and %zu checkpoints recomputed from "
		       "the stored leaves\n",
		       n, ncp);
out:
	for (unsigned l = 0; l < 64; l++)
		free(L.h[l]);
	db_tlog_leaves_free(leaves, n);
	db_tlog_checkpoints_free(cps, ncp);
	if (problems == SIZE_MAX)
		return CLI_USAGE;
	return problems == 0 ? CLI_OK : CLI_INVALID;
}

/* The verifier key of the configured log key (for --database on the
 * server's own machine). */
static char *
configured_vkey(const struct tp_config *cfg)
{
	FILE *f;
	EVP_PKEY *k;
	char origin[TLOG_NAME_MAX], *v;
	const char *o = cfg->issuer;
	size_t n;

	if (cfg->log_signing_key == NULL ||
	    (f = fopen(cfg->log_signing_key, "r")) == NULL)
		return NULL;
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (cfg->log_origin != NULL && *cfg->log_origin != '\0') {
		snprintf(origin, sizeof(origin), "%s", cfg->log_origin);
	} else {
		if (strncmp(o, "https://", 8) == 0)
			o += 8;
		else if (strncmp(o, "http://", 7) == 0)
			o += 7;
		n = strlen(o);
		while (n > 0 && o[n - 1] == '/')
			n--;
		snprintf(origin, sizeof(origin), "%.*s/log", (int)n, o);
	}
	v = tlog_vkey_format(origin, k);
	EVP_PKEY_free(k);
	return v;
}

static void
verify_usage(FILE *f)
{
	fprintf(f,
	        "usage: teepass log verify --key VKEY [--server URL]\n"
	        "         [--checkpoint FILE] [--passport ID [--token FILE]]\n"
	        "         [--old-checkpoint FILE]\n"
	        "       teepass log verify --database [--key VKEY]\n"
	        "\n"
	        "Checks the transparency log with the published verifier key "
	        "(GET /api/log/key,\n\"verifier_key\"; --key @FILE reads it "
	        "from a file):\n"
	        "  the checkpoint (FILE, else GET URL/api/log/checkpoint) is "
	        "signed by it;\n"
	        "  --passport: the passport's token (FILE, else GET "
	        "URL/api/passports/ID)\n"
	        "    is included in that checkpoint's tree (proof from the "
	        "server);\n"
	        "  --old-checkpoint: the older checkpoint's tree is a prefix "
	        "of the newer.\n"
	        "--database recomputes the tree from the stored leaves "
	        "(TEEPASS_DATABASE_URL)\n"
	        "and compares it with the stored nodes and every checkpoint "
	        "(default key: the\nconfigured log_signing_key).\n"
	        "Exit 0 when every check passed, 1 when one failed, 2 on "
	        "usage or I/O errors.\n");
}

static int
verify(int argc, char **argv)
{
	static const struct option opts[] = {{"key", 1, NULL, 'k'},
	                                     {"server", 1, NULL, 's'},
	                                     {"checkpoint", 1, NULL, 'c'},
	                                     {"old-checkpoint", 1, NULL, 'o'},
	                                     {"passport", 1, NULL, 'p'},
	                                     {"token", 1, NULL, 't'},
	                                     {"database", 0, NULL, 'd'},
	                                     {"help", 0, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *key = NULL, *server = NULL, *cpf = NULL, *oldf = NULL;
	const char *id = NULL, *tokf = NULL;
	struct tlog_checkpoint cp, old;
	struct tlog_vkey vk;
	struct tp_config cfg;
	char *keytext = NULL;
	bool database = false, ok = true;
	int opt, rc = CLI_USAGE;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "k:s:c:o:p:t:dh", opts, NULL)) !=
	       -1) {
		switch (opt) {
		case 'k':
			key = optarg;
			break;
		case 's':
			server = optarg;
			break;
		case 'c':
			cpf = optarg;
			break;
		case 'o':
			oldf = optarg;
			break;
		case 'p':
			id = optarg;
			break;
		case 't':
			tokf = optarg;
			break;
		case 'd':
			database = true;
			break;
		case 'h':
			verify_usage(stdout);
			return CLI_OK;
		default:
			verify_usage(stderr);
			return CLI_USAGE;
		}
	}
	memset(&cfg, 0, sizeof(cfg));
	if (optind != argc || (!database && key == NULL) ||
	    (!database && id == NULL && oldf == NULL && cpf == NULL &&
	     server == NULL) ||
	    ((id != NULL || oldf != NULL) && server == NULL)) {
		verify_usage(stderr);
		return CLI_USAGE;
	}
	if (database && !cli_load_config(&cfg))
		goto out;
	if (key != NULL && key[0] == '@') {
		uint8_t *buf = NULL;
		size_t len = 0;
		if (!cli_read_file(key + 1, 4096, &buf, &len))
			goto out;
		while (len > 0 &&
		       (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			buf[--len] = '\0';
		keytext = (char *)buf;
	} else if (key != NULL) {
		keytext = strdup(key);
	} else {
		keytext = configured_vkey(&cfg);
	}
	if (keytext == NULL || !tlog_vkey_parse(keytext, &vk)) {
		fprintf(stderr, "teepass: not a signed-note verifier key "
		                "(name+hex id+base64 key)\n");
		goto out;
	}
	if (database) {
		db_configure(cfg.database_url);
		rc = audit(&vk);
		db_conn_close();
		db_configure(NULL);
		goto out;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!load_checkpoint(cpf, server, &vk, &cp, "checkpoint"))
		ok = false;
	if (ok && id != NULL && !verify_inclusion(server, id, tokf, &cp))
		ok = false;
	if (ok && oldf != NULL &&
	    (!load_checkpoint(oldf, NULL, &vk, &old, "old checkpoint") ||
	     !verify_consistency(server, &old, &cp)))
		ok = false;
	curl_global_cleanup();
	rc = ok ? CLI_OK : CLI_INVALID;
out:
	free(keytext);
	if (database)
		config_free(&cfg);
	return rc;
}

int
cli_log(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "keygen") == 0)
		return keygen(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return verify(argc - 1, argv + 1);
	bool help = argc >= 2 && strcmp(argv[1], "--help") == 0;

	fprintf(help ? stdout : stderr,
	        "usage: teepass log keygen --out FILE\n"
	        "       teepass log verify --key VKEY [--server URL] ... "
	        "(teepass log verify --help)\n"
	        "The transparency log of passports and reference values "
	        "(docs/transparency.md).\n");
	return help ? CLI_OK : CLI_USAGE;
}
