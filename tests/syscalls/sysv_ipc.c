/* SPDX-License-Identifier: MIT */
/* sysv_ipc.c: coverage for SysV shared memory, semaphores and message queues (IPC_PRIVATE, removed after). */
#include "check.h"

#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static pid_t main_pid;

/* A key unlikely to be in use: derived from the main pid, so parallel runs do not collide. */
static key_t private_key(int n)
{
	return (key_t)(0x4c580000 ^ (main_pid << 4) ^ n);
}

static void test_shm(void)
{
	struct shmid_ds ds;
	int id, id2;
	char *a, *b;
	pid_t pid;

	id = CHECK_SYS("shmget.private", shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600));
	CHECK_SYS("shmctl.ipc_stat", shmctl(id, IPC_STAT, &ds));
	CHECK("shmctl.stat_values", ds.shm_segsz == 8192 && ds.shm_perm.uid == geteuid() &&
					    (ds.shm_perm.mode & 0777) == 0600 && ds.shm_nattch == 0,
	      "size %zu mode %o nattch %lu", ds.shm_segsz, ds.shm_perm.mode,
	      (unsigned long)ds.shm_nattch);
	a = shmat(id, NULL, 0);
	if (!CHECK("shmat.ok", a != (void *)-1, "%s", check_errname(errno))) {
		shmctl(id, IPC_RMID, NULL);
		return; /* nothing below can work without the mapping */
	}
	CHECK("shmat.zero_filled", a[0] == 0 && a[8191] == 0, "not zero");
	b = shmat(id, NULL, SHM_RDONLY);
	strcpy(a, "shared");
	CHECK_STR("shmat.second_mapping_shares", b, "shared");
	shmctl(id, IPC_STAT, &ds);
	CHECK_EQ("shmctl.nattch_two", ds.shm_nattch, 2);
	CHECK_EQ("shmctl.lpid", ds.shm_lpid, getpid());
	pid = fork();
	if (pid == 0) {
		a[0] = 'S';
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	CHECK_EQ("shmat.inherited_by_fork", b[0], 'S');
	CHECK_SYS("shmdt.ok", shmdt(b));
	CHECK_ERR("shmdt.not_attached", shmdt(b), EINVAL);
	CHECK_ERR("shmdt.unaligned", shmdt(a + 1), EINVAL);
	ds.shm_perm.mode = 0640;
	CHECK_SYS("shmctl.ipc_set", shmctl(id, IPC_SET, &ds));
	shmctl(id, IPC_STAT, &ds);
	CHECK_EQ("shmctl.set_mode", ds.shm_perm.mode & 0777, 0640);
	CHECK_ERR("shmat.bad_addr", shmat(id, (void *)4097, 0), EINVAL);
	CHECK_ERR("shmat.bad_id", shmat(-1, NULL, 0), EINVAL);
	CHECK_ERR("shmget.zero_size_new", shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600), EINVAL);
	CHECK_ERR("shmget.enoent", shmget(private_key(1), 4096, 0600), ENOENT);
	id2 = CHECK_SYS("shmget.key", shmget(private_key(1), 4096, IPC_CREAT | 0600));
	CHECK_EQ("shmget.key_again", shmget(private_key(1), 4096, 0600), id2);
	CHECK_ERR("shmget.eexist", shmget(private_key(1), 4096, IPC_CREAT | IPC_EXCL | 0600),
		  EEXIST);
	CHECK_ERR("shmget.too_big_for_existing", shmget(private_key(1), 8192, 0600), EINVAL);
	CHECK_ERR("shmctl.efault", syscall(SYS_shmctl, id2, IPC_STAT, BADPTR), EFAULT);
	/* Mode 0: refused to any user without CAP_IPC_OWNER, the owner included. */
	shmctl(id2, IPC_STAT, &ds);
	ds.shm_perm.mode = 0;
	shmctl(id2, IPC_SET, &ds);
	pid = check_fork_unprivileged();
	if (pid == 0) {
		CHECK_ERR("shmget.eacces", shmget(private_key(1), 4096, 0600), EACCES);
		CHECK_ERR("shmat.eacces", shmat(id2, NULL, 0), EACCES);
		check_child_exit();
	}
	check_wait_child("shmget.eacces_child", pid, 0);
	CHECK_ERR("shmctl.bad_cmd", shmctl(id2, 999, &ds), EINVAL);
	CHECK_SYS("shmctl.rmid_key", shmctl(id2, IPC_RMID, NULL));
	CHECK_ERR("shmctl.removed", shmctl(id2, IPC_STAT, &ds), EINVAL);
	/* IPC_RMID while attached: the segment lives until the last detach. */
	CHECK_SYS("shmctl.rmid_attached", shmctl(id, IPC_RMID, NULL));
	a[1] = 'x';
	CHECK_EQ("shmctl.rmid_still_mapped", a[1], 'x');
	CHECK_SYS("shmdt.last", shmdt(a));
}

static void test_sem(void)
{
	struct sembuf op;
	struct timespec ts = {0, 20000000};
	struct semid_ds ds;
	unsigned short vals[3] = {1, 2, 3}, got[3] = {0};
	long long t0;
	int id;

	id = CHECK_SYS("semget.private", semget(IPC_PRIVATE, 3, IPC_CREAT | 0600));
	CHECK_EQ("semctl.initial_zero", semctl(id, 0, GETVAL), 0);
	CHECK_SYS("semctl.setall", semctl(id, 0, SETALL, (union semun){.array = vals}));
	semctl(id, 0, GETALL, (union semun){.array = got});
	CHECK("semctl.getall", got[0] == 1 && got[1] == 2 && got[2] == 3, "%u %u %u", got[0],
	      got[1], got[2]);
	CHECK_SYS("semctl.setval", semctl(id, 1, SETVAL, (union semun){.val = 5}));
	CHECK_EQ("semctl.getval", semctl(id, 1, GETVAL), 5);
	CHECK_ERR("semctl.setval_range", semctl(id, 1, SETVAL, (union semun){.val = 40000}), ERANGE);
	semctl(id, 0, IPC_STAT, (union semun){.buf = &ds});
	CHECK_EQ("semctl.ipc_stat_nsems", ds.sem_nsems, 3);
	op = (struct sembuf){0, -1, 0};
	CHECK_SYS("semop.decrement", semop(id, &op, 1));
	CHECK_EQ("semop.value", semctl(id, 0, GETVAL), 0);
	CHECK_EQ("semctl.getpid", semctl(id, 0, GETPID), getpid());
	op.sem_flg = IPC_NOWAIT;
	CHECK_ERR("semop.nowait_eagain", semop(id, &op, 1), EAGAIN);
	op.sem_flg = 0;
	t0 = now_ns();
	CHECK_ERR("semtimedop.timeout", semtimedop(id, &op, 1, &ts), EAGAIN);
	CHECK("semtimedop.waited", now_ns() - t0 >= 20000000, "after %lld ns", now_ns() - t0);
	ts.tv_nsec = 1000000000;
	CHECK_ERR("semtimedop.bad_timeout", semtimedop(id, &op, 1, &ts), EINVAL);
	/* Several operations apply atomically: all or none. */
	{
		struct sembuf two[2] = {{1, -1, IPC_NOWAIT}, {0, -1, IPC_NOWAIT}};

		CHECK_ERR("semop.atomic_refused", semop(id, two, 2), EAGAIN);
		CHECK_EQ("semop.atomic_untouched", semctl(id, 1, GETVAL), 5);
		two[1].sem_op = 2;
		CHECK_SYS("semop.atomic_applied", semop(id, two, 2));
		CHECK("semop.atomic_values", semctl(id, 0, GETVAL) == 2 && semctl(id, 1, GETVAL) == 4,
		      "%d %d", semctl(id, 0, GETVAL), semctl(id, 1, GETVAL));
	}
	/* Wait-for-zero and a blocked decrement woken by another process. */
	op = (struct sembuf){2, 0, IPC_NOWAIT};
	CHECK_ERR("semop.wait_zero_nowait", semop(id, &op, 1), EAGAIN);
	semctl(id, 2, SETVAL, (union semun){.val = 0});
	CHECK_SYS("semop.wait_zero_ready", semop(id, &op, 1));
	if (fork() == 0) {
		struct sembuf up = {2, 1, 0};

		usleep(30000);
		semop(id, &up, 1);
		_exit(0);
	}
	op = (struct sembuf){2, -1, 0};
	ts = (struct timespec){10, 0};
	CHECK_SYS("semtimedop.woken", semtimedop(id, &op, 1, &ts));
	wait(NULL);
	op = (struct sembuf){5, -1, 0};
	CHECK_ERR("semop.bad_semnum", semop(id, &op, 1), EFBIG);
	CHECK_ERR("semop.zero_nsops", semop(id, &op, 0), EINVAL);
	CHECK_ERR("semop.efault", syscall(SYS_semop, id, BADPTR, 1), EFAULT);
	CHECK_ERR("semget.nsems_mismatch", semget(IPC_PRIVATE, -1, IPC_CREAT | 0600), EINVAL);
	CHECK_ERR("semctl.bad_semnum", semctl(id, 7, GETVAL), EINVAL);
	CHECK_SYS("semctl.rmid", semctl(id, 0, IPC_RMID));
	CHECK_ERR("semop.removed", semop(id, &op, 1), EINVAL);
	CHECK_ERR("semctl.removed", semctl(id, 0, GETVAL), EINVAL);
}

struct msg {
	long mtype;
	char mtext[32];
};

static void test_msg(void)
{
	struct msg m = {1, "first"}, r;
	struct msqid_ds ds;
	int id;
	ssize_t n;

	id = CHECK_SYS("msgget.private", msgget(IPC_PRIVATE, IPC_CREAT | 0600));
	CHECK_SYS("msgsnd.ok", msgsnd(id, &m, 6, 0));
	m = (struct msg){2, "second"};
	msgsnd(id, &m, 7, 0);
	m = (struct msg){3, "third"};
	msgsnd(id, &m, 6, 0);
	msgctl(id, IPC_STAT, &ds);
	CHECK_EQ("msgctl.qnum", ds.msg_qnum, 3);
	CHECK_EQ("msgctl.lspid", ds.msg_lspid, getpid());
	n = msgrcv(id, &r, sizeof(r.mtext), 2, 0);
	CHECK("msgrcv.by_type", n == 7 && r.mtype == 2 && !strcmp(r.mtext, "second"), "n %zd", n);
	n = msgrcv(id, &r, sizeof(r.mtext), 0, 0);
	CHECK("msgrcv.fifo_first", n == 6 && r.mtype == 1, "n %zd type %ld", n, r.mtype);
	CHECK_ERR("msgrcv.e2big", msgrcv(id, &r, 2, 0, IPC_NOWAIT), E2BIG);
	n = msgrcv(id, &r, 2, 0, IPC_NOWAIT | MSG_NOERROR);
	CHECK("msgrcv.noerror_truncates", n == 2 && r.mtype == 3, "n %zd", n);
	CHECK_ERR("msgrcv.empty_nowait", msgrcv(id, &r, sizeof(r.mtext), 0, IPC_NOWAIT), ENOMSG);
	m = (struct msg){5, "a"};
	msgsnd(id, &m, 2, 0);
	m = (struct msg){9, "b"};
	msgsnd(id, &m, 2, 0);
	n = msgrcv(id, &r, sizeof(r.mtext), -6, IPC_NOWAIT);
	CHECK("msgrcv.negative_type", n == 2 && r.mtype == 5, "type %ld", r.mtype);
	CHECK_ERR("msgrcv.except_none", msgrcv(id, &r, sizeof(r.mtext), 9, IPC_NOWAIT | MSG_EXCEPT),
		  ENOMSG);
	n = msgrcv(id, &r, sizeof(r.mtext), 0, IPC_NOWAIT | MSG_COPY);
	CHECK("msgrcv.copy", n == 2 && r.mtype == 9, "n %zd %s", n, check_errname(errno));
	CHECK_EQ("msgrcv.copy_kept", msgrcv(id, &r, sizeof(r.mtext), 9, IPC_NOWAIT), 2);
	m.mtype = 0;
	CHECK_ERR("msgsnd.zero_type", msgsnd(id, &m, 2, 0), EINVAL);
	m.mtype = 1;
	CHECK_ERR("msgsnd.negative_size", syscall(SYS_msgsnd, id, &m, -1L, 0), EINVAL);
	CHECK_ERR("msgsnd.efault", syscall(SYS_msgsnd, id, BADPTR, 2, 0), EFAULT);
	msgsnd(id, &m, 2, 0); /* a message to fail to deliver */
	CHECK_ERR("msgrcv.efault", syscall(SYS_msgrcv, id, BADPTR, 8, 0, IPC_NOWAIT), EFAULT);
	msgrcv(id, &r, sizeof(r.mtext), 0, IPC_NOWAIT);
	/* A queue full to msg_qbytes refuses a non-blocking send. */
	msgctl(id, IPC_STAT, &ds);
	ds.msg_qbytes = 16;
	CHECK_SYS("msgctl.ipc_set_qbytes", msgctl(id, IPC_SET, &ds));
	msgsnd(id, &m, 16, 0);
	CHECK_ERR("msgsnd.full_eagain", msgsnd(id, &m, 1, IPC_NOWAIT), EAGAIN);
	CHECK_ERR("msgget.enoent", msgget(private_key(2), 0600), ENOENT);
	CHECK_ERR("msgctl.bad_cmd", msgctl(id, 999, &ds), EINVAL);
	CHECK_SYS("msgctl.rmid", msgctl(id, IPC_RMID, NULL));
	CHECK_ERR("msgsnd.removed", msgsnd(id, &m, 1, IPC_NOWAIT), EINVAL);
	CHECK_ERR("msgrcv.removed", msgrcv(id, &r, 8, 0, IPC_NOWAIT), EINVAL);
}

/* The /proc/self/maps line of the mapping that starts at addr, or "" */
static void maps_line(void *addr, char *out, size_t size)
{
	char buf[65536], want[32];
	ssize_t n = check_read_file("/proc/self/maps", buf, sizeof(buf));

	out[0] = 0;
	if (n <= 0)
		return;
	snprintf(want, sizeof(want), "%lx-", (unsigned long)addr);
	for (char *l = buf; l && *l;) {
		char *nl = strchr(l, '\n');

		if (nl)
			*nl = 0;
		if (!strncmp(l, want, strlen(want))) {
			snprintf(out, size, "%s", l);
			return;
		}
		l = nl ? nl + 1 : NULL;
	}
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* Attachments in the memory map, fixed addresses, and blocking calls a signal interrupts. */
static void test_shm_map(void)
{
	char line[512], want[64];
	int id = CHECK_SYS("shmmap.get", shmget(IPC_PRIVATE, 3 * 4096, IPC_CREAT | 0600));
	char *a = shmat(id, NULL, 0);

	if (!CHECK("shmmap.attach", a != (void *)-1, "%s", check_errname(errno)))
		return;
	maps_line(a, line, sizeof(line));
	snprintf(want, sizeof(want), " %d ", id);
	CHECK("shmmap.in_maps", strstr(line, "rw-s") && strstr(line, want) &&
		      strstr(line, "/SYSV00000000 (deleted)"), "line '%s'", line);
	CHECK_SYS("shmmap.detach", shmdt(a));
	maps_line(a, line, sizeof(line));
	CHECK_STR("shmmap.gone_from_maps", line, "");

	/* An address that is free: the segment lands exactly there. */
	char *r = mmap(NULL, 5 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!CHECK("shmmap.reserve", r != MAP_FAILED, "%s", check_errname(errno)))
		goto out;
	munmap(r + 4096, 3 * 4096);
	a = shmat(id, r + 4096, SHM_RDONLY);
	CHECK("shmmap.fixed_addr", a == r + 4096, "at %p not %p", (void *)a, (void *)(r + 4096));
	maps_line(r + 4096, line, sizeof(line));
	CHECK("shmmap.rdonly_in_maps", !strncmp(strchr(line, ' ') ? strchr(line, ' ') : "", " r--s", 5),
	      "line '%s'", line);
	CHECK_ERR("shmmap.fixed_occupied", shmat(id, r, 0), EINVAL);
	CHECK_ERR("shmmap.rnd_occupied", shmat(id, r + 4096 + 7, SHM_RND), EINVAL);
	shmdt(a);
	/* SHM_REMAP replaces the guest's own mapping. */
	a = shmat(id, r, SHM_REMAP);
	CHECK("shmmap.remap", a == r, "%p %s", (void *)a, check_errname(errno));
	if (a == r) {
		a[0] = 'q';
		CHECK_SYS("shmmap.remap_detach", shmdt(a));
	}
	munmap(r, 5 * 4096);
out:
	CHECK_SYS("shmmap.rmid", shmctl(id, IPC_RMID, NULL));
}

static void test_ipc_eintr(void)
{
	struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
	struct sembuf op = {.sem_num = 0, .sem_op = -1};
	struct { long mtype; char mtext[8]; } m;
	int sid = CHECK_SYS("ipc_eintr.semget", semget(IPC_PRIVATE, 1, IPC_CREAT | 0600));
	int qid = CHECK_SYS("ipc_eintr.msgget", msgget(IPC_PRIVATE, IPC_CREAT | 0600));

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	/* Linux never restarts these, SA_RESTART or not (signal(7)). */
	ualarm(50000, 0);
	CHECK_ERR("semop.eintr_sa_restart", semop(sid, &op, 1), EINTR);
	ualarm(50000, 0);
	CHECK_ERR("msgrcv.eintr_sa_restart", msgrcv(qid, &m, sizeof(m.mtext), 0, 0), EINTR);
	signal(SIGALRM, SIG_DFL);
	semctl(sid, 0, IPC_RMID);
	msgctl(qid, IPC_RMID, NULL);
}

int main(int argc, char **argv)
{
	check_init(argc, argv);
	check_watchdog(30);
	main_pid = getpid();
	test_shm();
	test_sem();
	test_msg();
	test_shm_map();
	test_ipc_eintr();
	return check_done();
}
