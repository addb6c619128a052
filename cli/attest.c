/*
 * teepass attest: the client side of a verification (docs/client.md).
 * With --exec, a challenge is asked for first and handed to the command
 * that produces the evidence (TEEPASS_NONCE), so the evidence binds it;
 * then the evidence is posted to /api/verify/tee-attestation and the
 * verdict, with its passport, printed.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli/cli.h"
#include "cli/client.h"
#include "common/codec.h"

#define MAX_EVIDENCE (4 * 1024 * 1024)
#define MAX_DEVICES  8

struct attest_opts {
	const char *url, *provider, *runtime_data, *expected, *event_log;
	const char *endpoint, *exec, *passport_out;
	bool no_passport, compact;
	long timeout_ms;
};

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: teepass attest [--url URL] [OPTIONS] EVIDENCE "
	        "[PROVIDER=DEVICE_EVIDENCE...]\n"
	        "\n"
	        "Sends evidence to teepassd's POST /api/verify/tee-attestation "
	        "and prints the\nverdict JSON, with its passport (id, token, "
	        "expires_at) when one was issued.\nEVIDENCE is a file: raw "
	        "bytes, hex or base64 text, or JSON (NVIDIA); each\n"
	        "PROVIDER=FILE after it is composite device evidence "
	        "(NvidiaGpu=gpu.json).\n"
	        "\n"
	        "  --url URL            teepassd's base URL (default "
	        "$TEEPASS_URL, else\n"
	        "                       http://127.0.0.1:8080)\n"
	        "  --exec CMD           first ask POST /api/challenges for a "
	        "nonce, run CMD\n"
	        "                       (/bin/sh -c) with TEEPASS_NONCE set to "
	        "it, which must\n"
	        "                       write EVIDENCE (and --runtime-data) "
	        "binding it; the\n"
	        "                       nonce is then sent and consumed once. "
	        "Without --exec\n"
	        "                       no challenge is used (freshness from "
	        "the evidence's\n"
	        "                       signed time, max_evidence_age)\n"
	        "  --provider NAME      the format (IntelTdx, AmdSevSnp, Mock, "
	        "...); default\n"
	        "                       detected by teepassd\n"
	        "  --runtime-data FILE  the runtime data bound into the "
	        "evidence\n"
	        "  --expected FILE      JSON reference values "
	        "({\"model\": ..., \"runtime\": {...}})\n"
	        "  --event-log FILE     the measured-boot event log\n"
	        "  --endpoint ID        appraise against a registered "
	        "endpoint\n"
	        "  --no-passport        issue_passport: false\n"
	        "  --passport-out FILE  also write the passport's JWS to FILE\n"
	        "  --timeout SECS       per HTTP request (default 30)\n"
	        "  --compact            one-line JSON\n"
	        "\n"
	        "Exit status: 0 the verdict is valid; 1 it is not, or teepassd "
	        "refused the\nrequest (4xx, its error JSON printed); 2 usage "
	        "or I/O error, --exec failed,\nteepassd unreachable or "
	        "answering 5xx or no JSON.\n");
}

/* The evidence in FILE as the API takes it: JSON and hex or base64 text
 * as they are (trimmed), anything binary base64-encoded. */
static char *
evidence_string(const char *path)
{
	uint8_t *buf = NULL;
	size_t len = 0, s = 0, e;
	bool binary = false;
	char *out;

	if (!cli_read_file(path, MAX_EVIDENCE, &buf, &len))
		return NULL;
	for (size_t i = 0; i < len; i++)
		if (!isprint(buf[i]) && !isspace(buf[i]))
			binary = true;
	if (binary || len == 0) {
		out = codec_base64_encode(buf, len);
		free(buf);
		return out;
	}
	e = len;
	while (s < e && isspace(buf[s]))
		s++;
	while (e > s && isspace(buf[e - 1]))
		e--;
	out = strndup((const char *)buf + s, e - s);
	free(buf);
	return out;
}

static char *
file_base64(const char *path)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char *out;

	if (!cli_read_file(path, MAX_EVIDENCE, &buf, &len))
		return NULL;
	out = codec_base64_encode(buf, len);
	free(buf);
	return out;
}

/* POST /api/challenges; the nonce into NONCE (65 bytes). */
static bool
challenge(const struct attest_opts *o, char nonce[65])
{
	char *url = cli_url_join(o->url, "/api/challenges");
	struct cli_http h;
	json_t *doc = NULL;
	const char *n;
	bool ok = false;

	if (url == NULL)
		return false;
	if (!cli_http("POST", url, "{}", "application/json", o->timeout_ms,
	              &h)) {
		fprintf(stderr, "teepass: %s\n", h.err);
		goto out;
	}
	doc = json_loadb(h.body, h.len, 0, NULL);
	n = json_string_value(json_object_get(doc, "nonce"));
	if (h.status != 201 || n == NULL || strlen(n) != 64) {
		fprintf(stderr, "teepass: %s: HTTP %ld without a nonce\n", url,
		        h.status);
		goto out;
	}
	memcpy(nonce, n, 65);
	ok = true;
out:
	json_decref(doc);
	cli_http_free(&h);
	free(url);
	return ok;
}

static bool
run_exec(const char *cmd, const char *nonce)
{
	int st;

	if (setenv("TEEPASS_NONCE", nonce, 1) != 0)
		return false;
	fflush(stdout);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr,
		        "teepass: --exec: the command failed (status "
		        "%d)\n",
		        st == -1        ? -1
		        : WIFEXITED(st) ? WEXITSTATUS(st)
		                        : 128);
		return false;
	}
	return true;
}

/* The request body; NULL with a message on stderr. */
static json_t *
request_body(const struct attest_opts *o, int argc, char **argv,
             const char *nonce)
{
	json_t *body = json_object(), *devs = NULL;
	char *s = NULL;

	if ((s = evidence_string(argv[0])) == NULL)
		goto fail;
	json_object_set_new(body, "attestation", json_string(s));
	free(s);
	s = NULL;
	if (o->provider != NULL)
		json_object_set_new(body, "provider", json_string(o->provider));
	if (o->runtime_data != NULL) {
		if ((s = file_base64(o->runtime_data)) == NULL)
			goto fail;
		json_object_set_new(body, "runtime_data", json_string(s));
		free(s);
		s = NULL;
	}
	if (o->event_log != NULL) {
		if ((s = file_base64(o->event_log)) == NULL)
			goto fail;
		json_object_set_new(body, "event_log", json_string(s));
		free(s);
		s = NULL;
	}
	if (o->expected != NULL) {
		json_error_t je;
		json_t *x = json_load_file(o->expected, JSON_REJECT_DUPLICATES,
		                           &je);
		if (!json_is_object(x)) {
			fprintf(stderr, "teepass: %s: not a JSON object (%s)\n",
			        o->expected, x == NULL ? je.text : "");
			json_decref(x);
			goto fail;
		}
		json_object_set_new(body, "expected", x);
	}
	if (o->endpoint != NULL)
		json_object_set_new(body, "endpoint_id",
		                    json_string(o->endpoint));
	if (nonce != NULL)
		json_object_set_new(body, "nonce", json_string(nonce));
	if (o->no_passport)
		json_object_set_new(body, "issue_passport", json_false());
	if (argc > 1) {
		devs = json_array();
		for (int i = 1; i < argc; i++) {
			const char *eq = strchr(argv[i], '=');
			char prov[64];
			if (eq == NULL || eq == argv[i] ||
			    (size_t)(eq - argv[i]) >= sizeof(prov)) {
				fprintf(stderr,
				        "teepass: %s: device evidence "
				        "is PROVIDER=FILE\n",
				        argv[i]);
				goto fail;
			}
			snprintf(prov, sizeof(prov), "%.*s",
			         (int)(eq - argv[i]), argv[i]);
			if ((s = evidence_string(eq + 1)) == NULL)
				goto fail;
			json_array_append_new(
			        devs, json_pack("{s:s, s:s}", "provider", prov,
			                        "attestation", s));
			free(s);
			s = NULL;
		}
		json_object_set_new(body, "devices", devs);
		devs = NULL;
	}
	return body;
fail:
	free(s);
	json_decref(devs);
	json_decref(body);
	return NULL;
}

static bool
write_token(const char *path, const json_t *verdict)
{
	const char *t = json_string_value(
	        json_object_get(json_object_get(verdict, "passport"), "token"));
	FILE *f;

	if (t == NULL) {
		fprintf(stderr,
		        "teepass: no passport was issued; %s not "
		        "written\n",
		        path);
		return true;
	}
	if ((f = fopen(path, "w")) == NULL || fprintf(f, "%s\n", t) < 0 ||
	    fclose(f) != 0) {
		fprintf(stderr, "teepass: %s: cannot write\n", path);
		return false;
	}
	return true;
}

int
cli_attest(int argc, char **argv)
{
	static const struct option opts[] = {{"url", 1, NULL, 'u'},
	                                     {"provider", 1, NULL, 'p'},
	                                     {"runtime-data", 1, NULL, 'r'},
	                                     {"expected", 1, NULL, 'x'},
	                                     {"event-log", 1, NULL, 'l'},
	                                     {"endpoint", 1, NULL, 'e'},
	                                     {"exec", 1, NULL, 'E'},
	                                     {"no-passport", 0, NULL, 'N'},
	                                     {"passport-out", 1, NULL, 'o'},
	                                     {"timeout", 1, NULL, 't'},
	                                     {"compact", 0, NULL, 'c'},
	                                     {"help", 0, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct attest_opts o = {0};
	char nonce[65], *url = NULL, *text = NULL;
	json_t *body = NULL, *verdict = NULL;
	struct cli_http h = {0};
	int opt, rc = CLI_USAGE;

	o.timeout_ms = 30000;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'u':
			o.url = optarg;
			break;
		case 'p':
			o.provider = optarg;
			break;
		case 'r':
			o.runtime_data = optarg;
			break;
		case 'x':
			o.expected = optarg;
			break;
		case 'l':
			o.event_log = optarg;
			break;
		case 'e':
			o.endpoint = optarg;
			break;
		case 'E':
			o.exec = optarg;
			break;
		case 'N':
			o.no_passport = true;
			break;
		case 'o':
			o.passport_out = optarg;
			break;
		case 't':
			if (!cli_timeout_opt(optarg, &o.timeout_ms))
				return CLI_USAGE;
			break;
		case 'c':
			o.compact = true;
			break;
		case 'h':
			usage(stdout);
			return CLI_OK;
		default:
			usage(stderr);
			return CLI_USAGE;
		}
	}
	if (optind >= argc || argc - optind > 1 + MAX_DEVICES) {
		usage(stderr);
		return CLI_USAGE;
	}
	o.url = cli_base_url(o.url);
	if (o.exec != NULL &&
	    (!challenge(&o, nonce) || !run_exec(o.exec, nonce)))
		goto out;
	if ((body = request_body(&o, argc - optind, argv + optind,
	                         o.exec != NULL ? nonce : NULL)) == NULL ||
	    (text = json_dumps(body, JSON_COMPACT)) == NULL)
		goto out;
	if ((url = cli_url_join(o.url, "/api/verify/tee-attestation")) == NULL)
		goto out;
	if (!cli_http("POST", url, text, "application/json", o.timeout_ms,
	              &h)) {
		fprintf(stderr, "teepass: %s\n", h.err);
		goto out;
	}
	verdict = json_loadb(h.body, h.len, 0, NULL);
	if (!json_is_object(verdict)) {
		fprintf(stderr, "teepass: %s: HTTP %ld, not JSON\n", url,
		        h.status);
		goto out;
	}
	json_dumpf(verdict, stdout, o.compact ? JSON_COMPACT : JSON_INDENT(2));
	fputc('\n', stdout);
	if (h.status == 200) {
		if (o.passport_out != NULL &&
		    !write_token(o.passport_out, verdict))
			goto out;
		rc = json_is_true(json_object_get(verdict, "valid"))
		             ? CLI_OK
		             : CLI_INVALID;
	} else {
		fprintf(stderr, "teepass: %s: HTTP %ld (X-Request-Id %s)\n",
		        url, h.status, h.request_id);
		rc = h.status >= 400 && h.status < 500 ? CLI_INVALID
		                                       : CLI_USAGE;
	}
out:
	cli_http_free(&h);
	json_decref(body);
	json_decref(verdict);
	free(text);
	free(url);
	return rc;
}
