/* imsue sms HEX [--imsi DIGITS] [--impi IMPI] [--port N]: decode an
 * SMS-DELIVER TPDU and say whether it is an RCC.14 configuration trigger
 * (the key list is in doc/autoconf.md). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provisioning/sms.h"
#include "tools/imsue_cmds.h"

/* One line per value: backslash and control characters escaped. */
static void put_value(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", stdout);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p == '\r')
			fputs("\\r", stdout);
		else if (*p == '\t')
			fputs("\\t", stdout);
		else if (*p < 0x20 || *p == 0x7f)
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
}

static void kv(const char *key, const char *value)
{
	printf("%s=", key);
	put_value(value);
	putchar('\n');
}

int imsue_cmd_sms(int argc, char **argv)
{
	const char *hex = NULL;
	struct prov_sms_match m = { 0 };

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--imsi") || !strcmp(a, "--impi") || !strcmp(a, "--port")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "imsue: sms: %s needs a value\n", a);
				return 2;
			}
			const char *v = argv[++i];
			if (!strcmp(a, "--imsi")) {
				m.imsi = v;
			} else if (!strcmp(a, "--impi")) {
				m.impi = v;
			} else {
				char *end;
				unsigned long p = strtoul(v, &end, 10);
				if (!*v || *end || p < 1 || p > 65535) {
					fprintf(stderr, "imsue: sms: --port '%s' is not 1..65535\n",
						v);
					return 2;
				}
				m.port = (uint16_t)p;
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "imsue: sms: unknown option '%s'\n", a);
			return 2;
		} else if (hex) {
			fprintf(stderr, "imsue: sms: more than one HEX argument\n");
			return 2;
		} else {
			hex = a;
		}
	}
	if (!hex) {
		fprintf(stderr, "imsue: sms: missing HEX (usage: imsue sms HEX [--imsi DIGITS] "
				"[--impi IMPI] [--port N])\n");
		return 2;
	}
	if (m.imsi) {
		size_t n = strlen(m.imsi);
		if (n < 6 || n > 15 || strspn(m.imsi, "0123456789") != n) {
			fprintf(stderr, "imsue: sms: --imsi '%s' is not 6 to 15 digits\n", m.imsi);
			return 2;
		}
	}
	uint8_t tpdu[PROV_SMS_TPDU_MAX];
	size_t len;
	char err[160];
	if (prov_sms_from_hex(hex, strlen(hex), tpdu, sizeof(tpdu), &len, err, sizeof(err)) < 0) {
		fprintf(stderr, "imsue: sms: bad hex: %s\n", err);
		return 2;
	}
	struct prov_sms sms;
	if (prov_sms_decode(tpdu, len, &sms, err, sizeof(err)) < 0) {
		fprintf(stderr, "imsue: sms: malformed TPDU: %s\n", err);
		return 2;
	}
	kv("oa", sms.oa);
	printf("pid=0x%02x\n", sms.pid);
	printf("dcs=0x%02x\n", sms.dcs);
	printf("alphabet=%s%s\n", prov_sms_alphabet_name(sms.alphabet),
	       sms.compressed ? "-compressed" : "");
	if (sms.scts.valid) {
		int tz = sms.scts.tz_minutes;
		printf("scts=%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d\n", sms.scts.year,
		       sms.scts.month, sms.scts.day, sms.scts.hour, sms.scts.minute,
		       sms.scts.second, tz < 0 ? '-' : '+', abs(tz) / 60, abs(tz) % 60);
	} else {
		printf("scts=invalid\n");
	}
	if (sms.has_port) {
		printf("port=%u\n", sms.dst_port);
		printf("src_port=%u\n", sms.src_port);
	} else {
		printf("port=none\n");
	}
	if (sms.concatenated)
		printf("part=%u/%u\n", sms.concat_seq, sms.concat_total);
	if (sms.has_text) {
		kv("text", sms.text);
	} else {
		printf("text=\ndata=");
		for (size_t i = 0; i < sms.data_len; i++)
			printf("%02x", sms.data[i]);
		putchar('\n');
	}
	char reason[160];
	enum prov_sms_trigger t = prov_sms_trigger_match(&sms, &m, reason, sizeof(reason));
	if (t == PROV_SMS_NO_TRIGGER) {
		printf("trigger=no\n");
		kv("reason", reason);
	} else {
		printf("trigger=yes\n");
		printf("match=%s\n", t == PROV_SMS_TRIGGER_IMSI ? "imsi" : "impi");
	}
	fflush(stdout);
	return 0;
}
