/*
 * A program whose every instruction's registers are the same from run to run: no libc (no
 * AT_RANDOM canary, no getrandom, no stat of stdout's pipe, whose times are the host's clock), only
 * write and exit. It loops enough for the emulator's regions and traces to form, through calls and
 * returns, a switch (a jump table: indirect jumps), byte, word and 64-bit arithmetic, shifts, flags
 * from compares, string copies, and prints a checksum that a native run must print too.
 * Built with -nostdlib -static -ffreestanding (CallbackRegistersTest).
 */
typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;

static long sys_write(int fd, const void *buf, unsigned long n) {
    long r;
#if defined(__x86_64__)
    __asm__ volatile("syscall" : "=a"(r) : "a"(1L), "D"((long) fd), "S"(buf), "d"(n) : "rcx", "r11", "memory");
#else
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(4L), "b"(fd), "c"(buf), "d"(n) : "memory");
#endif
    return r;
}

static void sys_exit(int code) {
#if defined(__x86_64__)
    __asm__ volatile("syscall" : : "a"(60L), "D"((long) code) : "rcx", "r11", "memory");
#else
    __asm__ volatile("int $0x80" : : "a"(1L), "b"(code) : "memory");
#endif
    for (;;) {}
}

void *memcpy(void *d, const void *s, unsigned long n) {
    u8 *dd = d;
    const u8 *ss = s;
    while (n--) *dd++ = *ss++;
    return d;
}

void *memset(void *d, int c, unsigned long n) {
    u8 *dd = d;
    while (n--) *dd++ = (u8) c;
    return d;
}

static u8 data[1 << 15];
static u32 words[1500];

static u32 rotl(u32 x, int r) { return (x << r) | (x >> (32 - r)); }

__attribute__((noinline)) static u32 step(u32 h, u8 b) {
    switch (b & 7) { /* a jump table */
    case 0: return rotl(h, 5) + b;
    case 1: return h ^ (b * 0x9E3779B9u);
    case 2: return (h << 3) - h + b;
    case 3: return h > b ? h - b : b - h;
    case 4: return rotl(h ^ 0x5bd1e995u, 13);
    case 5: return (u32) (((u64) h * 0x100000001B3ull) >> 7);
    case 6: return (h & 0xFFFF) * 31 + (h >> 16);
    default: return ~h + (b >> 1);
    }
}

__attribute__((noinline)) static void sort(u32 *a, int n) {
    for (int i = 1; i < n; i++) {
        u32 v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; }
        a[j + 1] = v;
    }
}

void _start(void) {
    u32 x = 12345;
    for (unsigned i = 0; i < sizeof data; i++) { x = x * 1103515245u + 12345u; data[i] = (u8) (x >> 16); }
    u32 h = 0x811C9DC5u;
    for (int round = 0; round < 6; round++) {
        for (unsigned i = 0; i < sizeof data; i++) h = step(h, data[i]);
        memcpy(data + 1, data, sizeof data / 2); /* overlapping on purpose: byte by byte */
        memset(data + round * 100, (int) h, 64);
    }
    for (int i = 0; i < 1500; i++) words[i] = rotl(h, i & 31) ^ (u32) (i * 2654435761u);
    sort(words, 1500);
    u64 s = 0;
    for (int i = 0; i < 1500; i++) s = (s ^ words[i]) * 0x100000001B3ull + (words[i] >> (i & 15));
    char out[18];
    for (int i = 0; i < 16; i++) out[i] = "0123456789abcdef"[(s >> (60 - 4 * i)) & 15];
    out[16] = '\n';
    sys_write(1, out, 17);
    sys_exit(0);
}
