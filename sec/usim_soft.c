/* Software USIM: Milenage with K/OPc in memory, SQN state (TS 33.102
 * Annex C) in a text file replaced atomically after each accepted SQN. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "sec/milenage.h"
#include "sec/sqn.h"
#include "sec/usim_soft.h"

/* An sqn_file is a few hundred bytes; anything this large is not one. */
#define SQN_FILE_MAX 65536

struct usim_soft {
	struct sec_cred cred;
	uint8_t k[16];
	uint8_t opc[16];
	uint8_t amf[2];
	struct sec_sqn_state sqn;
	char *sqn_file;
};

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt,
						      ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

void sec_usim_soft_params_init(struct sec_usim_soft_params *p)
{
	memset(p, 0, sizeof(*p));
	p->ind_bits = SEC_SQN_IND_BITS_DEFAULT;
	p->delta = SEC_SQN_DELTA_DEFAULT;
}

/* Load path into s. Returns 0, 1 when the file does not exist, -1 on error. */
static int sqn_file_load(const char *path, struct sec_sqn_state *s, char *err, size_t errlen)
{
	char *buf = NULL, why[200];
	size_t len = 0;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		return fail(err, errlen, "sqn_file %s: cannot open: %s", path, strerror(errno));
	}
	buf = malloc(SQN_FILE_MAX + 1);
	if (!buf) {
		fail(err, errlen, "sqn_file %s: out of memory", path);
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf + len, SQN_FILE_MAX + 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fail(err, errlen, "sqn_file %s: cannot read: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > SQN_FILE_MAX) {
			fail(err, errlen, "sqn_file %s: larger than %d bytes: not an sqn_file",
			     path, SQN_FILE_MAX);
			goto out;
		}
	}
	if (sec_sqn_parse(s, buf, len, why, sizeof(why)) < 0) {
		fail(err, errlen, "sqn_file %s: %s", path, why);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

/* fsync the directory holding path, so that a rename in it is durable. */
static int dir_sync(const char *path, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	int dfd, rc = 0;

	if (!dir)
		return fail(err, errlen, "sqn_file %s: out of memory", path);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0)
		rc = fail(err, errlen, "sqn_file %s: fsync of directory %s: %s", path, dir,
			  strerror(errno));
	if (dfd >= 0)
		close(dfd);
	free(dir);
	return rc;
}

/* Replace path with the text of s: a temporary file in the same directory,
 * written, fsync'd, renamed over path, then the directory fsync'd, so that
 * a crash leaves either the old or the new state, never a torn file. */
static int sqn_file_save(const char *path, const struct sec_sqn_state *s, char *err, size_t errlen)
{
	char text[SEC_SQN_TEXT_MAX];
	size_t len = sec_sqn_format(s, text, sizeof(text)), off = 0;
	size_t plen = strlen(path);
	char *tmp = malloc(plen + sizeof(".tmpXXXXXX"));
	int fd, rc = -1;

	if (!tmp)
		return fail(err, errlen, "sqn_file %s: out of memory", path);
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmpXXXXXX", sizeof(".tmpXXXXXX"));
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		fail(err, errlen, "sqn_file %s: cannot create a temporary file: %s", path,
		     strerror(errno));
		free(tmp);
		return -1;
	}
	if (fchmod(fd, 0600) < 0) {
		fail(err, errlen, "sqn_file %s: chmod of %s: %s", path, tmp, strerror(errno));
		goto out;
	}
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			fail(err, errlen, "sqn_file %s: writing %s: %s", path, tmp,
			     strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0) {
		fail(err, errlen, "sqn_file %s: fsync of %s: %s", path, tmp, strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		fail(err, errlen, "sqn_file %s: closing %s: %s", path, tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		fail(err, errlen, "sqn_file %s: renaming %s over it: %s", path, tmp,
		     strerror(errno));
		goto out;
	}
	free(tmp);
	return dir_sync(path, err, errlen);
out:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return rc;
}

static enum sec_aka_status soft_check(struct sec_cred *c, const uint8_t rand[16],
				      const uint8_t autn[16], struct sec_aka_result *out, char *err,
				      size_t errlen)
{
	struct usim_soft *u = c->priv;
	enum sec_aka_status st;

	st = sec_aka_check(u->k, u->opc, rand, autn, &u->sqn, out);
	if (st == SEC_AKA_ERROR) {
		fail(err, errlen, "Milenage: the AES-128 cipher failed");
		return st;
	}
	/* The new SQN stays accepted in memory even if it cannot be saved, so
	 * that the challenge cannot be replayed; its keys are not released. */
	if (st == SEC_AKA_OK && u->sqn_file && sqn_file_save(u->sqn_file, &u->sqn, err, errlen)) {
		sec_aka_result_wipe(out);
		out->status = SEC_AKA_ERROR;
		return SEC_AKA_ERROR;
	}
	return st;
}

static void soft_destroy(struct sec_cred *c)
{
	struct usim_soft *u = c->priv;

	free(u->sqn_file);
	OPENSSL_cleanse(u, sizeof(*u));
	free(u);
}

static const struct sec_cred_ops soft_ops = {
	.name = "usim-soft",
	.check = soft_check,
	.destroy = soft_destroy,
};

int sec_usim_soft_new(struct sec_cred **out, const struct sec_usim_soft_params *p, char *err,
		      size_t errlen)
{
	struct usim_soft *u;
	int rc;

	*out = NULL;
	if (p->has_op == p->has_opc)
		return fail(err, errlen,
			    p->has_op ? "both OP and OPc given: give one of them"
				      : "neither OP nor OPc given");
	if (p->sqn_file && !*p->sqn_file)
		return fail(err, errlen, "sqn_file is an empty path");
	u = calloc(1, sizeof(*u));
	if (!u)
		return fail(err, errlen, "out of memory");
	u->cred.ops = &soft_ops;
	u->cred.priv = u;
	memcpy(u->k, p->k, 16);
	memcpy(u->amf, p->amf, 2);
	if (p->has_opc) {
		memcpy(u->opc, p->opc, 16);
	} else if (sec_milenage_opc(p->k, p->op, u->opc) < 0) {
		fail(err, errlen, "Milenage: the AES-128 cipher failed deriving OPc");
		goto fail;
	}
	if (sec_sqn_init(&u->sqn, p->ind_bits, p->delta, p->sqn_file ? 0 : p->sqn_ms, err, errlen) <
	    0)
		goto fail;
	if (p->sqn_file) {
		u->sqn_file = strdup(p->sqn_file);
		if (!u->sqn_file) {
			fail(err, errlen, "out of memory");
			goto fail;
		}
		rc = sqn_file_load(u->sqn_file, &u->sqn, err, errlen);
		if (rc < 0)
			goto fail;
		/* A missing file is a new USIM: create it now, so that an unwritable
		 * location shows up here rather than at the first challenge. */
		if (rc == 1 && sqn_file_save(u->sqn_file, &u->sqn, err, errlen) < 0)
			goto fail;
	}
	*out = &u->cred;
	return 0;
fail:
	soft_destroy(&u->cred);
	return -1;
}

int sec_usim_soft_info(const struct sec_cred *c, struct sec_usim_soft_info *info)
{
	const struct usim_soft *u;

	if (!c || c->ops != &soft_ops)
		return -1;
	u = c->priv;
	info->sqn_ms = u->sqn.sqn_ms;
	info->ind_bits = u->sqn.ind_bits;
	info->delta = u->sqn.delta;
	memcpy(info->amf, u->amf, 2);
	return 0;
}
