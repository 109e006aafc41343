/* imsue: offline utilities over the library's pure functions. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sec/version.h"
#include "tools/imsue_cmds.h"

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

static const struct cmd cmds[] = {
	{ "aka", imsue_cmd_aka,
	  "aka --k HEX (--op HEX|--opc HEX) --rand HEX --autn HEX [--sqn-ms HEX] [--amf HEX]\n"
	  "            [--ind-bits N] [--delta N|none]" },
	{ "identity", imsue_cmd_identity,
	  "identity [--imsi DIGITS [--mnc-digits 2|3]] [--imei DIGITS]" },
	{ "provdoc", imsue_cmd_provdoc, "provdoc FILE [--all] [--show-secrets]" },
	{ "sms", imsue_cmd_sms, "sms HEX [--imsi DIGITS] [--impi IMPI] [--port N]" },
	{ "reginfo", imsue_cmd_reginfo, "reginfo FILE --contact URI [--instance URN]" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: imsue COMMAND [ARGS]\n       imsue --help | --version\ncommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  imsue %s\n", cmds[i].usage);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "imsue: missing command (try --help)\n");
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("imsue %s\n", imsue_version());
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].run(argc - 1, argv + 1);
	fprintf(stderr, "imsue: unknown command '%s' (try --help)\n", argv[1]);
	return 2;
}
