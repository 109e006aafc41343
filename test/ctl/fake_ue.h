/* A stand-in for struct ims_ue (ue/ue.h) for tests of the control socket
 * and the daemon that must not depend on the registration machine. */
#ifndef IMSUE_TEST_CTL_FAKE_UE_H
#define IMSUE_TEST_CTL_FAKE_UE_H

#include <stdbool.h>

#include "ue/ue.h"

struct ims_ue {
	struct ue_loop *loop;
	struct ue_config cfg;
	char name[64];
	const char *state;
	ims_ue_event_cb cb;
	void *arg;
	int start_rc; /* what ims_ue_start returns */
	int n_start, n_dereg;
	char last_dereg[256];
	struct ue_timer *done_timer;
	void (*done)(void *);
	void *done_arg;
	void (*log)(void *arg, int level, const char *line);
	void *log_arg;
};

#endif
