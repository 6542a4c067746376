/* SPDX-License-Identifier: MIT */
/* Path queries: getcwd, readlink, access. */
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "translator/guest_mem.h"
#include "translator/process.h"
#include "translator/syscall.h"
#include "translator/sys/sys.h"

LX_SYSCALL(getcwd)
{
	char buf[LX_PATH_MAX];
	if (!getcwd(buf, sizeof(buf)))
		return lx_errno(errno);
	size_t len = strlen(buf) + 1;
	if (len > sc->a[1])
		return -LINUX_ERANGE;
	long r = guest_copy_out(sc->a[0], buf, len);
	return r < 0 ? r : (long)len;
}

static long do_readlinkat(long dirfd, uint64_t upath, uint64_t ubuf, uint64_t size)
{
	char path[LX_PATH_MAX], out[LX_PATH_MAX];
	long r = sys_path_in(path, upath);
	if (r < 0)
		return r;
	if ((int64_t)size <= 0)
		return -LINUX_EINVAL;
	if (strcmp(path, "/proc/self/exe") == 0) {
		r = (long)strlen(lx_proc.exe);
		memcpy(out, lx_proc.exe, (size_t)r);
	} else {
		int hdir = AT_FDCWD;
		if (path[0] != '/' && (r = sys_host_dirfd(dirfd, &hdir)) < 0)
			return r;
		r = readlinkat(hdir, path, out, sizeof(out));
		if (r < 0)
			return lx_errno(errno);
	}
	if ((uint64_t)r > size)
		r = (long)size;
	long c = guest_copy_out(ubuf, out, (size_t)r);
	return c < 0 ? c : r;
}

LX_SYSCALL(readlink)
{
	return do_readlinkat(LINUX_AT_FDCWD, sc->a[0], sc->a[1], sc->a[2]);
}

LX_SYSCALL(readlinkat)
{
	return do_readlinkat((long)(int)sc->a[0], sc->a[1], sc->a[2], sc->a[3]);
}

static long do_faccessat(long dirfd, uint64_t upath, uint64_t mode, uint64_t flags)
{
	if (mode & ~7ull)
		return -LINUX_EINVAL;
	if (flags & ~(uint64_t)(LINUX_AT_EACCESS | LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
		return -LINUX_EINVAL;
	char path[LX_PATH_MAX];
	long r = guest_strncpy_in(path, upath, sizeof(path));
	if (r < 0)
		return r;
	if (r == 0 && !(flags & LINUX_AT_EMPTY_PATH))
		return -LINUX_ENOENT;
	int hdir = AT_FDCWD;
	if (path[0] != '/' && (r = sys_host_dirfd(dirfd, &hdir)) < 0)
		return r;
	return lx_host(syscall(SYS_faccessat2, hdir, path, (int)mode, (int)flags));
}

LX_SYSCALL(access)
{
	return do_faccessat(LINUX_AT_FDCWD, sc->a[0], sc->a[1], 0);
}

LX_SYSCALL(faccessat)
{
	return do_faccessat((long)(int)sc->a[0], sc->a[1], sc->a[2], 0);
}

LX_SYSCALL(faccessat2)
{
	return do_faccessat((long)(int)sc->a[0], sc->a[1], sc->a[2], sc->a[3]);
}
