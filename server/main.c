#include <stdio.h>

int
main(void)
{
	fprintf(stderr, "teepassd: not wired yet\n");
	return 1;
}
