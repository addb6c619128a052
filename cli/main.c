#include <stdio.h>

int
main(void)
{
	fprintf(stderr, "teepass: not wired yet\n");
	return 2;
}
