/* SPDX-License-Identifier: MIT */
/* lxrun --mode vm and lxrun vm start|stop|status: options, VM auto-start, stdio and signals. */
#include "cli/cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "vm/vm.h"

#define START_TIMEOUT_S 240

extern char **environ;

struct vm_opts {
	struct vm_config cfg;
	bool boot_opts;	    /* options that only a booting VM can honour were given */
	unsigned int share; /* which share backs the working directory */
	const char *workdir;
	bool disk;
	int tty; /* -1 auto, 0 no, 1 yes */
};

enum {
	OPT_MODE = 256,
	OPT_SHARE,
	OPT_SHARE_OPT,
	OPT_ROOT_SHARE,
	OPT_ACCEL,
	OPT_MEM,
	OPT_CPUS,
	OPT_IDLE,
	OPT_DISK_SIZE,
	OPT_STATE_DIR,
	OPT_NO_VIRTIOFS,
	OPT_UNSAFE_FAST,
	OPT_DISK,
	OPT_WORKDIR,
	OPT_TCG_CACHE,
	OPT_NO_NET,
	OPT_NO_FORWARD,
	OPT_KERNEL,
	OPT_NO_INTEROP,
};

static const struct option long_opts[] = {
	{"mode", required_argument, NULL, OPT_MODE},
	{"share", required_argument, NULL, OPT_SHARE},
	{"share-opt", required_argument, NULL, OPT_SHARE_OPT},
	{"root-share", required_argument, NULL, OPT_ROOT_SHARE},
	{"accel", required_argument, NULL, OPT_ACCEL},
	{"mem", required_argument, NULL, OPT_MEM},
	{"cpus", required_argument, NULL, OPT_CPUS},
	{"tcg-cache", required_argument, NULL, OPT_TCG_CACHE},
	{"idle-timeout", required_argument, NULL, OPT_IDLE},
	{"disk-size", required_argument, NULL, OPT_DISK_SIZE},
	{"state-dir", required_argument, NULL, OPT_STATE_DIR},
	{"no-virtiofs", no_argument, NULL, OPT_NO_VIRTIOFS},
	{"unsafe-fast", no_argument, NULL, OPT_UNSAFE_FAST},
	{"disk", no_argument, NULL, OPT_DISK},
	{"workdir", required_argument, NULL, OPT_WORKDIR},
	{"no-net", no_argument, NULL, OPT_NO_NET},
	{"no-forward", no_argument, NULL, OPT_NO_FORWARD},
	{"kernel", required_argument, NULL, OPT_KERNEL},
	{"no-interop", no_argument, NULL, OPT_NO_INTEROP},
	{"tty", no_argument, NULL, 't'},
	{"no-tty", no_argument, NULL, 'T'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static void usage_vm_options(FILE *o)
{
	fputs("VM options (they shape the VM when it boots; a running VM keeps its settings):\n"
	      "  --share 9p|virtiofs     share that backs the working directory (default 9p)\n"
	      "  --share-opt K=V,...     options of that share: 9p msize=N,cache=none|loose|mmap;\n"
	      "                          virtiofs cache=auto|always|none\n"
	      "  --root-share 9p|virtiofs  share the guest's / comes from (default 9p)\n"
	      "  --no-virtiofs           do not start virtiofsd\n"
	      "  --accel auto|kvm|tcg    accelerator (auto: KVM only where it really works)\n"
	      "  --mem MB, --cpus N      guest size (default 512 MB, 2 CPUs)\n"
	      "  --tcg-cache MB          TCG translation cache size (default 128; 0: QEMU's)\n"
	      "  --idle-timeout S        stop the VM after S idle seconds (default 300; 0 never)\n"
	      "  --disk-size MB          size of the ext4 disk when it is created (default 1024)\n"
	      "  --unsafe-fast           boot with mitigations=off rodata=off\n"
	      "  --kernel PATH           guest kernel, a bzImage with its modules in\n"
	      "                          /lib/modules/RELEASE (setting: LXRUN_VM_KERNEL;\n"
	      "                          default: the newest /boot/vmlinuz-* with modules)\n"
	      "  --no-net                no network device: only loopback (setting:\n"
	      "                          LXRUN_VM_NET=0); by default the guest has QEMU's\n"
	      "                          user-mode network (10.0.2.15, DNS 10.0.2.3)\n"
	      "  --no-forward            do not forward the TCP and UDP ports guest programs\n"
	      "                          open to the host's localhost, nor the host's X11 displays\n"
	      "                          into the guest (setting: LXRUN_VM_FORWARD=0)\n"
	      "  --no-interop            guest programs cannot run host programs (lxrun-host);\n"
	      "                          by default they can, as in WSL: the guest is not\n"
	      "                          isolated from the host (setting: LXRUN_VM_INTEROP=0)\n"
	      "  --state-dir DIR         images, disk, sockets, logs (default $LXRUN_STATE_DIR,\n"
	      "                          else $XDG_STATE_HOME/lxrun, else ~/.local/state/lxrun)\n",
	      o);
}

static void usage_run(FILE *o)
{
	fputs("usage: lxrun --mode vm [OPTIONS] [--] PROGRAM [ARGS...]\n"
	      "\n"
	      "Runs PROGRAM on a real Linux kernel in lxrun's VM (started on first use and kept\n"
	      "running; see lxrun vm --help). The guest sees the host's / read-only with a\n"
	      "throw-away writable layer, and the current directory read-write at the same path.\n"
	      "It has a network (QEMU user mode, with DNS); the TCP ports and UDP servers it opens\n"
	      "are reachable on the host's 127.0.0.1 and ::1 while they are open, and $DISPLAY's\n"
	      "X server is reachable.\n"
	      "Inside, lxrun-host PROGRAM [ARGS] runs PROGRAM natively on the host (--no-interop).\n"
	      "\n"
	      "  --disk                  run in /mnt/lxrun-disk, the VM's own persistent ext4 "
	      "disk\n"
	      "  --workdir DIR           run in DIR inside the guest (nothing is shared for it)\n"
	      "  -t, --tty / -T, --no-tty  force a pseudo-terminal on or off (default: on when\n"
	      "                          stdin and stdout are terminals)\n"
	      "  -d, --distro NAME       run in distro NAME's own VM (lxrun distro --help): its\n"
	      "                          disk is a separate copy of the tree translate mode runs\n"
	      "                          in (ext4, made on first use): changes stay on their side\n"
	      "                          (lxrun distro reset-vm NAME copies the tree again)\n"
	      "  -h, --help              this text\n"
	      "\n",
	      o);
	usage_vm_options(o);
	fputs("\nExit status: PROGRAM's; 128+N if it was killed by signal N; 126 if it could not\n"
	      "be executed; 127 if it was not found; 125 if lxrun or the VM failed.\n",
	      o);
}

static void usage_vm(FILE *o)
{
	fputs("usage: lxrun vm start|stop|status|reset-disk [OPTIONS]\n"
	      "\n"
	      "  start        boot the VM now (vm-mode commands also start it on first use)\n"
	      "  stop         power the VM off\n"
	      "  status       running or not, accelerator and why, boot time, settings\n"
	      "  reset-disk   delete the VM's ext4 disk (the VM must be stopped)\n"
	      "\n",
	      o);
	usage_vm_options(o);
}

static int parse_share(const char *s, unsigned int *out)
{
	if (!strcmp(s, "9p"))
		*out = VM_SHARE_9P;
	else if (!strcmp(s, "virtiofs") || !strcmp(s, "virtio-fs"))
		*out = VM_SHARE_VIRTIOFS;
	else
		return -1;
	return 0;
}

static int parse_uint(const char *s, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v > max)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/* Returns the index of PROGRAM in argv, 0 for "no program", or -1 after an error message. */
static int parse_opts(int argc, char **argv, struct vm_opts *o, bool run, bool *help)
{
	const char *share_opts = NULL;
	char why[VM_WHY_LEN];
	int c;

	memset(o, 0, sizeof(*o));
	vm_config_init(&o->cfg);
	o->tty = -1;
	*help = false;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+tTh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_MODE:
			if (strcmp(optarg, "vm")) {
				cli_err("--mode %s cannot be combined with vm options", optarg);
				return -1;
			}
			break;
		case OPT_SHARE:
			if (parse_share(optarg, &o->share) < 0) {
				cli_err("--share takes 9p or virtiofs, not '%s'", optarg);
				return -1;
			}
			break;
		case OPT_SHARE_OPT:
			share_opts = optarg;
			o->boot_opts = true;
			break;
		case OPT_ROOT_SHARE:
			if (parse_share(optarg, &o->cfg.root_share) < 0) {
				cli_err("--root-share takes 9p or virtiofs, not '%s'", optarg);
				return -1;
			}
			o->boot_opts = true;
			break;
		case OPT_ACCEL:
			if (strcmp(optarg, "auto") && strcmp(optarg, "kvm") &&
			    strcmp(optarg, "tcg")) {
				cli_err("--accel takes auto, kvm or tcg, not '%s'", optarg);
				return -1;
			}
			snprintf(o->cfg.accel, sizeof(o->cfg.accel), "%s", optarg);
			o->boot_opts = true;
			break;
		case OPT_MEM:
		case OPT_CPUS:
		case OPT_TCG_CACHE:
		case OPT_IDLE:
		case OPT_DISK_SIZE: {
			unsigned int *dst = c == OPT_MEM	 ? &o->cfg.mem_mb
					    : c == OPT_CPUS	 ? &o->cfg.cpus
					    : c == OPT_TCG_CACHE ? &o->cfg.tcg_cache_mb
					    : c == OPT_IDLE	 ? &o->cfg.idle_s
								 : &o->cfg.disk_mb;

			if (parse_uint(optarg, 1u << 20, dst) < 0 ||
			    (c != OPT_IDLE && c != OPT_TCG_CACHE && *dst == 0)) {
				cli_err("%s takes a number, not '%s'", argv[optind - 2], optarg);
				return -1;
			}
			o->boot_opts |= c != OPT_DISK_SIZE;
			break;
		}
		case OPT_STATE_DIR:
			snprintf(o->cfg.state_dir, sizeof(o->cfg.state_dir), "%s", optarg);
			break;
		case OPT_NO_VIRTIOFS:
			o->cfg.virtiofs = false;
			o->boot_opts = true;
			break;
		case OPT_UNSAFE_FAST:
			o->cfg.unsafe_fast = true;
			o->boot_opts = true;
			break;
		case OPT_NO_NET:
			o->cfg.net = o->cfg.forward = false;
			o->boot_opts = true;
			break;
		case OPT_KERNEL:
			if (strlen(optarg) >= sizeof(o->cfg.kernel)) {
				cli_err("--kernel: path too long");
				return -1;
			}
			snprintf(o->cfg.kernel, sizeof(o->cfg.kernel), "%s", optarg);
			o->boot_opts = true;
			break;
		case OPT_NO_FORWARD:
			o->cfg.forward = false;
			o->boot_opts = true;
			break;
		case OPT_NO_INTEROP:
			o->cfg.interop = false;
			o->boot_opts = true;
			break;
		case OPT_DISK:
			o->disk = true;
			break;
		case OPT_WORKDIR:
			o->workdir = optarg;
			break;
		case 't':
			o->tty = 1;
			break;
		case 'T':
			o->tty = 0;
			break;
		case 'h':
			*help = true;
			return 0;
		default:
			cli_err("unknown option '%s' (lxrun %s--help)", argv[optind - 1],
				run ? "--mode vm " : "vm ");
			return -1;
		}
	}
	if (share_opts && vm_config_share_opts(&o->cfg, o->share, share_opts, why) < 0) {
		cli_err("--share-opt: %s", why);
		return -1;
	}
	if (o->share == VM_SHARE_VIRTIOFS && !o->cfg.virtiofs) {
		cli_err("--share virtiofs needs virtio-fs: lxrun must run as root for virtiofsd, "
			"without --no-virtiofs");
		return -1;
	}
	return optind < argc ? optind : 0;
}

static void progress(const char *what, void *ctx)
{
	cli_err("%s", what);
}

static int lock_open(const struct vm_config *cfg)
{
	char path[PATH_MAX];

	if (vm_path(cfg, "vm.lock", path))
		return -1;
	return open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
}

/* A QEMU left behind by a service that died without taking it along (it normally dies with
 * its service): only ours, recognised by the state directory on its command line. */
static void kill_stale_qemu(const struct vm_config *cfg)
{
	char path[PATH_MAX], buf[8192];
	int svc_pid = 0, qemu_pid = 0;
	ssize_t n;
	FILE *f;
	int fd;

	if (vm_path(cfg, "vm.pid", path) || !(f = fopen(path, "re")))
		return;
	if (fscanf(f, "%d %d", &svc_pid, &qemu_pid) != 2)
		qemu_pid = 0;
	fclose(f);
	unlink(path);
	if (qemu_pid <= 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", qemu_pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	for (ssize_t i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = ' ';
	buf[n] = 0;
	if (strstr(buf, "qemu-system") && strstr(buf, cfg->state_dir))
		kill(qemu_pid, SIGKILL);
}

/* The service's stderr is STATE/service.log: one timestamped line per event. */
static void service_log(const char *line)
{
	char stamp[32];
	time_t now = time(NULL);

	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", localtime(&now));
	fprintf(stderr, "%s [%d] %s\n", stamp, (int)getpid(), line);
}

static void close_other_fds(int keep1, int keep2)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int fd;

	while (d && (e = readdir(d))) {
		fd = atoi(e->d_name);
		if (fd > 2 && fd != keep1 && fd != keep2 && fd != dirfd(d))
			close(fd);
	}
	if (d)
		closedir(d);
}

/* Fork the service (detached: new session, double fork) and wait for its verdict. */
static int service_spawn(const struct vm_config *cfg, int lock)
{
	char buf[VM_WHY_LEN + 64], log[PATH_MAX];
	int pfd[2], status;
	ssize_t n = 0, got = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	if (vm_path(cfg, "service.log", log))
		return -1;
	pid = fork();
	if (pid == 0) {
		int fd;

		close(pfd[0]);
		setsid();
		if (fork() != 0)
			_exit(0);
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			dup2(fd, 0);
		/* a long-lived daemon must not hold the caller's pipes or directory busy */
		close_other_fds(lock, pfd[1]);
		if (chdir("/") < 0)
			_exit(1);
		/* the user's signals and terminal stay with the user's lxrun */
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_IGN);
		_exit(vm_service_run(cfg, lock, pfd[1], service_log) < 0 ? 1 : 0);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return -1;
	}
	waitpid(pid, &status, 0);
	/* the service closes the pipe once it has said "ok" or why not */
	for (;;) {
		n = read(pfd[0], buf + got, sizeof(buf) - 1 - (size_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(pfd[0]);
	buf[got] = 0;
	if (!strncmp(buf, "ok", 2))
		return 0;
	buf[strcspn(buf, "\n")] = 0;
	cli_err("cannot start the VM: %s", got ? buf + (strncmp(buf, "error: ", 7) ? 0 : 7)
					       : "the VM service died while booting");
	return -1;
}

static int hello(int fd, char *status, size_t len)
{
	if (vm_client_request(fd, VM_MSG_HELLO, status, len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Connect to the running VM, or boot one: only the holder of vm.lock may boot, and the
 * service keeps holding it, so a free lock means no VM (a stale socket is just a file). */
static int vm_connect_or_start(struct vm_opts *o, char *status, size_t len, bool *started)
{
	char why[VM_WHY_LEN], path[PATH_MAX];
	time_t deadline = time(NULL) + START_TIMEOUT_S;
	int fd, lock;

	*started = false;
	fd = vm_client_connect(&o->cfg);
	if (fd >= 0 && hello(fd, status, len) >= 0)
		return fd;
	if (vm_state_prepare(&o->cfg, why) < 0) {
		cli_err("%s", why);
		return -1;
	}
	while (time(NULL) < deadline) {
		fd = vm_client_connect(&o->cfg);
		if (fd >= 0 && hello(fd, status, len) >= 0)
			return fd;
		lock = lock_open(&o->cfg);
		if (lock < 0) {
			cli_err("cannot open the VM lock in %s: %s", o->cfg.state_dir,
				strerror(errno));
			return -1;
		}
		if (flock(lock, LOCK_EX | LOCK_NB) == 0) {
			if (!vm_path(&o->cfg, "vm.sock", path))
				unlink(path);
			kill_stale_qemu(&o->cfg);
			if (vm_image_ensure(&o->cfg, progress, NULL, why) < 0 ||
			    vm_disk_ensure(&o->cfg, progress, NULL, why) < 0) {
				cli_err("%s", why);
				close(lock);
				return -1;
			}
			if (isatty(2)) {
				struct vm_probe p;

				vm_probe_accel(&o->cfg, &p);
				cli_err("starting the VM (%s)...", p.accel);
			}
			int r = service_spawn(&o->cfg, lock);

			close(lock);
			if (r < 0)
				return -1;
			*started = true;
			continue;
		}
		close(lock);
		usleep(50 * 1000); /* another lxrun is booting it, or it is stopping */
	}
	cli_err("timed out waiting for the VM in %s", o->cfg.state_dir);
	return -1;
}

static const char *status_get(const char *status, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key);
	const char *p = status;

	while (p && *p) {
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			size_t n = strcspn(p + kl + 1, "\n");

			snprintf(out, len, "%.*s", (int)n, p + kl + 1);
			return out;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	out[0] = 0;
	return out;
}

/* A running VM keeps its boot settings; say so when the command asked for others. */
static void warn_mismatch(const struct vm_opts *o, const char *status)
{
	char v[256];
	const char *root = o->cfg.root_share == VM_SHARE_VIRTIOFS ? "virtiofs" : "9p";

	if (!o->boot_opts)
		return;
	if (strcmp(status_get(status, "root", v, sizeof(v)), root) ||
	    strcmp(status_get(status, "share_9p", v, sizeof(v)), o->cfg.opts_9p) ||
	    strcmp(status_get(status, "virtiofs", v, sizeof(v)),
		   o->cfg.virtiofs ? o->cfg.vfs_cache : "off") ||
	    strcmp(status_get(status, "net", v, sizeof(v)), o->cfg.net ? "user" : "off") ||
	    (o->cfg.kernel[0] &&
	     strcmp(status_get(status, "kernel_image", v, sizeof(v)), o->cfg.kernel)) ||
	    strcmp(status_get(status, "forward", v, sizeof(v)), o->cfg.forward ? "on" : "off") ||
	    strcmp(status_get(status, "interop", v, sizeof(v)), o->cfg.interop ? "on" : "off"))
		cli_err("note: the running VM was started with other settings (lxrun vm status); "
			"run 'lxrun vm stop' first to apply new ones");
}

static int sig_pipe[2] = {-1, -1};
static struct termios saved_tio;
static bool raw_mode;

static void on_signal(int sig)
{
	int e = errno;
	uint8_t b = (uint8_t)sig;

	(void)!write(sig_pipe[1], &b, 1);
	errno = e;
}

static void restore_tty(void)
{
	if (raw_mode)
		tcsetattr(0, TCSADRAIN, &saved_tio);
	raw_mode = false;
}

static void on_error(const char *msg, void *ctx)
{
	cli_err("%s", msg);
}

/* A regular file on stdin goes to the guest as that file, not as a pipe: programs look (wc
 * pads its counts to the file size, tail seeks, ...). The guest opens it through the share. */
static void stdin_as_file(struct vm_exec *req, char *path)
{
	struct stat st;
	ssize_t n;
	off_t off;

	if (req->flags & VM_EXEC_PTY || fstat(0, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	n = readlink("/proc/self/fd/0", path, PATH_MAX - 1);
	if (n <= 0 || path[0] != '/')
		return;
	path[n] = 0;
	if (strstr(path, " (deleted)") || (fcntl(0, F_GETFL) & O_ACCMODE) == O_WRONLY)
		return;
	off = lseek(0, 0, SEEK_CUR);
	if (off < 0)
		return;
	req->flags |= VM_EXEC_STDIN_FILE;
	req->stdin_path = path;
	req->stdin_off = (uint64_t)off;
}

static int run_in_vm(struct vm_opts *o, char **argv)
{
	static char stdin_path[PATH_MAX];
	static const int fwd[] = {SIGINT,  SIGTERM, SIGHUP,   SIGQUIT,
				  SIGUSR1, SIGUSR2, SIGWINCH, SIGALRM};
	char status[4096], why[VM_WHY_LEN], cwd[PATH_MAX];
	struct vm_exec req = {0};
	struct vm_exit ex;
	bool started;
	int fd, r;
	size_t i;

	if (o->disk)
		snprintf(cwd, sizeof(cwd), "/mnt/lxrun-disk");
	else if (o->workdir)
		snprintf(cwd, sizeof(cwd), "%s", o->workdir);
	else if (!getcwd(cwd, sizeof(cwd))) {
		cli_err("cannot get the current directory: %s", strerror(errno));
		return 125;
	}
	fd = vm_connect_or_start(o, status, sizeof(status), &started);
	if (fd < 0)
		return 125;
	if (!started)
		warn_mismatch(o, status);
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return 125;
	for (i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++) {
		struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};

		sigaction(fwd[i], &sa, NULL);
	}
	signal(SIGPIPE, SIG_IGN);
	req.argv = argv;
	req.env = environ;
	req.cwd = cwd;
	req.share = o->share;
	req.flags = o->disk || o->workdir ? 0 : VM_EXEC_BIND_CWD;
	if (o->tty == 1 || (o->tty == -1 && isatty(0) && isatty(1)))
		req.flags |= VM_EXEC_PTY;
	stdin_as_file(&req, stdin_path);
	req.sig_fd = sig_pipe[0];
	req.on_error = on_error;
	if ((req.flags & VM_EXEC_PTY) && isatty(0) && tcgetattr(0, &saved_tio) == 0) {
		struct termios raw = saved_tio;

		cfmakeraw(&raw);
		raw_mode = tcsetattr(0, TCSADRAIN, &raw) == 0;
	}
	r = vm_client_exec(fd, &req, &ex, why);
	restore_tty();
	close(fd);
	if (r < 0) {
		cli_err("%s", why);
		return 125;
	}
	return ex.signaled ? 128 + ex.code : ex.code;
}

int cmd_run_vm(int argc, char **argv)
{
	struct vm_opts o;
	bool help;
	int prog = parse_opts(argc, argv, &o, true, &help);

	if (help) {
		usage_run(stdout);
		return 0;
	}
	if (prog < 0)
		return 125;
	if (prog == 0) {
		usage_run(stderr);
		return 125;
	}
	return run_in_vm(&o, argv + prog);
}

static int vm_status(struct vm_opts *o)
{
	char status[4096], v[VM_WHY_LEN];
	struct vm_probe p;
	int fd = vm_client_connect(&o->cfg);

	if (fd >= 0 && hello(fd, status, sizeof(status)) >= 0) {
		close(fd);
		printf("VM: running (service pid %s, QEMU pid %s, up %s s)\n",
		       status_get(status, "pid", v, sizeof(v)),
		       status_get(status, "qemu_pid", v + 100, sizeof(v) - 100),
		       status_get(status, "uptime_s", v + 200, sizeof(v) - 200));
		printf("accelerator: %s", status_get(status, "accel", v, sizeof(v)));
		printf(" (%s)\n", status_get(status, "accel_why", v, sizeof(v)));
		printf("boot to ready: %s ms\n", status_get(status, "boot_ms", v, sizeof(v)));
		printf("commands running: %s; connected lxrun processes: %s\n",
		       status_get(status, "commands", v, 100),
		       status_get(status, "clients", v + 100, 100));
		printf("root share: %s; 9p options: %s; virtio-fs cache: %s\n",
		       status_get(status, "root", v, 100),
		       status_get(status, "share_9p", v + 100, 200),
		       status_get(status, "virtiofs", v + 300, 100));
		printf("network: %s; localhost forwarding: %s",
		       status_get(status, "net", v, 100), status_get(status, "forward", v + 100, 100));
		if (*status_get(status, "forwarded", v, sizeof(v)))
			printf(" (ports %s)", v);
		if (*status_get(status, "busy", v, sizeof(v)))
			printf("; busy on the host, not forwarded: %s", v);
		if (*status_get(status, "x11", v, sizeof(v)))
			printf("; X11 displays %s", v);
		printf("\n");
		printf("host interop (lxrun-host): %s",
		       status_get(status, "interop", v, sizeof(v)));
		if (strcmp(status_get(status, "interop_running", v, sizeof(v)), "0") && v[0])
			printf(" (%s host programs running)", v);
		printf("\n");
		printf("kernel: %s", status_get(status, "kernel", v, sizeof(v)));
		printf(" (%s)\n", status_get(status, "kernel_image", v, sizeof(v)));
		printf("guest: %s MiB, %s CPUs; idle timeout %s s\n",
		       status_get(status, "mem_mb", v, 50), status_get(status, "cpus", v + 50, 50),
		       status_get(status, "idle_timeout_s", v + 100, 50));
		printf("state directory: %s\n", o->cfg.state_dir);
		return 0;
	}
	vm_probe_accel(&o->cfg, &p);
	printf("VM: stopped\n");
	printf("accelerator: %s (%s)\n", p.accel, p.why);
	{
		struct vm_kernel k;

		if (vm_kernel_find(&o->cfg, &k, v) < 0)
			printf("kernel: %s\n", v);
		else
			printf("kernel: %s (%s)\n", k.version, k.image);
	}
	printf("state directory: %s\n", o->cfg.state_dir);
	return 3;
}

static int vm_stop(struct vm_opts *o)
{
	char out[64];
	int fd = vm_client_connect(&o->cfg), lock;

	if (fd < 0) {
		printf("VM: not running\n");
		return 0;
	}
	vm_client_request(fd, VM_MSG_STOP, out, sizeof(out));
	close(fd);
	/* the service holds the lock until QEMU is gone: wait for it (it kills QEMU when the
	 * guest has not powered off in 10 s; a loaded machine can take longer to let go) */
	lock = lock_open(&o->cfg);
	bool gone = lock < 0;
	for (int i = 0; lock >= 0 && i < 900; i++) {
		if (flock(lock, LOCK_EX | LOCK_NB) == 0) {
			gone = true;
			break;
		}
		usleep(100 * 1000);
	}
	if (lock >= 0)
		close(lock);
	if (!gone) {
		cli_err("the VM in %s is still stopping after 90 s (see its service.log)",
			o->cfg.state_dir);
		return 1;
	}
	printf("VM: stopped\n");
	return 0;
}

static int vm_reset_disk(struct vm_opts *o)
{
	char path[PATH_MAX];
	int fd = vm_client_connect(&o->cfg);

	if (fd >= 0) {
		close(fd);
		cli_err("the VM is running: lxrun vm stop first");
		return 1;
	}
	if (vm_path(&o->cfg, "disk.img", path) == 0 && unlink(path) < 0 && errno != ENOENT) {
		cli_err("cannot delete %s: %s", path, strerror(errno));
		return 1;
	}
	return 0;
}

int cmd_vm(int argc, char **argv)
{
	struct vm_opts o;
	const char *sub;
	bool help, started;
	char status[4096];
	int fd;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage_vm(argc < 2 ? stderr : stdout);
		return argc < 2 ? 125 : 0;
	}
	sub = argv[1];
	if (parse_opts(argc - 1, argv + 1, &o, false, &help) != 0) {
		if (!help)
			cli_err("lxrun vm %s takes no arguments besides options", sub);
		return help ? (usage_vm(stdout), 0) : 125;
	}
	if (help) {
		usage_vm(stdout);
		return 0;
	}
	if (!strcmp(sub, "status"))
		return vm_status(&o);
	if (!strcmp(sub, "stop"))
		return vm_stop(&o);
	if (!strcmp(sub, "reset-disk"))
		return vm_reset_disk(&o);
	if (!strcmp(sub, "start")) {
		fd = vm_connect_or_start(&o, status, sizeof(status), &started);
		if (fd < 0)
			return 125;
		close(fd);
		if (!started)
			warn_mismatch(&o, status);
		return vm_status(&o) == 0 ? 0 : 125;
	}
	cli_err("unknown vm command '%s' (start, stop, status, reset-disk)", sub);
	return 125;
}
