/*
 * nutsec - ev.h: the event loop (epoll on Linux) with fd events, one-shot
 * timers on a monotonic clock, signals delivered in the loop (self-pipe),
 * and a hook before each sleep. One loop per process; not thread-safe.
 * Callbacks may add or delete any fd or timer, including their own.
 */
#ifndef NUTSEC_EV_H
#define NUTSEC_EV_H

#include <stdint.h>

#define EV_READ  0x1
#define EV_WRITE 0x2
#define EV_ERROR 0x4	/* reported only: hang-up or error on the fd */

typedef void (*ev_fd_cb)(int fd, unsigned events, void *arg);
typedef void (*ev_cb)(void *arg);
typedef uint64_t ev_timer_id;	/* 0 is never a valid id */

/* Sets the loop up; returns 0 or -1 with errno. */
int ev_init(void);
/* Frees the loop (after ev_run returned), restoring the signal handlers. */
void ev_fini(void);
/*
 * From now on ev_fini leaves the signal handlers in place: a process under
 * a seccomp filter may not call sigaction, and at exit there is nothing to
 * restore them for.
 */
void ev_keep_signals(void);

/* Watches fd for events (EV_READ|EV_WRITE). Returns 0 or -1. */
int ev_fd_add(int fd, unsigned events, ev_fd_cb cb, void *arg);
/* Changes the watched events; 0 watches nothing but keeps the fd. */
int ev_fd_set(int fd, unsigned events);
/* Stops watching fd (does not close it). Safe inside callbacks. */
void ev_fd_del(int fd);
/* 1 if fd is being watched (added and not deleted), else 0. */
int ev_fd_active(int fd);

/* Calls cb(arg) once after ms milliseconds. */
ev_timer_id ev_timer_add(uint64_t ms, ev_cb cb, void *arg);
/* Cancels a pending timer; unknown or fired ids are ignored. */
void ev_timer_del(ev_timer_id id);

/* Runs cb(arg) in the loop whenever signal sig arrives (sigaction). */
int ev_signal(int sig, ev_cb cb, void *arg);
/* Runs cb(arg) before every wait (e.g. to flush output). One hook. */
void ev_before_sleep(ev_cb cb, void *arg);

/* Runs until ev_stop(). Returns 0, or -1 on a fatal loop error. */
int ev_run(void);
void ev_stop(void);

/* Monotonic milliseconds, refreshed once per loop iteration. */
uint64_t ev_now(void);
/* Monotonic milliseconds read now. */
uint64_t ev_clock(void);

#endif
