/* Allocates without bound, three ways, touching every page, until the system says no:
 * malloc (1 MiB blocks), anonymous mmap (1 MiB), brk (sbrk 1 MiB). Each phase prints how far it got
 * and the errno that stopped it, then gives its memory back. Exits 0. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MB (1 << 20)
#define MAX 100000
static void *blocks[MAX];

static const char *name(int e) { return e == ENOMEM ? "ENOMEM" : strerror(e); }

int main(void) {
    int n = 0;
    errno = 0;
    while (n < MAX && (blocks[n] = malloc(MB)) != NULL) { memset(blocks[n], 1, MB); n++; }
    printf("malloc stopped after %d MiB: %s\n", n, name(errno));
    while (n > 0) free(blocks[--n]);

    errno = 0;
    void *p;
    while (n < MAX && (p = mmap(NULL, MB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) != MAP_FAILED) {
        memset(p, 2, MB);
        blocks[n++] = p;
    }
    printf("mmap stopped after %d MiB: %s\n", n, name(errno));
    while (n > 0) munmap(blocks[--n], MB);

    errno = 0;
    while (n < MAX && (p = sbrk(MB)) != (void *) -1) { memset(p, 3, MB); n++; }
    printf("brk stopped after %d MiB: %s\n", n, name(errno));
    return 0;
}
