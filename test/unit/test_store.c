/* Unit tests: the per-identity secure store (provisioning/store.c):
 * permissions, atomic replace under injected failures and SIGKILL at
 * every step and at random moments, backup/restore (RCC.14 use case 5),
 * bootstrap purge (OMA LWM2M CR) and reset. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "provisioning/store.h"

#define ID  "214011001388741"
#define ID2 "310150123456789"

struct fixture {
	char base[256]; /* mkdtemp */
	char root[300]; /* base/store, not created */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	const char *tmp = getenv("TMPDIR");
	snprintf(f->base, sizeof(f->base), "%s/imsue-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->base))
		return -1;
	snprintf(f->root, sizeof(f->root), "%s/store", f->base);
	*state = f;
	return 0;
}

static void rm_tree(const char *path)
{
	struct stat sb;
	if (lstat(path, &sb) < 0)
		return;
	if (S_ISDIR(sb.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char sub[1024];
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			rm_tree(sub);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	rm_tree(f->base);
	free(f);
	return 0;
}

static struct prov_store *open_store(const char *root,
				     int (*hook)(void *, enum prov_store_step), void *arg)
{
	struct prov_store_params p = { .root = root, .step_hook = hook, .hook_arg = arg };
	struct prov_store *st = NULL;
	char err[256];
	if (prov_store_open(&p, &st, err, sizeof(err)))
		fail_msg("open %s: %s", root, err);
	return st;
}

/* A record whose document is n copies of c, so that a torn write shows. */
static void make_record(struct prov_record *r, int32_t version, char c, size_t n, int64_t now)
{
	memset(r, 0, sizeof(*r));
	prov_record_set_validity(r, version, 3600, now);
	char *doc = malloc(n);
	assert_non_null(doc);
	memset(doc, c, n);
	assert_int_equal(prov_record_set_doc(r, (uint8_t *)doc, n), 0);
	free(doc);
	char tok[32];
	snprintf(tok, sizeof(tok), "token-%c", c);
	assert_int_equal(prov_record_set_token(r, tok, 600, now), 0);
}

/* The loaded record is exactly make_record(version, c, n). */
static void check_record(const struct prov_record *r, int32_t version, char c, size_t n)
{
	assert_int_equal(r->version, version);
	assert_int_equal(r->validity, 3600);
	assert_int_equal(r->doc_len, n);
	for (size_t i = 0; i < n; i++)
		if (r->doc[i] != (uint8_t)c)
			fail_msg("document byte %zu is 0x%02x, not '%c'", i, r->doc[i], c);
	char tok[32];
	snprintf(tok, sizeof(tok), "token-%c", c);
	assert_string_equal(r->token, tok);
}

static mode_t mode_of(const char *path)
{
	struct stat sb;
	if (lstat(path, &sb) < 0)
		fail_msg("stat %s: %s", path, strerror(errno));
	return sb.st_mode & 07777;
}

/* Names in a directory that look like temporary files. */
static int count_temps(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] == '.' && strstr(e->d_name, ".tmp."))
			n++;
	if (d)
		closedir(d);
	return n;
}

/* ---- basics ---- */

static void test_roundtrip_and_modes(void **state)
{
	struct fixture *f = *state;
	struct prov_store *st = open_store(f->root, NULL, NULL);
	struct prov_record r, l;
	char err[256], path[512];

	assert_int_equal(mode_of(f->root), 0700);
	assert_int_equal(prov_store_load(st, ID, &l, err, sizeof(err)), PROV_STORE_NONE);

	/* Everything a record holds, including a binary document and a token
	 * with characters that would break a line format. */
	memset(&r, 0, sizeof(r));
	prov_record_set_validity(&r, 7, 86400, 1000);
	assert_int_equal(r.expires, 87400);
	static const uint8_t doc[] = "<x>\n\n=\0binary\xff</x>";
	assert_int_equal(prov_record_set_doc(&r, doc, sizeof(doc)), 0);
	assert_int_equal(prov_record_set_token(&r, "a=b\nc d", 300, 1000), 0);
	r.msisdn = strdup("+34600000001");
	assert_int_equal(prov_store_save(st, ID, &r, err, sizeof(err)), 0);

	assert_int_equal(prov_store_load(st, ID, &l, err, sizeof(err)), 0);
	assert_int_equal(l.version, 7);
	assert_int_equal(l.validity, 86400);
	assert_int_equal(l.received, 1000);
	assert_int_equal(l.expires, 87400);
	assert_true(l.has_token);
	assert_string_equal(l.token, "a=b\nc d");
	assert_true(l.has_token_validity);
	assert_int_equal(l.token_validity, 300);
	assert_int_equal(l.token_expires, 1300);
	assert_string_equal(l.msisdn, "+34600000001");
	assert_int_equal(l.doc_len, sizeof(doc));
	assert_memory_equal(l.doc, doc, sizeof(doc));
	assert_true(prov_record_valid(&l, 87399));
	assert_false(prov_record_valid(&l, 87400));
	prov_record_clear(&l);

	snprintf(path, sizeof(path), "%s/%s", f->root, ID);
	assert_int_equal(mode_of(path), 0700);
	snprintf(path, sizeof(path), "%s/%s/record", f->root, ID);
	assert_int_equal(mode_of(path), 0600);

	/* A reset record: version -1, no document, no token. */
	prov_record_clear(&r);
	prov_record_set_validity(&r, -1, -1, 2000);
	assert_int_equal(r.expires, 0);
	assert_int_equal(prov_store_save(st, ID, &r, err, sizeof(err)), 0);
	assert_int_equal(prov_store_load(st, ID, &l, err, sizeof(err)), 0);
	assert_int_equal(l.version, -1);
	assert_null(l.doc);
	assert_false(l.has_token);
	assert_null(l.msisdn);
	assert_false(prov_record_valid(&l, 0));
	prov_record_clear(&l);

	/* An empty token is a token. */
	assert_int_equal(prov_record_set_token(&r, "", -1, 0), 0);
	assert_int_equal(prov_store_save(st, ID, &r, err, sizeof(err)), 0);
	assert_int_equal(prov_store_load(st, ID, &l, err, sizeof(err)), 0);
	assert_true(l.has_token);
	assert_string_equal(l.token, "");
	assert_false(l.has_token_validity);
	prov_record_clear(&l);
	prov_record_clear(&r);

	/* A wrong mode on our own identity directory is repaired. */
	snprintf(path, sizeof(path), "%s/%s", f->root, ID);
	assert_int_equal(chmod(path, 0755), 0);
	assert_int_equal(prov_store_load(st, ID, &l, err, sizeof(err)), 0);
	prov_record_clear(&l);
	assert_int_equal(mode_of(path), 0700);
	prov_store_close(st);
}

static void test_root_checks(void **state)
{
	struct fixture *f = *state;
	struct prov_store_params p = { .root = f->root };
	struct prov_store *st = NULL;
	char err[256] = "";

	assert_int_equal(mkdir(f->root, 0700), 0);
	assert_int_equal(chmod(f->root, 0770), 0);
	assert_int_equal(prov_store_open(&p, &st, err, sizeof(err)), -1);
	assert_null(st);
	assert_non_null(strstr(err, "is writable by group or others (mode 0770)"));
	assert_int_equal(chmod(f->root, 0700), 0);

	char missing[400];
	snprintf(missing, sizeof(missing), "%s/no/such", f->base);
	p.root = missing;
	assert_int_equal(prov_store_open(&p, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot create store directory"));
	p.root = "";
	assert_int_equal(prov_store_open(&p, &st, err, sizeof(err)), -1);
	assert_string_equal(err, "no store directory configured");
}

static void test_identity_keys(void **state)
{
	struct fixture *f = *state;
	struct prov_store *st = open_store(f->root, NULL, NULL);
	struct prov_record r = { .version = 1 }, l;
	char err[256];
	static const char *const bad[] = { "", ".", "..", "../etc", "a/b", ".hidden", "a b",
					   "a\nb", "x%y",
					   "12345678901234567890123456789012345678901234567890123456"
					   "789012345" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(prov_store_identity_ok(bad[i]));
		assert_int_equal(prov_store_save(st, bad[i], &r, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "invalid identity key"));
		assert_int_equal(prov_store_load(st, bad[i], &l, err, sizeof(err)), -1);
	}
	assert_true(prov_store_identity_ok(ID));
	assert_true(prov_store_identity_ok("+34600000001"));
	assert_true(prov_store_identity_ok("u_1.x-y@ims.example.net"));

	/* Bad MSISDN and oversized document are refused before any write. */
	r.msisdn = (char *)"0034 600";
	assert_int_equal(prov_store_save(st, ID, &r, err, sizeof(err)), -1);
	assert_string_equal(err, "MSISDN is not + and 1 to 15 digits");
	r.msisdn = NULL;
	r.doc = (uint8_t *)"x";
	r.doc_len = 256 * 1024 + 1;
	assert_int_equal(prov_store_save(st, ID, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 262144"));
	assert_int_equal(prov_store_load(st, ID, &l, err, sizeof(err)), PROV_STORE_NONE);
	prov_store_close(st);
}

static void write_file(const char *path, const char *content, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	close(fd);
}

static void test_corrupt_records(void **state)
{
	struct fixture *f = *state;
	struct prov_store *st = open_store(f->root, NULL, NULL);
	struct prov_record r, l;
	char err[256], path[600], dir[512];

	make_record(&r, 1, 'a', 10, 0);
	assert_int_equal(prov_store_save(st, ID, &r, err, sizeof(err)), 0);
	prov_record_clear(&r);
	snprintf(dir, sizeof(dir), "%s/%s", f->root, ID);
	snprintf(path, sizeof(path), "%s/record", dir);

	static const struct {
		const char *content;
		const char *want;
	} t[] = {
		{ "garbage", "(a line without newline)" },
		{ "", "(empty file)" },
		{ "something else\n\n", "(no format line)" },
		{ "imsue-prov-record 1\nversion=1\nvalidity=1\n", "(no end of header)" },
		{ "imsue-prov-record 1\nversion=1\n\n", "(no version or validity)" },
		{ "imsue-prov-record 1\nversion=x\nvalidity=1\n\n", "(version)" },
		{ "imsue-prov-record 1\nversion=1\nversion=2\nvalidity=1\n\n", "(version)" },
		{ "imsue-prov-record 1\nversion=1\nvalidity=1\ntoken=4\n\n", "(token)" },
		{ "imsue-prov-record 1\nversion=1\nvalidity=1\ntoken=00\n\n", "(token)" },
		{ "imsue-prov-record 1\nversion=1\nvalidity=1\nmsisdn=123\n\n", "(msisdn)" },
		{ "imsue-prov-record 1\nversion=1\nvalidity=1\nnoequals\n\n",
		  "(a line without '=')" },
		{ "imsue-prov-record 1\nversion=1\nvalidity=1\ndoc_length=10\n\n12345",
		  "document is 5 bytes, expected 10" },
		{ "imsue-prov-record 1\nversion=1\nvalidity=1\n\nextra",
		  "document is 5 bytes, expected 0" },
		{ "imsue-prov-record 1\nversion=1\nvalidity=1\ntoken_validity=5\n\n",
		  "token validity without token" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		write_file(path, t[i].content, strlen(t[i].content));
		err[0] = '\0';
		if (prov_store_load(st, ID, &l, err, sizeof(err)) != -1)
			fail_msg("case %zu loaded", i);
		if (!strstr(err, t[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, err, t[i].want);
		assert_null(l.doc);
	}
	/* Unknown keys (a newer writer) are ignored. */
	static const char newer[] = "imsue-prov-record 1\nversion=2\nvalidity=5\nfuture=1\n\n";
	write_file(path, newer, strlen(newer));
	assert_int_equal(prov_store_load(st, ID, &l, err, sizeof(err)), 0);
	assert_int_equal(l.version, 2);
	prov_record_clear(&l);

	/* A symbolic link is not followed. */
	unlink(path);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_int_equal(prov_store_load(st, ID, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open record"));
	unlink(path);
	prov_store_close(st);
}

/* ---- atomic replace ---- */

struct hook_arg {
	enum prov_store_step at;
	bool crash; /* SIGKILL ourselves, else return failure */
};

static int hook(void *arg, enum prov_store_step s)
{
	struct hook_arg *h = arg;
	if (s != h->at)
		return 0;
	if (h->crash)
		raise(SIGKILL);
	return -1;
}

static void test_injected_failures(void **state)
{
	struct fixture *f = *state;
	static const char *const names[] = { "temp-created", "half-written", "written",
					     "synced",       "renamed",      "done" };
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/%s", f->root, ID);

	for (int s = PROV_STORE_STEP_TEMP_CREATED; s <= PROV_STORE_STEP_DONE; s++) {
		struct hook_arg h = { .at = (enum prov_store_step)s };
		struct prov_store *st = open_store(f->root, NULL, NULL);
		struct prov_record old, neu, l;
		char err[256] = "";
		make_record(&old, 1, 'o', 70000, 0);
		assert_int_equal(prov_store_save(st, ID, &old, err, sizeof(err)), 0);
		prov_store_close(st);

		st = open_store(f->root, hook, &h);
		make_record(&neu, 2, 'n', 50000, 0);
		assert_int_equal(prov_store_save(st, ID, &neu, err, sizeof(err)), -1);
		char want[64];
		snprintf(want, sizeof(want), "simulated failure at step %s", names[s]);
		if (!strstr(err, want))
			fail_msg("step %d: '%s'", s, err);
		assert_null(strstr(err, "token-"));
		/* A failed write leaves no temporary file behind. */
		assert_int_equal(count_temps(dir), 0);
		assert_int_equal(prov_store_load(st, ID, &l, err, sizeof(err)), 0);
		if (s < PROV_STORE_STEP_RENAMED)
			check_record(&l, 1, 'o', 70000);
		else
			check_record(&l, 2, 'n', 50000);
		prov_record_clear(&l);
		prov_record_clear(&old);
		prov_record_clear(&neu);
		prov_store_close(st);
	}
}

static void test_crash_at_each_step(void **state)
{
	struct fixture *f = *state;
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/%s", f->root, ID);

	for (int s = PROV_STORE_STEP_TEMP_CREATED; s <= PROV_STORE_STEP_DONE; s++) {
		struct prov_store *st = open_store(f->root, NULL, NULL);
		struct prov_record old, l;
		char err[256];
		make_record(&old, 1, 'o', 70000, 0);
		assert_int_equal(prov_store_save(st, ID, &old, err, sizeof(err)), 0);
		prov_record_clear(&old);
		prov_store_close(st);

		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct hook_arg h = { .at = (enum prov_store_step)s, .crash = true };
			struct prov_store_params p = { .root = f->root, .step_hook = hook,
						       .hook_arg = &h };
			struct prov_store *cst;
			struct prov_record neu;
			if (prov_store_open(&p, &cst, NULL, 0))
				_exit(3);
			make_record(&neu, 2, 'n', 50000, 0);
			prov_store_save(cst, ID, &neu, NULL, 0);
			_exit(4); /* not reached: the hook kills us */
		}
		int status;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), SIGKILL);
		if (s < PROV_STORE_STEP_RENAMED)
			assert_true(count_temps(dir) == 1);

		st = open_store(f->root, NULL, NULL);
		assert_int_equal(prov_store_load(st, ID, &l, err, sizeof(err)), 0);
		if (s < PROV_STORE_STEP_RENAMED)
			check_record(&l, 1, 'o', 70000);
		else
			check_record(&l, 2, 'n', 50000);
		prov_record_clear(&l);
		/* The leftover temporary file is gone once the identity is used. */
		assert_int_equal(count_temps(dir), 0);
		prov_store_close(st);
	}
}

static void test_sigkill_random(void **state)
{
	struct fixture *f = *state;
	struct prov_store *st = open_store(f->root, NULL, NULL);
	struct prov_record r, l;
	char err[256];
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	const char *env = getenv("IMSUE_TEST_SEED");
	if (env)
		seed = (unsigned)strtoul(env, NULL, 10);
	print_message("# seed %u (IMSUE_TEST_SEED to replay)\n", seed);
	srand(seed);

	make_record(&r, 1, 'a', 100000, 0);
	assert_int_equal(prov_store_save(st, ID, &r, err, sizeof(err)), 0);
	prov_record_clear(&r);
	prov_store_close(st);

	int seen_a = 0, seen_b = 0, mid_write = 0;
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/%s", f->root, ID);
	for (int i = 0; i < 40; i++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct prov_store_params p = { .root = f->root };
			struct prov_store *cst;
			struct prov_record a, b;
			if (prov_store_open(&p, &cst, NULL, 0))
				_exit(3);
			make_record(&a, 1, 'a', 100000, 0);
			make_record(&b, 2, 'b', 30000, 0);
			for (unsigned k = 0;; k++)
				if (prov_store_save(cst, ID, k % 2 ? &a : &b, NULL, 0))
					_exit(5);
		}
		usleep((useconds_t)(rand() % 4000));
		kill(pid, SIGKILL);
		int status;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status))
			fail_msg("writer exited with %d", WEXITSTATUS(status));
		mid_write += count_temps(dir) > 0;

		st = open_store(f->root, NULL, NULL);
		assert_int_equal(prov_store_load(st, ID, &l, err, sizeof(err)), 0);
		if (l.version == 1) {
			check_record(&l, 1, 'a', 100000);
			seen_a++;
		} else {
			check_record(&l, 2, 'b', 30000);
			seen_b++;
		}
		prov_record_clear(&l);
		prov_store_close(st);
	}
	print_message("# 40 kills (%d during a write): %d old-or-A, %d B, never torn\n", mid_write,
		      seen_a, seen_b);
}

/* ---- use case 5, bootstrap purge, reset ---- */

static void test_backup_restore(void **state)
{
	struct fixture *f = *state;
	struct prov_store *st = open_store(f->root, NULL, NULL);
	struct prov_record r, l;
	char err[256], path[512];

	assert_int_equal(prov_store_backup(st, ID, err, sizeof(err)), PROV_STORE_NONE);
	assert_int_equal(prov_store_restore(st, ID, 0, &l, err, sizeof(err)), PROV_STORE_NONE);

	/* The working configuration (valid until 1000 + 3600) is backed up... */
	make_record(&r, 5, 'w', 2000, 1000);
	assert_int_equal(prov_store_save(st, ID, &r, err, sizeof(err)), 0);
	prov_record_clear(&r);
	assert_int_equal(prov_store_backup(st, ID, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/%s/backup", f->root, ID);
	assert_int_equal(mode_of(path), 0600);

	/* ...the identity then got a reset from the server... */
	memset(&r, 0, sizeof(r));
	prov_record_set_validity(&r, 0, 0, 2000);
	assert_int_equal(prov_store_save(st, ID, &r, err, sizeof(err)), 0);
	prov_record_clear(&r);

	/* ...an expired backup is not used and changes nothing... */
	assert_int_equal(prov_store_restore(st, ID, 4600, &l, err, sizeof(err)),
			 PROV_STORE_EXPIRED);
	assert_null(l.doc);
	assert_int_equal(prov_store_load(st, ID, &l, err, sizeof(err)), 0);
	assert_int_equal(l.version, 0);
	prov_record_clear(&l);

	/* ...a valid one becomes the current record. */
	assert_int_equal(prov_store_restore(st, ID, 4599, &l, err, sizeof(err)), 0);
	check_record(&l, 5, 'w', 2000);
	prov_record_clear(&l);
	assert_int_equal(prov_store_load(st, ID, &l, err, sizeof(err)), 0);
	check_record(&l, 5, 'w', 2000);
	prov_record_clear(&l);

	/* Backups are per identity: the other SIM has none. */
	assert_int_equal(prov_store_restore(st, ID2, 0, &l, err, sizeof(err)), PROV_STORE_NONE);

	/* SIM change detection. */
	char last[80];
	assert_int_equal(prov_store_last_identity_get(st, last, sizeof(last), err, sizeof(err)),
			 PROV_STORE_NONE);
	assert_int_equal(prov_store_last_identity_set(st, ID, err, sizeof(err)), 0);
	assert_int_equal(prov_store_last_identity_get(st, last, sizeof(last), err, sizeof(err)), 0);
	assert_string_equal(last, ID);
	assert_int_equal(prov_store_last_identity_set(st, ID2, err, sizeof(err)), 0);
	assert_int_equal(prov_store_last_identity_get(st, last, sizeof(last), err, sizeof(err)), 0);
	assert_string_equal(last, ID2);
	assert_int_equal(prov_store_last_identity_get(st, last, 4, err, sizeof(err)), -1);
	assert_int_equal(prov_store_last_identity_set(st, "../x", err, sizeof(err)), -1);
	snprintf(path, sizeof(path), "%s/last-identity", f->root);
	assert_int_equal(mode_of(path), 0600);
	assert_int_equal(count_temps(f->root), 0);
	prov_store_close(st);
}

static void test_bootstrap_purge(void **state)
{
	struct fixture *f = *state;
	struct prov_store *st = open_store(f->root, NULL, NULL);
	struct prov_record r, l;
	struct prov_bootstrap b = { 0 }, lb = { 0 };
	char err[256], path[512];

	assert_int_equal(prov_store_bootstrap_load(st, ID, &lb, err, sizeof(err)), PROV_STORE_NONE);
	assert_int_equal(prov_store_bootstrap_purge(st, ID, err, sizeof(err)), 0);

	/* A non-cellular configuration in progress: OTP and cookie stored. */
	b.otp = strdup("123456");
	b.cookie = strdup("JSESSIONID=abc; Path=/\n");
	assert_int_equal(prov_store_bootstrap_save(st, ID, &b, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/%s/bootstrap", f->root, ID);
	assert_int_equal(mode_of(path), 0600);
	assert_int_equal(prov_store_bootstrap_load(st, ID, &lb, err, sizeof(err)), 0);
	assert_string_equal(lb.otp, "123456");
	assert_string_equal(lb.cookie, "JSESSIONID=abc; Path=/\n");
	prov_bootstrap_clear(&lb);
	assert_null(lb.otp);

	/* Configuration succeeded: the record with the server's token is
	 * saved, then the bootstrap credentials are purged. */
	make_record(&r, 3, 'c', 100, 0);
	assert_int_equal(prov_store_save(st, ID, &r, err, sizeof(err)), 0);
	prov_record_clear(&r);
	assert_int_equal(prov_store_bootstrap_purge(st, ID, err, sizeof(err)), 0);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(prov_store_bootstrap_load(st, ID, &lb, err, sizeof(err)), PROV_STORE_NONE);
	assert_int_equal(prov_store_load(st, ID, &l, err, sizeof(err)), 0);
	check_record(&l, 3, 'c', 100); /* token kept */
	prov_record_clear(&l);

	/* A damaged bootstrap file is reported without its content. */
	write_file(path, "imsue-prov-bootstrap 1\notp=zz\n\n", 31);
	assert_int_equal(prov_store_bootstrap_load(st, ID, &lb, err, sizeof(err)), -1);
	assert_string_equal(err, "bootstrap is not a valid bootstrap file");
	assert_null(lb.otp);
	prov_bootstrap_clear(&b);

	/* Device reset: token and everything else go. */
	assert_int_equal(prov_store_backup(st, ID, err, sizeof(err)), 0);
	assert_int_equal(prov_store_reset(st, ID, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/%s", f->root, ID);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(prov_store_load(st, ID, &l, err, sizeof(err)), PROV_STORE_NONE);
	assert_int_equal(prov_store_restore(st, ID, 0, &l, err, sizeof(err)), PROV_STORE_NONE);
	assert_int_equal(prov_store_reset(st, ID, err, sizeof(err)), 0);
	prov_store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip_and_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_injected_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_at_each_step, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigkill_random, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bootstrap_purge, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
