#include <arpa/inet.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "handlers/ratelimit.h"

#define SLOTS 4096
#define PROBE 16

struct slot {
	uint8_t addr[16]; /* IPv4 mapped into 16 bytes */
	int64_t window;   /* minute number; 0: free */
	unsigned count;
};

static struct slot slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static bool
client_address(struct request *r, uint8_t out[16])
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
	        r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

	memset(out, 0, 16);
	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &in->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 =
		        (const struct sockaddr_in6 *)sa;
		memcpy(out, &in6->sin6_addr, 16);
		return true;
	}
	return false;
}

static uint32_t
hash(const uint8_t a[16])
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (int i = 0; i < 16; i++)
		h = (h ^ a[i]) * 16777619u;
	return h;
}

bool
ratelimit_admit(struct request *r, unsigned per_minute)
{
	struct timespec ts;
	uint8_t addr[16];
	int64_t minute;
	struct slot *use = NULL, *oldest = NULL;
	bool ok;

	if (per_minute == 0 || !client_address(r, addr))
		return true;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	minute = (int64_t)ts.tv_sec / 60 + 1;
	pthread_mutex_lock(&lock);
	for (uint32_t i = 0, h = hash(addr); i < PROBE; i++) {
		struct slot *s = &slots[(h + i) % SLOTS];
		if (s->window != 0 && memcmp(s->addr, addr, 16) == 0) {
			use = s;
			break;
		}
		if (oldest == NULL || s->window < oldest->window)
			oldest = s;
	}
	if (use == NULL) {
		use = oldest;
		memcpy(use->addr, addr, 16);
		use->window = 0;
	}
	if (use->window != minute) {
		use->window = minute;
		use->count = 0;
	}
	ok = use->count < per_minute;
	if (ok)
		use->count++;
	pthread_mutex_unlock(&lock);
	return ok;
}
