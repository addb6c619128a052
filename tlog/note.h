#ifndef TP_TLOG_NOTE_H
#define TP_TLOG_NOTE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "tlog/merkle.h"

/*
 * Signed notes (C2SP signed-note) and checkpoints (C2SP tlog-checkpoint)
 * with Ed25519 keys. A note is text ending in a newline, a blank line,
 * then lines "\u2014 <name> <base64(key id || signature)>". The key id
 * is SHA-256(name || 0x0A || 0x01 || public key)[:4]; a verifier key is
 * "<name>+<hex key id>+<base64(0x01 || public key)>".
 */

#define TLOG_NOTE_MAX 4096
#define TLOG_NAME_MAX 256

/* A parsed verifier key. */
struct tlog_vkey {
	char name[TLOG_NAME_MAX];
	uint8_t id[4];
	uint8_t pub[32];
};

/* True when NAME is a valid key name: non-empty, no space, no '+', no
 * control character, at most TLOG_NAME_MAX - 1 bytes. */
bool tlog_name_valid(const char *name);

/* The verifier key text of KEY (Ed25519) under NAME (malloc'd), or NULL. */
char *tlog_vkey_format(const char *name, EVP_PKEY *key);

/* Parses a verifier key; false when malformed or its id is wrong. */
bool tlog_vkey_parse(const char *s, struct tlog_vkey *out);

/*
 * The checkpoint body "<origin>\n<size>\n<base64 root>\n" signed by KEY
 * under NAME: the whole note (malloc'd), or NULL.
 */
char *tlog_checkpoint_sign(const char *origin, uint64_t size,
                           const uint8_t root[TLOG_HASH_LEN], const char *name,
                           EVP_PKEY *key);

/* A checkpoint as verified. */
struct tlog_checkpoint {
	char origin[TLOG_NAME_MAX];
	uint64_t size;
	uint8_t root[TLOG_HASH_LEN];
};

/*
 * Verifies NOTE (LEN bytes) with VK — the first signature line of VK's
 * name and key id decides — and parses its checkpoint body. False with
 * ERR naming what failed.
 */
bool tlog_checkpoint_verify(const char *note, size_t len,
                            const struct tlog_vkey *vk,
                            struct tlog_checkpoint *out, char *err,
                            size_t errlen);

#endif
