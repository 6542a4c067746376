/* SPDX-License-Identifier: MIT */
/* Pipes, readiness (poll/select), and in-kernel copies (sendfile, copy_file_range). */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "abi/linux_poll.h"
#include "abi/linux_time.h"
#include "translator/fd.h"
#include "translator/file_host.h"
#include "translator/guest_mem.h"
#include "translator/process.h"
#include "translator/syscall.h"
#include "translator/sys/sys.h"
#include "translator/signal_guest.h"
#include "translator/thread.h"

static long do_pipe2(uint64_t ufds, uint64_t flags)
{
	if (flags & ~(uint64_t)(LINUX_O_CLOEXEC | LINUX_O_NONBLOCK | LINUX_O_DIRECT))
		return -LINUX_EINVAL;
	int h[2];
	if (pipe2(h, (int)((flags & ~(uint64_t)LINUX_O_CLOEXEC) | O_CLOEXEC)) < 0)
		return lx_errno(errno);
	unsigned st = (unsigned)flags & (LINUX_O_NONBLOCK | LINUX_O_DIRECT);
	struct lx_file *r = lx_host_file_new(h[0], LINUX_O_RDONLY | st, NULL);
	struct lx_file *w = lx_host_file_new(h[1], LINUX_O_WRONLY | st, NULL);
	if (!r || !w) {
		if (r)
			lx_file_put(r);
		else
			close(h[0]);
		if (w)
			lx_file_put(w);
		else
			close(h[1]);
		return -LINUX_ENOMEM;
	}
	int cloexec = !!(flags & LINUX_O_CLOEXEC);
	int fds[2] = {lx_fd_install(lx_proc.fds, r, 0, cloexec), -1};
	if (fds[0] >= 0)
		fds[1] = lx_fd_install(lx_proc.fds, w, 0, cloexec);
	lx_file_put(r);
	lx_file_put(w);
	long err = fds[0] < 0 ? fds[0] : fds[1] < 0 ? fds[1] : 0;
	if (!err && guest_copy_out(ufds, fds, sizeof(fds)) < 0)
		err = -LINUX_EFAULT;
	if (err) {
		if (fds[0] >= 0)
			lx_fd_close(lx_proc.fds, fds[0]);
		if (fds[1] >= 0)
			lx_fd_close(lx_proc.fds, fds[1]);
	}
	return err;
}

LX_SYSCALL(pipe)
{
	return do_pipe2(sc->a[0], 0);
}

LX_SYSCALL(pipe2)
{
	return do_pipe2(sc->a[0], sc->a[1]);
}

/*
 * poll over guest fds: files with a host fd are polled by the host; the others report their
 * ops->poll (or always ready, as regular files are) and make the wait non-blocking.
 */
static long do_poll(struct linux_pollfd *pf, unsigned n, int timeout_ms, const uint64_t *mask)
{
	struct pollfd *h = calloc(n ? n : 1, sizeof(*h));
	if (!h)
		return -LINUX_ENOMEM;
	long ready_now = 0;
	for (unsigned i = 0; i < n; i++) {
		pf[i].revents = 0;
		h[i].fd = -1;
		if (pf[i].fd < 0)
			continue;
		struct lx_file *f = sys_file(pf[i].fd);
		if (!f) {
			pf[i].revents = LINUX_POLLNVAL;
			ready_now++;
			continue;
		}
		if (f->host_fd >= 0 && !f->ops->poll) {
			h[i].fd = f->host_fd;
			h[i].events = pf[i].events;
			continue;
		}
		unsigned ev = f->ops->poll ? f->ops->poll(f)
					   : (LINUX_POLLIN | LINUX_POLLOUT | LINUX_POLLRDNORM | LINUX_POLLWRNORM);
		pf[i].revents = (int16_t)(ev & ((unsigned)(uint16_t)pf[i].events | LINUX_POLLERR | LINUX_POLLHUP));
		if (pf[i].revents)
			ready_now++;
	}
	/* The kernel's ppoll applies a wait mask atomically; ours follows for the guest side. */
	struct timespec ts = {0, 0}, *tsp = NULL;
	if (!ready_now && timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000;
	}
	if (ready_now || timeout_ms >= 0)
		tsp = &ts;
	struct lx_thread *t = lx_thread_self();
	uint64_t hmask = mask ? lx_signal_wait_mask_begin(t, *mask) : 0;
	long r = lx_safe(SYS_ppoll, h, n, tsp, mask ? &hmask : NULL, 8);
	if (mask)
		lx_signal_wait_mask_end(t);
	if (r < 0) {
		free(h);
		return r;
	}
	long count = 0;
	for (unsigned i = 0; i < n; i++) {
		if (h[i].fd >= 0)
			pf[i].revents = h[i].revents;
		if (pf[i].revents)
			count++;
	}
	free(h);
	return count;
}

static long poll_guest(uint64_t ufds, uint64_t nfds, int timeout_ms, const uint64_t *mask)
{
	if (nfds > (uint64_t)lx_proc.fds->limit) /* Linux: more than RLIMIT_NOFILE */
		return -LINUX_EINVAL;
	size_t sz = nfds * sizeof(struct linux_pollfd);
	struct linux_pollfd *pf = malloc(sz ? sz : 1);
	if (!pf)
		return -LINUX_ENOMEM;
	long r = guest_copy_in(pf, ufds, sz);
	if (r == 0)
		r = do_poll(pf, (unsigned)nfds, timeout_ms, mask);
	if (r >= 0) {
		/* only revents are written back, as the kernel does */
		for (uint64_t i = 0; i < nfds && r >= 0; i++)
			if (guest_copy_out(ufds + i * sizeof(*pf) + offsetof(struct linux_pollfd, revents),
					   &pf[i].revents, sizeof(pf[i].revents)) < 0)
				r = -LINUX_EFAULT;
	}
	free(pf);
	return r;
}

LX_SYSCALL(poll)
{
	return poll_guest(sc->a[0], sc->a[1], (int)sc->a[2], NULL);
}

static int ts_to_ms(const struct linux_timespec *ts)
{
	if (ts->tv_sec > 2000000)
		return 2000000000;
	return (int)(ts->tv_sec * 1000 + (ts->tv_nsec + 999999) / 1000000);
}

LX_SYSCALL(ppoll)
{
	int ms = -1;
	uint64_t mask;
	if (sc->a[3] && sc->a[4] != sizeof(uint64_t))
		return -LINUX_EINVAL;
	if (sc->a[3] && guest_copy_in(&mask, sc->a[3], sizeof(mask)) < 0)
		return -LINUX_EFAULT;
	if (sc->a[2]) {
		struct linux_timespec ts;
		if (guest_copy_in(&ts, sc->a[2], sizeof(ts)) < 0)
			return -LINUX_EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -LINUX_EINVAL;
		ms = ts_to_ms(&ts);
	}
	return poll_guest(sc->a[0], sc->a[1], ms, sc->a[3] ? &mask : NULL);
}

/* select via poll: fd_set bits -> pollfd entries -> bits. */
static long do_select(int nfds, uint64_t urd, uint64_t uwr, uint64_t uex, int ms,
		      const uint64_t *mask)
{
	if (nfds < 0)
		return -LINUX_EINVAL;
	/* Linux looks no further than the fd table's size */
	int size = __atomic_load_n(&lx_proc.fds->size, __ATOMIC_RELAXED);
	if (nfds > size)
		nfds = size;
	size_t words = ((size_t)nfds + 63) / 64, bytes = words * 8;
	uint64_t *sets[3], *all = calloc(3 * words + 1, 8);
	uint64_t addr[3] = {urd, uwr, uex};
	if (!all)
		return -LINUX_ENOMEM;
	for (int k = 0; k < 3; k++) {
		sets[k] = all + k * words;
		if (addr[k] && bytes && guest_copy_in(sets[k], addr[k], bytes) < 0) {
			free(all);
			return -LINUX_EFAULT;
		}
	}
	struct linux_pollfd *pf = calloc((size_t)nfds + 1, sizeof(*pf));
	if (!pf) {
		free(all);
		return -LINUX_ENOMEM;
	}
	unsigned n = 0;
	for (int fd = 0; fd < nfds; fd++) {
		int16_t ev = 0;
		if (sets[0][fd / 64] >> (fd % 64) & 1)
			ev |= LINUX_POLLIN;
		if (sets[1][fd / 64] >> (fd % 64) & 1)
			ev |= LINUX_POLLOUT;
		if (sets[2][fd / 64] >> (fd % 64) & 1)
			ev |= LINUX_POLLPRI;
		if (!ev)
			continue;
		if (!sys_file(fd)) {
			free(pf);
			free(all);
			return -LINUX_EBADF;
		}
		pf[n].fd = fd;
		pf[n++].events = ev;
	}
	long r = do_poll(pf, n, ms, mask);
	if (r < 0) {
		free(pf);
		free(all);
		return r;
	}
	memset(all, 0, 3 * words * 8);
	long count = 0;
	for (unsigned i = 0; i < n; i++) {
		int fd = pf[i].fd;
		unsigned re = (uint16_t)pf[i].revents;
		if ((pf[i].events & LINUX_POLLIN) && (re & (LINUX_POLLIN | LINUX_POLLHUP | LINUX_POLLERR))) {
			sets[0][fd / 64] |= 1ull << (fd % 64);
			count++;
		}
		if ((pf[i].events & LINUX_POLLOUT) && (re & (LINUX_POLLOUT | LINUX_POLLERR))) {
			sets[1][fd / 64] |= 1ull << (fd % 64);
			count++;
		}
		if ((pf[i].events & LINUX_POLLPRI) && (re & LINUX_POLLPRI)) {
			sets[2][fd / 64] |= 1ull << (fd % 64);
			count++;
		}
	}
	free(pf);
	for (int k = 0; k < 3; k++)
		if (addr[k] && bytes && guest_copy_out(addr[k], sets[k], bytes) < 0)
			count = -LINUX_EFAULT;
	free(all);
	return count;
}

LX_SYSCALL(select)
{
	int ms = -1;
	struct linux_timeval tv;
	if (sc->a[4]) {
		if (guest_copy_in(&tv, sc->a[4], sizeof(tv)) < 0)
			return -LINUX_EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -LINUX_EINVAL;
		ms = tv.tv_sec > 2000000 ? 2000000000 : (int)(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000);
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	long r = do_select((int)sc->a[0], sc->a[1], sc->a[2], sc->a[3], ms, NULL);
	if (sc->a[4] && r >= 0) { /* Linux writes back the time not slept */
		clock_gettime(CLOCK_MONOTONIC, &t1);
		int64_t left = (tv.tv_sec * 1000000 + tv.tv_usec) -
			       ((t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000);
		if (left < 0 || r == 0)
			left = 0;
		tv.tv_sec = left / 1000000;
		tv.tv_usec = left % 1000000;
		guest_copy_out(sc->a[4], &tv, sizeof(tv));
	}
	return r;
}

LX_SYSCALL(pselect6)
{
	int ms = -1;
	if (sc->a[4]) {
		struct linux_timespec ts;
		if (guest_copy_in(&ts, sc->a[4], sizeof(ts)) < 0)
			return -LINUX_EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -LINUX_EINVAL;
		ms = ts_to_ms(&ts);
	}
	/* the sixth argument: {const sigset_t *ss; size_t ss_len} */
	uint64_t sm[2], mask;
	const uint64_t *mp = NULL;
	if (sc->a[5]) {
		if (guest_copy_in(sm, sc->a[5], sizeof(sm)) < 0)
			return -LINUX_EFAULT;
		if (sm[0]) {
			if (sm[1] != sizeof(uint64_t))
				return -LINUX_EINVAL;
			if (guest_copy_in(&mask, sm[0], sizeof(mask)) < 0)
				return -LINUX_EFAULT;
			mp = &mask;
		}
	}
	return do_select((int)sc->a[0], sc->a[1], sc->a[2], sc->a[3], ms, mp);
}

/* A read+write copy for files the host kernel cannot splice between. */
static long copy_fallback(struct lx_file *out, struct lx_file *in, uint64_t uoff, size_t count)
{
	char buf[65536];
	int64_t off = 0;
	if (uoff && guest_copy_in(&off, uoff, sizeof(off)) < 0)
		return -LINUX_EFAULT;
	long total = 0;
	while ((size_t)total < count) {
		size_t want = count - (size_t)total < sizeof(buf) ? count - (size_t)total : sizeof(buf);
		long n;
		if (uoff)
			n = in->ops->pread ? in->ops->pread(in, (uint64_t)buf, want, off) : -LINUX_ESPIPE;
		else
			n = in->ops->read ? in->ops->read(in, (uint64_t)buf, want) : -LINUX_EINVAL;
		if (n <= 0) {
			if (n < 0 && !total)
				return n;
			break;
		}
		long w = out->ops->write ? out->ops->write(out, (uint64_t)buf, (size_t)n) : -LINUX_EINVAL;
		if (w < 0) {
			if (!total)
				return w;
			break;
		}
		total += w;
		off += w;
		if (w < n)
			break;
	}
	if (uoff && guest_copy_out(uoff, &off, sizeof(off)) < 0)
		return -LINUX_EFAULT;
	return total;
}

LX_SYSCALL(sendfile)
{
	struct lx_file *out = sys_file(sc->a[0]), *in = sys_file(sc->a[1]);
	if (!out || !in)
		return -LINUX_EBADF;
	if ((in->flags & LINUX_O_ACCMODE) == LINUX_O_WRONLY || (out->flags & LINUX_O_ACCMODE) == LINUX_O_RDONLY)
		return -LINUX_EBADF;
	if (in->host_fd >= 0 && out->host_fd >= 0 && !in->mnt && !out->mnt)
		return lx_host_io(SYS_sendfile, out->host_fd, in->host_fd, in->host_fd,
				  (long)sc->a[2], (long)sc->a[3], 0, 0);
	return copy_fallback(out, in, sc->a[2], sc->a[3]);
}

LX_SYSCALL(copy_file_range)
{
	struct lx_file *in = sys_file(sc->a[0]), *out = sys_file(sc->a[2]);
	if (!out || !in)
		return -LINUX_EBADF;
	/* devfs files are host device nodes: the host's checks (EINVAL for a device) */
	int host_in = in->host_fd >= 0 && (!in->mnt || in->mnt->ops == &lx_devfs_ops);
	int host_out = out->host_fd >= 0 && (!out->mnt || out->mnt->ops == &lx_devfs_ops);
	if (sc->a[5])
		return -LINUX_EINVAL;
	if (!host_in || !host_out)
		return -LINUX_EXDEV; /* callers fall back to read/write, as across filesystems */
	return lx_host_io(SYS_copy_file_range, in->host_fd, out->host_fd, (long)sc->a[1],
			  out->host_fd, (long)sc->a[3], (long)sc->a[4], (unsigned)sc->a[5]);
}

LX_SYSCALL(readahead)
{
	struct lx_file *f = sys_file(sc->a[0]);
	if (!f)
		return -LINUX_EBADF;
	if (f->host_fd < 0)
		return -LINUX_EINVAL;
	return lx_host(readahead(f->host_fd, (off_t)sc->a[1], sc->a[2]));
}

LX_SYSCALL(fadvise64)
{
	struct lx_file *f = sys_file(sc->a[0]);
	if (!f)
		return -LINUX_EBADF;
	if (f->host_fd < 0)
		return 0;
	int r = posix_fadvise(f->host_fd, (off_t)sc->a[1], (off_t)sc->a[2], (int)sc->a[3]);
	return r ? lx_errno(r) : 0;
}

LX_SYSCALL(fallocate)
{
	struct lx_file *f = sys_file(sc->a[0]);
	if (!f)
		return -LINUX_EBADF;
	if (f->host_fd < 0 || (f->mnt && f->mnt->ops != &lx_devfs_ops)) /* devfs: host nodes */
		return -LINUX_EOPNOTSUPP;
	return lx_host(fallocate(f->host_fd, (int)sc->a[1], (off_t)sc->a[2], (off_t)sc->a[3]));
}
