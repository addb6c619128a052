#ifndef TP_TLS_H
#define TP_TLS_H
#include <stdbool.h>
#include <stddef.h>

#include <gnutls/abstract.h>

/*
 * The HTTPS certificate and key (issue 15): loaded from tls_cert_file (a
 * PEM chain, leaf first) and tls_key_file (PEM, not readable by group or
 * others), checked to belong together, and handed to GnuTLS per
 * handshake by tls_retrieve (MHD_OPTION_HTTPS_CERT_CALLBACK). A reload
 * (SIGHUP) installs new material for the next handshakes; connections
 * already open keep theirs. Material is freed only by tls_free, after
 * the daemon stopped: a handshake in progress may still use an older
 * one.
 */

/* Loads and installs CERT and KEY. False with ERR (the material in use
 * stays). */
bool tls_load(const char *cert, const char *key, char *err, size_t errlen);

/* True once material is installed. */
bool tls_ready(void);

/* GnuTLS's certificate retrieval callback. */
gnutls_certificate_retrieve_function2 tls_retrieve;

/* Frees every generation of material. */
void tls_free(void);

#endif
