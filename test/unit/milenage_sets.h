/* The TS 35.208 4.3 Milenage test sets of test/data/ts35208-milenage.txt,
 * for the unit tests that use them. */
#ifndef IMSUE_TEST_MILENAGE_SETS_H
#define IMSUE_TEST_MILENAGE_SETS_H

#include <stddef.h>
#include <stdint.h>

struct ts35208_set {
	int number;
	uint8_t k[16], rand[16], sqn[6], amf[2], op[16], opc[16];
	uint8_t f1[8], f1star[8], f2[8], f5[6], f3[16], f4[16], f5star[6];
};

/* Read the sets from $top_srcdir/test/data/ts35208-milenage.txt (top_srcdir
 * defaults to "."), every key present exactly once in each. Returns the
 * number of sets, or -1 with a one-line reason in err. */
int ts35208_load(struct ts35208_set *sets, int max, char *err, size_t errlen);

#endif
