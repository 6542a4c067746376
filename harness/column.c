/* SPDX-License-Identifier: MIT */
/* harness: the columns a command can run in (native, translate engines, vm shares, peers). */
#include "harness/column.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/proc.h"
#include "vm/vm.h"

#define PROBE_TIMEOUT_MS    60000
#define VM_START_TIMEOUT_MS 300000

static const struct hcol catalog[] = {
	{.name = "native", .kind = HCOL_NATIVE, .what = "the program run directly on the host"},
	{.name = "translate/rewrite",
	 .kind = HCOL_TRANSLATE,
	 .arg = "rewrite",
	 .what = "lxrun translate mode, syscall sites patched into jumps (default engine)"},
	{.name = "translate/sud",
	 .kind = HCOL_TRANSLATE,
	 .arg = "sud",
	 .what = "lxrun translate mode, every syscall trapped by Syscall User Dispatch"},
	{.name = "translate/emulate",
	 .kind = HCOL_TRANSLATE,
	 .arg = "emulate",
	 .what = "lxrun translate mode, guest code on a Unicorn CPU (TCG), same userspace kernel"},
	{.name = "vm/ext4",
	 .kind = HCOL_VM,
	 .arg = "ext4",
	 .package = "qemu-system-x86",
	 .what = "lxrun vm mode, working directory on the guest's own ext4 disk"},
	{.name = "vm/9p",
	 .kind = HCOL_VM,
	 .arg = "9p",
	 .package = "qemu-system-x86",
	 .what = "lxrun vm mode, working directory shared from the host over virtio-9p"},
	{.name = "vm/virtiofs",
	 .kind = HCOL_VM,
	 .arg = "virtiofs",
	 .package = "qemu-system-x86",
	 .what = "lxrun vm mode, working directory shared from the host over virtio-fs"},
	{.name = "qemu-user",
	 .kind = HCOL_PEER,
	 .arg = "qemu-x86_64",
	 .package = "qemu-user",
	 .what = "qemu-x86_64: TCG + syscall translation (children it execs run natively)"},
	{.name = "proot",
	 .kind = HCOL_PEER,
	 .arg = "proot",
	 .package = "proot",
	 .what = "proot: ptrace, every syscall stops in the tracer"},
	{.name = "gvisor",
	 .kind = HCOL_PEER,
	 .arg = "runsc",
	 .package = "runsc",
	 .what = "gVisor runsc --platform=ptrace do: a userspace kernel in Go"},
};

size_t hcol_catalog(struct hcol *out, size_t max)
{
	size_t n = sizeof(catalog) / sizeof(catalog[0]);

	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++) {
		out[i] = catalog[i];
		out[i].selected = true;
	}
	return n;
}

int hcol_select(struct hcol *cols, size_t n, const char *list, char *why, size_t whylen)
{
	char *dup = strdup(list), *save = NULL, *tok;
	int err = 0;

	if (!dup)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		cols[i].selected = false;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t tl = strlen(tok);
		bool hit = false;

		for (size_t i = 0; i < n; i++) {
			if (!strcmp(cols[i].name, tok) ||
			    (tok[tl - 1] == '/' && !strncmp(cols[i].name, tok, tl))) {
				cols[i].selected = true;
				hit = true;
			}
		}
		if (!hit) {
			snprintf(why, whylen, "unknown column '%s'", tok);
			err = -EINVAL;
			break;
		}
	}
	free(dup);
	return err;
}

int hcol_which(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");

	if (strchr(name, '/')) {
		snprintf(out, len, "%s", name);
		return access(name, X_OK) ? -ENOENT : 0;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		struct stat st;

		snprintf(out, len, "%.*s/%s", (int)n, path, name);
		if (n && stat(out, &st) == 0 && S_ISREG(st.st_mode) && !access(out, X_OK))
			return 0;
		path += n + (path[n] == ':');
	}
	return -ENOENT;
}

bool hcol_in_guest_dir(const struct hcol *c)
{
	return c->kind == HCOL_VM && !strcmp(c->arg, "ext4");
}

int hcol_argv(const struct hcol *c, const struct hcol_env *env, char *const *cmd, char **out,
	      size_t max)
{
	size_t n = 0, ncmd = 0;

	while (cmd[ncmd])
		ncmd++;
#define PUSH(s)                                                                                    \
	do {                                                                                       \
		if (n + 1 >= max)                                                                  \
			return -E2BIG;                                                             \
		out[n++] = (char *)(s);                                                            \
	} while (0)
	switch (c->kind) {
	case HCOL_NATIVE:
		break;
	case HCOL_TRANSLATE:
		PUSH(env->lxrun);
		PUSH("--engine");
		PUSH(c->arg);
		PUSH("--");
		break;
	case HCOL_VM:
		PUSH(env->lxrun);
		PUSH("--mode");
		PUSH("vm");
		PUSH("--state-dir");
		PUSH(env->state_dir);
		PUSH("--no-tty");
		if (hcol_in_guest_dir(c)) {
			PUSH("--workdir");
			PUSH(env->guest_dir);
		} else {
			PUSH("--share");
			PUSH(c->arg);
		}
		PUSH("--");
		break;
	case HCOL_PEER:
		PUSH(c->arg);
		if (!strcmp(c->arg, "runsc")) {
			/* the host's files writable as they are (the default overlay would keep
			 * every write in the sandbox's memory) */
			PUSH("--platform=ptrace");
			PUSH("--network=none");
			PUSH("do");
			PUSH("-force-overlay=false");
			PUSH("-quiet");
		}
		break;
	}
	for (size_t i = 0; i < ncmd; i++)
		PUSH(cmd[i]);
#undef PUSH
	out[n] = NULL;
	return (int)n;
}

static void vm_cfg(const struct hcol_env *env, struct vm_config *cfg)
{
	vm_config_init(cfg);
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", env->state_dir);
}

int hcol_vm_status(const struct hcol_env *env, char *out, size_t len)
{
	struct vm_config cfg;
	int fd, r;

	vm_cfg(env, &cfg);
	fd = vm_client_connect(&cfg);
	if (fd < 0)
		return -ENOTCONN;
	r = vm_client_request(fd, VM_MSG_HELLO, out, len);
	close(fd);
	return r < 0 ? -ENOTCONN : 0;
}

const char *hcol_status_get(const char *status, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key);

	out[0] = 0;
	for (const char *p = status; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			snprintf(out, len, "%.*s", (int)strcspn(p + kl + 1, "\n"), p + kl + 1);
			break;
		}
	}
	return out;
}

int hcol_vm_pids(const struct hcol_env *env, int *pids, int max)
{
	static const char *const keys[] = {"qemu_pid", "virtiofsd_pid"};
	char st[2048], v[32];
	int n = 0;

	if (hcol_vm_status(env, st, sizeof(st)) < 0)
		return 0;
	for (size_t i = 0; i < 2 && n < max; i++) {
		int pid = atoi(hcol_status_get(st, keys[i], v, sizeof(v)));

		if (pid > 0)
			pids[n++] = pid;
	}
	return n;
}

/* First line of a command's output, for a reason. */
static void first_line(const char *out, char *why, size_t len, const char *dflt)
{
	const char *p = out;

	if (!strncmp(p, "lxrun: ", 7))
		p += 7;
	if (!*p)
		p = dflt;
	snprintf(why, len, "%.*s", (int)strcspn(p, "\n"), p);
}

int hcol_vm_start(struct hcol_env *env, char *why, size_t len)
{
	char *argv[] = {env->lxrun, "vm", "start", "--state-dir", env->state_dir, NULL};
	char out[4096];
	int r;

	if (hcol_vm_status(env, env->vm_status, sizeof(env->vm_status)) == 0)
		return 0;
	r = hproc_capture(argv, "/", VM_START_TIMEOUT_MS, out, sizeof(out));
	if (r != 0) {
		first_line(out, why, len, "lxrun vm start failed");
		return r < 0 ? r : -EIO;
	}
	env->vm_started = true;
	if (hcol_vm_status(env, env->vm_status, sizeof(env->vm_status)) < 0) {
		snprintf(why, len, "the VM stopped right after starting");
		return -ENOTCONN;
	}
	return 0;
}

int hcol_vm_stop(struct hcol_env *env)
{
	char *argv[] = {env->lxrun, "vm", "stop", "--state-dir", env->state_dir, NULL};
	char out[512];
	int r = hproc_capture(argv, "/", VM_START_TIMEOUT_MS, out, sizeof(out));

	return r == 0 ? 0 : r < 0 ? r : -EIO;
}

static void set_state(struct hcol *c, enum hcol_state s, const char *why)
{
	c->state = s;
	snprintf(c->why, sizeof(c->why), "%s", why);
}

static int probe_run(struct hcol *c, struct hcol_env *env, char *const *cmd, char *out, size_t len)
{
	char *argv[HCOL_ARGV_MAX];

	if (hcol_argv(c, env, cmd, argv, HCOL_ARGV_MAX) < 0)
		return -E2BIG;
	return hproc_capture(argv, NULL, PROBE_TIMEOUT_MS, out, len);
}

static int probe_vm(struct hcol *c, struct hcol_env *env, char *why, size_t len)
{
	char qemu[PATH_MAX], v[64], out[2048];
	int r;

	if (hcol_which("qemu-system-x86_64", qemu, sizeof(qemu)) < 0) {
		snprintf(why, len, "qemu-system-x86_64 not installed (Debian package %s)",
			 c->package);
		return HCOL_SKIPPED;
	}
	r = hcol_vm_start(env, why, len);
	if (r < 0)
		return HCOL_SKIPPED;
	if (!strcmp(c->arg, "virtiofs") &&
	    !strcmp(hcol_status_get(env->vm_status, "virtiofs", v, sizeof(v)), "off")) {
		snprintf(why, len, "the VM has no virtio-fs (virtiofsd needs root)");
		return HCOL_SKIPPED;
	}
	if (hcol_in_guest_dir(c)) {
		/* make the working directory on the guest disk */
		struct hcol mk = *c;
		char *cmd[] = {"/bin/mkdir", "-p", env->guest_dir, NULL};

		mk.arg = "9p";
		r = probe_run(&mk, env, cmd, out, sizeof(out));
		if (r != 0) {
			first_line(out, why, len, "cannot make the directory on the guest disk");
			return HCOL_FAILED;
		}
	}
	return -1;
}

int hcol_probe(struct hcol *c, struct hcol_env *env)
{
	char *cmd[] = {"/bin/true", NULL};
	char out[2048], why[HCOL_WHY], path[PATH_MAX];
	int r;

	if (c->kind == HCOL_NATIVE) {
		set_state(c, HCOL_OK, "");
		return 0;
	}
	if (c->kind == HCOL_PEER && hcol_which(c->arg, path, sizeof(path)) < 0) {
		snprintf(why, sizeof(why), "%s not installed (Debian package %s)", c->arg,
			 c->package);
		set_state(c, HCOL_SKIPPED, why);
		return -ENOENT;
	}
	if (c->kind == HCOL_PEER && !strcmp(c->arg, "runsc") && geteuid() != 0) {
		set_state(c, HCOL_SKIPPED, "runsc do needs root");
		return -EPERM;
	}
	if (c->kind == HCOL_VM) {
		r = probe_vm(c, env, why, sizeof(why));
		if (r >= 0) {
			set_state(c, (enum hcol_state)r, why);
			return -ENODEV;
		}
	}
	r = probe_run(c, env, cmd, out, sizeof(out));
	if (r == 0) {
		set_state(c, HCOL_OK, "");
		return 0;
	}
	if (c->kind == HCOL_TRANSLATE && strstr(out, "unknown engine")) {
		const char *avail = strstr(out, "(available: ");

		snprintf(why, sizeof(why), "engine not built yet (lxrun has %.*s)",
			 avail ? (int)strcspn(avail + 12, ")") : 1, avail ? avail + 12 : "?");
		set_state(c, HCOL_SKIPPED, why);
		return -ENOENT;
	}
	first_line(out, why, sizeof(why), "");
	if (!why[0])
		snprintf(why, sizeof(why), "/bin/true exited with status %d", r);
	set_state(c, HCOL_FAILED, why);
	return r < 0 ? r : -EIO;
}
