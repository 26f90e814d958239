/* Dies by the signal named in argv[1]: segv, ill, fpe, trap. */
#include <string.h>
int main(int argc, char **argv) {
    volatile int zero = 0;
    if (argc > 1 && !strcmp(argv[1], "segv")) return *(volatile int *) (long) zero;
    if (argc > 1 && !strcmp(argv[1], "ill")) __asm__ volatile("ud2");
    if (argc > 1 && !strcmp(argv[1], "fpe")) return 10 / zero;
    if (argc > 1 && !strcmp(argv[1], "trap")) __asm__ volatile("int3");
    return 3;
}
