/*
 * nutsec - test_upsmon_parent.c: what upsmon's root parent accepts from
 * the network child, through the very function it uses (parent_drain):
 * exactly one order, of exact size, from the expected sender, with the
 * magic word; a burst of orders is one shutdown; a wrong size, type,
 * sender, magic or a descriptor is fatal (-1) and never an order, and so
 * is whatever follows a truncated record.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "msg.h"
#include "loop.h"
#include "test.h"

#define PEER 4242

static int peer_fd;

static struct msg_chan *
chan(void)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	peer_fd = sv[1];
	return parent_chan_new(sv[0], PEER);
}

/* One raw record: header fields as given, then payload. */
static void
send_raw(uint16_t type, uint32_t peer, const void *payload, uint32_t len, int fd)
{
	char buf[256], cbuf[CMSG_SPACE(sizeof(int))];
	struct msg_hdr h = { len, type, (uint16_t)(fd >= 0 ? MSG_F_FD : 0), peer };
	struct iovec iov;
	struct msghdr mh;

	memset(cbuf, 0, sizeof(cbuf));
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, len);
	iov.iov_base = buf;
	iov.iov_len = sizeof(h) + len;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd >= 0) {
		struct cmsghdr *cm;

		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	if (sendmsg(peer_fd, &mh, 0) < 0)
		abort();
}

static void
order(uint32_t peer, uint32_t magic)
{
	send_raw(UPSMON_MSG_SHUTDOWN, peer, &magic, sizeof(magic), -1);
}

int
main(void)
{
	struct msg_chan *c;
	uint32_t big[2] = { UPSMON_SHUTDOWN_MAGIC, 0 };
	int latched, i;

	log_init("test_upsmon_parent", 0, LOG_TO_STDERR);

	TEST_CASE("the order is taken once; nothing pending is 0");
	c = chan();
	latched = 0;
	CHECK_INT(parent_drain(c, &latched), 0);
	order(PEER, UPSMON_SHUTDOWN_MAGIC);
	CHECK_INT(parent_drain(c, &latched), 1);
	CHECK_INT(latched, 1);

	TEST_CASE("a burst of orders after it changes nothing");
	for (i = 0; i < 100; i++)
		order(PEER, UPSMON_SHUTDOWN_MAGIC);
	CHECK_INT(parent_drain(c, &latched), 0);

	TEST_CASE("end of file is 2");
	close(peer_fd);
	CHECK_INT(parent_drain(c, &latched), 2);
	msg_chan_free(c);

	TEST_CASE("a burst before the first read is one order");
	c = chan();
	latched = 0;
	for (i = 0; i < 50; i++)
		order(PEER, UPSMON_SHUTDOWN_MAGIC);
	CHECK_INT(parent_drain(c, &latched), 1);
	CHECK_INT(parent_drain(c, &latched), 0);
	close(peer_fd);
	msg_chan_free(c);

	TEST_CASE("wrong size is fatal, not an order");
	c = chan();
	latched = 0;
	send_raw(UPSMON_MSG_SHUTDOWN, PEER, big, sizeof(big), -1);
	CHECK_INT(parent_drain(c, &latched), -1);
	CHECK_INT(latched, 0);
	close(peer_fd);
	msg_chan_free(c);

	TEST_CASE("an empty order is fatal");
	c = chan();
	latched = 0;
	send_raw(UPSMON_MSG_SHUTDOWN, PEER, big, 0, -1);
	CHECK_INT(parent_drain(c, &latched), -1);
	CHECK_INT(latched, 0);
	close(peer_fd);
	msg_chan_free(c);

	TEST_CASE("wrong type is fatal");
	c = chan();
	latched = 0;
	send_raw(UPSMON_MSG_NOTIFY, PEER, big, sizeof(uint32_t), -1);
	CHECK_INT(parent_drain(c, &latched), -1);
	CHECK_INT(latched, 0);
	close(peer_fd);
	msg_chan_free(c);

	TEST_CASE("another sender id is fatal");
	c = chan();
	latched = 0;
	order(PEER + 1, UPSMON_SHUTDOWN_MAGIC);
	CHECK_INT(parent_drain(c, &latched), -1);
	CHECK_INT(latched, 0);
	close(peer_fd);
	msg_chan_free(c);

	TEST_CASE("wrong magic is fatal");
	c = chan();
	latched = 0;
	order(PEER, 0x31);
	CHECK_INT(parent_drain(c, &latched), -1);
	CHECK_INT(latched, 0);
	close(peer_fd);
	msg_chan_free(c);

	TEST_CASE("a descriptor with the order is fatal");
	c = chan();
	latched = 0;
	send_raw(UPSMON_MSG_SHUTDOWN, PEER, big, sizeof(uint32_t), 0);
	CHECK_INT(parent_drain(c, &latched), -1);
	CHECK_INT(latched, 0);
	close(peer_fd);
	msg_chan_free(c);

	TEST_CASE("a truncated record is no order, and what follows it is fatal");
	c = chan();
	latched = 0;
	if (write(peer_fd, "\x04\0\0", 3) != 3)
		abort();
	CHECK_INT(parent_drain(c, &latched), 0);
	CHECK_INT(latched, 0);
	order(PEER, UPSMON_SHUTDOWN_MAGIC);
	CHECK_INT(parent_drain(c, &latched), -1);
	CHECK_INT(latched, 0);
	close(peer_fd);
	msg_chan_free(c);

	return test_done();
}
