/* Subcommands of the offline utility `imsue`. Each prints key=value lines
 * and returns the exit status: 0 success, 1 protocol/validation failure,
 * 2 bad usage or malformed input (with a one-line reason on stderr). */
#ifndef IMSUE_TOOLS_IMSUE_CMDS_H
#define IMSUE_TOOLS_IMSUE_CMDS_H

int imsue_cmd_aka(int argc, char **argv);
int imsue_cmd_identity(int argc, char **argv);
int imsue_cmd_provdoc(int argc, char **argv);
int imsue_cmd_sms(int argc, char **argv);
int imsue_cmd_reginfo(int argc, char **argv);

/* "--name VALUE" or "--name=VALUE" at argv[*i]: the value, advancing *i past
 * it; NULL if this argument is not --name. *missing is set when the value is
 * absent. */
const char *imsue_opt_value(int argc, char **argv, int *i, const char *name, int *missing);

#endif
