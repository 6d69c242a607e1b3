/*
 * nutsec - fuzz_dispatch.c: arbitrary bytes as one client's request stream
 * through upsd's real connection code, dispatcher and handlers. The first
 * call sets up a configuration in a temporary directory (three users, two
 * UPSes, one of them "connected" to a socketpair with a small tree). Every
 * reply must be whole lines; memory errors are the sanitizers' to find.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "ev.h"
#include "fuzz.h"
#include "fuzz_upsd.h"
#include "log.h"
#include "vartree.h"

#include "upsd.h"

static int drv_peer = -1;

static void
no_events(int fd, unsigned events, void *arg)
{
}

static void
setup(void)
{
	struct ups *u;
	struct vt_var *v;
	int sp[2];

	(void)fuzz_upsd_setup("fuzz_dispatch");
	if ((u = ups_find("ups1")) == NULL || socketpair(AF_UNIX, SOCK_STREAM, 0, sp) != 0)
		abort();
	u->drv.fd = sp[0];
	drv_peer = sp[1];
	(void)ev_fd_add(sp[0], 0, no_events, NULL);
	u->drv.last_heard = ev_now();
	(void)vt_set(u->tree, "ups.status", "OL", NULL);
	v = vt_set(u->tree, "ups.id", "x", NULL);
	vt_set_flags(v, VT_RW | VT_STRING);
	vt_set_aux(v, 8);
	v = vt_set(u->tree, "input.sensitivity", "M", NULL);
	vt_set_flags(v, VT_RW);
	(void)vt_enum_add(v, "M");
	v = vt_set(u->tree, "input.transfer.low", "180", NULL);
	vt_set_flags(v, VT_RW);
	(void)vt_range_add(v, 160, 190);
	(void)vt_cmd_add(u->tree, "load.on");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	char sink[4096];
	struct client *c;
	size_t n;

	if (!ready) {
		setup();
		ready = 1;
	}
	c = client_new_detached("192.0.2.1");
	client_input(c, (const char *)data, size);
	n = buf_len(c->out);
	if (n > 0 && buf_peek(c->out)[n - 1] != '\n')
		abort();
	client_close(c, "fuzz");
	/* Whatever was forwarded to the fake driver is drained. */
	while (recv(drv_peer, sink, sizeof(sink), MSG_DONTWAIT) > 0)
		;
	return 0;
}
