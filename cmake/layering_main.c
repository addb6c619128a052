/* The program of the layering link check (CMakeLists.txt): it only has to
 * link; every object of the layer under test is linked in whole. */
int
main(void)
{
	return 0;
}
