#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "config/config.h"
#include "server/tls.h"

#define TLS_MAX_CHAIN 16
#define TLS_MAX_FILE  (1024 * 1024)

struct tls_gen {
	struct tls_gen *older;
	gnutls_pcert_st certs[TLS_MAX_CHAIN];
	unsigned n;
	gnutls_privkey_t key;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct tls_gen *current;

/* Reads PATH whole (at most TLS_MAX_FILE bytes) into D (gnutls_free). */
static bool
read_file(const char *path, gnutls_datum_t *d, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	size_t n;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return false;
	}
	buf = gnutls_malloc(TLS_MAX_FILE + 1);
	if (buf == NULL) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return false;
	}
	n = fread(buf, 1, TLS_MAX_FILE + 1, f);
	fclose(f);
	if (n == 0 || n > TLS_MAX_FILE) {
		gnutls_free(buf);
		snprintf(err, errlen, "%s: empty or larger than %d bytes", path,
		         TLS_MAX_FILE);
		return false;
	}
	d->data = buf;
	d->size = (unsigned)n;
	return true;
}

static void
gen_free(struct tls_gen *g)
{
	for (unsigned i = 0; i < g->n; i++)
		gnutls_pcert_deinit(&g->certs[i]);
	if (g->key != NULL)
		gnutls_privkey_deinit(g->key);
	free(g);
}

bool
tls_load(const char *cert, const char *key, char *err, size_t errlen)
{
	gnutls_datum_t c = {0}, k = {0};
	gnutls_certificate_credentials_t check = NULL;
	struct tls_gen *g = NULL;
	bool ok = false;
	int rc = GNUTLS_E_MEMORY_ERROR;

	if (!config_key_file_private(key, err, errlen))
		return false;
	if (!read_file(cert, &c, err, errlen) ||
	    !read_file(key, &k, err, errlen))
		goto out;
	/* The key must be the leaf certificate's: GnuTLS checks it here
	 * (else every handshake would fail later). */
	if (gnutls_certificate_allocate_credentials(&check) < 0 ||
	    (rc = gnutls_certificate_set_x509_key_mem2(
	             check, &c, &k, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
		snprintf(err, errlen,
		         "%s, %s: not a PEM certificate chain and its private "
		         "key (%s)",
		         cert, key, gnutls_strerror(rc));
		goto out;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	g->n = TLS_MAX_CHAIN;
	if ((rc = gnutls_pcert_list_import_x509_raw(
	             g->certs, &g->n, &c, GNUTLS_X509_FMT_PEM, 0)) < 0) {
		g->n = 0;
		snprintf(err, errlen, "%s: %s (at most %d certificates)", cert,
		         gnutls_strerror(rc), TLS_MAX_CHAIN);
		goto out;
	}
	if (gnutls_privkey_init(&g->key) < 0 ||
	    (rc = gnutls_privkey_import_x509_raw(
	             g->key, &k, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
		snprintf(err, errlen, "%s: not a PEM private key", key);
		goto out;
	}
	pthread_mutex_lock(&lock);
	g->older = current;
	current = g;
	pthread_mutex_unlock(&lock);
	g = NULL;
	ok = true;
out:
	if (g != NULL)
		gen_free(g);
	if (check != NULL)
		gnutls_certificate_free_credentials(check);
	if (k.data != NULL) {
		memset(k.data, 0, k.size);
		gnutls_free(k.data);
	}
	gnutls_free(c.data);
	return ok;
}

bool
tls_ready(void)
{
	bool r;

	pthread_mutex_lock(&lock);
	r = current != NULL;
	pthread_mutex_unlock(&lock);
	return r;
}

int
tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_rdn,
             int nreqs, const gnutls_pk_algorithm_t *pk_algos,
             int pk_algos_length, gnutls_pcert_st **pcert,
             unsigned int *pcert_length, gnutls_privkey_t *pkey)
{
	int rc = -1;

	(void)session;
	(void)req_ca_rdn;
	(void)nreqs;
	(void)pk_algos;
	(void)pk_algos_length;
	pthread_mutex_lock(&lock);
	if (current != NULL) {
		*pcert = current->certs;
		*pcert_length = current->n;
		*pkey = current->key;
		rc = 0;
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

void
tls_free(void)
{
	pthread_mutex_lock(&lock);
	while (current != NULL) {
		struct tls_gen *g = current;
		current = g->older;
		gen_free(g);
	}
	pthread_mutex_unlock(&lock);
}
