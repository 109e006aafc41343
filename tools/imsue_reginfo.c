/* imsue reginfo FILE --contact URI [--instance URN]
 * Reads one reg event NOTIFY body (RFC 3680) as the first of a new
 * subscription and prints, per registration, what the UE would do
 * (TS 24.229 5.1.1.5A, 5.1.1.7; doc/reg-event.md):
 *   aor=<aor> state=<state> action=<action>[ expires=N][ reason=EVENT]
 *   [ rejected=yes][ retry_after=N]
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/imsue_cmds.h"
#include "ue/reginfo.h"

#define USAGE "usage: imsue reginfo FILE --contact URI [--instance URN]   (FILE may be -)\n"

/* Read at most UE_REGINFO_MAX_SIZE + 1 bytes: a bigger file is then
 * reported by the parser as too big without reading all of it. */
static int read_file(const char *path, uint8_t **out, size_t *len)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : dup(0);
	size_t cap = UE_REGINFO_MAX_SIZE + 1, n = 0;
	uint8_t *buf;

	if (fd < 0)
		return -1;
	if (!(buf = malloc(cap))) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	while (n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			close(fd);
			errno = e;
			return -1;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	close(fd);
	*out = buf;
	*len = n;
	return 0;
}

/* A value on a space-separated line: space, controls, DEL and backslash
 * escaped as \xNN (\\ for backslash). */
static void put_value(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", stdout);
		else if (*p <= 0x20 || *p == 0x7f)
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
}

static void print_action(const struct ue_reginfo_action *a)
{
	fputs("aor=", stdout);
	put_value(a->aor);
	printf(" state=%s action=%s", ue_reginfo_reg_state_name(a->state),
	       ue_reginfo_action_name(a->action));
	if (a->action == UE_REGINFO_ACT_REREGISTER)
		printf(" expires=%u", (unsigned)a->expires);
	if (a->action == UE_REGINFO_ACT_DEREGISTERED) {
		printf(" reason=%s", a->reason);
		if (a->rejected)
			fputs(" rejected=yes", stdout);
		if (a->retry_after.present)
			printf(" retry_after=%u", (unsigned)a->retry_after.value);
	}
	putchar('\n');
}

int imsue_cmd_reginfo(int argc, char **argv)
{
	const char *file = NULL, *contact = NULL, *instance = NULL;

	for (int i = 1; i < argc; i++) {
		const char *v, *opt = argv[i];
		int missing = 0;
		if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
			fputs(USAGE, stdout);
			return 0;
		}
		if ((v = imsue_opt_value(argc, argv, &i, "--contact", &missing))) {
			if (contact)
				goto twice;
			contact = v;
		} else if ((v = imsue_opt_value(argc, argv, &i, "--instance", &missing))) {
			if (instance)
				goto twice;
			instance = v;
		} else if (missing) {
			fprintf(stderr, "imsue reginfo: %s needs a value\n", opt);
			return 2;
		} else if (opt[0] == '-' && opt[1]) {
			fprintf(stderr, "imsue reginfo: unknown argument '%s'\n", opt);
			return 2;
		} else if (file) {
			fprintf(stderr, "imsue reginfo: more than one FILE ('%s')\n", opt);
			return 2;
		} else {
			file = opt;
		}
		continue;
	twice:
		fprintf(stderr, "imsue reginfo: %.*s given twice\n", (int)strcspn(opt, "="), opt);
		return 2;
	}
	if (!file) {
		fprintf(stderr, "imsue reginfo: FILE is required (%.*s)\n", (int)strlen(USAGE) - 1,
			USAGE);
		return 2;
	}
	if (!contact || !*contact) {
		fprintf(stderr, "imsue reginfo: --contact URI is required\n");
		return 2;
	}

	uint8_t *data;
	size_t len;
	if (read_file(file, &data, &len) < 0) {
		fprintf(stderr, "imsue reginfo: %s: %s\n", file, strerror(errno));
		return 2;
	}
	struct ue_reginfo *doc;
	char err[256];
	int rc = ue_reginfo_parse(data, len, &doc, err, sizeof(err));
	free(data);
	if (rc < 0) {
		fprintf(stderr, "imsue reginfo: %s: %s\n", file, err);
		return 2;
	}

	struct ue_reginfo_sub *sub;
	struct ue_reginfo_result *res = malloc(sizeof(*res));
	if (!res || ue_reginfo_sub_new(&sub, contact, instance, err, sizeof(err)) < 0) {
		fprintf(stderr, "imsue reginfo: %s\n", res ? err : "out of memory");
		free(res);
		ue_reginfo_free(doc);
		return 2;
	}
	rc = ue_reginfo_sub_apply(sub, doc, res, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "imsue reginfo: %s: %s\n", file, err);
		rc = 2;
	} else {
		for (size_t i = 0; i < res->n_actions; i++)
			print_action(&res->actions[i]);
		rc = fflush(stdout) ? 1 : 0;
	}
	ue_reginfo_sub_free(sub);
	ue_reginfo_free(doc);
	free(res);
	return rc;
}
