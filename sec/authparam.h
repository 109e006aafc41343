/* A tokenizer for HTTP authentication parameter lists (RFC 7235 2.1,
 * RFC 2617 1.2): the values of WWW-Authenticate, Proxy-Authenticate,
 * Authorization (a scheme, then the list) and Authentication-Info (the list
 * alone).
 *
 *   challenge  = auth-scheme [ 1*SP #auth-param ]
 *   auth-param = token BWS "=" BWS ( token / quoted-string )
 *
 * It knows no parameter names: it splits, checks the syntax and finds
 * duplicates; sec/digest.c gives the names meaning. A pure function over
 * (bytes, length): it never reads past len and does not need NUL
 * termination; the parameters point into the input.
 */
#ifndef IMSUE_SEC_AUTHPARAM_H
#define IMSUE_SEC_AUTHPARAM_H

#include <stdbool.h>
#include <stddef.h>

/* More parameters than this in one list is an error. */
#define SEC_AUTHPARAM_MAX 32

struct sec_authparam {
	const char *name; /* a token, not NUL-terminated */
	size_t name_len;
	const char *value; /* a token, or a quoted-string's content still escaped */
	size_t value_len;
	bool quoted;
};

struct sec_authparam_list {
	const char *scheme; /* NULL without a scheme */
	size_t scheme_len;
	struct sec_authparam param[SEC_AUTHPARAM_MAX];
	size_t n;
	/* Offset in the input where the next challenge begins (RFC 7235 allows
	 * several, comma-separated, in one header field), or the length. */
	size_t next;
};

/* Split s[0..len) into l. With with_scheme, the input starts with an
 * auth-scheme token (a challenge or credentials) and the list ends where a
 * new challenge begins (a token followed by white space and then not by
 * "="); l->next says where. Without it the whole input is one list
 * (Authentication-Info).
 *
 * White space is SP, HTAB and folded line ends (CRLF or LF followed by SP or
 * HTAB); empty list elements are skipped; parameter names are compared
 * case-insensitively and a repeated name is an error. Quoted strings may hold
 * quoted-pairs ("\x") and no control character other than HTAB; a NUL byte
 * anywhere is an error.
 *
 * Returns 0, or -1 with a one-line reason in err (which may be NULL), e.g.
 * "unterminated quoted string in value of 'nonce'",
 * "duplicate parameter 'realm'", "expected '=' after 'realm'". */
int sec_authparam_parse(const char *s, size_t len, bool with_scheme, struct sec_authparam_list *l,
			char *err, size_t errlen);

/* The parameter called name (case-insensitive), or NULL. */
const struct sec_authparam *sec_authparam_find(const struct sec_authparam_list *l,
					       const char *name);

/* True when the parameter's name is name (case-insensitive). */
bool sec_authparam_is(const struct sec_authparam *p, const char *name);

/* The value with quoted-pairs resolved, as a NUL-terminated malloc()ed
 * string (the caller frees it), or NULL when out of memory. */
char *sec_authparam_value_dup(const struct sec_authparam *p);

#endif
