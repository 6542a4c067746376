/* SPDX-License-Identifier: MIT */
/* Dies the way its argument says: segv, abort, fpe, ill, or exits with a code. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "segv";
	if (!strcmp(how, "segv"))
		*(volatile int *)16 = 1;
	if (!strcmp(how, "abort"))
		abort();
	if (!strcmp(how, "fpe"))
		__asm__ volatile("xor %%ecx, %%ecx\n\tmov $1, %%eax\n\tcltd\n\tidiv %%ecx" ::: "eax", "ecx", "edx");
	if (!strcmp(how, "ill"))
		__asm__ volatile("ud2");
	if (!strcmp(how, "kill"))
		raise(SIGTERM);
	return atoi(how);
}
