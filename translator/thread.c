/* SPDX-License-Identifier: MIT */
/* Per-thread translator block: GS base, host signal stack, saved host FS. */
#include "translator/thread.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "abi/linux_errno.h"
#include "translator/syscall.h"

_Static_assert(offsetof(struct lx_thread, self) == LXT_SELF, "LXT_SELF");
_Static_assert(offsetof(struct lx_thread, host_fs) == LXT_HOST_FS, "LXT_HOST_FS");
_Static_assert(offsetof(struct lx_thread, guest_fs) == LXT_GUEST_FS, "LXT_GUEST_FS");
_Static_assert(offsetof(struct lx_thread, host_sp) == LXT_HOST_SP, "LXT_HOST_SP");
_Static_assert(offsetof(struct lx_thread, selector) == LXT_SELECTOR, "LXT_SELECTOR");
_Static_assert(offsetof(struct lx_thread, depth) == LXT_DEPTH, "LXT_DEPTH");
_Static_assert(offsetof(struct lx_thread, scratch) == LXT_SCRATCH, "LXT_SCRATCH");

/* Host C code (capstone, the VFS, trace formatting) runs on this stack inside handlers. */
#define LX_ALTSTACK_SIZE (1u << 20)

int lx_thread_init(struct lx_thread **out, struct lx_task *task)
{
	struct lx_thread *t = calloc(1, sizeof(*t));
	if (!t)
		return -LINUX_ENOMEM;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = LX_ALTSTACK_SIZE + page;
	char *stk = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
			 -1, 0);
	if (stk == MAP_FAILED) {
		free(t);
		return -LINUX_ENOMEM;
	}
	mprotect(stk, page, PROT_NONE); /* guard page: an overflow faults instead of corrupting */
	t->self = t;
	t->altstack = stk;
	t->altstack_size = len;
	t->host_sp = (uint64_t)(stk + len);
	t->selector = LX_SUD_ALLOW;
	t->task = task;
	t->tid = (int)syscall(SYS_gettid);
	__asm__ volatile("rdfsbase %0" : "=r"(t->host_fs));

	stack_t ss = {.ss_sp = stk + page, .ss_size = LX_ALTSTACK_SIZE, .ss_flags = 0};
	if (sigaltstack(&ss, NULL) < 0) {
		int e = errno;
		munmap(stk, len);
		free(t);
		return lx_errno(e);
	}
	__asm__ volatile("wrgsbase %0" ::"r"(t) : "memory");
	*out = t;
	return 0;
}
