/*
 * The hot-plug test's guest: reads a number per line from stdin, runs that many xorshift64 steps and
 * prints "N CHECKSUM"; prints "end" at end of input. No libc: raw Linux x86-64 system calls, so the
 * same static binary runs natively (the reference) and under the emulator.
 */
static long sys3(long n, long a, long b, long c) {
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

static void put(const char *s, long len) { sys3(1, 1, (long) s, len); }

void _start(void) {
    for (;;) {
        unsigned long n = 0;
        char ch;
        int digits = 0;
        for (;;) {
            if (sys3(0, 0, (long) &ch, 1) <= 0) {
                put("end\n", 4);
                sys3(60, 0, 0, 0);
            }
            if (ch == '\n') break;
            n = n * 10 + (unsigned long) (ch - '0');
            digits++;
        }
        if (!digits) continue;
        unsigned long x = 88172645463325252UL ^ n;
        for (unsigned long i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
        char out[48];
        int p = 47;
        out[p--] = '\n';
        unsigned long v = x;
        do { out[p--] = (char) ('0' + v % 10); v /= 10; } while (v);
        out[p--] = ' ';
        v = n;
        do { out[p--] = (char) ('0' + v % 10); v /= 10; } while (v);
        put(out + p + 1, 47 - p);
    }
}
