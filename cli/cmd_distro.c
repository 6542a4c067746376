/* SPDX-License-Identifier: MIT */
/* lxrun distro create|import|export|list|remove|set-default: the distro store's front end. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "distro/distro.h"

static const char *const usage_top =
	"usage: lxrun distro COMMAND [ARGS]   (lxrun distro COMMAND --help)\n"
	"\n"
	"  create NAME [--suite S] [--variant V] [--mirror URL]  a Debian tree (mmdebstrap)\n"
	"  import NAME TARBALL|DIR    .tar, .tar.gz, .tar.xz, .tar.zst (or .tar.bz2), or a tree\n"
	"  export NAME FILE           a tarball; the format follows FILE's name\n"
	"  list [--json]              name, size, default, vm image state\n"
	"  remove NAME                delete a distro (refused while a command runs in it)\n"
	"  set-default NAME           the distro that `lxrun -d default` runs in\n"
	"  reset-vm NAME              stop the distro's VM, drop its image (rebuilt from the tree)\n"
	"\n"
	"A distro is a Linux root tree kept under lxrun's state directory\n"
	"($LXRUN_STATE_DIR, else $XDG_STATE_HOME/lxrun, else ~/.local/state/lxrun; in distros/).\n"
	"`lxrun -d NAME PROGRAM ARGS` runs PROGRAM inside it in translate mode: the tree is the\n"
	"confined /, /proc and /dev are lxrun's, /etc/resolv.conf and /etc/hosts are generated\n"
	"from the host's at each start (unless the distro replaced them), and the host's / is\n"
	"at /mnt/host (a host program run by its /mnt/host path, or with lxrun-host PROGRAM,\n"
	"runs natively on the host; [interop] enabled = false in /etc/wsl.conf turns\n"
	"lxrun-host off, here and in the distro's VM).\n"
	"Without -d, lxrun runs the host's own programs as before.\n"
	"`lxrun -d NAME --mode vm PROGRAM` runs it in the distro's own VM (as root: lxrun vm\n"
	"options apply; its state directory is distros/NAME/vm). Its disk is an ext4 image\n"
	"built from the tree on first use, with progress: a separate copy. Changes made in vm\n"
	"mode stay in the image and changes made in translate mode stay in the tree;\n"
	"lxrun distro reset-vm NAME starts vm mode again from the tree.\n"
	"Names: 1-64 of A-Z a-z 0-9 . _ -, not starting with '.' or '-', not 'default'.\n";

static const struct sub_help {
	const char *name, *text;
} helps[] = {
	{"create", "usage: lxrun distro create NAME [--suite SUITE] [--variant VARIANT] [--mirror URL] [-q]\n"
		   "\n"
		   "Builds a Debian tree with mmdebstrap from the archive (default: bookworm, minbase,\n"
		   "http://deb.debian.org/debian), showing mmdebstrap's progress. As root it runs in\n"
		   "mmdebstrap's root mode; as a normal user in its unshare mode (needs user namespaces\n"
		   "and /etc/subuid), and the tree is then unpacked as that user. Nothing is left behind\n"
		   "when it fails. Takes a few minutes (about 100 MB is downloaded).\n"},
	{"import", "usage: lxrun distro import NAME TARBALL|DIR [-q]\n"
		   "\n"
		   "Makes a distro from a root file system tarball (.tar, .tar.gz, .tar.xz, .tar.zst,\n"
		   ".tar.bz2: the compression is recognised from the content) or a copy of a directory.\n"
		   "Ownership, modes, device nodes and extended attributes are kept: as root on the\n"
		   "host files themselves; as a normal user the owners, modes and devices the host\n"
		   "refuses are kept in user.lxrun.* extended attributes (as WSL1 does), which\n"
		   "lxrun -d reports inside and export writes back. The tree is built in\n"
		   "distros/.NAME.partial and renamed only when complete: a corrupt or truncated archive\n"
		   "or a full disk leaves nothing behind.\n"},
	{"export", "usage: lxrun distro export NAME FILE [-q]\n"
		   "\n"
		   "Writes the distro's tree as a tarball; FILE's name picks the format: .tar, .tar.gz\n"
		   "(.tgz), .tar.xz, .tar.zst, .tar.bz2. The archive is deterministic (sorted names,\n"
		   "numeric owners, POSIX format with extended attributes, no access/change times), so\n"
		   "exporting an imported export gives the same bytes. FILE appears only when complete.\n"},
	{"list", "usage: lxrun distro list [--json]\n"
		 "\n"
		 "Every distro: name, size of its tree, whether it is the default, and the state of its\n"
		 "vm-mode image (none or built). --json: an array of objects {name, size_bytes,\n"
		 "default, vm_image, source, created, root}.\n"},
	{"remove", "usage: lxrun distro remove NAME\n"
		   "\n"
		   "Stops the distro's VM if it runs, and deletes the tree and the vm image. Refused\n"
		   "(exit 1) while a command runs in it (lxrun -d NAME holds a lock until its last\n"
		   "process exits).\n"},
	{"reset-vm", "usage: lxrun distro reset-vm NAME\n"
		     "\n"
		     "Stops the distro's VM and deletes its image, so the next lxrun -d NAME --mode vm\n"
		     "builds it again from the tree (vm mode's changes are lost; the tree is untouched).\n"
		     "Refused while a command runs in the distro.\n"},
	{"set-default", "usage: lxrun distro set-default NAME\n"
			"\n"
			"The distro that `lxrun -d default PROGRAM` (or --distro=default) runs in.\n"},
};

static int sub_usage(const char *name, FILE *o)
{
	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++)
		if (!strcmp(helps[i].name, name)) {
			fputs(helps[i].text, o);
			return 1;
		}
	return 0;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void human(uint64_t b, char *out, size_t n)
{
	const char *u[] = {"B", "K", "M", "G", "T"};
	double v = (double)b;
	int i = 0;
	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	snprintf(out, n, i ? "%.1f%s" : "%.0f%s", v, u[i]);
}

static int do_list(int json)
{
	char why[DISTRO_WHY_LEN] = "";
	struct distro_info *v;
	int n = distro_list(&v, 1, why);

	if (n < 0) {
		cli_err("distro list: %s", *why ? why : strerror(-n));
		return 1;
	}
	if (json) {
		putchar('[');
		for (int i = 0; i < n; i++) {
			char root[4096];
			distro_path(v[i].name, "rootfs", root);
			printf("%s{\"name\":", i ? "," : "");
			json_str(v[i].name);
			printf(",\"size_bytes\":%llu,\"default\":%s,\"vm_image\":",
			       (unsigned long long)v[i].size, v[i].is_default ? "true" : "false");
			json_str(v[i].vm_image);
			printf(",\"source\":");
			json_str(v[i].source);
			printf(",\"created\":");
			json_str(v[i].created);
			printf(",\"root\":");
			json_str(root);
			putchar('}');
		}
		puts("]");
	} else if (n == 0) {
		puts("no distros (lxrun distro create NAME, or lxrun distro import NAME TARBALL)");
	} else {
		printf("%-20s %8s %-8s %-9s %s\n", "NAME", "SIZE", "DEFAULT", "VM-IMAGE", "SOURCE");
		for (int i = 0; i < n; i++) {
			char h[32];
			human(v[i].size, h, sizeof(h));
			printf("%-20s %8s %-8s %-9s %s\n", v[i].name, h, v[i].is_default ? "*" : "",
			       v[i].vm_image, v[i].source);
		}
	}
	free(v);
	return 0;
}

int cmd_distro(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage_top, argc < 2 ? stderr : stdout);
		return argc < 2 ? 125 : 0;
	}
	const char *cmd = argv[1];
	struct distro_opts o = {0};
	const char *pos[3] = {0};
	int npos = 0, json = 0;
	int known = 0;
	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++)
		known |= !strcmp(helps[i].name, cmd);
	if (!known) {
		cli_err("distro: unknown command '%s' (lxrun distro --help)", cmd);
		return 125;
	}
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char **val = NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			sub_usage(cmd, stdout);
			return 0;
		}
		if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			o.quiet = 1;
			continue;
		}
		if (!strcmp(a, "--json") && !strcmp(cmd, "list")) {
			json = 1;
			continue;
		}
		if (!strcmp(cmd, "create")) {
			if (!strncmp(a, "--suite", 7))
				val = &o.suite;
			else if (!strncmp(a, "--variant", 9))
				val = &o.variant;
			else if (!strncmp(a, "--mirror", 8))
				val = &o.mirror;
		}
		if (val) {
			const char *eq = strchr(a, '=');
			if (eq)
				*val = eq + 1;
			else if (i + 1 < argc)
				*val = argv[++i];
			else {
				cli_err("distro %s: %s needs a value", cmd, a);
				return 125;
			}
			continue;
		}
		if (a[0] == '-' && a[1]) {
			cli_err("distro %s: unknown option '%s' (lxrun distro %s --help)", cmd, a, cmd);
			return 125;
		}
		if (npos == 3) {
			cli_err("distro %s: too many arguments (lxrun distro %s --help)", cmd, cmd);
			return 125;
		}
		pos[npos++] = a;
	}
	int want = !strcmp(cmd, "list") ? 0 : !strcmp(cmd, "import") || !strcmp(cmd, "export") ? 2 : 1;
	if (npos != want) {
		cli_err("distro %s: expected %d argument%s, got %d", cmd, want, want == 1 ? "" : "s",
			npos);
		sub_usage(cmd, stderr);
		return 125;
	}
	char why[DISTRO_WHY_LEN] = "";
	int r;
	if (!strcmp(cmd, "list"))
		return do_list(json);
	if (!strcmp(cmd, "create"))
		r = distro_create(pos[0], &o, why);
	else if (!strcmp(cmd, "import"))
		r = distro_import(pos[0], pos[1], &o, why);
	else if (!strcmp(cmd, "export"))
		r = distro_export(pos[0], pos[1], &o, why);
	else if (!strcmp(cmd, "remove") || !strcmp(cmd, "reset-vm")) {
		/* the distro's VM (if it ran) goes first, unless a command still uses the distro */
		char vmdir[4096], sock[4200];
		if (distro_exists(pos[0], why) == 0 && !distro_lock_holder(pos[0]) &&
		    distro_vm_dir(pos[0], vmdir) == 0) {
			snprintf(sock, sizeof(sock), "%s/vm.sock", vmdir);
			if (access(sock, F_OK) == 0) {
				char *stop[] = {"vm", "stop", "--state-dir", vmdir, NULL};
				fflush(stdout);
				cmd_vm(4, stop);
			}
		}
		if (!strcmp(cmd, "remove")) {
			r = distro_remove(pos[0], why);
		} else if ((r = distro_exists(pos[0], why)) == 0 && distro_lock_holder(pos[0])) {
			snprintf(why, sizeof(why), "distro '%s' is in use by a running command (pid %d)",
				 pos[0], distro_lock_holder(pos[0]));
			r = -EBUSY;
		} else if (r == 0 && distro_vm_dir(pos[0], vmdir) == 0) {
			char img[4200];
			snprintf(img, sizeof(img), "%s/disk.img", vmdir);
			if (unlink(img) < 0 && errno != ENOENT) {
				int e = errno;
				snprintf(why, sizeof(why), "cannot remove %.400s: %s", img, strerror(e));
				r = -e;
			}
		}
	}
	else
		r = distro_set_default(pos[0], why);
	if (r < 0) {
		cli_err("distro %s: %s", cmd, *why ? why : strerror(-r));
		return 1;
	}
	return 0;
}

/* -d NAME: "default" becomes the default distro's name (in def); the distro must exist. */
static int distro_resolve(const char **name, char *def, char *why)
{
	if (!strcmp(*name, "default")) {
		if (distro_get_default(def, why) < 0) {
			cli_err("-d default: %s", why);
			return -1;
		}
		*name = def;
	}
	if (distro_exists(*name, why) < 0) {
		cli_err("-d %s: %s", *name, why);
		return -1;
	}
	return 0;
}

int cli_distro_enter(const char *name, char *root)
{
	char why[DISTRO_WHY_LEN] = "", def[DISTRO_NAME_MAX + 1];

	if (distro_resolve(&name, def, why) < 0)
		return 125;
	int fd = distro_use(name, why); /* held (inherited) until the last process exits */
	if (fd < 0) {
		cli_err("-d %s: %s", name, why);
		return 125;
	}
	if (distro_path(name, "rootfs", root) < 0 || distro_prepare_root(root, why) < 0) {
		cli_err("-d %s: %s", name, *why ? why : "path too long");
		return 125;
	}
	return 0;
}

/* In the distro's VM (its image mounted at /mnt/lxrun-disk by the VM's agent), the program
 * runs chrooted into the image with /proc, /sys, /dev, the host's / at /mnt/host and the
 * agent's lxrun-host in /usr/local/bin, and the
 * VM's resolv.conf/hosts when the distro lets lxrun generate them. $1: the directory inside. */
static const char vm_wrapper[] =
	"R=/mnt/lxrun-disk\n"
	"if ! mountpoint -q $R/proc; then\n"
	"  mkdir -p $R/proc $R/sys $R/dev $R/mnt/host\n"
	"  mount -t proc proc $R/proc && mount -t sysfs sysfs $R/sys && mount --rbind /dev $R/dev &&\n"
	"  mount --rbind /run/lxrun/9p $R/mnt/host || { echo 'lxrun: cannot set up the distro root in "
	"the VM' >&2; exit 125; }\n"
	/* lxrun-host, the agent's: bound over a placeholder, so the image never holds a copy */
	"  mkdir -p $R/usr/local/bin && { [ -e $R/usr/local/bin/lxrun-host ] || : >"
	" $R/usr/local/bin/lxrun-host; } &&\n"
	"  mount --bind /usr/local/bin/lxrun-host $R/usr/local/bin/lxrun-host 2>/dev/null\n"
	"fi\n"
	"for f in resolv.conf hosts; do\n"
	"  head -n 1 $R/etc/$f 2>/dev/null | grep -q '^# generated by lxrun' && cat /etc/$f > $R/etc/$f\n"
	"done\n"
	"exec chroot $R /bin/sh -c 'cd \"$1\" 2>/dev/null || cd /; shift; exec \"$@\"' sh \"$@\"\n";

int cli_distro_run_vm(int argc, char **argv)
{
	static const char *const with_value[] = {"--mode",	 "--share",    "--share-opt",
						 "--root-share", "--accel",    "--mem",
						 "--cpus",	 "--tcg-cache", "--idle-timeout",
						 "--disk-size",	 "--state-dir", "--workdir",
						 "--kernel",	 NULL};
	char why[DISTRO_WHY_LEN] = "", def[DISTRO_NAME_MAX + 1], dir[4096], cwd[4096], inside[4200];
	const char *name = NULL;
	char **nv = calloc((size_t)argc + 16, sizeof(*nv));
	int k = 0, i;

	if (!nv)
		return 125;
	nv[k++] = argv[0];
	nv[k++] = "--state-dir";
	nv[k++] = dir;
	nv[k++] = "--workdir";
	nv[k++] = "/";
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if ((!strcmp(a, "-d") || !strcmp(a, "--distro")) && i + 1 < argc) {
			name = argv[++i];
			continue;
		}
		if (!strncmp(a, "--distro=", 9)) {
			name = a + 9;
			continue;
		}
		if (!strcmp(a, "--disk") || !strncmp(a, "--workdir", 9) || !strncmp(a, "--state-dir", 11)) {
			cli_err("%s cannot be combined with -d (the distro's VM has its own)", a);
			return 125;
		}
		nv[k++] = argv[i];
		for (int j = 0; with_value[j]; j++)
			if (!strcmp(a, with_value[j]) && i + 1 < argc)
				nv[k++] = argv[++i];
	}
	if (!name || i >= argc) {
		cli_err(!name ? "-d NAME expected" : "no program given (lxrun --help)");
		return 125;
	}
	if (distro_resolve(&name, def, why) < 0)
		return 125;
	int lock = distro_use(name, why);
	if (lock < 0 || distro_vm_dir(name, dir) < 0 || distro_vm_image(name, 0, 0, why) < 0) {
		cli_err("-d %s --mode vm: %s", name, *why ? why : "path too long");
		return 125;
	}
	/* [interop] enabled = false in the tree's /etc/wsl.conf: no lxrun-host in its VM */
	char rootfs[4096];
	if (distro_path(name, "rootfs", rootfs) == 0 && distro_interop_off(rootfs))
		nv[k++] = "--no-interop";
	/* the host directory lxrun starts in, under /mnt/host inside */
	if (!getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, "/");
	snprintf(inside, sizeof(inside), "%s%s", DISTRO_HOST_MOUNT, strcmp(cwd, "/") ? cwd : "");
	nv[k++] = "--";
	nv[k++] = "/bin/sh";
	nv[k++] = "-c";
	nv[k++] = (char *)vm_wrapper;
	nv[k++] = "lxrun-distro";
	nv[k++] = inside;
	for (; i < argc; i++)
		nv[k++] = argv[i];
	nv[k] = NULL;
	return cmd_run_vm(k, nv);
}
