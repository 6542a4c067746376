/* SPDX-License-Identifier: MIT */
/* harness: lxrun bench's arguments: families, columns, sizes, outputs. */
#include "harness/bench.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const bench_family_names[BF_COUNT] = {"syscall", "startup", "text",
						  "fs",	     "build",	"vm"};
const char *const bench_family_what[BF_COUNT] = {
	"ns per call: getppid, open+close, stat, read 4 KiB, write 4 KiB (in-process loop)",
	"/bin/true (dynamic), fork+exec+wait of a static program, a sh -c pipeline",
	"grep, sed, gawk, mawk, sort, wc over a generated log-like text file",
	"small files, write+fsync/read, untar, grep -r, find, git status, fio (psync)",
	"make -j2 of a generated C project",
	"VM life cycle: cold boot, warm `true`, shutdown (vm columns only)",
};

enum {
	O_COLUMNS = 256,
	O_QUICK,
	O_REPEATS,
	O_JSON,
	O_MARKDOWN,
	O_PLOT,
	O_DIR,
	O_KEEP,
	O_TEXT_MB,
	O_FILES,
	O_SEQ_MB,
	O_TREE_FILES,
	O_BUILD_FILES,
	O_HELPERS,
	O_CELL_S,
};

static const struct option long_opts[] = {
	{"columns", required_argument, NULL, O_COLUMNS},
	{"quick", no_argument, NULL, O_QUICK},
	{"repeats", required_argument, NULL, O_REPEATS},
	{"json", required_argument, NULL, O_JSON},
	{"markdown", required_argument, NULL, O_MARKDOWN},
	{"plot", required_argument, NULL, O_PLOT},
	{"dir", required_argument, NULL, O_DIR},
	{"keep", no_argument, NULL, O_KEEP},
	{"text-mb", required_argument, NULL, O_TEXT_MB},
	{"files", required_argument, NULL, O_FILES},
	{"seq-mb", required_argument, NULL, O_SEQ_MB},
	{"tree-files", required_argument, NULL, O_TREE_FILES},
	{"build-files", required_argument, NULL, O_BUILD_FILES},
	{"helpers", required_argument, NULL, O_HELPERS},
	{"cell-seconds", required_argument, NULL, O_CELL_S},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

void bench_sizes_default(struct bench_sizes *sz, bool quick)
{
	static const struct bench_sizes full = {
		.text_mb = 50,
		.files = 1000,
		.seq_mb = 256,
		.tree_files = 500,
		.build_files = 12,
		.repeats = 5,
		.repeats_short = 11,
		.budget_ms = 200,
		.cell_s = 60,
		.warmup = true,
	};
	static const struct bench_sizes small = {
		.text_mb = 1,
		.files = 50,
		.seq_mb = 4,
		.tree_files = 30,
		.build_files = 1,
		.repeats = 1,
		.repeats_short = 1,
		.budget_ms = 20,
		.cell_s = 60,
		.warmup = false,
	};

	*sz = quick ? small : full;
}

static int parse_num(const char *s, unsigned int min, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max || *s == '-')
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

static int family_find(const char *name)
{
	for (int i = 0; i < BF_COUNT; i++)
		if (!strcmp(name, bench_family_names[i]))
			return i;
	return -1;
}

int bench_opts_parse(int argc, char **argv, struct bench_opts *o, char *why, size_t len)
{
	/* sizes given on the command line win over --quick's, wherever --quick appears */
	unsigned int given[O_CELL_S + 1] = {0};
	bool set[O_CELL_S + 1] = {0};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return 1;
		case O_COLUMNS:
			o->columns = optarg;
			break;
		case O_QUICK:
			o->quick = true;
			break;
		case O_JSON:
			o->json = optarg;
			break;
		case O_MARKDOWN:
			o->markdown = optarg;
			break;
		case O_PLOT:
			o->plot_dir = optarg;
			break;
		case O_DIR:
			o->dir = optarg;
			break;
		case O_HELPERS:
			o->helpers = optarg;
			break;
		case O_KEEP:
			o->keep = true;
			break;
		case O_REPEATS:
		case O_TEXT_MB:
		case O_FILES:
		case O_SEQ_MB:
		case O_TREE_FILES:
		case O_BUILD_FILES:
		case O_CELL_S: {
			unsigned int max = c == O_REPEATS ? 1000 : c == O_FILES ? 1000000 : 100000;

			if (parse_num(optarg, 1, max, &given[c]) < 0) {
				snprintf(why, len, "%s takes a number from 1 to %u, not '%s'",
					 argv[optind - 1][1] == '-' ? argv[optind - 1]
								    : argv[optind - 2],
					 max, optarg);
				return -EINVAL;
			}
			set[c] = true;
			break;
		}
		case ':':
			snprintf(why, len, "%s needs a value", argv[optind - 1]);
			return -EINVAL;
		default:
			if (optopt && optopt < 256)
				snprintf(why, len, "unknown option '-%c'", optopt);
			else if (optopt >= 256)
				snprintf(why, len, "%s needs a value", argv[optind - 1]);
			else
				snprintf(why, len, "unknown option '%s'", argv[optind - 1]);
			return -EINVAL;
		}
	}
	bench_sizes_default(&o->sz, o->quick);
	if (set[O_REPEATS])
		o->sz.repeats = o->sz.repeats_short = given[O_REPEATS];
	if (set[O_TEXT_MB])
		o->sz.text_mb = given[O_TEXT_MB];
	if (set[O_FILES])
		o->sz.files = given[O_FILES];
	if (set[O_SEQ_MB])
		o->sz.seq_mb = given[O_SEQ_MB];
	if (set[O_TREE_FILES])
		o->sz.tree_files = given[O_TREE_FILES];
	if (set[O_BUILD_FILES])
		o->sz.build_files = given[O_BUILD_FILES];
	if (set[O_CELL_S])
		o->sz.cell_s = given[O_CELL_S];
	for (int i = optind; i < argc; i++) {
		int f = family_find(argv[i]);

		if (!strcmp(argv[i], "all")) {
			o->families = (1u << BF_COUNT) - 1;
			continue;
		}
		if (f < 0) {
			int n = snprintf(why, len, "unknown family '%s' (valid: ", argv[i]);

			for (int j = 0; j < BF_COUNT && n > 0 && (size_t)n < len; j++)
				n += snprintf(why + n, len - (size_t)n, "%s, ",
					      bench_family_names[j]);
			if (n > 0 && (size_t)n < len)
				snprintf(why + n, len - (size_t)n, "all)");
			return -EINVAL;
		}
		o->families |= 1u << f;
	}
	if (!o->families)
		o->families = (1u << BF_COUNT) - 1;
	return 0;
}
