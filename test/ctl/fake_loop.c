/* A poll(2) implementation of ue/loop.h for tests that must not link the
 * Sofia-SIP glue (the control socket unit test). Same contract: level
 * triggered watches, one-shot timers, objects freed from their own
 * callbacks stay valid until the callback returns. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "ue/loop.h"

struct ue_watch {
	struct ue_loop *loop;
	struct ue_watch *next;
	int fd;
	unsigned events;
	ue_fd_cb cb;
	void *arg;
	bool dead;
};

struct ue_timer {
	struct ue_loop *loop;
	struct ue_timer *next;
	ue_timer_cb cb;
	void *arg;
	uint64_t due_ms;
	bool active, dead;
};

struct ue_loop {
	struct ue_watch *watches;
	struct ue_timer *timers;
	bool quit;
	int depth;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sweep(struct ue_loop *loop)
{
	for (struct ue_watch **w = &loop->watches; *w;) {
		if ((*w)->dead) {
			struct ue_watch *d = *w;

			*w = d->next;
			free(d);
		} else {
			w = &(*w)->next;
		}
	}
	for (struct ue_timer **t = &loop->timers; *t;) {
		if ((*t)->dead) {
			struct ue_timer *d = *t;

			*t = d->next;
			free(d);
		} else {
			t = &(*t)->next;
		}
	}
}

struct ue_loop *ue_loop_new(void)
{
	return calloc(1, sizeof(struct ue_loop));
}

void ue_loop_free(struct ue_loop *loop)
{
	if (!loop)
		return;
	for (struct ue_watch *w = loop->watches; w; w = w->next)
		w->dead = true;
	for (struct ue_timer *t = loop->timers; t; t = t->next)
		t->dead = true;
	sweep(loop);
	free(loop);
}

void ue_loop_quit(struct ue_loop *loop)
{
	loop->quit = true;
}

void ue_loop_step(struct ue_loop *loop, long timeout_ms)
{
	struct pollfd pfd[256];
	struct ue_watch *pw[256];
	nfds_t n = 0;
	uint64_t now = now_ms();
	int rc;

	loop->depth++;
	for (struct ue_timer *t = loop->timers; t; t = t->next) {
		if (t->active && !t->dead) {
			long left = t->due_ms > now ? (long)(t->due_ms - now) : 0;

			if (timeout_ms < 0 || left < timeout_ms)
				timeout_ms = left;
		}
	}
	for (struct ue_watch *w = loop->watches; w && n < 256; w = w->next) {
		if (w->dead)
			continue;
		pfd[n].fd = w->fd;
		pfd[n].events = (short)(((w->events & UE_FD_IN) ? POLLIN : 0) |
					((w->events & UE_FD_OUT) ? POLLOUT : 0));
		pfd[n].revents = 0;
		pw[n++] = w;
	}
	rc = poll(pfd, n, (int)timeout_ms);
	now = now_ms();
	for (struct ue_timer *t = loop->timers; t; t = t->next) {
		if (t->active && !t->dead && t->due_ms <= now) {
			t->active = false;
			t->cb(t->arg);
		}
	}
	for (nfds_t i = 0; rc > 0 && i < n; i++) {
		unsigned ev = 0;

		if (pw[i]->dead || !pfd[i].revents)
			continue;
		if (pfd[i].revents & (POLLIN | POLLHUP))
			ev |= UE_FD_IN;
		if (pfd[i].revents & POLLOUT)
			ev |= UE_FD_OUT;
		if (pfd[i].revents & (POLLERR | POLLNVAL))
			ev |= UE_FD_ERR;
		ev &= pw[i]->events | UE_FD_ERR;
		if (ev)
			pw[i]->cb(pw[i]->arg, pw[i]->fd, ev);
	}
	if (--loop->depth == 0)
		sweep(loop);
}

int ue_loop_run(struct ue_loop *loop)
{
	loop->quit = false;
	while (!loop->quit)
		ue_loop_step(loop, -1);
	return 0;
}

struct ue_timer *ue_timer_new(struct ue_loop *loop, ue_timer_cb cb, void *arg)
{
	struct ue_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->loop = loop;
	t->cb = cb;
	t->arg = arg;
	t->next = loop->timers;
	loop->timers = t;
	return t;
}

void ue_timer_start(struct ue_timer *t, unsigned long ms)
{
	t->due_ms = now_ms() + ms;
	t->active = true;
}

void ue_timer_stop(struct ue_timer *t)
{
	t->active = false;
}

int ue_timer_active(const struct ue_timer *t)
{
	return t->active;
}

void ue_timer_free(struct ue_timer *t)
{
	if (!t)
		return;
	t->active = false;
	t->dead = true;
	if (!t->loop->depth)
		sweep(t->loop);
}

struct ue_watch *ue_watch_fd(struct ue_loop *loop, int fd, unsigned events, ue_fd_cb cb, void *arg)
{
	struct ue_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->loop = loop;
	w->fd = fd;
	w->events = events;
	w->cb = cb;
	w->arg = arg;
	w->next = loop->watches;
	loop->watches = w;
	return w;
}

void ue_watch_events(struct ue_watch *w, unsigned events)
{
	w->events = events;
}

void ue_watch_free(struct ue_watch *w)
{
	if (!w)
		return;
	w->dead = true;
	if (!w->loop->depth)
		sweep(w->loop);
}
