/* sec/xfrm.c against the running kernel, in a fresh network namespace
 * (needs root). On a kernel without ESP (the build machines) adding a set
 * must fail with a clear one-line error and leave no policy or SA behind;
 * on a kernel with ESP the set must appear and go away again. Start-up
 * cleanup must remove our tagged policies and nothing else.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/xfrm.h>

#include "sec/xfrm.h"
#include "sec/xfrm_priv.h"

/* Output of an `ip xfrm` command (empty string on failure). */
static void ip_out(const char *cmd, char *out, size_t outlen)
{
	FILE *f = popen(cmd, "r");
	size_t n = 0;

	out[0] = '\0';
	if (!f)
		return;
	n = fread(out, 1, outlen - 1, f);
	out[n] = '\0';
	pclose(f);
}

static int count_lines(const char *cmd, const char *needle)
{
	char out[16384];
	int n = 0;

	ip_out(cmd, out, sizeof(out));
	for (const char *p = out; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void ue_set(struct sec_xfrm_set *s)
{
	char err[128];

	memset(s, 0, sizeof(*s));
	assert_int_equal(sec_xfrm_set_addrs(s, "10.0.0.1", "10.0.0.2", err, sizeof(err)), 0);
	s->local = (struct sec_xfrm_endpoint){
		.port_c = 5100, .port_s = 5101, .spi_c = 1111, .spi_s = 2222};
	s->remote = (struct sec_xfrm_endpoint){
		.port_c = 6100, .port_s = 6101, .spi_c = 3333, .spi_s = 4444};
	assert_int_equal(sec_xfrm_set_addrs(s, "10.0.0.1", "10.0.0.2", err, sizeof(err)), 0);
	memset(s->ik, 0x5a, 16);
	memset(s->ck, 0xa5, 16);
	s->lifetime_s = 60;
	s->id = 1;
}

static void test_add_set(void **state)
{
	struct sec_xfrm *x;
	struct sec_xfrm_set s;
	char err[512];
	int rc;

	(void)state;
	x = sec_xfrm_open(err, sizeof(err));
	assert_non_null(x);
	ue_set(&s);
	rc = sec_xfrm_set_add(x, &s, err, sizeof(err));
	if (rc) {
		print_message("# no ESP here: %s\n", err);
		assert_non_null(strstr(err, "xfrm: adding SA out port-c -> port-s 10.0.0.1:5100 -> "
					    "10.0.0.2:6101 spi 4444: Protocol not supported"));
		assert_non_null(strstr(err, "this kernel has no ESP support"));
		assert_null(strchr(err, '\n'));
		assert_false(s.installed);
	} else {
		print_message("# this kernel has ESP: the set was installed\n");
		assert_int_equal(count_lines("ip xfrm state", "proto esp"), 4);
		assert_int_equal(count_lines("ip xfrm policy", "dir "), 4);
		assert_int_equal(sec_xfrm_set_del(x, &s, err, sizeof(err)), 0);
	}
	/* either way: nothing left behind */
	assert_int_equal(count_lines("ip xfrm policy", "dir "), 0);
	assert_int_equal(count_lines("ip xfrm state", "proto esp"), 0);
	sec_xfrm_close(x);
}

/* Our policies (tagged reqid) go, a foreign one and one with a reqid just
 * outside the tag stay. */
static void test_cleanup_only_ours(void **state)
{
	struct sec_xfrm *x;
	struct sec_xfrm_set s;
	char buf[SEC_XFRM_MSG_MAX] __attribute__((aligned(8))), err[512], kerr[256];
	char out[16384];

	(void)state;
	x = sec_xfrm_open(err, sizeof(err));
	assert_non_null(x);
	assert_int_equal(system("ip xfrm policy add src 10.1.0.1 dst 10.1.0.2 dir out "
				"tmpl proto esp reqid 5 mode transport && "
				"ip xfrm policy add src 10.1.0.3 dst 10.1.0.4 dir in "
				"tmpl proto esp reqid 0x1d5f0001 mode transport"),
			 0);
	ue_set(&s);
	for (int f = 0; f < SEC_XFRM_FLOWS; f++) {
		assert_true(sec_xfrm_build_policy(buf, &s, f, false) > 0);
		assert_int_equal(sec_xfrm_request(x, (struct nlmsghdr *)buf, kerr, sizeof(kerr)),
				 0);
	}
	assert_int_equal(count_lines("ip xfrm policy", "dir "), 6);
	/* the second identical policy is refused by the kernel, verbatim */
	sec_xfrm_build_policy(buf, &s, SEC_XFRM_OUT_C, false);
	assert_int_equal(sec_xfrm_request(x, (struct nlmsghdr *)buf, kerr, sizeof(kerr)), -EEXIST);

	assert_int_equal(sec_xfrm_cleanup(x, err, sizeof(err)), 4);
	ip_out("ip xfrm policy", out, sizeof(out));
	assert_int_equal(count_lines("ip xfrm policy", "dir "), 2);
	assert_non_null(strstr(out, "10.1.0.1"));
	assert_non_null(strstr(out, "10.1.0.3"));
	assert_null(strstr(out, "10.0.0.1"));
	assert_int_equal(sec_xfrm_cleanup(x, err, sizeof(err)), 0);
	assert_int_equal(system("ip xfrm policy flush"), 0);
	sec_xfrm_close(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_set),
		cmocka_unit_test(test_cleanup_only_ours),
	};

	const char *skip_reason = NULL;

	if (geteuid() != 0)
		skip_reason = "not root: cannot make a network namespace for XFRM";
	else if (unshare(CLONE_NEWNET) != 0)
		skip_reason = "unshare(CLONE_NEWNET) failed: no fresh network namespace";
	else if (system("ip xfrm policy >/dev/null 2>&1") != 0)
		skip_reason = "`ip xfrm` (iproute2) is not usable";
	if (skip_reason) {
		printf("1..1\nok 1 - xfrm against the kernel # SKIP %s\n", skip_reason);
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
