/* Prints what the kernel gave this process at exec, for the Java tests to compare with
 * InitialStack and LoadPlan:
 *   word N            pointer size
 *   argv ADDR         value of argv (argc lives one word below)
 *   top ADDR          end of the [stack] mapping
 *   dump HEX          bytes from &argc to top
 *   aux TYPE VALUE    getauxval for a few types (cross-check of the walk)
 *   stat ...          /proc/self/stat start_brk arg_start arg_end env_start env_end
 *   map LINE          /proc/self/maps lines
 * Build static (-static or -static-pie), run under setarch -R for a deterministic layout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

int main(int argc, char **argv) {
    (void)argc;
    char line[512];
    unsigned long top = 0;
    FILE *m = fopen("/proc/self/maps", "r");
    while (fgets(line, sizeof line, m)) {
        printf("map %s", line);
        if (strstr(line, "[stack]")) {
            unsigned long lo, hi;
            sscanf(line, "%lx-%lx", &lo, &hi);
            top = hi;
        }
    }
    fclose(m);
    printf("word %u\n", (unsigned)sizeof(void *));
    printf("argv %lx\n", (unsigned long)argv);
    printf("top %lx\n", top);
    unsigned char *p = (unsigned char *)argv - sizeof(void *);
    printf("dump ");
    for (; (unsigned long)p < top; p++) printf("%02x", *p);
    printf("\n");
    unsigned long types[] = {AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_BASE, AT_ENTRY, AT_RANDOM, AT_EXECFN, AT_PLATFORM};
    for (unsigned i = 0; i < sizeof types / sizeof types[0]; i++) printf("aux %lu %lx\n", types[i], getauxval(types[i]));
    FILE *s = fopen("/proc/self/stat", "r");
    if (fgets(line, sizeof line, s)) {
        /* fields after the ")" : field 3 is state; start_brk is field 47 */
        char *q = strrchr(line, ')') + 2;
        int field = 3;
        char *tok = strtok(q, " ");
        printf("stat");
        while (tok) {
            if (field >= 47 && field <= 51) printf(" %s", tok);
            tok = strtok(NULL, " ");
            field++;
        }
        printf("\n");
    }
    fclose(s);
    return 0;
}
