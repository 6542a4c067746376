/* SPDX-License-Identifier: MIT */
/* identity.c: coverage for uid/gid/group calls, set*id transitions in children, capget/capset. */
#include "check.h"

#include <sys/prctl.h>

#include <stdint.h>
#include <linux/capability.h>
#include <sys/fsuid.h>

/* glibc declares no capget/capset (that is libcap's job): the raw calls. */
static long capget(cap_user_header_t h, cap_user_data_t d)
{
	return syscall(SYS_capget, h, d);
}

static long capset(cap_user_header_t h, const cap_user_data_t d)
{
	return syscall(SYS_capset, h, d);
}

/* Reads "Uid:" or "Gid:" (four ids) from /proc/self/status, an independent view of the ids. */
static int status_ids(const char *key, unsigned ids[4])
{
	char buf[4096], *p;

	if (check_read_file("/proc/self/status", buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, key);
	if (!p)
		return -1;
	return sscanf(p + strlen(key), "%u %u %u %u", &ids[0], &ids[1], &ids[2], &ids[3]) == 4 ? 0
											       : -1;
}

static int status_ngroups(void)
{
	char buf[4096], *p, *end;
	int n = 0;

	if (check_read_file("/proc/self/status", buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, "Groups:");
	if (!p)
		return -1;
	p += 7;
	end = strchr(p, '\n');
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p < end && *p >= '0' && *p <= '9') {
			n++;
			while (p < end && *p >= '0' && *p <= '9')
				p++;
		} else {
			p++;
		}
	}
	return n;
}

static uint64_t status_caps(const char *key)
{
	char buf[4096], *p;

	if (check_read_file("/proc/self/status", buf, sizeof(buf)) < 0)
		return ~0ULL;
	p = strstr(buf, key);
	return p ? strtoull(p + strlen(key), NULL, 16) : ~0ULL;
}

static void test_getters(void)
{
	unsigned u[4], g[4];
	uid_t r, e, s;
	gid_t rg, eg, sg;
	gid_t groups[256];
	int n;

	status_ids("Uid:", u);
	status_ids("Gid:", g);
	CHECK_EQ("getuid.matches_status", getuid(), u[0]);
	CHECK_EQ("geteuid.matches_status", geteuid(), u[1]);
	CHECK_EQ("getgid.matches_status", getgid(), g[0]);
	CHECK_EQ("getegid.matches_status", getegid(), g[1]);
	CHECK_SYS("getresuid.ok", getresuid(&r, &e, &s));
	CHECK("getresuid.values", r == u[0] && e == u[1] && s == u[2], "%u %u %u", r, e, s);
	CHECK_SYS("getresgid.ok", getresgid(&rg, &eg, &sg));
	CHECK("getresgid.values", rg == g[0] && eg == g[1] && sg == g[2], "%u %u %u", rg, eg, sg);
	CHECK_ERR("getresuid.efault", syscall(SYS_getresuid, BADPTR, &e, &s), EFAULT);
	CHECK_ERR("getresgid.efault", syscall(SYS_getresgid, &rg, &eg, BADPTR), EFAULT);
	n = getgroups(0, NULL);
	CHECK_EQ("getgroups.count", n, status_ngroups());
	CHECK_EQ("getgroups.fill", getgroups(256, groups), n);
	CHECK_ERR("getgroups.negative", syscall(SYS_getgroups, -1, groups), EINVAL);
	CHECK_EQ("setfsuid.query", setfsuid(-1), u[3]);
	CHECK_EQ("setfsgid.query", setfsgid(-1), g[3]);
}

/* What an unprivileged process may and may not do with its ids. */
static void unprivileged_cases(void)
{
	uid_t me = getuid(), r, e, s;
	gid_t gme = getgid(), list[1] = {gme};
	uid_t other = me == 65533 ? 65532 : 65533;

	CHECK_ERR("setuid.eperm", setuid(other), EPERM);
	CHECK_ERR("setgid.eperm", setgid(other), EPERM);
	CHECK_SYS("setuid.same", setuid(me));
	CHECK_ERR("setresuid.eperm", setresuid(other, -1, -1), EPERM);
	CHECK_SYS("setresuid.noop", setresuid(-1, -1, -1));
	CHECK_ERR("setresgid.eperm", setresgid(-1, other, -1), EPERM);
	CHECK_ERR("setreuid.eperm", setreuid(other, other), EPERM);
	CHECK_ERR("setregid.eperm", setregid(other, -1), EPERM);
	CHECK_SYS("setreuid.swap_same", setreuid(me, me));
	CHECK_ERR("setgroups.eperm", setgroups(1, list), EPERM);
	/* setfsuid never fails; it returns the old value and ignores a refused one. */
	setfsuid(other);
	CHECK_EQ("setfsuid.refused_unchanged", setfsuid(-1), me);
	setfsgid(other);
	CHECK_EQ("setfsgid.refused_unchanged", setfsgid(-1), gme);
	getresuid(&r, &e, &s);
	CHECK("setresuid.unchanged", r == me && e == me && s == me, "%u %u %u", r, e, s);
	{
		struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
		struct __user_cap_data_struct d[2];

		capget(&h, d);
		d[0].effective |= 1u << CAP_CHOWN;
		CHECK_ERR("capset.raise_eperm", syscall(SYS_capset, &h, d), EPERM);
	}
}

static void test_setids_privileged(void)
{
	pid_t pid;

	if (geteuid() != 0) {
		const char *names[] = {"setgroups.root", "getgroups.too_small", "setresgid.root", "setresuid.root",
				       "setuid.root_cannot_return", "setfsuid.root"};

		for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			check_skip(names[i], "needs root");
		return;
	}
	pid = fork();
	if (pid == 0) {
		gid_t set[2] = {101, 102}, got[4];
		uid_t r, e, s;
		gid_t rg, eg, sg;

		check_passed = check_failed = 0;
		CHECK("setgroups.root", setgroups(2, set) == 0 && getgroups(4, got) == 2 &&
						got[0] == 101 && got[1] == 102,
		      "%s", check_errname(errno));
		CHECK_ERR("getgroups.too_small", getgroups(1, got), EINVAL);
		setfsuid(1234);
		CHECK_EQ("setfsuid.root", setfsuid(-1), 1234);
		setfsuid(0);
		CHECK("setresgid.root", setresgid(65534, 65533, 65532) == 0 &&
						getresgid(&rg, &eg, &sg) == 0 && rg == 65534 &&
						eg == 65533 && sg == 65532,
		      "%u %u %u", rg, eg, sg);
		CHECK("setresuid.root", setresuid(65534, 65533, 65532) == 0 &&
						getresuid(&r, &e, &s) == 0 && r == 65534 &&
						e == 65533 && s == 65532,
		      "%u %u %u", r, e, s);
		/* The saved id allows moving among the three; uid 0 is gone for good. */
		CHECK_ERR("setuid.root_cannot_return", setuid(0), EPERM);
		check_child_exit();
	}
	check_wait_child("setresuid.root_child", pid, 0);
}

static void test_caps(void)
{
	struct __user_cap_header_struct h = {0, 0};
	struct __user_cap_data_struct d[2];
	uint64_t eff;
	pid_t pid;

	/* An unknown version: EINVAL with data, 0 as a pure probe; both report the version. */
	CHECK_EQ("capget.version_probe", capget(&h, NULL), 0);
	h.version = 0;
	CHECK_ERR("capget.bad_version", capget(&h, d), EINVAL);
	CHECK_EQ("capget.version_reported", h.version, _LINUX_CAPABILITY_VERSION_3);
	h.pid = 0;
	CHECK_SYS("capget.self", capget(&h, d));
	eff = d[0].effective | (uint64_t)d[1].effective << 32;
	CHECK_EQ("capget.matches_status", eff, status_caps("CapEff:"));
	CHECK("capget.effective_in_permitted",
	      (d[0].effective & ~d[0].permitted) == 0 && (d[1].effective & ~d[1].permitted) == 0,
	      "effective outside permitted");
	h.pid = getpid();
	CHECK_SYS("capget.by_pid", capget(&h, d));
	h.pid = INT_MAX;
	CHECK_ERR("capget.esrch", capget(&h, d), ESRCH);
	h.pid = 0;
	CHECK_ERR("capget.efault", syscall(SYS_capget, &h, BADPTR), EFAULT);
	h.version = 0x12345678;
	CHECK_ERR("capset.bad_version", capset(&h, d), EINVAL);
	h.version = _LINUX_CAPABILITY_VERSION_3;
	h.pid = getppid() > 1 ? getppid() : 1;
	CHECK_ERR("capset.other_pid", capset(&h, d), EPERM);

	/* Dropping an effective capability is always allowed, and visible to capget. */
	pid = fork();
	if (pid == 0) {
		check_passed = check_failed = 0;
		h.pid = 0;
		capget(&h, d);
		d[0].effective = 0;
		d[1].effective = 0;
		CHECK_SYS("capset.drop_effective", capset(&h, d));
		memset(d, 0xff, sizeof(d));
		capget(&h, d);
		CHECK_EQ("capset.dropped", d[0].effective | d[1].effective, 0);
		CHECK_EQ("capset.status_dropped", status_caps("CapEff:"), 0);
		check_child_exit();
	}
	check_wait_child("capset.child", pid, 0);

	/* The bounding set: dropping needs CAP_SETPCAP (EPERM without), and stays dropped;
	 * securebits: setting one needs it too. Each in a child of its own. */
	pid = fork();
	if (pid == 0) {
		int setpcap = prctl(PR_CAPBSET_READ, CAP_SETPCAP) == 1 && geteuid() == 0;

		check_passed = check_failed = 0;
		if (setpcap) {
			CHECK_SYS("prctl.capbset_drop", prctl(PR_CAPBSET_DROP, CAP_KILL, 0, 0, 0));
			CHECK_EQ("prctl.capbset_dropped", prctl(PR_CAPBSET_READ, CAP_KILL), 0);
			CHECK_SYS("prctl.set_securebits", prctl(PR_SET_SECUREBITS, 1 << 6 /*
				  SECBIT_NO_CAP_AMBIENT_RAISE */, 0, 0, 0));
			CHECK_EQ("prctl.get_securebits", prctl(PR_GET_SECUREBITS), 1 << 6);
		} else {
			CHECK_ERR("prctl.capbset_drop_eperm", prctl(PR_CAPBSET_DROP, CAP_KILL, 0, 0, 0),
				  EPERM);
		}
		CHECK_ERR("prctl.capbset_drop_bad_cap", prctl(PR_CAPBSET_DROP, 1000, 0, 0, 0), EINVAL);
		check_child_exit();
	}
	check_wait_child("prctl.capbset_child", pid, 0);
}

int main(int argc, char **argv)
{
	pid_t pid;

	check_init(argc, argv);
	test_getters();
	test_setids_privileged();
	test_caps();
	pid = check_fork_unprivileged();
	if (pid == 0) {
		unprivileged_cases();
		check_child_exit();
	}
	check_wait_child("setuid.unprivileged_child", pid, 0);
	{
		mode_t old = umask(027);

		CHECK_EQ("umask.returns_previous", umask(old), 027);
		umask(07777);
		CHECK_EQ("umask.masks_high_bits", umask(old), 0777);
	}
	return check_done();
}
