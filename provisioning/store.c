/* Secure per-identity store of the RCC.14 configuration (see store.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "provisioning/store.h"

#define RECORD_MAGIC    "imsue-prov-record 1"
#define BOOTSTRAP_MAGIC "imsue-prov-bootstrap 1"
#define DOC_MAX         (256 * 1024)
#define FILE_MAX        (DOC_MAX + 8192)

struct prov_store {
	int rootfd;
	char *root;
	int (*hook)(void *arg, enum prov_store_step step);
	void *hook_arg;
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void wipe_free(void *p, size_t len)
{
	if (p) {
		OPENSSL_cleanse(p, len);
		free(p);
	}
}

static void wipe_str(char *s)
{
	if (s)
		wipe_free(s, strlen(s));
}

/* ---- records ---- */

void prov_record_clear(struct prov_record *r)
{
	wipe_str(r->token);
	free(r->msisdn);
	free(r->doc);
	memset(r, 0, sizeof(*r));
}

void prov_record_set_validity(struct prov_record *r, int32_t version, int32_t validity, int64_t now)
{
	r->version = version;
	r->validity = validity;
	r->received = now;
	r->expires = version > 0 && validity >= 0 ? now + validity : 0;
}

int prov_record_set_token(struct prov_record *r, const char *token, int32_t validity, int64_t now)
{
	char *t = NULL;

	if (token && !(t = strdup(token)))
		return -1;
	wipe_str(r->token);
	r->token = t;
	r->has_token = t != NULL;
	r->has_token_validity = t && validity >= 0;
	r->token_validity = r->has_token_validity ? validity : 0;
	r->token_expires = r->has_token_validity ? now + validity : 0;
	return 0;
}

int prov_record_set_doc(struct prov_record *r, const uint8_t *doc, size_t len)
{
	uint8_t *d = NULL;

	if (doc) {
		d = malloc(len ? len : 1);
		if (!d)
			return -1;
		memcpy(d, doc, len);
	}
	free(r->doc);
	r->doc = d;
	r->doc_len = d ? len : 0;
	return 0;
}

bool prov_record_valid(const struct prov_record *r, int64_t now)
{
	return r->version > 0 && now < r->expires;
}

bool prov_store_identity_ok(const char *id)
{
	size_t n = id ? strlen(id) : 0;

	if (!n || n > 64 || id[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '+' || c == '.' || c == '_' || c == '@' || c == '-'))
			return false;
	}
	return true;
}

static bool msisdn_ok(const char *s)
{
	size_t n = strlen(s);
	return n >= 2 && n <= 16 && s[0] == '+' && strspn(s + 1, "0123456789") == n - 1;
}

/* ---- a growing buffer that is wiped when freed ---- */

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void buf_add(struct buf *b, const void *data, size_t len)
{
	if (b->oom)
		return;
	if (b->len + len + 1 > b->cap) {
		size_t cap = (b->len + len + 1) * 2;
		char *p = malloc(cap);
		if (!p) {
			b->oom = true;
			return;
		}
		if (b->p) {
			memcpy(p, b->p, b->len);
			wipe_free(b->p, b->cap);
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

static void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void buf_printf(struct buf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->oom = true;
		return;
	}
	buf_add(b, tmp, (size_t)n);
}

static void buf_hex(struct buf *b, const char *key, const char *s)
{
	static const char hx[] = "0123456789abcdef";
	char pair[2];

	buf_add(b, key, strlen(key));
	buf_add(b, "=", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		pair[0] = hx[*p >> 4];
		pair[1] = hx[*p & 15];
		buf_add(b, pair, 2);
	}
	buf_add(b, "\n", 1);
	OPENSSL_cleanse(pair, sizeof(pair));
}

static void buf_free(struct buf *b)
{
	wipe_free(b->p, b->cap);
	memset(b, 0, sizeof(*b));
}

/* ---- files ---- */

static int step(struct prov_store *st, enum prov_store_step s)
{
	return st->hook ? st->hook(st->hook_arg, s) : 0;
}

static const char *step_name(enum prov_store_step s)
{
	static const char *const names[] = {"temp-created", "half-written", "written",
					    "synced",       "renamed",      "done"};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static bool is_temp_name(const char *n)
{
	return n[0] == '.' && strstr(n, ".tmp.");
}

/* Replace dirfd/name with data: temp file, write, fsync, rename, fsync dir. */
static int atomic_write(struct prov_store *st, int dirfd, const char *name, const char *data,
			size_t len, char *err, size_t errlen)
{
	char tmp[128];
	unsigned char rnd[6];
	int fd = -1;
	enum prov_store_step failed_at;

	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
		unsigned long v = (unsigned long)getpid() ^ (unsigned long)(uintptr_t)data;
		memcpy(rnd, &v, sizeof(rnd) < sizeof(v) ? sizeof(rnd) : sizeof(v));
	}
	snprintf(tmp, sizeof(tmp), ".%s.tmp.%02x%02x%02x%02x%02x%02x", name, rnd[0], rnd[1], rnd[2],
		 rnd[3], rnd[4], rnd[5]);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		set_err(err, errlen, "cannot create a temporary file for %s: %s", name,
			strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0600) < 0)
		goto io_fail;
	if (step(st, failed_at = PROV_STORE_STEP_TEMP_CREATED))
		goto hook_fail;
	if (write_all(fd, data, len / 2) < 0)
		goto io_fail;
	if (step(st, failed_at = PROV_STORE_STEP_HALF_WRITTEN))
		goto hook_fail;
	if (write_all(fd, data + len / 2, len - len / 2) < 0)
		goto io_fail;
	if (step(st, failed_at = PROV_STORE_STEP_WRITTEN))
		goto hook_fail;
	if (fsync(fd) < 0)
		goto io_fail;
	if (step(st, failed_at = PROV_STORE_STEP_SYNCED))
		goto hook_fail;
	if (close(fd) < 0) {
		fd = -1;
		goto io_fail;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, name) < 0)
		goto io_fail;
	/* From here on the new content is in place: a failure only means
	 * that it may not yet be durable. */
	if (step(st, PROV_STORE_STEP_RENAMED)) {
		set_err(err, errlen, "writing %s: simulated failure at step renamed", name);
		return -1;
	}
	if (fsync(dirfd) < 0) {
		set_err(err, errlen, "writing %s: fsync of the directory: %s", name,
			strerror(errno));
		return -1;
	}
	if (step(st, PROV_STORE_STEP_DONE)) {
		set_err(err, errlen, "writing %s: simulated failure at step done", name);
		return -1;
	}
	return 0;
io_fail:
	set_err(err, errlen, "writing %s: %s", name, strerror(errno));
	goto cleanup;
hook_fail:
	set_err(err, errlen, "writing %s: simulated failure at step %s", name,
		step_name(failed_at));
cleanup:
	if (fd >= 0)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	return -1;
}

/* Read dirfd/name (a regular file of at most max bytes) into a new
 * NUL-terminated buffer. PROV_STORE_NONE when it does not exist. */
static int read_at(int dirfd, const char *name, size_t max, char **out, size_t *len, char *err,
		   size_t errlen)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return PROV_STORE_NONE;
		set_err(err, errlen, "cannot open %s: %s", name, strerror(errno));
		return -1;
	}
	struct stat sb;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size < 0 ||
	    (size_t)sb.st_size > max) {
		set_err(err, errlen, "%s is not a regular file of at most %zu bytes", name, max);
		close(fd);
		return -1;
	}
	size_t cap = (size_t)sb.st_size, n = 0;
	char *p = malloc(cap + 1);
	if (!p) {
		close(fd);
		set_err(err, errlen, "out of memory");
		return -1;
	}
	while (n < cap) {
		ssize_t r = read(fd, p + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			set_err(err, errlen, "reading %s: %s", name, strerror(errno));
			wipe_free(p, cap + 1);
			close(fd);
			return -1;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	close(fd);
	p[n] = '\0';
	*out = p;
	*len = n;
	return 0;
}

/* Remove temporary files a crash may have left in a directory. */
static void remove_temps(int dirfd)
{
	int fd = dup(dirfd);
	if (fd < 0)
		return;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	rewinddir(d);
	struct dirent *e;
	while ((e = readdir(d)))
		if (is_temp_name(e->d_name))
			unlinkat(dirfd, e->d_name, 0);
	closedir(d);
}

/* Check that a directory is ours and private (fixing the mode of our own). */
static int check_dir(int fd, const char *what, bool fix_mode, char *err, size_t errlen)
{
	struct stat sb;

	if (fstat(fd, &sb) < 0) {
		set_err(err, errlen, "%s: %s", what, strerror(errno));
		return -1;
	}
	if (sb.st_uid != geteuid()) {
		set_err(err, errlen, "%s is owned by uid %u, not by us (uid %u)", what,
			(unsigned)sb.st_uid, (unsigned)geteuid());
		return -1;
	}
	if (fix_mode && (sb.st_mode & 07777) != 0700 && fchmod(fd, 0700) < 0) {
		set_err(err, errlen, "%s: chmod 0700: %s", what, strerror(errno));
		return -1;
	}
	if (!fix_mode && (sb.st_mode & 022)) {
		set_err(err, errlen, "%s is writable by group or others (mode %04o)", what,
			(unsigned)(sb.st_mode & 07777));
		return -1;
	}
	return 0;
}

/* Open (or with create, make) the identity's directory. */
static int id_open(struct prov_store *st, const char *id, bool create, int *out, char *err,
		   size_t errlen)
{
	if (!prov_store_identity_ok(id)) {
		set_err(err, errlen, "invalid identity key (1-64 of A-Z a-z 0-9 + . _ @ -)");
		return -1;
	}
	int fd = openat(st->rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (!create)
			return PROV_STORE_NONE;
		if (mkdirat(st->rootfd, id, 0700) < 0 && errno != EEXIST) {
			set_err(err, errlen, "cannot create the directory of identity %s: %s", id,
				strerror(errno));
			return -1;
		}
		fsync(st->rootfd);
		fd = openat(st->rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0) {
		set_err(err, errlen, "cannot open the directory of identity %s: %s", id,
			strerror(errno));
		return -1;
	}
	char what[96];
	snprintf(what, sizeof(what), "the directory of identity %s", id);
	if (check_dir(fd, what, true, err, errlen) < 0) {
		close(fd);
		return -1;
	}
	/* One writer per identity at a time, also across processes; the lock
	 * goes with the descriptor (and with a crashed process). */
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			set_err(err, errlen, "cannot lock %s: %s", what, strerror(errno));
			close(fd);
			return -1;
		}
	}
	remove_temps(fd);
	*out = fd;
	return 0;
}

int prov_store_open(const struct prov_store_params *params, struct prov_store **out, char *err,
		    size_t errlen)
{
	*out = NULL;
	if (!params || !params->root || !params->root[0]) {
		set_err(err, errlen, "no store directory configured");
		return -1;
	}
	const char *root = params->root;
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (mkdir(root, 0700) < 0 && errno != EEXIST) {
			set_err(err, errlen, "cannot create store directory %s: %s", root,
				strerror(errno));
			return -1;
		}
		fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (fd < 0) {
		set_err(err, errlen, "cannot open store directory %s: %s", root, strerror(errno));
		return -1;
	}
	char what[300];
	snprintf(what, sizeof(what), "store directory %s", root);
	if (check_dir(fd, what, false, err, errlen) < 0) {
		close(fd);
		return -1;
	}
	struct prov_store *st = calloc(1, sizeof(*st));
	if (!st || !(st->root = strdup(root))) {
		free(st);
		close(fd);
		set_err(err, errlen, "out of memory");
		return -1;
	}
	st->rootfd = fd;
	st->hook = params->step_hook;
	st->hook_arg = params->hook_arg;
	if (flock(fd, LOCK_EX) == 0) {
		remove_temps(fd);
		flock(fd, LOCK_UN);
	}
	*out = st;
	return 0;
}

void prov_store_close(struct prov_store *st)
{
	if (!st)
		return;
	close(st->rootfd);
	free(st->root);
	free(st);
}

/* ---- record format: "key=value" lines, a blank line, the document ---- */

static int serialize_record(const struct prov_record *r, struct buf *b, char *err, size_t errlen)
{
	if (r->msisdn && !msisdn_ok(r->msisdn)) {
		set_err(err, errlen, "MSISDN is not + and 1 to 15 digits");
		return -1;
	}
	if (r->doc_len > DOC_MAX) {
		set_err(err, errlen, "document is %zu bytes, more than %d", r->doc_len, DOC_MAX);
		return -1;
	}
	buf_printf(b, "%s\n", RECORD_MAGIC);
	buf_printf(b, "version=%" PRId32 "\nvalidity=%" PRId32 "\n", r->version, r->validity);
	buf_printf(b, "received=%" PRId64 "\nexpires=%" PRId64 "\n", r->received, r->expires);
	if (r->has_token && r->token) {
		buf_hex(b, "token", r->token);
		if (r->has_token_validity)
			buf_printf(b, "token_validity=%" PRId32 "\ntoken_expires=%" PRId64 "\n",
				   r->token_validity, r->token_expires);
	}
	if (r->msisdn)
		buf_printf(b, "msisdn=%s\n", r->msisdn);
	if (r->doc)
		buf_printf(b, "doc_length=%zu\n", r->doc_len);
	buf_add(b, "\n", 1);
	if (r->doc)
		buf_add(b, r->doc, r->doc_len);
	if (b->oom) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;

	if (!*s || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static char *unhex(const char *s)
{
	size_t n = strlen(s);
	if (n % 2)
		return NULL;
	char *out = malloc(n / 2 + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0 || (!hi && !lo)) {
			wipe_free(out, n / 2 + 1);
			return NULL;
		}
		out[i / 2] = (char)(hi << 4 | lo);
	}
	out[n / 2] = '\0';
	return out;
}

/* Split the header of a file in place: calls fn(key, value) for each line
 * up to the blank line (or the end) and sets *body after it. */
static int parse_header(char *p, size_t len, const char *magic, char **body,
			int (*fn)(void *arg, const char *key, const char *value), void *arg,
			const char **bad)
{
	char *end = p + len, *line = p;
	bool first = true;

	*body = NULL;
	while (line < end) {
		char *nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl) {
			*bad = "a line without newline";
			return -1;
		}
		*nl = '\0';
		if (first) {
			if (strcmp(line, magic)) {
				*bad = "no format line";
				return -1;
			}
			first = false;
		} else if (!*line) {
			*body = nl + 1;
			return 0;
		} else {
			char *eq = strchr(line, '=');
			if (!eq) {
				*bad = "a line without '='";
				return -1;
			}
			*eq = '\0';
			if (fn(arg, line, eq + 1) < 0) {
				*bad = line;
				return -1;
			}
		}
		line = nl + 1;
	}
	*bad = first ? "empty file" : "no end of header";
	return -1;
}

struct rec_parse {
	struct prov_record *r;
	int64_t doc_length;
	unsigned seen;
};

static int rec_field(void *arg, const char *key, const char *value)
{
	static const char *const keys[] = {"version",       "validity", "received",
					   "expires",       "token",    "token_validity",
					   "token_expires", "msisdn",   "doc_length"};
	struct rec_parse *rp = arg;
	struct prov_record *r = rp->r;
	unsigned k;
	int64_t v = 0;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (!strcmp(key, keys[k]))
			break;
	if (k == sizeof(keys) / sizeof(keys[0]))
		return 0; /* written by a newer version: ignored */
	if (rp->seen & 1u << k)
		return -1;
	rp->seen |= 1u << k;
	switch (k) {
	case 0:
	case 1:
	case 5:
		if (parse_i64(value, INT32_MIN, INT32_MAX, &v) < 0)
			return -1;
		if (k == 0)
			r->version = (int32_t)v;
		else if (k == 1)
			r->validity = (int32_t)v;
		else {
			r->token_validity = (int32_t)v;
			r->has_token_validity = true;
		}
		return 0;
	case 2:
	case 3:
	case 6:
		if (parse_i64(value, INT64_MIN, INT64_MAX, &v) < 0)
			return -1;
		*(k == 2 ? &r->received : k == 3 ? &r->expires : &r->token_expires) = v;
		return 0;
	case 4:
		if (!(r->token = unhex(value)))
			return -1;
		r->has_token = true;
		return 0;
	case 7:
		if (!msisdn_ok(value) || !(r->msisdn = strdup(value)))
			return -1;
		return 0;
	default:
		return parse_i64(value, 0, DOC_MAX, &rp->doc_length);
	}
}

/* Parse a record file's content (modified in place). */
static int parse_record(char *p, size_t len, struct prov_record *r, const char *name, char *err,
			size_t errlen)
{
	struct rec_parse rp = {.r = r, .doc_length = -1};
	const char *bad = NULL;
	char *body;

	prov_record_clear(r);
	if (parse_header(p, len, RECORD_MAGIC, &body, rec_field, &rp, &bad) < 0) {
		set_err(err, errlen, "%s is not a valid record (%.40s)", name, bad);
		goto fail;
	}
	if ((rp.seen & 3) != 3) {
		set_err(err, errlen, "%s is not a valid record (no version or validity)", name);
		goto fail;
	}
	size_t left = (size_t)(p + len - body);
	if (rp.doc_length < 0 ? left != 0 : left != (size_t)rp.doc_length) {
		set_err(err, errlen,
			"%s is not a valid record (document is %zu bytes, expected %lld)", name,
			left, (long long)(rp.doc_length < 0 ? 0 : rp.doc_length));
		goto fail;
	}
	if (rp.doc_length >= 0 && prov_record_set_doc(r, (uint8_t *)body, left) < 0) {
		set_err(err, errlen, "out of memory");
		goto fail;
	}
	if (r->has_token_validity && !r->has_token) {
		set_err(err, errlen, "%s is not a valid record (token validity without token)",
			name);
		goto fail;
	}
	return 0;
fail:
	prov_record_clear(r);
	return -1;
}

/* Load and parse dirfd/name into r. */
static int load_record_at(int dirfd, const char *name, struct prov_record *r, char **raw,
			  size_t *rawlen, char *err, size_t errlen)
{
	char *p;
	size_t len;
	int rc = read_at(dirfd, name, FILE_MAX, &p, &len, err, errlen);
	if (rc)
		return rc;
	/* parse_record modifies the buffer: keep an untouched copy if asked. */
	if (raw) {
		*raw = malloc(len + 1);
		if (!*raw) {
			wipe_free(p, len + 1);
			set_err(err, errlen, "out of memory");
			return -1;
		}
		memcpy(*raw, p, len + 1);
		*rawlen = len;
	}
	rc = parse_record(p, len, r, name, err, errlen);
	wipe_free(p, len + 1);
	if (rc < 0 && raw) {
		wipe_free(*raw, *rawlen + 1);
		*raw = NULL;
	}
	return rc;
}

int prov_store_save(struct prov_store *st, const char *identity, const struct prov_record *r,
		    char *err, size_t errlen)
{
	struct buf b = {0};
	int fd, rc;

	if (serialize_record(r, &b, err, errlen) < 0) {
		buf_free(&b);
		return -1;
	}
	rc = id_open(st, identity, true, &fd, err, errlen);
	if (rc == 0) {
		rc = atomic_write(st, fd, "record", b.p, b.len, err, errlen);
		close(fd);
	}
	buf_free(&b);
	return rc;
}

int prov_store_load(struct prov_store *st, const char *identity, struct prov_record *r, char *err,
		    size_t errlen)
{
	int fd;

	memset(r, 0, sizeof(*r));
	int rc = id_open(st, identity, false, &fd, err, errlen);
	if (rc)
		return rc;
	rc = load_record_at(fd, "record", r, NULL, NULL, err, errlen);
	close(fd);
	return rc;
}

/* Copy one record file to another after checking that it parses. */
static int copy_record(struct prov_store *st, int fd, const char *from, const char *to,
		       struct prov_record *r, int64_t now, bool need_valid, char *err,
		       size_t errlen)
{
	char *raw = NULL;
	size_t rawlen = 0;
	int rc = load_record_at(fd, from, r, &raw, &rawlen, err, errlen);
	if (rc)
		return rc;
	if (need_valid && !prov_record_valid(r, now)) {
		prov_record_clear(r);
		rc = PROV_STORE_EXPIRED;
	} else {
		rc = atomic_write(st, fd, to, raw, rawlen, err, errlen);
	}
	wipe_free(raw, rawlen + 1);
	if (rc)
		prov_record_clear(r);
	return rc;
}

int prov_store_backup(struct prov_store *st, const char *identity, char *err, size_t errlen)
{
	struct prov_record r = {0};
	int fd;
	int rc = id_open(st, identity, false, &fd, err, errlen);
	if (rc)
		return rc;
	rc = copy_record(st, fd, "record", "backup", &r, 0, false, err, errlen);
	prov_record_clear(&r);
	close(fd);
	return rc;
}

int prov_store_restore(struct prov_store *st, const char *identity, int64_t now,
		       struct prov_record *r, char *err, size_t errlen)
{
	int fd;

	memset(r, 0, sizeof(*r));
	int rc = id_open(st, identity, false, &fd, err, errlen);
	if (rc)
		return rc;
	rc = copy_record(st, fd, "backup", "record", r, now, true, err, errlen);
	close(fd);
	return rc;
}

/* ---- bootstrap credentials ---- */

void prov_bootstrap_clear(struct prov_bootstrap *b)
{
	wipe_str(b->otp);
	wipe_str(b->cookie);
	b->otp = b->cookie = NULL;
}

int prov_store_bootstrap_save(struct prov_store *st, const char *identity,
			      const struct prov_bootstrap *bs, char *err, size_t errlen)
{
	struct buf b = {0};
	int fd;

	buf_printf(&b, "%s\n", BOOTSTRAP_MAGIC);
	if (bs->otp)
		buf_hex(&b, "otp", bs->otp);
	if (bs->cookie)
		buf_hex(&b, "cookie", bs->cookie);
	buf_add(&b, "\n", 1);
	if (b.oom) {
		buf_free(&b);
		set_err(err, errlen, "out of memory");
		return -1;
	}
	int rc = id_open(st, identity, true, &fd, err, errlen);
	if (rc == 0) {
		rc = atomic_write(st, fd, "bootstrap", b.p, b.len, err, errlen);
		close(fd);
	}
	buf_free(&b);
	return rc;
}

static int boot_field(void *arg, const char *key, const char *value)
{
	struct prov_bootstrap *b = arg;
	char **slot = !strcmp(key, "otp") ? &b->otp : !strcmp(key, "cookie") ? &b->cookie : NULL;

	if (!slot)
		return 0;
	if (*slot || !(*slot = unhex(value)))
		return -1;
	return 0;
}

int prov_store_bootstrap_load(struct prov_store *st, const char *identity, struct prov_bootstrap *b,
			      char *err, size_t errlen)
{
	char *p, *body;
	size_t len;
	const char *bad = NULL;
	int fd;

	b->otp = b->cookie = NULL;
	int rc = id_open(st, identity, false, &fd, err, errlen);
	if (rc)
		return rc;
	rc = read_at(fd, "bootstrap", 16384, &p, &len, err, errlen);
	close(fd);
	if (rc)
		return rc;
	if (parse_header(p, len, BOOTSTRAP_MAGIC, &body, boot_field, b, &bad) < 0 ||
	    body != p + len) {
		/* bad may point into p: name only the file */
		set_err(err, errlen, "bootstrap is not a valid bootstrap file");
		prov_bootstrap_clear(b);
		rc = -1;
	}
	wipe_free(p, len + 1);
	return rc;
}

/* Overwrite a secret file with zeros, then unlink it. On journaling or
 * copy-on-write file systems and flash the old blocks may survive: this
 * is best effort on top of the 0700/0600 permissions. */
static int shred_at(int dirfd, const char *name, char *err, size_t errlen)
{
	int fd = openat(dirfd, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		set_err(err, errlen, "cannot open %s: %s", name, strerror(errno));
		return -1;
	}
	struct stat sb;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		static const char zeros[4096];
		off_t left = sb.st_size;
		while (left > 0) {
			size_t n = left > (off_t)sizeof(zeros) ? sizeof(zeros) : (size_t)left;
			if (write_all(fd, zeros, n) < 0)
				break;
			left -= (off_t)n;
		}
		fsync(fd);
	}
	close(fd);
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT) {
		set_err(err, errlen, "cannot remove %s: %s", name, strerror(errno));
		return -1;
	}
	return 0;
}

int prov_store_bootstrap_purge(struct prov_store *st, const char *identity, char *err,
			       size_t errlen)
{
	int fd;
	int rc = id_open(st, identity, false, &fd, err, errlen);
	if (rc == PROV_STORE_NONE)
		return 0;
	if (rc)
		return rc;
	rc = shred_at(fd, "bootstrap", err, errlen);
	if (rc == 0 && fsync(fd) < 0) {
		set_err(err, errlen, "fsync of the identity directory: %s", strerror(errno));
		rc = -1;
	}
	close(fd);
	return rc;
}

int prov_store_reset(struct prov_store *st, const char *identity, char *err, size_t errlen)
{
	int fd;
	int rc = id_open(st, identity, false, &fd, err, errlen);
	if (rc == PROV_STORE_NONE)
		return 0;
	if (rc)
		return rc;
	static const char *const files[] = {"bootstrap", "record", "backup"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && rc == 0; i++)
		rc = shred_at(fd, files[i], err, errlen);
	close(fd);
	if (rc)
		return rc;
	if (unlinkat(st->rootfd, identity, AT_REMOVEDIR) < 0 && errno != ENOENT) {
		set_err(err, errlen, "cannot remove the directory of identity %s: %s", identity,
			strerror(errno));
		return -1;
	}
	fsync(st->rootfd);
	return 0;
}

/* ---- last identity ---- */

int prov_store_last_identity_get(struct prov_store *st, char *out, size_t outlen, char *err,
				 size_t errlen)
{
	char *p;
	size_t len;
	int rc = read_at(st->rootfd, "last-identity", 128, &p, &len, err, errlen);
	if (rc)
		return rc;
	if (len && p[len - 1] == '\n')
		p[--len] = '\0';
	if (!prov_store_identity_ok(p) || len >= outlen) {
		set_err(err, errlen, "last-identity does not hold an identity key");
		free(p);
		return -1;
	}
	memcpy(out, p, len + 1);
	free(p);
	return 0;
}

int prov_store_last_identity_set(struct prov_store *st, const char *identity, char *err,
				 size_t errlen)
{
	char line[80];

	if (!prov_store_identity_ok(identity)) {
		set_err(err, errlen, "invalid identity key (1-64 of A-Z a-z 0-9 + . _ @ -)");
		return -1;
	}
	int n = snprintf(line, sizeof(line), "%s\n", identity);
	flock(st->rootfd, LOCK_EX);
	int rc = atomic_write(st, st->rootfd, "last-identity", line, (size_t)n, err, errlen);
	flock(st->rootfd, LOCK_UN);
	return rc;
}
