/* ue/loop.h on su_root: timers, fd watches, freeing from callbacks. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "ue/loop.h"

struct ctx {
	struct ue_loop *loop;
	struct ue_timer *t;
	struct ue_watch *w;
	int fired;
	int fd_events;
};

static void on_timer(void *arg)
{
	struct ctx *c = arg;

	c->fired++;
	ue_loop_quit(c->loop);
}

static void test_timer_fires_once(void **state)
{
	struct ctx c = {0};

	(void)state;
	c.loop = ue_loop_new();
	assert_non_null(c.loop);
	c.t = ue_timer_new(c.loop, on_timer, &c);
	assert_non_null(c.t);
	ue_timer_start(c.t, 10);
	assert_true(ue_timer_active(c.t));
	ue_loop_run(c.loop);
	assert_int_equal(c.fired, 1);
	assert_false(ue_timer_active(c.t));
	ue_timer_stop(c.t);
	ue_timer_free(c.t);
	ue_loop_free(c.loop);
}

static void on_timer_free_self(void *arg)
{
	struct ctx *c = arg;

	c->fired++;
	ue_timer_free(c->t);
	c->t = NULL;
	ue_loop_quit(c->loop);
}

static void test_timer_free_in_callback(void **state)
{
	struct ctx c = {0};

	(void)state;
	c.loop = ue_loop_new();
	c.t = ue_timer_new(c.loop, on_timer_free_self, &c);
	ue_timer_start(c.t, 1);
	ue_loop_run(c.loop);
	assert_int_equal(c.fired, 1);
	assert_null(c.t);
	ue_loop_free(c.loop);
}

static void test_timer_stop(void **state)
{
	struct ctx c = {0};
	struct ue_timer *guard;

	(void)state;
	c.loop = ue_loop_new();
	c.t = ue_timer_new(c.loop, on_timer, &c);
	guard = ue_timer_new(c.loop, on_timer, &c);
	ue_timer_start(c.t, 5);
	ue_timer_start(c.t, 50000); /* re-arm replaces */
	ue_timer_start(guard, 30);
	ue_timer_stop(c.t);
	ue_loop_run(c.loop);
	assert_int_equal(c.fired, 1); /* only the guard */
	ue_timer_free(c.t);
	ue_timer_free(guard);
	ue_loop_free(c.loop);
}

static void on_fd(void *arg, int fd, unsigned events)
{
	struct ctx *c = arg;
	char b[16];

	c->fd_events |= (int)events;
	if (events & UE_FD_IN)
		assert_true(read(fd, b, sizeof(b)) > 0);
	ue_watch_free(c->w);
	c->w = NULL;
	ue_loop_quit(c->loop);
}

static void test_watch_pipe(void **state)
{
	struct ctx c = {0};
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	c.loop = ue_loop_new();
	c.w = ue_watch_fd(c.loop, p[0], UE_FD_IN, on_fd, &c);
	assert_non_null(c.w);
	assert_int_equal(write(p[1], "x", 1), 1);
	ue_loop_run(c.loop);
	assert_true(c.fd_events & UE_FD_IN);
	assert_null(c.w);
	/* A step with nothing pending returns after the timeout. */
	ue_loop_step(c.loop, 1);
	close(p[0]);
	close(p[1]);
	ue_loop_free(c.loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timer_fires_once),
		cmocka_unit_test(test_timer_free_in_callback),
		cmocka_unit_test(test_timer_stop),
		cmocka_unit_test(test_watch_pipe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
