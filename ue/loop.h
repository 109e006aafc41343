/* The one event loop (Sofia-SIP su_root underneath, hidden here so that no
 * file outside the SIP glue includes Sofia). Timers and file descriptors of
 * the daemon, the control socket and curl all live on it.
 */
#ifndef IMSUE_UE_LOOP_H
#define IMSUE_UE_LOOP_H

struct ue_loop;
struct ue_timer;
struct ue_watch;

enum { UE_FD_IN = 1, UE_FD_OUT = 2, UE_FD_ERR = 4 };

typedef void (*ue_timer_cb)(void *arg);
typedef void (*ue_fd_cb)(void *arg, int fd, unsigned events);

struct ue_loop *ue_loop_new(void);
void ue_loop_free(struct ue_loop *loop);
/* Run until ue_loop_quit(); returns 0. */
int ue_loop_run(struct ue_loop *loop);
void ue_loop_quit(struct ue_loop *loop);
/* Run one iteration, waiting at most timeout_ms. */
void ue_loop_step(struct ue_loop *loop, long timeout_ms);

struct ue_timer *ue_timer_new(struct ue_loop *loop, ue_timer_cb cb, void *arg);
/* (Re)arm to fire once after ms milliseconds. */
void ue_timer_start(struct ue_timer *t, unsigned long ms);
void ue_timer_stop(struct ue_timer *t);
int ue_timer_active(const struct ue_timer *t);
void ue_timer_free(struct ue_timer *t);

struct ue_watch *ue_watch_fd(struct ue_loop *loop, int fd, unsigned events, ue_fd_cb cb,
			     void *arg);
void ue_watch_events(struct ue_watch *w, unsigned events);
void ue_watch_free(struct ue_watch *w);

#endif
