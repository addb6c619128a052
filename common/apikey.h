#ifndef TP_APIKEY_H
#define TP_APIKEY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * API keys (docs/api.md, Access control): "tp_<id>_<secret>", where <id>
 * is 16 lower-case hex characters (8 random bytes, public: it names the
 * key in logs, the audit log and DELETE /api/keys/{id}) and <secret> is
 * 32 random bytes (256 bits) in base64url without padding. Only the
 * SHA-256 of the whole token is stored.
 */
#define APIKEY_ID_LEN    16
#define APIKEY_TOKEN_LEN (3 + APIKEY_ID_LEN + 1 + 43)

/*
 * Makes a new key: ID (NUL-terminated), TOKEN (NUL-terminated, shown
 * once) and the hex SHA-256 of TOKEN. False when no randomness.
 */
bool apikey_generate(char id[APIKEY_ID_LEN + 1],
                     char token[APIKEY_TOKEN_LEN + 1], char sha256_hex[65]);

/*
 * Splits a presented TOKEN: its ID and the SHA-256 of the whole token.
 * False when TOKEN does not have the shape of a teepass key (it is then
 * unknown, never looked up).
 */
bool apikey_parse(const char *token, char id[APIKEY_ID_LEN + 1],
                  uint8_t sha256[32]);

/*
 * Constant-time comparison of the presented token's SHA-256 with the
 * stored hex SHA-256. False when they differ or STORED_HEX is malformed.
 */
bool apikey_matches(const uint8_t sha256[32], const char *stored_hex);

#endif
