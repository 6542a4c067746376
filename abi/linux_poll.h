/* SPDX-License-Identifier: MIT */
/* Linux x86-64 poll, select, epoll, eventfd: struct pollfd, epoll_event, POLL* and EPOLL* bits. */
#ifndef LXRUN_ABI_LINUX_POLL_H
#define LXRUN_ABI_LINUX_POLL_H

#include <stddef.h>
#include <stdint.h>

#define LINUX_POLLIN	 0x0001
#define LINUX_POLLPRI	 0x0002
#define LINUX_POLLOUT	 0x0004
#define LINUX_POLLERR	 0x0008
#define LINUX_POLLHUP	 0x0010
#define LINUX_POLLNVAL	 0x0020
#define LINUX_POLLRDNORM 0x0040
#define LINUX_POLLRDBAND 0x0080
#define LINUX_POLLWRNORM 0x0100
#define LINUX_POLLWRBAND 0x0200
#define LINUX_POLLMSG	 0x0400
#define LINUX_POLLREMOVE 0x1000
#define LINUX_POLLRDHUP	 0x2000

struct linux_pollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};
_Static_assert(sizeof(struct linux_pollfd) == 8, "struct pollfd is 8 bytes");
_Static_assert(offsetof(struct linux_pollfd, revents) == 6, "pollfd.revents");

/* select(2): the kernel reads (nfds + 63) / 64 longs of each set. */
#define LINUX_FD_SETSIZE 1024

/* epoll event bits share values with POLL* for the first ones. */
#define LINUX_EPOLLIN	     0x00000001u
#define LINUX_EPOLLPRI	     0x00000002u
#define LINUX_EPOLLOUT	     0x00000004u
#define LINUX_EPOLLERR	     0x00000008u
#define LINUX_EPOLLHUP	     0x00000010u
#define LINUX_EPOLLNVAL	     0x00000020u
#define LINUX_EPOLLRDNORM    0x00000040u
#define LINUX_EPOLLRDBAND    0x00000080u
#define LINUX_EPOLLWRNORM    0x00000100u
#define LINUX_EPOLLWRBAND    0x00000200u
#define LINUX_EPOLLMSG	     0x00000400u
#define LINUX_EPOLLRDHUP     0x00002000u
#define LINUX_EPOLLEXCLUSIVE (1u << 28)
#define LINUX_EPOLLWAKEUP    (1u << 29)
#define LINUX_EPOLLONESHOT   (1u << 30)
#define LINUX_EPOLLET	     (1u << 31)

#define LINUX_EPOLL_CTL_ADD 1
#define LINUX_EPOLL_CTL_DEL 2
#define LINUX_EPOLL_CTL_MOD 3
#define LINUX_EPOLL_CLOEXEC 02000000

/* x86-64 packs epoll_event (12 bytes) so it matches the i386 layout; other 64-bit arches do not. */
struct linux_epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));
_Static_assert(sizeof(struct linux_epoll_event) == 12, "x86-64 struct epoll_event is 12 bytes");
_Static_assert(offsetof(struct linux_epoll_event, data) == 4, "epoll_event.data");

/* eventfd2(2) */
#define LINUX_EFD_SEMAPHORE 1
#define LINUX_EFD_CLOEXEC   02000000
#define LINUX_EFD_NONBLOCK  00004000

#endif
