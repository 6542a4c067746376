/* SPDX-License-Identifier: MIT */
/* harness: the columns a command can run in (native, translate engines, vm shares, peers). */
#ifndef LXRUN_HARNESS_COLUMN_H
#define LXRUN_HARNESS_COLUMN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define HCOL_MAX      16
#define HCOL_WHY      256
#define HCOL_ARGV_MAX 64

enum hcol_kind {
	HCOL_NATIVE,
	HCOL_TRANSLATE, /* lxrun --engine ARG */
	HCOL_VM,	/* lxrun --mode vm: ARG is 9p, virtiofs or ext4 */
	HCOL_PEER,	/* another tool: qemu-user, proot, gvisor */
};

enum hcol_state {
	HCOL_UNPROBED,
	HCOL_OK,
	HCOL_SKIPPED, /* cannot run here: why says what is missing */
	HCOL_FAILED,  /* should run but did not: why says how it failed */
};

struct hcol {
	const char *name; /* "translate/rewrite" */
	enum hcol_kind kind;
	const char *arg;     /* engine; share (9p, virtiofs, ext4); peer program */
	const char *package; /* Debian package that provides it */
	const char *what;    /* one line for --help */
	enum hcol_state state;
	char why[HCOL_WHY];
	bool selected;
};

/* What the columns need from their user. */
struct hcol_env {
	char lxrun[PATH_MAX];	  /* the lxrun binary */
	char state_dir[PATH_MAX]; /* the VM's state directory (private to the run) */
	char guest_dir[PATH_MAX]; /* vm/ext4's working directory on the guest disk */
	volatile int *cancel;	  /* see hproc_spec */
	bool vm_started;	  /* hcol_probe started the VM: hcol_vm_stop when done */
	char vm_status[2048];	  /* the service's key=value status after the start */
};

/* The catalogue of every column, all unprobed and selected; returns how many. */
size_t hcol_catalog(struct hcol *out, size_t max);

/* Select the columns named in a comma-separated list (each a name, or a prefix ending in '/'
 * such as "vm/"); the others are unselected. -EINVAL with the bad name in why. */
int hcol_select(struct hcol *cols, size_t n, const char *list, char *why, size_t whylen);

/* Decide whether the column runs here, by running /bin/true in it. vm columns start the VM
 * (in env->state_dir) the first time. Sets c->state and c->why; returns 0 when usable. */
int hcol_probe(struct hcol *c, struct hcol_env *env);

/* argv for running cmd (cmd[0] an absolute path) in column c, into out[max] (NULL-terminated;
 * strings point into c, env and cmd). Returns the count, or -E2BIG. */
int hcol_argv(const struct hcol *c, const struct hcol_env *env, char *const *cmd, char **out,
	      size_t max);

/* True when the column runs commands in env->guest_dir rather than in the caller's cwd: its
 * inputs must be copied there by a command run in the column itself. */
bool hcol_in_guest_dir(const struct hcol *c);

/* The VM service's status (key=value lines) into out; -ENOTCONN when no VM runs. */
int hcol_vm_status(const struct hcol_env *env, char *out, size_t len);
/* One key of a status text into out ("" when absent). */
const char *hcol_status_get(const char *status, const char *key, char *out, size_t len);
/* QEMU's and virtiofsd's pids (what a vm column's memory includes); returns how many. */
int hcol_vm_pids(const struct hcol_env *env, int *pids, int max);
/* Boot the VM (no-op when it runs) / power it off. */
int hcol_vm_start(struct hcol_env *env, char *why, size_t len);
int hcol_vm_stop(struct hcol_env *env);

/* PATH lookup of name into out; -ENOENT. */
int hcol_which(const char *name, char *out, size_t len);

#endif
