/* SPDX-License-Identifier: MIT */
/* The QEMU backend: accelerator probe, virtiofsd + qemu-system-x86_64 microvm, control port. */
#include "vm/backend.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "abi/linux_errno.h"

#define QEMU_BIN      "/usr/bin/qemu-system-x86_64"
#define VIRTIOFSD_BIN "/usr/lib/qemu/virtiofsd"

/* Initcalls that cost tens of ms each under TCG and serve nothing in this VM (TCP falls back
 * to reno congestion control, which is all a user-mode network needs; no kprobes, no keys; the module signatures are stripped anyway), found with initcall_debug;
 * and tsc=reliable: QEMU's TSC is one host clock for all vCPUs, so the sync check (365 ms
 * for the second vCPU) and the clocksource watchdog only cost time. */
#define BOOT_TRIMS                                                                                 \
	"initcall_blacklist=cubictcp_register,init_kprobe_trace,init_encrypted,"                   \
	"crypto_kdf108_init,load_system_certificate_list,init_zswap,blake2s_mod_init "             \
	"tsc=reliable"

static int qemu_probe(const struct vm_config *cfg, struct vm_probe *p)
{
	struct stat st;
	int fd;

	memset(p, 0, sizeof(*p));
	strcpy(p->accel, "tcg");
	if (!strcmp(cfg->accel, "tcg")) {
		snprintf(p->why, sizeof(p->why), "TCG was asked for (--accel tcg)");
		return 0;
	}
	/* LXRUN_KVM_DEVICE names another device node: tests hide /dev/kvm with it. */
	const char *kvm = getenv("LXRUN_KVM_DEVICE");
	if (!kvm || !*kvm)
		kvm = "/dev/kvm";
	fd = open(kvm, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(p->why, sizeof(p->why), "%s is not usable (%s): using TCG emulation", kvm,
			 strerror(errno));
		return 0;
	}
	close(fd);
	/* kvm_pvm exposes /dev/kvm but runs only PVM-patched guests: an unmodified kernel dies
	 * with emulation failures, so it must not be mistaken for hardware KVM */
	if (!stat("/sys/module/kvm_pvm", &st) && strcmp(cfg->accel, "kvm")) {
		snprintf(p->why, sizeof(p->why),
			 "/dev/kvm is provided by kvm_pvm, which cannot boot an unmodified guest "
			 "kernel: using TCG emulation");
		return 0;
	}
	strcpy(p->accel, "kvm");
	snprintf(p->why, sizeof(p->why), "%s",
		 strcmp(cfg->accel, "kvm") ? "/dev/kvm is usable"
					   : "KVM was asked for (--accel kvm)");
	return 0;
}

/* The guest must not calibrate its TSC under TCG (boots then hang now and then): hand it the
 * host's rate as the host kernel reports it in /proc/cpuinfo. */
static unsigned long tsc_khz(void)
{
	char line[256];
	double mhz = 0;
	FILE *f = fopen("/proc/cpuinfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "cpu MHz", 7) && sscanf(strchr(line, ':') + 1, "%lf", &mhz) == 1)
			break;
	if (f)
		fclose(f);
	return (unsigned long)(mhz * 1000.0);
}

static pid_t spawn(char *const argv[], const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
		sigset_t none;

		/* the VM must not outlive its service, whatever kills the service */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setpgid(0, 0);
		if (nul >= 0)
			dup2(nul, 0);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* How a reaped child ended, for a message: "was killed by signal 9", "exited with status 1". */
static void child_end(int status, char *out, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(out, len, "was killed by signal %d", WTERMSIG(status));
	else
		snprintf(out, len, "exited with status %d", WEXITSTATUS(status));
}

/* `end` (may be NULL) says how the process ended when it did (-ECHILD). */
static int wait_socket(const char *path, pid_t pid, int timeout_ms, int *out_fd, char *end,
		       size_t endlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timespec ts = {0, 5 * 1000 * 1000};
	int i, fd, status;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	for (i = 0; i < timeout_ms / 5; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			if (end)
				child_end(status, end, endlen);
			return -LINUX_ECHILD;
		}
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			if (out_fd)
				*out_fd = fd;
			else
				close(fd);
			return 0;
		}
		close(fd);
		nanosleep(&ts, NULL);
	}
	return -LINUX_ETIMEDOUT;
}

/* virtiofsd accepts exactly one connection: watch for the socket file, don't connect. */
static int wait_file(const char *path, pid_t pid, int timeout_ms, char *end, size_t endlen)
{
	struct timespec ts = {0, 5 * 1000 * 1000};
	int i, status;

	for (i = 0; i < timeout_ms / 5; i++) {
		if (!access(path, F_OK))
			return 0;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			child_end(status, end, endlen);
			return -LINUX_ECHILD;
		}
		nanosleep(&ts, NULL);
	}
	return -LINUX_ETIMEDOUT;
}

static void tail_log(const char *path, char *why, size_t len)
{
	char buf[400];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	off_t end;

	if (fd < 0)
		return;
	end = lseek(fd, 0, SEEK_END);
	lseek(fd, end > (off_t)sizeof(buf) - 1 ? end - (off_t)sizeof(buf) + 1 : 0, SEEK_SET);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = 0;
	snprintf(why + strlen(why), len - strlen(why), ": %s",
		 strrchr(buf, '\n') ? strrchr(buf, '\n') + 1 : buf);
}

static int qemu_start(const struct vm_config *cfg, const char *accel, struct vm_instance *vm,
		      char *why)
{
	char kernel[PATH_MAX], initrd[PATH_MAX], disk[PATH_MAX], ctl[PATH_MAX], vfs[PATH_MAX];
	char qlog[PATH_MAX], vlog[PATH_MAX], console[PATH_MAX + 16], host[64] = "lxrun-vm";
	char append[2048], mem[32], smp[16], machine[128], memobj[96], fsdev[PATH_MAX + 64];
	char drive[PATH_MAX + 64], ctlchr[PATH_MAX + 64], vfschr[PATH_MAX + 64];
	char vsock[PATH_MAX + 32], vsrc[64], vcache[64], accelopt[64], qmp[PATH_MAX];
	char qmpopt[PATH_MAX + 64], end[64];
	char *argv[80];
	int n = 0, r;

	memset(vm, 0, sizeof(*vm));
	vm->chan_fd = -1;
	snprintf(vm->accel, sizeof(vm->accel), "%s", accel);
	if (vm_path(cfg, "vmlinux", kernel) || vm_path(cfg, "initramfs.cpio", initrd) ||
	    vm_path(cfg, "disk.img", disk) || vm_path(cfg, "ctl.sock", ctl) ||
	    vm_path(cfg, "vfs.sock", vfs) || vm_path(cfg, "qemu.log", qlog) ||
	    vm_path(cfg, "virtiofsd.log", vlog) || vm_path(cfg, "qmp.sock", qmp))
		return -LINUX_ENAMETOOLONG;
	snprintf(console, sizeof(console), "file:%s/console.log", cfg->state_dir);
	if (access(QEMU_BIN, X_OK)) {
		snprintf(why, VM_WHY_LEN, "%s not found (apt-get install qemu-system-x86)",
			 QEMU_BIN);
		return -LINUX_ENOENT;
	}
	unlink(ctl);
	unlink(vfs);
	unlink(qmp);
	gethostname(host, sizeof(host) - 1);
	if (cfg->virtiofs) {
		if (access(VIRTIOFSD_BIN, X_OK)) {
			snprintf(why, VM_WHY_LEN,
				 "%s not found (apt-get install qemu-system-x86), "
				 "or use --share 9p",
				 VIRTIOFSD_BIN);
			return -LINUX_ENOENT;
		}
		snprintf(vsock, sizeof(vsock), "--socket-path=%s", vfs);
		snprintf(vsrc, sizeof(vsrc), "source=/");
		snprintf(vcache, sizeof(vcache), "cache=%s", cfg->vfs_cache);
		/* the namespace sandbox pivot_roots into the source, which fails for "/";
		 * xattr: extended attributes pass through as on the host (the default is off) */
		char *vargv[] = {VIRTIOFSD_BIN, vsock, "-o", vsrc, "-o", vcache, "-o",
				 "sandbox=chroot", "-o", "xattr", NULL};

		end[0] = 0;
		vm->helper_pid = spawn(vargv, vlog);
		r = vm->helper_pid < 0 ? -errno
				       : wait_file(vfs, vm->helper_pid, 10000, end, sizeof(end));
		if (r < 0) {
			snprintf(why, VM_WHY_LEN, "virtiofsd did not start%s%s (see %s)",
				 end[0] ? ": it " : "", end, vlog);
			tail_log(vlog, why, VM_WHY_LEN);
			if (r != -LINUX_ECHILD && vm->helper_pid > 0) {
				kill(vm->helper_pid, SIGKILL);
				waitpid(vm->helper_pid, NULL, 0);
			}
			vm->helper_pid = 0;
			return r;
		}
	}
	snprintf(append, sizeof(append),
		 "console=ttyS0 panic=-1 reboot=t quiet tsc_early_khz=%lu cryptomgr.notests "
		 "8250.nr_uarts=1 " BOOT_TRIMS " lxrun.root=%s lxrun.9p=%s lxrun.hostname=%s%s%s%s%s%s%s",
		 tsc_khz(),
		 cfg->root_share == VM_SHARE_VIRTIOFS && cfg->virtiofs ? "virtiofs" : "9p",
		 cfg->opts_9p, host, cfg->virtiofs ? " lxrun.vfs=default" : "",
		 access(disk, R_OK) ? "" : " lxrun.disk=1", cfg->net ? " lxrun.net=user" : "",
		 cfg->net && cfg->forward ? " lxrun.fwd=1" : "", cfg->interop ? " lxrun.interop=1" : "",
		 cfg->unsafe_fast ? " mitigations=off rodata=off" : "");
	/* for debugging boots (initcall_debug, loglevel=7): appended as given */
	if (getenv("LXRUN_VM_APPEND"))
		snprintf(append + strlen(append), sizeof(append) - strlen(append), " %s",
			 getenv("LXRUN_VM_APPEND"));
	snprintf(mem, sizeof(mem), "%uM", cfg->mem_mb);
	snprintf(smp, sizeof(smp), "%u", cfg->cpus);
	snprintf(machine, sizeof(machine), "microvm%s", cfg->virtiofs ? ",memory-backend=mem" : "");
	if (!strcmp(accel, "tcg") && cfg->tcg_cache_mb)
		snprintf(accelopt, sizeof(accelopt), "tcg,tb-size=%u", cfg->tcg_cache_mb);
	else
		snprintf(accelopt, sizeof(accelopt), "%s", accel);
	snprintf(memobj, sizeof(memobj), "memory-backend-memfd,id=mem,size=%uM,share=on",
		 cfg->mem_mb);
	snprintf(fsdev, sizeof(fsdev), "local,id=fs0,path=/,security_model=none,multidevs=remap");
	snprintf(drive, sizeof(drive), "file=%s,if=none,id=d0,format=raw,cache=writeback", disk);
	snprintf(ctlchr, sizeof(ctlchr), "socket,id=c0,path=%s,server=on,wait=off", ctl);
	snprintf(vfschr, sizeof(vfschr), "socket,id=vfs,path=%s", vfs);
	snprintf(qmpopt, sizeof(qmpopt), "unix:%s,server=on,wait=off", qmp);

	argv[n++] = QEMU_BIN;
	argv[n++] = "-M";
	argv[n++] = machine;
	argv[n++] = "-accel";
	argv[n++] = accelopt;
	argv[n++] = "-cpu";
	argv[n++] = getenv("LXRUN_VM_CPU")  ? getenv("LXRUN_VM_CPU")
		    : !strcmp(accel, "kvm") ? "host"
					    : "max";
	argv[n++] = "-m";
	argv[n++] = mem;
	argv[n++] = "-smp";
	argv[n++] = smp;
	argv[n++] = "-nodefaults";
	argv[n++] = "-no-user-config";
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-no-reboot";
	argv[n++] = "-serial";
	argv[n++] = console;
	argv[n++] = "-kernel";
	argv[n++] = kernel;
	argv[n++] = "-initrd";
	argv[n++] = initrd;
	argv[n++] = "-append";
	argv[n++] = append;
	argv[n++] = "-global";
	argv[n++] = "virtio-mmio.force-legacy=false";
	if (cfg->virtiofs) {
		argv[n++] = "-object";
		argv[n++] = memobj;
		argv[n++] = "-chardev";
		argv[n++] = vfschr;
		argv[n++] = "-device";
		argv[n++] = "vhost-user-fs-device,chardev=vfs,tag=hostfs";
	}
	argv[n++] = "-fsdev";
	argv[n++] = fsdev;
	argv[n++] = "-device";
	argv[n++] = "virtio-9p-device,fsdev=fs0,mount_tag=host9p";
	if (!access(disk, R_OK)) {
		argv[n++] = "-drive";
		argv[n++] = drive;
		argv[n++] = "-device";
		argv[n++] = "virtio-blk-device,drive=d0";
	}
	argv[n++] = "-device";
	argv[n++] = "virtio-serial-device,max_ports=2";
	argv[n++] = "-chardev";
	argv[n++] = ctlchr;
	argv[n++] = "-device";
	argv[n++] = "virtserialport,chardev=c0,name=lxrun.ctl";
	/* the monitor: the service adds and removes port forwards through it */
	argv[n++] = "-qmp";
	argv[n++] = qmpopt;
	if (cfg->net) {
		/* user-mode network: the guest is 10.0.2.15, the host 10.0.2.2, DNS 10.0.2.3 */
		argv[n++] = "-netdev";
		argv[n++] = "user,id=n0";
		argv[n++] = "-device";
		argv[n++] = "virtio-net-device,netdev=n0";
	}
	argv[n] = NULL;

	vm->pid = spawn(argv, qlog);
	if (vm->pid < 0) {
		r = -errno;
		snprintf(why, VM_WHY_LEN, "cannot start QEMU: %s", strerror(errno));
		goto fail;
	}
	end[0] = 0;
	r = wait_socket(ctl, vm->pid, 20000, &vm->chan_fd, end, sizeof(end));
	if (r < 0) {
		snprintf(why, VM_WHY_LEN, "QEMU did not start%s%s (see %s)",
			 end[0] ? ": QEMU " : "", end, qlog);
		tail_log(qlog, why, VM_WHY_LEN);
		if (r == -LINUX_ECHILD)
			vm->pid = 0; /* reaped already */
		goto fail;
	}
	return 0;
fail:
	if (vm->pid > 0) {
		kill(vm->pid, SIGKILL);
		waitpid(vm->pid, NULL, 0);
	}
	if (vm->helper_pid > 0) {
		kill(vm->helper_pid, SIGKILL);
		waitpid(vm->helper_pid, NULL, 0);
	}
	vm->pid = vm->helper_pid = 0;
	return r;
}

static int qemu_exec(const struct vm_config *cfg, struct vm_instance *vm, char *why)
{
	char ctl[PATH_MAX];

	if (vm_path(cfg, "ctl.sock", ctl))
		return -LINUX_ENAMETOOLONG;
	if (wait_socket(ctl, vm->pid, 1000, &vm->chan_fd, NULL, 0) < 0) {
		snprintf(why, VM_WHY_LEN, "cannot reach the VM's control port %s", ctl);
		return -LINUX_ECONNREFUSED;
	}
	return 0;
}

static int qemu_stop(struct vm_instance *vm)
{
	if (vm->pid > 0)
		kill(vm->pid, SIGKILL);
	if (vm->helper_pid > 0)
		kill(vm->helper_pid, SIGTERM);
	return 0;
}

const struct vm_backend vm_backend_qemu = {
	.name = "qemu",
	.probe = qemu_probe,
	.start = qemu_start,
	.exec = qemu_exec,
	.stop = qemu_stop,
};

int vm_probe_accel(const struct vm_config *cfg, struct vm_probe *p)
{
	return vm_backend_qemu.probe(cfg, p);
}
