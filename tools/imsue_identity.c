/* imsue identity --imsi DIGITS [--mnc-digits 2|3] [--imei DIGITS]
 * Prints the TS 23.003 identities derived from the IMSI and, with --imei,
 * the RFC 7254 instance ID. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "provisioning/identity.h"
#include "tools/imsue_cmds.h"

#define USAGE "usage: imsue identity (--imsi DIGITS [--mnc-digits 2|3] | --imei DIGITS)...\n"

int imsue_cmd_identity(int argc, char **argv)
{
	const char *imsi = NULL, *imei = NULL, *mnc = NULL;
	char err[160];

	for (int i = 1; i < argc; i++) {
		const char *v, *opt = argv[i];
		int missing = 0;
		if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
			fputs(USAGE, stdout);
			return 0;
		}
		if ((v = imsue_opt_value(argc, argv, &i, "--imsi", &missing))) {
			if (imsi)
				goto twice;
			imsi = v;
		} else if ((v = imsue_opt_value(argc, argv, &i, "--mnc-digits", &missing))) {
			if (mnc)
				goto twice;
			mnc = v;
		} else if ((v = imsue_opt_value(argc, argv, &i, "--imei", &missing))) {
			if (imei)
				goto twice;
			imei = v;
		} else if (missing) {
			fprintf(stderr, "imsue identity: %s needs a value\n", opt);
			return 2;
		} else {
			fprintf(stderr, "imsue identity: unknown argument '%s'\n", opt);
			return 2;
		}
		continue;
	twice:
		fprintf(stderr, "imsue identity: %.*s given twice\n", (int)strcspn(opt, "="), opt);
		return 2;
	}
	if (!imsi && !imei) {
		fprintf(stderr, "imsue identity: --imsi or --imei is required\n");
		return 2;
	}
	if (mnc && !imsi) {
		fprintf(stderr, "imsue identity: --mnc-digits needs --imsi\n");
		return 2;
	}
	int mnc_digits = 0;
	if (mnc) {
		if (strcmp(mnc, "2") && strcmp(mnc, "3")) {
			fprintf(stderr, "imsue identity: --mnc-digits must be 2 or 3\n");
			return 2;
		}
		mnc_digits = mnc[0] - '0';
	}

	struct prov_identity id;
	char urn[PROV_INSTANCE_URN_LEN];
	if (imsi &&
	    prov_identity_from_imsi(imsi, strlen(imsi), mnc_digits, &id, err, sizeof(err)) < 0) {
		fprintf(stderr, "imsue identity: %s\n", err);
		return 2;
	}
	if (imei && prov_identity_instance_urn(imei, strlen(imei), urn, sizeof(urn), err,
					       sizeof(err)) < 0) {
		fprintf(stderr, "imsue identity: %s\n", err);
		return 2;
	}
	if (imsi)
		printf("impi=%s\nimpu=%s\nhome_domain=%s\nautoconf_url=%s\n", id.impi, id.impu,
		       id.home_domain, id.autoconf_url);
	if (imei)
		printf("instance=%s\n", urn);
	return fflush(stdout) ? 1 : 0;
}
