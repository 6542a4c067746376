/* SPDX-License-Identifier: MIT */
/* VM configuration defaults, share options and the state directory. */
#include "vm/vm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "abi/linux_errno.h"

void vm_config_init(struct vm_config *cfg)
{
	const char *s;

	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->accel, "auto");
	cfg->root_share = VM_SHARE_9P;
	strcpy(cfg->opts_9p, "msize=512000,cache=none");
	strcpy(cfg->vfs_cache, "auto");
	/* virtiofsd needs root (it chroots into the shared tree); 9p works for anyone */
	cfg->virtiofs = geteuid() == 0;
	cfg->mem_mb = 512;
	cfg->cpus = 2;
	cfg->tcg_cache_mb = 128; /* QEMU's default (1 GiB) let host RSS grow to ~490 MiB */
	cfg->idle_s = 300;
	cfg->disk_mb = 1024;
	cfg->net = !((s = getenv("LXRUN_VM_NET")) && !strcmp(s, "0"));
	cfg->forward = cfg->net && !((s = getenv("LXRUN_VM_FORWARD")) && !strcmp(s, "0"));
	/* on by default, as WSL's [interop] enabled: see docs/vm.md, "Running host programs" */
	cfg->interop = !((s = getenv("LXRUN_VM_INTEROP")) && !strcmp(s, "0"));
	if ((s = getenv("LXRUN_STATE_DIR")) && *s)
		snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", s);
	else if ((s = getenv("XDG_STATE_HOME")) && *s)
		snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s/lxrun", s);
	else
		snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s/.local/state/lxrun",
			 getenv("HOME") ? getenv("HOME") : "/");
	if ((s = getenv("LXRUN_VM_KERNEL")) && *s)
		snprintf(cfg->kernel, sizeof(cfg->kernel), "%s", s);
}

static int opt_9p(struct vm_config *cfg, const char *key, const char *val, char *why)
{
	char out[sizeof(cfg->opts_9p)], *tok, *save, tmp[sizeof(cfg->opts_9p)];
	size_t kl = strlen(key);
	int n = 0;

	if (!strcmp(key, "msize")) {
		char *end;
		unsigned long v = strtoul(val, &end, 10);

		if (*end || v < 4096 || v > 4 * 1024 * 1024) {
			snprintf(why, VM_WHY_LEN, "9p msize must be 4096..4194304, not '%s'", val);
			return -LINUX_EINVAL;
		}
	} else if (!strcmp(key, "cache")) {
		if (strcmp(val, "none") && strcmp(val, "loose") && strcmp(val, "fscache") &&
		    strcmp(val, "mmap")) {
			snprintf(why, VM_WHY_LEN, "9p cache must be none, loose, fscache or mmap");
			return -LINUX_EINVAL;
		}
	} else {
		snprintf(why, VM_WHY_LEN, "unknown 9p option '%s' (msize, cache)", key);
		return -LINUX_EINVAL;
	}
	/* replace the key in the current option string, keep the others */
	out[0] = 0;
	snprintf(tmp, sizeof(tmp), "%s", cfg->opts_9p);
	for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (strncmp(tok, key, kl) || tok[kl] != '=')
			n += snprintf(out + n, sizeof(out) - (size_t)n, "%s%s", n ? "," : "", tok);
	snprintf(out + n, sizeof(out) - (size_t)n, "%s%s=%s", n ? "," : "", key, val);
	snprintf(cfg->opts_9p, sizeof(cfg->opts_9p), "%s", out);
	return 0;
}

int vm_config_share_opts(struct vm_config *cfg, unsigned int share, const char *opts, char *why)
{
	char tmp[512], *tok, *save;
	int r = 0;

	if (strlen(opts) >= sizeof(tmp))
		return -LINUX_E2BIG;
	strcpy(tmp, opts);
	for (tok = strtok_r(tmp, ",", &save); tok && !r; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq) {
			snprintf(why, VM_WHY_LEN, "share option '%s' is not key=value", tok);
			return -LINUX_EINVAL;
		}
		*eq = 0;
		if (share == VM_SHARE_9P) {
			r = opt_9p(cfg, tok, eq + 1, why);
		} else if (!strcmp(tok, "cache") &&
			   (!strcmp(eq + 1, "auto") || !strcmp(eq + 1, "always") ||
			    !strcmp(eq + 1, "none"))) {
			snprintf(cfg->vfs_cache, sizeof(cfg->vfs_cache), "%s", eq + 1);
		} else {
			snprintf(why, VM_WHY_LEN,
				 "virtio-fs takes only cache=auto|always|none, not '%s=%s'", tok,
				 eq + 1);
			return -LINUX_EINVAL;
		}
	}
	return r;
}

int vm_path(const struct vm_config *cfg, const char *name, char *out)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", cfg->state_dir, name);

	return n < 0 || n >= PATH_MAX ? -LINUX_ENAMETOOLONG : 0;
}

int vm_state_prepare(const struct vm_config *cfg, char *why)
{
	char tmp[PATH_MAX];
	size_t i, n = strlen(cfg->state_dir);

	/* unix socket paths are limited to 108 bytes: refuse early with a clear reason */
	if (n == 0 || n > 90) {
		snprintf(why, VM_WHY_LEN,
			 "state directory '%s' must be non-empty and at most 90 characters "
			 "(unix socket paths are short); set LXRUN_STATE_DIR",
			 cfg->state_dir);
		return -LINUX_ENAMETOOLONG;
	}
	memcpy(tmp, cfg->state_dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != 0)
			continue;
		tmp[i] = 0;
		if (mkdir(tmp, i == n ? 0700 : 0755) < 0 && errno != EEXIST) {
			snprintf(why, VM_WHY_LEN, "cannot create %s: %s", tmp, strerror(errno));
			return -errno;
		}
		tmp[i] = i < n ? '/' : 0;
	}
	return 0;
}
