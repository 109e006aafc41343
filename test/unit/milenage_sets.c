/* Reader for test/data/ts35208-milenage.txt (format in its header). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sec/hex.h"
#include "test/unit/milenage_sets.h"

struct field {
	const char *key;
	size_t off, len;
};

/* clang-format off */
#define SIZE(m) sizeof(((struct ts35208_set *)0)->m)
#define F(m)    {#m, offsetof(struct ts35208_set, m), SIZE(m)}
/* clang-format on */
static const struct field fields[] = {
	F(k),      F(rand), F(sqn), F(amf), F(op), F(opc),    F(f1),
	F(f1star), F(f2),   F(f5),  F(f3),  F(f4), F(f5star),
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int complete(const struct ts35208_set *s, const unsigned *seen, char *err, size_t errlen)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (!(*seen & 1u << i))
			return fail(err, errlen, "set %d lacks %s", s->number, fields[i].key);
	return 0;
}

int ts35208_load(struct ts35208_set *sets, int max, char *err, size_t errlen)
{
	const char *top = getenv("top_srcdir");
	char path[4096], line[256], why[128];
	unsigned seen = 0;
	int n = 0, lineno = 0, rc = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/test/data/ts35208-milenage.txt", top ? top : ".");
	f = fopen(path, "r");
	if (!f)
		return fail(err, errlen, "cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		char *eq, *val;
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq) {
			fail(err, errlen, "%s:%d: no '='", path, lineno);
			goto out;
		}
		*eq = '\0';
		val = eq + 1;
		if (!strcmp(line, "set")) {
			if (n > 0 && complete(&sets[n - 1], &seen, err, errlen) < 0)
				goto out;
			if (n == max) {
				fail(err, errlen, "%s:%d: more than %d sets", path, lineno, max);
				goto out;
			}
			memset(&sets[n], 0, sizeof(sets[n]));
			sets[n++].number = atoi(val);
			seen = 0;
			continue;
		}
		size_t i;
		for (i = 0; i < NFIELDS && strcmp(line, fields[i].key); i++)
			;
		if (i == NFIELDS || n == 0 || (seen & 1u << i)) {
			fail(err, errlen, "%s:%d: unexpected key '%s'", path, lineno, line);
			goto out;
		}
		if (sec_hex_decode_exact(val, strlen(val), (uint8_t *)&sets[n - 1] + fields[i].off,
					 fields[i].len, why, sizeof(why)) < 0) {
			fail(err, errlen, "%s:%d: %s: %s", path, lineno, line, why);
			goto out;
		}
		seen |= 1u << i;
	}
	if (n > 0 && complete(&sets[n - 1], &seen, err, errlen) < 0)
		goto out;
	rc = n;
out:
	fclose(f);
	return rc;
}
