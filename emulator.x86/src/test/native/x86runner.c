/*
 * x86runner: native reference CPU for abiscope's x86 differential tests.
 *
 * Built twice by the Java test side (emulator.x86.diff.NativeCpu):
 *   gcc -O2 -m64 -fno-stack-protector -fno-pie -no-pie -o x86runner64 x86runner.c
 *   gcc -O2 -m32 -fno-stack-protector -fno-pie -no-pie -o x86runner32 x86runner.c
 * i386 cases run in the -m32 process (real 32-bit protected mode), x86-64 cases in the -m64 one.
 *
 * Protocol (stdin -> stdout, little-endian, batched: any number of cases per process):
 *   request  := "CASE"(u32 0x45534143) | "QUIT"(u32 0x54495551)
 *   CASE     := u32 codeLen, u32 dataLen, u32 timeoutMs, u32 reserved,
 *               u64 dataAddr, u64 gpr[16] (rax rcx rdx rbx rsp rbp rsi rdi r8..r15; i386: low
 *               32 bits of the first 8), u64 rflags, u64 gsBase (64-bit only, else ignored),
 *               u8 fxsave[512] (FXSAVE image: fcw fsw ftw(abridged) .. mxcsr, st0-7, xmm0-15),
 *               u8 code[codeLen], u8 data[dataLen]
 *   response := u32 status (0 OK, 1 FAULT, 2 TIMEOUT, 3 ERROR), u32 signo, i32 si_code,
 *               u32 dataLen, u64 faultAddr (si_addr), u64 trapno, u64 err,
 *               u64 gpr[16], u64 rip, u64 rflags, u64 fsBase, u64 gsBase, u8 fxsave[512],
 *               u8 data[dataLen]   (status ERROR: data = UTF-8 error message)
 *
 * The code is copied to CODE_BASE and followed by an int3 terminator; reaching it is "OK" and
 * rip is reported as CODE_BASE + codeLen. Any other signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
 * SIGTRAP, SIGSYS) is a FAULT with the state at the fault taken from the ucontext; SIGALRM
 * (per-case ITIMER_REAL) is a TIMEOUT. Either way the runner siglongjmps back and continues.
 * Syscalls issued from the code region are turned into SIGSYS by a seccomp filter.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

#define CODE_BASE 0x20000000UL
#define CODE_SIZE (1UL << 20)
#define MAX_DATA (16UL << 20)
#define PAGE 4096UL

#define MAGIC_CASE 0x45534143u
#define MAGIC_QUIT 0x54495551u

enum { ST_OK = 0, ST_FAULT = 1, ST_TIMEOUT = 2, ST_ERROR = 3 };

/* Input state; layout known to the asm trampoline (gpr[i] at 8*i, rflags at 128). */
struct in_state {
    uint64_t gpr[16];
    uint64_t rflags;
    uint64_t gs_base;
};
struct in_state st_in __attribute__((aligned(64)));
uint8_t fx_in[512] __attribute__((aligned(64)));
uintptr_t code_entry = CODE_BASE;

struct out_hdr {
    uint32_t status, signo;
    int32_t si_code;
    uint32_t data_len;
    uint64_t fault_addr, trapno, err;
    uint64_t gpr[16];
    uint64_t rip, rflags, fs_base, gs_base;
    uint8_t fx[512];
};
static struct out_hdr out;

static sigjmp_buf jb;
static volatile sig_atomic_t in_case;
static uint32_t cur_code_len;
static uint32_t mxcsr_mask = 0xffbf;
static uint8_t *data_map;       /* current data mapping */
static size_t data_map_len;     /* its length (page-rounded) */
static uint64_t data_map_addr;
#ifdef __i386__
static uint16_t saved_gs;
#else
static uint64_t saved_fs_base;
#endif

void enter_case(void);
#ifdef __x86_64__
__asm__(
    ".text\n"
    ".globl enter_case\n"
    "enter_case:\n"
    "  fxrstor64 fx_in(%rip)\n"
    "  pushq st_in+128(%rip)\n"
    "  popfq\n"
    "  movq st_in+0(%rip), %rax\n"
    "  movq st_in+8(%rip), %rcx\n"
    "  movq st_in+16(%rip), %rdx\n"
    "  movq st_in+24(%rip), %rbx\n"
    "  movq st_in+40(%rip), %rbp\n"
    "  movq st_in+48(%rip), %rsi\n"
    "  movq st_in+56(%rip), %rdi\n"
    "  movq st_in+64(%rip), %r8\n"
    "  movq st_in+72(%rip), %r9\n"
    "  movq st_in+80(%rip), %r10\n"
    "  movq st_in+88(%rip), %r11\n"
    "  movq st_in+96(%rip), %r12\n"
    "  movq st_in+104(%rip), %r13\n"
    "  movq st_in+112(%rip), %r14\n"
    "  movq st_in+120(%rip), %r15\n"
    "  movq st_in+32(%rip), %rsp\n"
    "  jmp *code_entry(%rip)\n");
#else
__asm__(
    ".text\n"
    ".globl enter_case\n"
    "enter_case:\n"
    "  fxrstor fx_in\n"
    "  pushl st_in+128\n"
    "  popfl\n"
    "  movl st_in+0, %eax\n"
    "  movl st_in+8, %ecx\n"
    "  movl st_in+16, %edx\n"
    "  movl st_in+24, %ebx\n"
    "  movl st_in+40, %ebp\n"
    "  movl st_in+48, %esi\n"
    "  movl st_in+56, %edi\n"
    "  movl st_in+32, %esp\n"
    "  jmp *code_entry\n");
#endif

#ifdef __x86_64__
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
static inline long raw_syscall2(long nr, long a, long b) {
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
    return ret;
}
#endif

static void die(const char *msg) {
    fprintf(stderr, "x86runner: %s (errno %d: %s)\n", msg, errno, strerror(errno));
    _exit(2);
}

#ifndef FP_XSTATE_MAGIC1
#define FP_XSTATE_MAGIC1 0x46505853u
#endif

/* Copy the FXSAVE image out of the signal frame; honour XSTATE_BV init-state bits. */
static void capture_fp(const ucontext_t *uc) {
    const uint8_t *fx;
#ifdef __x86_64__
    fx = (const uint8_t *)uc->uc_mcontext.fpregs;
#else
    const uint8_t *fp = (const uint8_t *)uc->uc_mcontext.fpregs;
    uint16_t magic = 0xffff;
    if (fp) memcpy(&magic, fp + 110, 2);
    fx = (fp && magic == 0) ? fp + 112 : NULL;
#endif
    if (!fx) { memset(out.fx, 0, 512); return; }
    memcpy(out.fx, fx, 512);
    uint32_t m1;
    memcpy(&m1, fx + 464, 4);
    if (m1 == FP_XSTATE_MAGIC1) {
        uint64_t bv;
        memcpy(&bv, fx + 512, 8);
        if (!(bv & 1)) { /* x87 in init state */
            memset(out.fx, 0, 24);
            out.fx[0] = 0x7f; out.fx[1] = 0x03;
            memset(out.fx + 32, 0, 128);
        }
        if (!(bv & 2)) memset(out.fx + 160, 0, 256); /* SSE registers in init state */
    }
    memset(out.fx + 464, 0, 48);
}

static void handler(int sig, siginfo_t *si, void *ucv) {
    /* Restore the runner's TLS before anything may touch it. */
#ifdef __i386__
    __asm__ volatile("movw %0, %%gs" : : "m"(saved_gs));
#else
    uint64_t case_gs = 0;
    raw_syscall2(SYS_arch_prctl, ARCH_GET_GS, (long)&case_gs);
    raw_syscall2(SYS_arch_prctl, ARCH_SET_FS, (long)saved_fs_base);
#endif
    if (!in_case) {
        static const char m[] = "x86runner: signal outside a case\n";
        ssize_t r = write(2, m, sizeof m - 1);
        (void)r;
        signal(sig, SIG_DFL);
        raise(sig);
        _exit(3);
    }
    in_case = 0;
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);

    ucontext_t *uc = (ucontext_t *)ucv;
    greg_t *g = uc->uc_mcontext.gregs;
#ifdef __x86_64__
    static const int map[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                                REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};
    for (int i = 0; i < 16; i++) out.gpr[i] = (uint64_t)g[map[i]];
    out.rip = (uint64_t)g[REG_RIP];
    out.rflags = (uint64_t)g[REG_EFL];
    out.trapno = (uint64_t)g[REG_TRAPNO];
    out.err = (uint64_t)g[REG_ERR];
    out.gs_base = case_gs;
#else
    static const int map[8] = {REG_EAX, REG_ECX, REG_EDX, REG_EBX, REG_ESP, REG_EBP, REG_ESI, REG_EDI};
    for (int i = 0; i < 16; i++) out.gpr[i] = i < 8 ? (uint32_t)g[map[i]] : 0;
    out.rip = (uint32_t)g[REG_EIP];
    out.rflags = (uint32_t)g[REG_EFL];
    out.trapno = (uint32_t)g[REG_TRAPNO];
    out.err = (uint32_t)g[REG_ERR];
    out.gs_base = 0;
#endif
    out.fs_base = 0;
    /* Comparable flags only: CF 1 PF AF ZF SF TF DF OF, AC, ID (IF/IOPL/NT/RF/VM are masked off). */
    out.rflags &= 0x00240DD7ULL;
    out.rflags |= 2;
    capture_fp(uc);

    out.signo = (uint32_t)sig;
    out.si_code = si->si_code;
    out.fault_addr = (uint64_t)(uintptr_t)si->si_addr;
    if (sig == SIGALRM) {
        out.status = ST_TIMEOUT;
        out.fault_addr = 0;
        out.trapno = 0;
        out.err = 0;
    } else if (sig == SIGTRAP && out.rip == CODE_BASE + cur_code_len + 1) {
        out.status = ST_OK; /* reached the int3 terminator */
        out.rip = CODE_BASE + cur_code_len;
        out.signo = 0;
        out.si_code = 0;
        out.fault_addr = 0;
        out.trapno = 0;
        out.err = 0;
    } else {
        out.status = ST_FAULT;
    }
    siglongjmp(jb, 1);
}

/* ---- I/O ---- */
static uint8_t *obuf;
static size_t olen, ocap;

static void flush_out(void) {
    size_t off = 0;
    while (off < olen) {
        ssize_t w = write(1, obuf + off, olen - off);
        if (w < 0) { if (errno == EINTR) continue; die("write"); }
        off += (size_t)w;
    }
    olen = 0;
}

static void emit(const void *p, size_t n) {
    if (olen + n > ocap) {
        if (olen) flush_out();
        if (n > ocap) {
            ocap = n + (1 << 20);
            obuf = realloc(obuf, ocap);
            if (!obuf) die("realloc");
        }
    }
    memcpy(obuf + olen, p, n);
    olen += n;
}

/* Returns 0 on clean EOF before the first byte, 1 on success; dies on short read. */
static int read_full(void *p, size_t n) {
    size_t off = 0;
    while (off < n) {
        ssize_t r = read(0, (uint8_t *)p + off, n - off);
        if (r < 0) { if (errno == EINTR) continue; die("read"); }
        if (r == 0) { if (off == 0) return 0; die("short read"); }
        off += (size_t)r;
    }
    return 1;
}

static void maybe_flush(void) {
    if (!olen) return;
    struct pollfd pf = {0, POLLIN, 0};
    if (olen > (1 << 20) || poll(&pf, 1, 0) <= 0) flush_out();
}

static void emit_error(const char *msg) {
    struct out_hdr e;
    memset(&e, 0, sizeof e);
    e.status = ST_ERROR;
    e.data_len = (uint32_t)strlen(msg);
    emit(&e, sizeof e);
    emit(msg, e.data_len);
}

/* ---- regions ---- */
static int ensure_data(uint64_t addr, size_t len) {
    size_t need = (len + PAGE - 1) & ~(PAGE - 1);
    if (need == 0) need = PAGE;
    if (data_map && data_map_addr == addr && data_map_len == need) return 0;
    if (data_map) munmap(data_map, data_map_len);
    data_map = NULL;
    if (addr & (PAGE - 1)) return -1;
    void *p = mmap((void *)(uintptr_t)addr, need, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED) return -1;
    if ((uintptr_t)p != addr) { munmap(p, need); return -1; }
    data_map = p;
    data_map_addr = addr;
    data_map_len = need;
    return 0;
}

/* Appends to msg (holding n chars) the lines of /proc/self/maps that overlap [addr, addr + len). */
static void append_overlapping_maps(char *msg, int n, size_t cap, uint64_t addr, size_t len) {
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return;
    char line[256];
    uint64_t end = addr + (len ? len : PAGE);
    while (fgets(line, sizeof line, f) && n >= 0 && (size_t)n < cap) {
        unsigned long long lo, hi;
        if (sscanf(line, "%llx-%llx", &lo, &hi) != 2 || hi <= addr || lo >= end) continue;
        line[strcspn(line, "\n")] = 0;
        n += snprintf(msg + n, cap - n, "; mapped: %s", line);
    }
    fclose(f);
}

/* ---- seccomp: trap syscalls made from the code region ---- */
struct sock_filter { uint16_t code; uint8_t jt, jf; uint32_t k; };
struct sock_fprog { unsigned short len; struct sock_filter *filter; };
#define BPF_LD_W_ABS 0x20
#define BPF_JEQ_K 0x15
#define BPF_JGE_K 0x35
#define BPF_RET_K 0x06
#define SECCOMP_RET_TRAP 0x00030000u
#define SECCOMP_RET_ALLOW 0x7fff0000u
#define IP_OFF 8 /* offsetof(struct seccomp_data, instruction_pointer) */

static void install_seccomp(void) {
    struct sock_filter f[] = {
        {BPF_LD_W_ABS, 0, 0, IP_OFF + 4},
        {BPF_JEQ_K, 0, 4, 0},
        {BPF_LD_W_ABS, 0, 0, IP_OFF},
        {BPF_JGE_K, 0, 2, (uint32_t)CODE_BASE},
        {BPF_JGE_K, 1, 0, (uint32_t)(CODE_BASE + CODE_SIZE)},
        {BPF_RET_K, 0, 0, SECCOMP_RET_TRAP},
        {BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW},
    };
    struct sock_fprog prog = {(unsigned short)(sizeof f / sizeof f[0]), f};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_SET_SECCOMP, 2 /* SECCOMP_MODE_FILTER */, &prog, 0, 0) != 0)
        fprintf(stderr, "x86runner: warning: seccomp filter not installed (%s); "
                        "syscalls in test code will really run\n", strerror(errno));
}

static void reset_host_fpu(void) {
    uint32_t m = 0x1f80;
    __asm__ volatile("fninit; ldmxcsr %0; cld" : : "m"(m));
}

int main(int argc, char **argv) {
    (void)argc; (void)argv;
#ifdef __i386__
    __asm__ volatile("movw %%gs, %0" : "=m"(saved_gs));
#else
    if (raw_syscall2(SYS_arch_prctl, ARCH_GET_FS, (long)&saved_fs_base) != 0) die("arch_prctl");
#endif
    {   /* MXCSR_MASK from a real FXSAVE */
        static uint8_t tmp[512] __attribute__((aligned(64)));
        memset(tmp, 0, sizeof tmp);
        __asm__ volatile("fxsave %0" : "=m"(tmp));
        memcpy(&mxcsr_mask, tmp + 28, 4);
        if (mxcsr_mask == 0) mxcsr_mask = 0xffbf;
    }
    void *code = mmap((void *)CODE_BASE, CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (code == MAP_FAILED || (uintptr_t)code != CODE_BASE) die("mmap code region");

    stack_t ss;
    ss.ss_size = 1 << 20;
    ss.ss_sp = mmap(NULL, ss.ss_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ss.ss_sp == MAP_FAILED) die("mmap altstack");
    ss.ss_flags = 0;
    if (sigaltstack(&ss, NULL) != 0) die("sigaltstack");

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGALRM};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (sigaction(sigs[i], &sa, NULL) != 0) die("sigaction");
    signal(SIGPIPE, SIG_DFL);

    ocap = 4 << 20;
    obuf = malloc(ocap);
    uint8_t *dbuf = malloc(MAX_DATA);
    if (!obuf || !dbuf) die("malloc");

    install_seccomp();

    for (;;) {
        maybe_flush();
        uint32_t magic;
        if (!read_full(&magic, 4)) break;
        if (magic == MAGIC_QUIT) break;
        if (magic != MAGIC_CASE) die("bad magic");
        uint32_t h[4];
        uint64_t data_addr;
        read_full(h, sizeof h);
        read_full(&data_addr, 8);
        read_full(&st_in, sizeof st_in);
        read_full(fx_in, 512);
        uint32_t code_len = h[0], data_len = h[1], timeout_ms = h[2];
        if (code_len > CODE_SIZE - 16 || data_len > MAX_DATA) die("case too large");
        read_full(dbuf, code_len);
        memcpy(code, dbuf, code_len);
        ((uint8_t *)code)[code_len] = 0xCC; /* int3 terminator */
        read_full(dbuf, data_len);
#ifdef __i386__
        if (data_addr > 0xffffffffULL) { emit_error("data address beyond 4 GiB"); continue; }
#endif
        if (ensure_data(data_addr, data_len) != 0) {
            char msg[1024];
            int n = snprintf(msg, sizeof msg, "cannot map data region at 0x%llx (+0x%x): %s",
                             (unsigned long long)data_addr, data_len, strerror(errno));
            /* What holds the range (seen once, intermittently, as EEXIST at 0x10000000): the mappings
               that overlap it, from /proc/self/maps, so a recurrence explains itself. */
            append_overlapping_maps(msg, n, sizeof msg, data_addr, data_len);
            emit_error(msg);
            continue;
        }
        memcpy(data_map, dbuf, data_len);
        if (data_map_len > data_len) memset(data_map + data_len, 0, data_map_len - data_len);

        /* sanitize state */
        st_in.rflags = (st_in.rflags & 0xCD5) | 2;
        uint32_t mx;
        memcpy(&mx, fx_in + 24, 4);
        mx &= mxcsr_mask;
        memcpy(fx_in + 24, &mx, 4);
        memset(fx_in + 28, 0, 4);
        memset(fx_in + 464, 0, 48);
#ifdef __x86_64__
        raw_syscall2(SYS_arch_prctl, ARCH_SET_GS, (long)st_in.gs_base);
#endif
        cur_code_len = code_len;
        memset(&out, 0, sizeof out);

        if (sigsetjmp(jb, 0) == 0) {
            struct itimerval tv = {{0, 0}, {timeout_ms / 1000, (timeout_ms % 1000) * 1000}};
            if (timeout_ms == 0) tv.it_value.tv_sec = 5;
            in_case = 1;
            setitimer(ITIMER_REAL, &tv, NULL);
            enter_case();
            __builtin_unreachable();
        }
        reset_host_fpu();
        out.data_len = data_len;
        emit(&out, sizeof out);
        emit(data_map, data_len);
        flush_out(); /* per case, so a later case that kills the runner cannot lose this result */
    }
    flush_out();
    return 0;
}
