/* The TLS target of an endpoint URL (common/tls_target.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/tls_target.h"

bool
tls_target_parse(const char *url, struct tls_target *t)
{
	const char *p, *end, *hend;
	size_t n;

	memset(t, 0, sizeof(*t));
	if (url == NULL || strncasecmp(url, "https://", 8) != 0)
		return false;
	p = url + 8;
	end = p + strcspn(p, "/?#");
	if (end == p || memchr(p, '@', (size_t)(end - p)) != NULL)
		return false;
	if (*p == '[') {
		if ((hend = memchr(p, ']', (size_t)(end - p))) == NULL)
			return false;
		n = (size_t)(hend - p - 1);
		p++;
		hend++;
	} else {
		hend = memchr(p, ':', (size_t)(end - p));
		if (hend == NULL)
			hend = end;
		n = (size_t)(hend - p);
	}
	if (n == 0 || n >= sizeof(t->host))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (!isalnum(c) && c != '.' && c != '-' && c != ':' && c != '_')
			return false;
		t->host[i] = (char)tolower(c);
	}
	if (*hend == ':') {
		const char *q = hend + 1;
		long port = 0;
		if (q == end || end - q > 5)
			return false;
		for (; q < end; q++) {
			if (!isdigit((unsigned char)*q))
				return false;
			port = port * 10 + (*q - '0');
		}
		if (port < 1 || port > 65535)
			return false;
		snprintf(t->port, sizeof(t->port), "%ld", port);
	} else if (hend != end) {
		return false;
	} else {
		strcpy(t->port, "443");
	}
	return true;
}

bool
tls_target_allowed(const struct tls_target *t, const char *allowed)
{
	const char *p = allowed;
	size_t hl = strlen(t->host);

	while (p != NULL && *p != '\0') {
		const char *e = p + strcspn(p, ",");
		const char *a = p;
		size_t n;

		while (a < e && isspace((unsigned char)*a))
			a++;
		n = (size_t)(e - a);
		while (n > 0 && isspace((unsigned char)a[n - 1]))
			n--;
		if (n > 2 && a[0] == '*' && a[1] == '.') {
			/* "*.example.org": a.example.org, not example.org */
			size_t dl = n - 1; /* ".example.org" */
			if (hl > dl &&
			    strncasecmp(t->host + hl - dl, a + 1, dl) == 0)
				return true;
		} else if (n == hl && strncasecmp(t->host, a, n) == 0) {
			return true;
		}
		p = *e == ',' ? e + 1 : e;
	}
	return false;
}
