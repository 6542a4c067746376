/* SPDX-License-Identifier: MIT */
/* bench: a log-like text file of a given size from a fixed seed (same bytes on every machine). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state = 0x2545f4914f6cdd1dull;

static uint32_t next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (uint32_t)(state >> 16);
}

/* usage: gentext MEGABYTES > FILE */
int main(int argc, char **argv)
{
	static const char *const level[] = {"INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"};
	static const char *const word[] = {
		"request", "served",  "cache",  "miss",	  "hit",     "user",    "session",
		"timeout", "retry",   "upload", "download", "foo",     "bar",     "queue",
		"worker",  "started", "stopped", "connection", "closed", "opened", "token",
	};
	long long want = (argc > 1 ? atoll(argv[1]) : 50) << 20, have = 0;
	char line[512];
	while (have < want) {
		int n = snprintf(line, sizeof(line), "2024-%02u-%02u %02u:%02u:%02u %s %u",
				 next() % 12 + 1, next() % 28 + 1, next() % 24, next() % 60,
				 next() % 60, level[next() % 6], next() % 100000);
		for (unsigned w = next() % 12 + 3; w > 0; w--)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " %s",
				      word[next() % (sizeof(word) / sizeof(word[0]))]);
		line[n++] = '\n';
		fwrite(line, 1, (size_t)n, stdout);
		have += n;
	}
	return 0;
}
