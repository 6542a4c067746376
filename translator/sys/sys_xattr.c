/* SPDX-License-Identifier: MIT */
/* Extended attributes: hostfs objects go to the host (which checks the guest buffers); lxrun's
 * synthetic filesystems have none. */
#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "abi/linux_fcntl.h"
#include "translator/fd.h"
#include "translator/guest_mem.h"
#include "translator/syscall.h"
#include "translator/sys/sys.h"
#include "translator/vfs/vfs.h"

enum xop { X_GET, X_LIST, X_SET, X_REMOVE };

/* An attribute name: too long is ERANGE for the xattr calls. */
static long name_in(char *name, uint64_t u)
{
	long r = guest_strncpy_in(name, u, 256);
	return r == -LINUX_ENAMETOOLONG ? -LINUX_ERANGE : r;
}

/* What a synthetic object answers: nothing to list, no such attribute, cannot set. */
static long synthetic(enum xop op)
{
	return op == X_LIST ? 0 : op == X_GET ? -LINUX_ENODATA : -LINUX_EOPNOTSUPP;
}

/* One operation on a host path (follow) or, for the l* calls, on the link itself. */
static long on_path(const char *hp, int nofollow, enum xop op, const char *name, struct lx_syscall *sc)
{
	long r;
	switch (op) {
	case X_GET:
		r = (nofollow ? lgetxattr : getxattr)(hp, name, (void *)sc->a[2], sc->a[3]);
		break;
	case X_LIST:
		r = (nofollow ? llistxattr : listxattr)(hp, (char *)sc->a[1], sc->a[2]);
		break;
	case X_SET:
		r = (nofollow ? lsetxattr : setxattr)(hp, name, (void *)sc->a[2], sc->a[3], (int)sc->a[4]);
		break;
	default:
		r = (nofollow ? lremovexattr : removexattr)(hp, name);
	}
	return r < 0 ? lx_errno(errno) : r;
}

/* Linux looks the path up first, then copies the name. */
static long xattr_path(struct lx_syscall *sc, int nofollow, enum xop op)
{
	struct lx_path p;
	long r = sys_resolve_user(LINUX_AT_FDCWD, sc->a[0], nofollow ? VFS_NOFOLLOW : VFS_FOLLOW, &p);
	if (r < 0)
		return r;
	char name[256] = "", buf[LX_PATH_MAX + 32];
	r = op == X_LIST ? 0 : name_in(name, sc->a[1]);
	if (r >= 0)
		r = p.mnt->ops ? synthetic(op)
			       : on_path(sys_host_abs(&p, buf, sizeof(buf)), nofollow, op, name, sc);
	vfs_path_put(&p);
	return r;
}

static long xattr_fd(struct lx_syscall *sc, enum xop op)
{
	struct lx_file *f = sys_file(sc->a[0]);
	if (!f)
		return -LINUX_EBADF;
	if (f->host_fd < 0 || f->mnt)
		return synthetic(op);
	char name[256] = "";
	long r = op == X_LIST ? 0 : name_in(name, sc->a[1]);
	if (r < 0)
		return r;
	switch (op) {
	case X_GET:
		return lx_host(fgetxattr(f->host_fd, name, (void *)sc->a[2], sc->a[3]));
	case X_LIST:
		return lx_host(flistxattr(f->host_fd, (char *)sc->a[1], sc->a[2]));
	case X_SET:
		return lx_host(fsetxattr(f->host_fd, name, (void *)sc->a[2], sc->a[3], (int)sc->a[4]));
	default:
		return lx_host(fremovexattr(f->host_fd, name));
	}
}

LX_SYSCALL(getxattr) { return xattr_path(sc, 0, X_GET); }
LX_SYSCALL(lgetxattr) { return xattr_path(sc, 1, X_GET); }
LX_SYSCALL(fgetxattr) { return xattr_fd(sc, X_GET); }
LX_SYSCALL(listxattr) { return xattr_path(sc, 0, X_LIST); }
LX_SYSCALL(llistxattr) { return xattr_path(sc, 1, X_LIST); }
LX_SYSCALL(flistxattr) { return xattr_fd(sc, X_LIST); }
LX_SYSCALL(setxattr) { return xattr_path(sc, 0, X_SET); }
LX_SYSCALL(lsetxattr) { return xattr_path(sc, 1, X_SET); }
LX_SYSCALL(fsetxattr) { return xattr_fd(sc, X_SET); }
LX_SYSCALL(removexattr) { return xattr_path(sc, 0, X_REMOVE); }
LX_SYSCALL(lremovexattr) { return xattr_path(sc, 1, X_REMOVE); }
LX_SYSCALL(fremovexattr) { return xattr_fd(sc, X_REMOVE); }
