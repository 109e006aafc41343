/* SQN freshness on the USIM side, TS 33.102 Annex C, and the text form of
 * the state kept in sqn_file. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sec/hex.h"
#include "sec/sqn.h"

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

uint64_t sec_sqn_from_bytes(const uint8_t b[6])
{
	uint64_t v = 0;

	for (int i = 0; i < 6; i++)
		v = v << 8 | b[i];
	return v;
}

void sec_sqn_to_bytes(uint64_t sqn, uint8_t b[6])
{
	for (int i = 5; i >= 0; i--) {
		b[i] = (uint8_t)sqn;
		sqn >>= 8;
	}
}

static unsigned int slots(const struct sec_sqn_state *s)
{
	return 1u << s->ind_bits;
}

static uint64_t ind_of(const struct sec_sqn_state *s, uint64_t sqn)
{
	return sqn & (slots(s) - 1);
}

int sec_sqn_init(struct sec_sqn_state *s, unsigned int ind_bits, uint64_t delta, uint64_t sqn_ms,
		 char *err, size_t errlen)
{
	if (ind_bits > SEC_SQN_IND_BITS_MAX)
		return fail(err, errlen, "IND length %u bits out of range 0..%u", ind_bits,
			    SEC_SQN_IND_BITS_MAX);
	if (delta == 0)
		return fail(err, errlen, "delta must be at least 1");
	if (sqn_ms > SEC_SQN_MAX)
		return fail(err, errlen, "SQN_MS %#" PRIx64 " longer than 48 bits", sqn_ms);
	memset(s, 0, sizeof(*s));
	s->ind_bits = ind_bits;
	s->delta = delta;
	s->sqn_ms = sqn_ms;
	for (unsigned int i = 0; i < slots(s); i++)
		s->seq[i] = sqn_ms >> ind_bits;
	return 0;
}

enum sec_sqn_verdict sec_sqn_check(const struct sec_sqn_state *s, uint64_t sqn)
{
	uint64_t seq = (sqn & SEC_SQN_MAX) >> s->ind_bits;
	uint64_t seq_ms = s->sqn_ms >> s->ind_bits;

	/* Annex C: fresh only if SEQ > SEQ_MS(i), i = IND of the received SQN */
	if (seq <= s->seq[ind_of(s, sqn)])
		return SEC_SQN_STALE;
	/* Annex C wrap-around protection: SEQ - SEQ_MS <= delta, SEQ_MS the highest SEQ */
	if (seq > seq_ms && seq - seq_ms > s->delta)
		return SEC_SQN_TOO_FAR;
	return SEC_SQN_FRESH;
}

void sec_sqn_accept(struct sec_sqn_state *s, uint64_t sqn)
{
	sqn &= SEC_SQN_MAX;
	s->seq[ind_of(s, sqn)] = sqn >> s->ind_bits;
	if (sqn > s->sqn_ms)
		s->sqn_ms = sqn;
}

void sec_sqn_explain(const struct sec_sqn_state *s, uint64_t sqn, enum sec_sqn_verdict v, char *buf,
		     size_t buflen)
{
	uint64_t ind = ind_of(s, sqn);

	if (!buf || !buflen)
		return;
	switch (v) {
	case SEC_SQN_FRESH:
		snprintf(buf, buflen, "SQN %012" PRIx64 " is fresh", sqn);
		break;
	case SEC_SQN_STALE:
		snprintf(buf, buflen,
			 "SQN %012" PRIx64 " not fresh: SEQ %#" PRIx64 " <= SEQ_MS(%" PRIu64
			 ") %#" PRIx64 " (SQN_MS %012" PRIx64 ")",
			 sqn, (sqn & SEC_SQN_MAX) >> s->ind_bits, ind, s->seq[ind], s->sqn_ms);
		break;
	case SEC_SQN_TOO_FAR:
		snprintf(buf, buflen,
			 "SQN %012" PRIx64 " too far ahead: SEQ %#" PRIx64 " - SEQ_MS %#" PRIx64
			 " > delta %#" PRIx64 " (SQN_MS %012" PRIx64 ")",
			 sqn, (sqn & SEC_SQN_MAX) >> s->ind_bits, s->sqn_ms >> s->ind_bits,
			 s->delta, s->sqn_ms);
		break;
	}
}

/* The next line of buf from *pos: its start and length without the '\n';
 * false at the end. A final line without '\n' counts. */
static bool next_line(const char *buf, size_t len, size_t *pos, const char **line, size_t *n)
{
	if (*pos >= len)
		return false;
	const char *p = buf + *pos;
	const char *nl = memchr(p, '\n', len - *pos);
	*line = p;
	*n = nl ? (size_t)(nl - p) : len - *pos;
	*pos += *n + (nl ? 1 : 0);
	return true;
}

/* One line of exactly 12 hex digits. */
static int parse_sqn_line(const char *line, size_t n, unsigned int lineno, const char *what,
			  uint64_t *sqn, char *err, size_t errlen)
{
	uint8_t b[6];
	char why[96];

	for (size_t i = 0; i < n; i++)
		if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')
			return fail(err, errlen,
				    "line %u: %s must be 12 hex digits with nothing around them, "
				    "found whitespace",
				    lineno, what);
	if (n != 12)
		return fail(err, errlen, "line %u: %s must be 12 hex digits, found %zu characters",
			    lineno, what, n);
	if (sec_hex_decode_exact(line, n, b, sizeof(b), why, sizeof(why)) < 0)
		return fail(err, errlen, "line %u: %s: %s", lineno, what, why);
	*sqn = sec_sqn_from_bytes(b);
	return 0;
}

int sec_sqn_parse(struct sec_sqn_state *s, const char *buf, size_t len, char *err, size_t errlen)
{
	struct sec_sqn_state t;
	const char *line;
	size_t n, pos = 0;
	unsigned int lineno = 1, file_bits = 0;
	uint64_t sqn_ms;

	if (len == 0)
		return fail(err, errlen, "empty (expected 12 hex digits of SQN_MS on line 1)");
	if (memchr(buf, '\0', len))
		return fail(err, errlen, "contains a NUL byte: not an sqn_file");
	next_line(buf, len, &pos, &line, &n);
	if (parse_sqn_line(line, n, lineno, "SQN_MS", &sqn_ms, err, errlen) < 0)
		return -1;
	if (sec_sqn_init(&t, s->ind_bits, s->delta, sqn_ms, err, errlen) < 0)
		return -1;
	if (!next_line(buf, len, &pos, &line, &n))
		goto done;

	/* "ind-bits N", then one line per IND slot: SEQ_MS(i) || i */
	lineno++;
	static const char kw[] = "ind-bits ";
	if (n != strlen(kw) + 1 || memcmp(line, kw, strlen(kw)) || line[n - 1] < '0' ||
	    line[n - 1] > '9')
		return fail(err, errlen, "line %u: expected 'ind-bits N' (N a single digit)",
			    lineno);
	file_bits = (unsigned int)(line[n - 1] - '0');
	if (file_bits > SEC_SQN_IND_BITS_MAX)
		return fail(err, errlen, "line %u: ind-bits %u out of range 0..%u", lineno,
			    file_bits, SEC_SQN_IND_BITS_MAX);
	uint64_t top_seq = sqn_ms >> file_bits, ind_ms = sqn_ms & ((1u << file_bits) - 1);
	uint64_t seq[1u << SEC_SQN_IND_BITS_MAX];
	for (unsigned int i = 0; i < 1u << file_bits; i++) {
		uint64_t sqn;
		lineno++;
		if (!next_line(buf, len, &pos, &line, &n))
			return fail(err, errlen,
				    "ends after %u of the %u slot lines that ind-bits %u needs", i,
				    1u << file_bits, file_bits);
		if (parse_sqn_line(line, n, lineno, "slot SQN", &sqn, err, errlen) < 0)
			return -1;
		if ((sqn & ((1u << file_bits) - 1)) != i)
			return fail(err, errlen,
				    "line %u: slot %u holds SQN %012" PRIx64
				    " whose IND is %" PRIu64,
				    lineno, i, sqn, sqn & ((1u << file_bits) - 1));
		seq[i] = sqn >> file_bits;
		if (seq[i] > top_seq)
			return fail(err, errlen,
				    "line %u: slot %u SEQ %#" PRIx64
				    " above that of SQN_MS %012" PRIx64,
				    lineno, i, seq[i], sqn_ms);
	}
	if (seq[ind_ms] != top_seq)
		return fail(err, errlen,
			    "line %u: slot %" PRIu64 " SEQ %#" PRIx64
			    " differs from that of SQN_MS %012" PRIx64,
			    3 + (unsigned int)ind_ms, ind_ms, seq[ind_ms], sqn_ms);
	if (next_line(buf, len, &pos, &line, &n))
		return fail(err, errlen, "line %u: unexpected content after the last slot",
			    lineno + 1);
	/* With another IND length the slots mean nothing here: keep SQN_MS only. */
	if (file_bits == s->ind_bits)
		memcpy(t.seq, seq, sizeof(seq[0]) << file_bits);
done:
	*s = t;
	return 0;
}

size_t sec_sqn_format(const struct sec_sqn_state *s, char *out, size_t outlen)
{
	char tmp[SEC_SQN_TEXT_MAX];
	size_t n = 0;

	n += (size_t)snprintf(tmp + n, sizeof(tmp) - n, "%012" PRIx64 "\nind-bits %u\n", s->sqn_ms,
			      s->ind_bits);
	for (unsigned int i = 0; i < slots(s); i++)
		n += (size_t)snprintf(tmp + n, sizeof(tmp) - n, "%012" PRIx64 "\n",
				      s->seq[i] << s->ind_bits | i);
	if (outlen)
		snprintf(out, outlen, "%s", tmp);
	return n;
}
