/* PLACEHOLDER: replaced by the real subcommand (in progress). */
#include <stdio.h>
#include "tools/imsue_cmds.h"
int imsue_cmd_reginfo(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "imsue: 'reginfo' is not implemented in this build\n");
	return 2;
}
