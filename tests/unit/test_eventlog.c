/*
 * Measured-boot event logs (verify/eventlog/) over the real logs of
 * tests/data/eventlog (expected registers from its MANIFEST.md and the
 * origin's expected_pcrs.json, the dstack quote's own RTMRs) and hostile
 * variants of them, each with its exact code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "common/codec.h"
#include "verify/eventlog/eventlog.h"
#include "tests/unit/test_util.h"

#define DATA "tests/data/eventlog/"

/* RTMR0..3 of each CCEL vector and of the dstack log (MANIFEST.md). */
static const char *const ovmf_rtmr[4] = {
        "8566f998798db09443b244c62de9a3041fb02e2e6936c4396d784bba2e901773"
        "29ec5aba3bb484404f2ab9cc90abe193",
        "775b9f6bfe99f8a31396f0d0218e67ffa796d3b96ccf961cbb0deba48c79c00f"
        "082cda1a5567c1c16305f1fc210c13c6",
        "94eaf7a7bf398ed8d888c91057ae0261802e4f3df084213a76ca7f0b5055ac9d"
        "2241de43cd58d9e8b49c503bbf25f34a",
        "000000000000000000000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000",
};
static const char *const gke_rtmr[4] = {
        "bc9945139042cf2cc75caf920aa57f14884ecfd7e893bccc51250c8ce90eb53c"
        "e72741e6adaa18183eb1331a87d4544a",
        "c17cb288a4dee302bb9ed8d27257a168f3264ad68cab53757f37eeaa7039657f"
        "a887cad65cf910e0fdc435ff110f8a7b",
        "334aeba2c985f8886cea97d1ecffbd512769d528b9a94009583db667ad7d2faa"
        "7d37fa145d75b192ceee2d2f10b2eb6d",
        "000000000000000000000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000",
};
static const char *const ita_rtmr[4] = {
        "8083cd6898cc52a90231cdf9c0532bf9513c40465c6f71e56cbe32ee2c11a9df"
        "c030297ca3ca0f62477d6d1f610d3fdb",
        "6484f0d72c03521c0434553be34e8db8228b729e799666d2b7754085c77aa998"
        "1f5a440df3047194b24f212ff1160c1e",
        "c3e7ed9d7e909b29732f676d01dc63de869b049362b522a315cb042689670be0"
        "7344c347cf85d985c7b928d4934e41e1",
        "000000000000000000000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000",
};
static const char *const dstack_rtmr[4] = {
        "2e3843265f8ecdd4e2282694747f6f2f111605c33f2a8882f5734ee6f3a6ce63"
        "d8f34aeef06093dcda76fa5f9d33d8d6",
        "a1b79d76021970f57c45c4a7c395f780bab37011a4df27fe44e8559bd1abb4d6"
        "e52f12f866d1d08405448eb797a5970f",
        "1e31b59d605df7ee8160cf7966be9bafa6d0e1905de7e09695a24cd9748e71a6"
        "03a51fae1297619fa0c30517addbcd07",
        "0f787c3877f3e95095d5a4d13dd0fe0233803b30120d8469866719dc28f519ce"
        "021fe1e53459121e7a5a4443147185a8",
};

static void
assert_hex(const uint8_t *p, size_t n, const char *want)
{
	char h[2 * EV_MAX_DIGEST + 1];

	codec_hex_encode_to(p, n, h);
	assert_string_equal(h, want);
}

static enum tp_err
parse_file(const char *path, enum ev_regs regs, struct ev_log *log)
{
	size_t len;
	uint8_t *buf = tu_read_file(path, &len);
	char why[256];
	enum tp_err err = ev_log_parse(buf, len, regs, log, why, sizeof(why));

	if (err != TP_ERR_none)
		fprintf(stderr, "%s: %s\n", path, why);
	free(buf);
	return err;
}

/* A CCEL log: RTMR i is CC MR i+1, SHA-384 the only bank. */
static void
check_ccel(const char *path, const char *const want[4], size_t nevents)
{
	struct ev_log log;
	json_t *j;

	assert_int_equal(parse_file(path, EV_REGS_CC_MR, &log), TP_ERR_none);
	assert_int_equal(log.n, nevents);
	assert_true(log.bank[EV_SHA384]);
	assert_false(log.bank[EV_SHA256] || log.bank[EV_SHA1]);
	for (int i = 0; i < 4; i++)
		assert_hex(log.reg[EV_SHA384][i + 1], 48, want[i]);
	j = ev_log_json(&log);
	assert_string_equal(json_string_value(json_object_get(j, "format")),
	                    "ccel");
	for (int i = 0; i < 4; i++) {
		char name[16];

		snprintf(name, sizeof(name), "rtmr%d", i);
		assert_string_equal(
		        json_string_value(json_object_get(
		                json_object_get(json_object_get(j, "registers"),
		                                "sha384"),
		                name)),
		        want[i]);
	}
	assert_int_equal(json_array_size(json_object_get(j, "events")),
	                 nevents);
	json_decref(j);
	ev_log_free(&log);
}

static void
test_ccel_ovmf(void **state)
{
	(void)state;
	check_ccel(DATA "trustee_ccel_ovmf/ccel_data.bin", ovmf_rtmr, 21);
}

static void
test_ccel_grub_gke(void **state)
{
	struct ev_log log;
	int kernel = 0, initrd = 0, cmdline = 0, osrel = 0;

	(void)state;
	check_ccel(DATA "trustee_ccel_grub_gke/ccel_data.bin", gke_rtmr, 36);
	/* The UKI sections GRUB measured (MANIFEST: EV_IPL idx3 .linux,
	 * .osrel, .cmdline, .initrd, twice each). */
	assert_int_equal(parse_file(DATA "trustee_ccel_grub_gke/ccel_data.bin",
	                            EV_REGS_CC_MR, &log),
	                 TP_ERR_none);
	for (size_t i = 0; i < log.n; i++) {
		const struct ev_event *e = &log.events[i];

		if (e->type != 0x0D)
			continue;
		assert_int_equal(e->index, 3);
		kernel += strcmp(e->name, "kernel") == 0;
		initrd += strcmp(e->name, "initrd") == 0;
		cmdline += strcmp(e->name, "cmdline") == 0;
		osrel += strcmp(e->name, "osrel") == 0;
	}
	assert_int_equal(kernel, 2);
	assert_int_equal(initrd, 2);
	assert_int_equal(cmdline, 2);
	assert_int_equal(osrel, 2);
	ev_log_free(&log);
}

static void
test_ccel_intel_ita(void **state)
{
	size_t tlen;
	uint8_t *t = tu_read_file(
	        DATA "intel_ita_ccel_table_log/ccel_table.bin", &tlen);
	struct ev_ccel_table tab;
	uint64_t laml = 0;
	char why[256];

	(void)state;
	assert_int_equal(ev_ccel_table_parse(t, tlen, &laml, why, sizeof(why)),
	                 TP_ERR_none);
	assert_int_equal(laml, 65536);
	assert_int_equal(ev_ccel_table_parse2(t, tlen, &tab, why, sizeof(why)),
	                 TP_ERR_none);
	assert_int_equal(tab.revision, 1);
	assert_int_equal(tab.cc_type, 2);
	assert_int_equal(tab.cc_subtype, 0);
	assert_string_equal(tab.oem_id, "INTEL ");
	assert_true(tab.lasa == 0x7d649000ull);

	/* A flipped byte breaks the checksum. */
	t[20] ^= 1;
	assert_int_equal(ev_ccel_table_parse(t, tlen, &laml, why, sizeof(why)),
	                 TP_ERR_event_log_malformed);
	t[20] ^= 1;
	/* CC type 1 (SEV), checksum kept right: not TDX. */
	t[36] = 1;
	t[9] = (uint8_t)(t[9] + 1);
	assert_int_equal(ev_ccel_table_parse(t, tlen, &laml, why, sizeof(why)),
	                 TP_ERR_event_log_unsupported);
	t[36] = 2;
	t[9] = (uint8_t)(t[9] - 1);
	/* Truncated, trailing bytes, wrong signature. */
	assert_int_equal(ev_ccel_table_parse(t, 40, &laml, why, sizeof(why)),
	                 TP_ERR_event_log_malformed);
	t[0] = 'X';
	assert_int_equal(ev_ccel_table_parse(t, tlen, &laml, why, sizeof(why)),
	                 TP_ERR_event_log_malformed);
	free(t);
	check_ccel(DATA "intel_ita_ccel_table_log/ccel_data.bin", ita_rtmr, 20);
}

/* A gotpm log against its origin's expected_pcrs.json. */
static void
check_gotpm(const char *dir, size_t nevents, size_t napps)
{
	char path[256];
	struct ev_log log;
	json_t *exp, *pcrs, *apps, *bank;
	const char *bname, *idx;
	json_error_t jerr;
	size_t nchecked = 0, app = 0;
	json_t *want;

	snprintf(path, sizeof(path), "%s/expected_pcrs.json", dir);
	exp = json_load_file(path, JSON_ALLOW_NUL, &jerr);
	assert_non_null(exp);
	snprintf(path, sizeof(path), "%s/eventlog.bin", dir);
	assert_int_equal(parse_file(path, EV_REGS_TPM_PCR, &log), TP_ERR_none);
	assert_int_equal(log.n, nevents);
	assert_true(log.bank[EV_SHA1] && log.bank[EV_SHA256] &&
	            log.bank[EV_SHA384]);
	assert_int_equal(log.startup_locality, 0);
	pcrs = json_object_get(exp, "pcrs");
	json_object_foreach(pcrs, bname, bank)
	{
		enum ev_bank b =
		        strcmp(bname, "sha1") == 0 ? EV_SHA1 : EV_SHA256;

		assert_true(strcmp(bname, "sha1") == 0 ||
		            strcmp(bname, "sha256") == 0);
		json_object_foreach(bank, idx, want)
		{
			int i = atoi(idx);

			assert_true(i >= 0 && i < EV_MAX_REGS);
			assert_hex(log.reg[b][i], ev_bank_size(b),
			           json_string_value(want));
			nchecked++;
		}
	}
	assert_int_equal(nchecked, 22);
	/* EV_EFI_BOOT_SERVICES_APPLICATION digests in log order. */
	apps = json_object_get(json_object_get(exp, "efi_app_digests"),
	                       "sha256");
	if (apps != NULL) {
		for (size_t i = 0; i < log.n; i++) {
			if (log.events[i].type != 0x80000003)
				continue;
			assert_true(app < json_array_size(apps));
			assert_hex(
			        log.events[i].digest[EV_SHA256], 32,
			        json_string_value(json_array_get(apps, app)));
			app++;
		}
		assert_int_equal(app, json_array_size(apps));
	}
	assert_true(app == napps || apps == NULL);
	/* The kernel command line GRUB measured (origin's value, its
	 * trailing NUL is the C string's end here). */
	want = json_object_get(exp, "kernel_cmdline");
	if (want != NULL) {
		bool found = false;

		/* The origin's value ends in the NUL GRUB measured. */
		assert_int_equal(json_string_length(want),
		                 strlen(json_string_value(want)) + 1);
		for (size_t i = 0; i < log.n; i++)
			if (strcmp(log.events[i].name, "cmdline") == 0) {
				assert_false(found);
				found = true;
				assert_string_equal(log.events[i].text,
				                    json_string_value(want));
				assert_true(log.events[i].digest_checked);
				assert_int_equal(log.events[i].index, 8);
			}
		assert_true(found);
	}
	ev_log_free(&log);
	json_decref(exp);
}

static void
test_gotpm_ubuntu(void **state)
{
	struct ev_log log;
	const char *names[2] = {NULL, NULL};
	int n = 0;

	(void)state;
	check_gotpm(DATA "gotpm_gce_ubuntu2404_sevsnp", 117, 2);
	/* Shim then GRUB, from the image's device path. */
	assert_int_equal(parse_file(DATA "gotpm_gce_ubuntu2404_sevsnp/"
	                                 "eventlog.bin",
	                            EV_REGS_TPM_PCR, &log),
	                 TP_ERR_none);
	for (size_t i = 0; i < log.n; i++)
		if (log.events[i].type == 0x80000003 && n < 2)
			names[n++] = log.events[i].name;
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "shim");
	assert_string_equal(names[1], "grub");
	ev_log_free(&log);
}

static void
test_gotpm_rhel8(void **state)
{
	(void)state;
	check_gotpm(DATA "gotpm_gce_rhel8_secureboot", 83, 3);
}

static void
test_dstack(void **state)
{
	size_t qlen;
	uint8_t *q =
	        tu_read_file(DATA "dstack_tdx_quote_eventlog/quote.bin", &qlen);
	struct ev_log log;
	static const char *const named[] = {
	        "system-preparing", "app-id",           "compose-hash",
	        "instance-id",      "boot-mr-done",     "key-provider",
	        "system-ready",     "LIUM_MINER_HOTKEY"};
	size_t k = 0;
	json_t *j;

	(void)state;
	assert_int_equal(parse_file(DATA "dstack_tdx_quote_eventlog/"
	                                 "quote_report.json",
	                            EV_REGS_TPM_PCR, &log),
	                 TP_ERR_none);
	assert_int_equal(log.regs, EV_REGS_RTMR);
	assert_int_equal(log.n, 28);
	/* TDX quote v4: 48-byte header, then the TD report body whose RTMRs
	 * start at 16+48+48+8+8+8+48+48+48+48 = 328 (Intel TDX DCAP Quote
	 * Library API, A.3.2 TD Quote Body). */
	assert_true(qlen >= 48 + 328 + 4 * 48);
	for (int i = 0; i < 4; i++) {
		assert_hex(log.reg[EV_SHA384][i], 48, dstack_rtmr[i]);
		assert_hex(q + 48 + 328 + 48 * i, 48, dstack_rtmr[i]);
	}
	for (size_t i = 0; i < log.n; i++) {
		const struct ev_event *e = &log.events[i];

		if (e->index != 3)
			continue;
		assert_true(k < 8);
		assert_string_equal(e->name, named[k]);
		assert_true(e->digest_checked);
		k++;
	}
	assert_int_equal(k, 8);
	j = ev_log_json(&log);
	assert_string_equal(json_string_value(json_object_get(j, "format")),
	                    "dstack");
	assert_string_equal(
	        json_string_value(json_object_get(
	                json_object_get(json_object_get(j, "registers"),
	                                "sha384"),
	                "rtmr3")),
	        dstack_rtmr[3]);
	json_decref(j);
	ev_log_free(&log);
	free(q);
}

/* The event_log array of the dstack report, as JSON text (malloc'd). */
static json_t *
dstack_events(void)
{
	size_t len;
	uint8_t *buf = tu_read_file(DATA "dstack_tdx_quote_eventlog/"
	                                 "quote_report.json",
	                            &len);
	json_t *root = json_loadb((const char *)buf, len, 0, NULL), *arr;

	assert_non_null(root);
	arr = json_loads(json_string_value(json_object_get(root, "event_log")),
	                 0, NULL);
	assert_non_null(arr);
	json_decref(root);
	free(buf);
	return arr;
}

static enum tp_err
parse_json(const json_t *arr, char *why, size_t whylen)
{
	char *s = json_dumps(arr, JSON_COMPACT);
	struct ev_log log;
	enum tp_err err;

	assert_non_null(s);
	err = ev_log_parse((const uint8_t *)s, strlen(s), EV_REGS_TPM_PCR, &log,
	                   why, whylen);
	if (err == TP_ERR_none)
		ev_log_free(&log);
	else
		assert_int_equal(log.n, 0);
	free(s);
	return err;
}

static void
test_dstack_hostile(void **state)
{
	json_t *arr = dstack_events(), *e;
	char why[256];
	char *s;
	size_t len;

	(void)state;
	assert_int_equal(parse_json(arr, why, sizeof(why)), TP_ERR_none);
	/* A runtime event whose payload is not what its digest measured. */
	e = json_array_get(arr, 21);
	assert_string_equal(json_string_value(json_object_get(e, "event")),
	                    "app-id");
	json_object_set_new(e, "event_payload", json_string("00"));
	assert_int_equal(parse_json(arr, why, sizeof(why)),
	                 TP_ERR_event_log_malformed);
	assert_non_null(strstr(why, "app-id"));
	json_decref(arr);

	arr = dstack_events();
	json_object_set_new(json_array_get(arr, 0), "imr", json_integer(4));
	assert_int_equal(parse_json(arr, why, sizeof(why)),
	                 TP_ERR_event_log_malformed);
	json_decref(arr);

	arr = dstack_events();
	json_object_set_new(json_array_get(arr, 0), "digest",
	                    json_string("abcd"));
	assert_int_equal(parse_json(arr, why, sizeof(why)),
	                 TP_ERR_event_log_malformed);
	/* Every truncation of the JSON text is an error, never a crash. */
	s = json_dumps(arr, JSON_COMPACT);
	len = strlen(s);
	for (size_t cut = 1; cut < len; cut += 97) {
		struct ev_log log;

		assert_int_equal(ev_log_parse((const uint8_t *)s, cut,
		                              EV_REGS_TPM_PCR, &log, why,
		                              sizeof(why)),
		                 TP_ERR_event_log_malformed);
	}
	free(s);
	json_decref(arr);
}

/* Truncated every 97th byte: a clean stop (fewer events) or a clear
 * error, never a crash or a read past the end (ASan). */
static void
truncations(const char *path, enum ev_regs regs, size_t limit)
{
	size_t len, full;
	uint8_t *buf = tu_read_file(path, &len);
	struct ev_log log;
	char why[256];

	assert_int_equal(ev_log_parse(buf, len, regs, &log, why, sizeof(why)),
	                 TP_ERR_none);
	full = log.n;
	ev_log_free(&log);
	if (limit > len)
		limit = len;
	for (size_t cut = 0; cut < limit; cut += 97) {
		/* A copy of exactly CUT bytes, so ASan sees any overrun. */
		uint8_t *t = malloc(cut > 0 ? cut : 1);
		enum tp_err err;

		memcpy(t, buf, cut);
		err = ev_log_parse(t, cut, regs, &log, why, sizeof(why));
		if (err == TP_ERR_none) {
			assert_true(log.n <= full);
			ev_log_free(&log);
		} else {
			assert_int_equal(err, TP_ERR_event_log_malformed);
			assert_int_equal(log.n, 0);
			assert_null(log.events);
			assert_true(why[0] != 0);
		}
		free(t);
	}
	free(buf);
}

static void
test_truncated(void **state)
{
	(void)state;
	truncations(DATA "trustee_ccel_ovmf/ccel_data.bin", EV_REGS_CC_MR,
	            4096);
	truncations(DATA "trustee_ccel_grub_gke/ccel_data.bin", EV_REGS_CC_MR,
	            24000);
	truncations(DATA "gotpm_gce_ubuntu2404_sevsnp/eventlog.bin",
	            EV_REGS_TPM_PCR, SIZE_MAX);
	truncations(DATA "gotpm_gce_rhel8_secureboot/eventlog.bin",
	            EV_REGS_TPM_PCR, SIZE_MAX);
}

/*
 * Offsets in trustee_ccel_ovmf (TCG PFP 10.2.1, 10.4.5.1, 10.2.2): the
 * Spec ID event is 32 bytes of header + 33 of data (one algorithm), so
 * its digestSize is at 0x3e and event 1 starts at 0x41: pcrIndex 0x41,
 * eventType 0x45, digest count 0x49, algId 0x4d, digest 0x4f (48 bytes),
 * eventSize 0x7f. Each is checked before it is changed.
 */
static uint8_t *
ovmf(size_t *len)
{
	uint8_t *b = tu_read_file(DATA "trustee_ccel_ovmf/ccel_data.bin", len);
	uint32_t u;

	assert_int_equal(b[0x3c], 0x0c);
	assert_int_equal(b[0x3e], 48);
	memcpy(&u, b + 0x49, 4);
	assert_int_equal(u, 1);
	assert_int_equal(b[0x4d], 0x0c);
	memcpy(&u, b + 0x7f, 4);
	assert_int_equal(u, 42); /* the "\tTdxTable" handoff table */
	return b;
}

static enum tp_err
parse_buf(const uint8_t *b, size_t len, enum ev_regs regs, char *why)
{
	struct ev_log log;
	enum tp_err err = ev_log_parse(b, len, regs, &log, why, 256);

	if (err == TP_ERR_none)
		ev_log_free(&log);
	else
		assert_null(log.events);
	return err;
}

static void
test_hostile_fields(void **state)
{
	size_t len;
	uint8_t *b;
	char why[256];

	(void)state;
	/* The digest count differs from the Spec ID's. */
	b = ovmf(&len);
	b[0x49] = 2;
	assert_int_equal(parse_buf(b, len, EV_REGS_CC_MR, why),
	                 TP_ERR_event_log_malformed);
	assert_non_null(strstr(why, "byte 65"));
	free(b);
	/* A digest algorithm (SHA-256) the Spec ID does not declare. */
	b = ovmf(&len);
	b[0x4d] = 0x0b;
	assert_int_equal(parse_buf(b, len, EV_REGS_CC_MR, why),
	                 TP_ERR_event_log_malformed);
	free(b);
	/* The Spec ID gives SHA-384 a 32-byte digest. */
	b = ovmf(&len);
	b[0x3e] = 32;
	assert_int_equal(parse_buf(b, len, EV_REGS_CC_MR, why),
	                 TP_ERR_event_log_malformed);
	free(b);
	/* eventSize huge. */
	b = ovmf(&len);
	memset(b + 0x7f, 0xf0, 4);
	assert_int_equal(parse_buf(b, len, EV_REGS_CC_MR, why),
	                 TP_ERR_event_log_malformed);
	free(b);
	/* Register index out of range: CC MR 5, TPM PCR 24; PCR 5 is fine. */
	b = ovmf(&len);
	b[0x41] = 5;
	assert_int_equal(parse_buf(b, len, EV_REGS_CC_MR, why),
	                 TP_ERR_event_log_malformed);
	assert_int_equal(parse_buf(b, len, EV_REGS_TPM_PCR, why), TP_ERR_none);
	b[0x41] = 24;
	assert_int_equal(parse_buf(b, len, EV_REGS_TPM_PCR, why),
	                 TP_ERR_event_log_malformed);
	free(b);
	/* Bytes after the end (the all-0xFF header at 2120) that are not
	 * padding: an event hidden behind it. */
	b = ovmf(&len);
	assert_int_equal(b[2120], 0xff);
	assert_int_equal(parse_buf(b, len, EV_REGS_CC_MR, why), TP_ERR_none);
	b[2120 + 500] = 0x42;
	assert_int_equal(parse_buf(b, len, EV_REGS_CC_MR, why),
	                 TP_ERR_event_log_malformed);
	free(b);
	/* No Spec ID signature; first event not EV_NO_ACTION. */
	b = ovmf(&len);
	b[0x20] = 'X';
	assert_int_equal(parse_buf(b, len, EV_REGS_CC_MR, why),
	                 TP_ERR_event_log_unsupported);
	b[0x20] = 'S';
	b[4] = 4;
	assert_int_equal(parse_buf(b, len, EV_REGS_CC_MR, why),
	                 TP_ERR_event_log_unsupported);
	free(b);
	/* More than EV_MAX_BYTES. */
	b = calloc(EV_MAX_BYTES + 1, 1);
	assert_int_equal(parse_buf(b, EV_MAX_BYTES + 1, EV_REGS_TPM_PCR, why),
	                 TP_ERR_event_log_too_large);
	free(b);
}

/* A SHA-256-only crypto-agile log, built here from the spec's layout. */
struct builder {
	uint8_t *b;
	size_t n, cap;
};

static void
put(struct builder *w, const void *p, size_t n)
{
	if (w->n + n > w->cap) {
		w->cap = (w->n + n) * 2;
		w->b = realloc(w->b, w->cap);
		assert_non_null(w->b);
	}
	if (n > 0)
		memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void
put32(struct builder *w, uint32_t v)
{
	uint8_t le[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
	                 (uint8_t)(v >> 24)};
	put(w, le, 4);
}

static void
spec_header(struct builder *w)
{
	static const uint8_t zero20[20];
	static const uint8_t spec[] = {'S',  'p', 'e', 'c', ' ', 'I', 'D',
	                               ' ',  'E', 'v', 'e', 'n', 't', '0',
	                               '3',  0,   0,   0,   0,   0, /* class */
	                               0,    2,   0,   2, /* version */
	                               1,    0,   0,   0, /* 1 alg */
	                               0x0b, 0,   32,  0, /* SHA-256 */
	                               0};                /* vendor */
	put32(w, 0);
	put32(w, 3);
	put(w, zero20, 20);
	put32(w, sizeof(spec));
	put(w, spec, sizeof(spec));
}

static void
event(struct builder *w, uint32_t pcr, uint32_t type, const uint8_t d[32],
      const void *data, uint32_t dlen)
{
	uint8_t alg[2] = {0x0b, 0};

	put32(w, pcr);
	put32(w, type);
	put32(w, 1);
	put(w, alg, 2);
	put(w, d, 32);
	put32(w, dlen);
	put(w, data, dlen);
}

static void
test_startup_locality(void **state)
{
	struct builder w = {0};
	uint8_t d[32], in[64], want[32];
	static const uint8_t loc[17] = "StartupLocality\0\3";
	struct ev_log log;
	char why[256];

	(void)state;
	memset(d, 0xab, sizeof(d));
	spec_header(&w);
	event(&w, 0, 3, d, loc, sizeof(loc));
	event(&w, 0, 8, d, "v", 1);
	assert_int_equal(
	        ev_log_parse(w.b, w.n, EV_REGS_TPM_PCR, &log, why, sizeof(why)),
	        TP_ERR_none);
	assert_int_equal(log.startup_locality, 3);
	/* PCR0 = SHA256(0..0 03 || d): the locality is the reset value's
	 * last byte (PFP 10.4.5.3). */
	memset(in, 0, 32);
	in[31] = 3;
	memcpy(in + 32, d, 32);
	assert_int_equal(EVP_Digest(in, 64, want, NULL, EVP_sha256(), NULL), 1);
	assert_memory_equal(log.reg[EV_SHA256][0], want, 32);
	ev_log_free(&log);
	/* In CCEL mode the event is not a locality: MR 0 is never extended
	 * and RTMRs start at zero. */
	assert_int_equal(
	        ev_log_parse(w.b, w.n, EV_REGS_CC_MR, &log, why, sizeof(why)),
	        TP_ERR_none);
	assert_int_equal(log.startup_locality, 0);
	ev_log_free(&log);
	/* A locality after PCR0 was extended. */
	event(&w, 0, 3, d, loc, sizeof(loc));
	assert_int_equal(
	        ev_log_parse(w.b, w.n, EV_REGS_TPM_PCR, &log, why, sizeof(why)),
	        TP_ERR_event_log_malformed);
	free(w.b);
}

static void
test_too_many_events(void **state)
{
	struct builder w = {0};
	uint8_t d[32] = {0x11};
	struct ev_log log;
	char why[256];
	clock_t t0 = clock();

	(void)state;
	/* 10^6 tiny events: over EV_MAX_BYTES, refused before any work. */
	spec_header(&w);
	for (int i = 0; i < 1000000; i++)
		event(&w, 1, 1, d, NULL, 0);
	assert_true(w.n > EV_MAX_BYTES);
	t0 = clock();
	assert_int_equal(
	        ev_log_parse(w.b, w.n, EV_REGS_TPM_PCR, &log, why, sizeof(why)),
	        TP_ERR_event_log_too_large);
	/* Within EV_MAX_BYTES but more than EV_MAX_EVENTS events. */
	w.n = 0;
	spec_header(&w);
	for (int i = 0; i < EV_MAX_EVENTS + 1; i++)
		event(&w, 1, 1, d, NULL, 0);
	assert_true(w.n <= EV_MAX_BYTES);
	assert_int_equal(
	        ev_log_parse(w.b, w.n, EV_REGS_TPM_PCR, &log, why, sizeof(why)),
	        TP_ERR_event_log_too_large);
	assert_null(log.events);
	/* Exactly EV_MAX_EVENTS (the Spec ID event is one) is accepted. */
	w.n = 0;
	spec_header(&w);
	for (int i = 0; i < EV_MAX_EVENTS - 1; i++)
		event(&w, 1, 1, d, NULL, 0);
	assert_int_equal(
	        ev_log_parse(w.b, w.n, EV_REGS_TPM_PCR, &log, why, sizeof(why)),
	        TP_ERR_none);
	assert_int_equal(log.n, EV_MAX_EVENTS);
	ev_log_free(&log);
	/* Generous even for ASan on a busy machine. */
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 10.0);
	free(w.b);
}

/* A Spec ID event declaring NALGS algorithms (ALGS: id, size pairs). */
static void
spec_algs(struct builder *w, uint32_t nalgs, const uint16_t *algs,
          size_t npairs)
{
	static const uint8_t zero20[20];
	static const uint8_t head[24] = "Spec ID Event03\0\0\0\0\0\0\2\0\2";
	uint8_t vendor = 0;

	put32(w, 0);
	put32(w, 3);
	put(w, zero20, 20);
	put32(w, (uint32_t)(sizeof(head) + 4 + 4 * npairs + 1));
	put(w, head, sizeof(head));
	put32(w, nalgs);
	for (size_t i = 0; i < 2 * npairs; i++) {
		uint8_t le[2] = {(uint8_t)algs[i], (uint8_t)(algs[i] >> 8)};

		put(w, le, 2);
	}
	put(w, &vendor, 1);
}

static void
test_spec_id(void **state)
{
	/* SM3_256 (0x0012) is declared but not replayed: its digests are
	 * skipped by the size the Spec ID gives. */
	static const uint16_t sm3_sha256[] = {0x0012, 32, 0x000b, 32};
	static const uint16_t sha256_twice[] = {0x000b, 32, 0x000b, 32};
	uint8_t d[32], in[64], want[32];
	uint8_t alg[2];
	struct builder w = {0};
	struct ev_log log;
	char why[256];

	(void)state;
	memset(d, 0x5a, sizeof(d));
	memset(in, 0xc3, sizeof(in));
	spec_algs(&w, 2, sm3_sha256, 2);
	put32(&w, 4);
	put32(&w, 0x0d);
	put32(&w, 2);
	alg[0] = 0x12, alg[1] = 0;
	put(&w, alg, 2);
	put(&w, in, 32); /* the SM3 digest, any bytes */
	alg[0] = 0x0b;
	put(&w, alg, 2);
	put(&w, d, 32);
	put32(&w, 0);
	assert_int_equal(
	        ev_log_parse(w.b, w.n, EV_REGS_TPM_PCR, &log, why, sizeof(why)),
	        TP_ERR_none);
	assert_true(log.bank[EV_SHA256]);
	assert_false(log.bank[EV_SHA1] || log.bank[EV_SHA384]);
	memset(in, 0, 32);
	memcpy(in + 32, d, 32);
	assert_int_equal(EVP_Digest(in, 64, want, NULL, EVP_sha256(), NULL), 1);
	assert_memory_equal(log.reg[EV_SHA256][4], want, 32);
	assert_true(log.extended[EV_SHA256][4]);
	assert_false(log.extended[EV_SHA256][3]);
	ev_log_free(&log);

	/* An algorithm listed twice; 0 or 1000 algorithms. */
	w.n = 0;
	spec_algs(&w, 2, sha256_twice, 2);
	assert_int_equal(
	        ev_log_parse(w.b, w.n, EV_REGS_TPM_PCR, &log, why, sizeof(why)),
	        TP_ERR_event_log_malformed);
	w.n = 0;
	spec_algs(&w, 0, NULL, 0);
	assert_int_equal(
	        ev_log_parse(w.b, w.n, EV_REGS_TPM_PCR, &log, why, sizeof(why)),
	        TP_ERR_event_log_malformed);
	w.n = 0;
	spec_algs(&w, 1000, sm3_sha256, 2);
	assert_int_equal(
	        ev_log_parse(w.b, w.n, EV_REGS_TPM_PCR, &log, why, sizeof(why)),
	        TP_ERR_event_log_malformed);
	/* More algorithms declared than the event holds. */
	w.n = 0;
	spec_algs(&w, 3, sm3_sha256, 2);
	assert_int_equal(
	        ev_log_parse(w.b, w.n, EV_REGS_TPM_PCR, &log, why, sizeof(why)),
	        TP_ERR_event_log_malformed);
	free(w.b);
}

static void
test_reg_names(void **state)
{
	struct ev_log log = {0};
	char n[16];

	(void)state;
	log.regs = EV_REGS_TPM_PCR;
	ev_reg_name(&log, 7, n, sizeof(n));
	assert_string_equal(n, "pcr7");
	log.regs = EV_REGS_CC_MR;
	ev_reg_name(&log, 0, n, sizeof(n));
	assert_string_equal(n, "mrtd");
	ev_reg_name(&log, 2, n, sizeof(n));
	assert_string_equal(n, "rtmr1");
	log.regs = EV_REGS_RTMR;
	ev_reg_name(&log, 2, n, sizeof(n));
	assert_string_equal(n, "rtmr2");
	assert_string_equal(ev_bank_name(EV_SHA384), "sha384");
	assert_int_equal(ev_bank_size(EV_SHA512), 64);
	ev_log_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ccel_ovmf),
	        cmocka_unit_test(test_ccel_grub_gke),
	        cmocka_unit_test(test_ccel_intel_ita),
	        cmocka_unit_test(test_gotpm_ubuntu),
	        cmocka_unit_test(test_gotpm_rhel8),
	        cmocka_unit_test(test_dstack),
	        cmocka_unit_test(test_dstack_hostile),
	        cmocka_unit_test(test_truncated),
	        cmocka_unit_test(test_hostile_fields),
	        cmocka_unit_test(test_startup_locality),
	        cmocka_unit_test(test_too_many_events),
	        cmocka_unit_test(test_spec_id),
	        cmocka_unit_test(test_reg_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
