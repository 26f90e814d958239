/* mremap's moves, compared with a native run: MREMAP_FIXED onto a mapped range, MREMAP_DONTUNMAP,
 * shrinking and growing, and the errors of bad flag combinations. Addresses differ between runs, so
 * the program prints where things landed relative to its own mappings, and what the pages then hold. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

static long page;

static void result(const char *what, void *r, char *base) {
    if (r == MAP_FAILED) printf("%s: -1 errno=%d\n", what, errno);
    else printf("%s: base%+ld pages\n", what, ((char *) r - base) / page);
}

int main(void) {
    page = sysconf(_SC_PAGESIZE);
    /* one reserved range; everything below happens inside it, so the answers are relative to it */
    char *base = mmap(0, 16 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *a = mmap(base, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    char *b = mmap(base + 8 * page, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    memset(a, 'a', 2 * page);
    memset(b, 'b', 3 * page);

    errno = 0;
    result("fixed without maymove", mremap(a, 2 * page, 2 * page, MREMAP_FIXED, b), base);
    result("dontunmap without maymove", mremap(a, 2 * page, 2 * page, MREMAP_DONTUNMAP, 0), base);
    result("fixed unaligned", mremap(a, 2 * page, 2 * page, MREMAP_MAYMOVE | MREMAP_FIXED, b + 1), base);
    result("fixed overlapping", mremap(a, 2 * page, 2 * page, MREMAP_MAYMOVE | MREMAP_FIXED, a + page), base);
    result("dontunmap resizing", mremap(a, 2 * page, 3 * page, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0), base);
    result("bad flags", mremap(a, 2 * page, 2 * page, 8, 0), base);

    /* a (2 pages of 'a') moves onto b's first pages, growing to 3: b's old contents there are gone */
    char *r = mremap(a, 2 * page, 3 * page, MREMAP_MAYMOVE | MREMAP_FIXED, b);
    result("fixed grow onto b", r, base);
    if (r != MAP_FAILED)
        printf("  moved: %c %c new page %d, b's third page replaced %d\n", r[0], r[2 * page - 1], r[2 * page], r[3 * page - 1]);
    printf("  old range mapped: %d\n", msync(a, page, MS_ASYNC) == 0 ? 1 : -errno);

    /* shrink while moving: only the first page goes */
    char *s = mremap(b, 3 * page, page, MREMAP_MAYMOVE | MREMAP_FIXED, base + 4 * page);
    result("fixed shrink", s, base);
    if (s != MAP_FAILED) printf("  moved: %c, rest of old range mapped: %d\n", s[0], msync(b + page, page, MS_ASYNC) == 0 ? 1 : -errno);

    /* DONTUNMAP: the pages move, the old range stays mapped and reads as zero */
    memset(s, 'd', page);
    char *d = mremap(s, page, page, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
    if (d == MAP_FAILED) printf("dontunmap: -1 errno=%d\n", errno);
    else printf("dontunmap: moved %c, old range mapped %d and reads %d\n", d[0], msync(s, page, MS_ASYNC) == 0 ? 1 : -errno, s[0]);

    /* the unmapped old range of a move is not a mapping any more */
    result("from unmapped", mremap(a, page, page, MREMAP_MAYMOVE | MREMAP_FIXED, base + 12 * page), base);
    return 0;
}
