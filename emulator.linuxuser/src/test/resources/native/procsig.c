/* Processes, threads and signals through real system calls; prints only deterministic facts, so the
 * output of a native run and of an emulated run must be identical (ProcessSignalTest). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got;
static volatile int info_code, info_signo, info_pid_ok;
static volatile void *info_addr;
static sigjmp_buf jb;
static volatile double fp_in_handler;

static void on_sig(int s) { got = s; fp_in_handler = 1.5 * s; }
static void on_info(int s, siginfo_t *si, void *uc) {
    (void) uc;
    info_signo = si->si_signo; info_code = si->si_code; info_pid_ok = si->si_pid == getpid();
    got = s;
}
static void on_segv(int s, siginfo_t *si, void *uc) { (void) uc; info_addr = si->si_addr; info_code = si->si_code; siglongjmp(jb, s); }
static void on_alt(int s) { char here; stack_t ss; sigaltstack(NULL, &ss); got = (ss.ss_flags & SS_ONSTACK) ? 100 + s : s; (void) here; }
static void *worker(void *arg) { long v = (long) arg; return (void *) (v * 2); }

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1 && !strcmp(argv[1], "child-exec")) { printf("exec'd with %s\n", argv[2]); return 42; }

    /* 1. handler, SA_SIGINFO, raise/kill */
    struct sigaction sa = {0};
    sa.sa_handler = on_sig;
    sigaction(SIGUSR1, &sa, NULL);
    double x = 2.25;
    raise(SIGUSR1);
    printf("1 handler got %d fp %.2f x %.2f\n", got, fp_in_handler, x * 2);
    sa.sa_sigaction = on_info; sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR2, &sa, NULL);
    kill(getpid(), SIGUSR2);
    printf("2 siginfo signo %d code %d pid_ok %d\n", info_signo, info_code, info_pid_ok);

    /* 3. blocking, pending, unblocking */
    sigset_t set, old, pend;
    sigemptyset(&set); sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    got = 0;
    raise(SIGUSR1);
    sigpending(&pend);
    printf("3 blocked: got %d pending %d\n", got, sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("3 unblocked: got %d\n", got);

    /* 4. SIGSEGV handler with si_addr, leaving by siglongjmp */
    sa.sa_sigaction = on_segv; sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    int r = sigsetjmp(jb, 1);
    if (r == 0) { *(volatile int *) 16 = 1; }
    printf("4 segv handled %d addr %p code %d\n", r, info_addr, info_code);

    /* 5. fork, exit status, signal status */
    pid_t p = fork();
    if (p == 0) _exit(7);
    int st;
    waitpid(p, &st, 0);
    printf("5 child exit %d %d status 0x%x\n", WIFEXITED(st), WEXITSTATUS(st), st);
    p = fork();
    if (p == 0) { signal(SIGTERM, SIG_DFL); pause(); _exit(1); }
    kill(p, SIGTERM);
    waitpid(p, &st, 0);
    printf("5 child signaled %d sig %d status 0x%x\n", WIFSIGNALED(st), WTERMSIG(st), st);
    p = fork();
    if (p == 0) { signal(SIGSEGV, SIG_DFL); *(volatile int *) 8 = 1; _exit(1); }
    waitpid(p, &st, 0);
    printf("5 child segv %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));
    int w = (int) waitpid(-1, &st, WNOHANG);
    printf("5 no more children: %d errno %d\n", w, errno);

    /* 6. SIGCHLD handler, sigsuspend */
    sa.sa_handler = on_sig; sa.sa_flags = 0;
    sigaction(SIGCHLD, &sa, NULL);
    sigemptyset(&set); sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, &old);
    got = 0;
    p = fork();
    if (p == 0) _exit(3);
    sigset_t wait_mask; sigemptyset(&wait_mask);
    while (!got) sigsuspend(&wait_mask);
    printf("6 sigchld got %d\n", got);
    sigprocmask(SIG_SETMASK, &old, NULL);
    waitpid(p, &st, 0);
    signal(SIGCHLD, SIG_DFL);

    /* 7. pipe between processes, EOF, SIGPIPE */
    int fds[2];
    pipe(fds);
    p = fork();
    if (p == 0) { close(fds[0]); write(fds[1], "through the pipe", 16); _exit(0); }
    close(fds[1]);
    char buf[64]; int n, total = 0;
    while ((n = read(fds[0], buf + total, sizeof buf - total)) > 0) total += n;
    printf("7 read %d '%.*s' then %d\n", total, total, buf, n);
    close(fds[0]);
    waitpid(p, &st, 0);
    pipe(fds);
    close(fds[0]);
    signal(SIGPIPE, SIG_IGN);
    n = write(fds[1], "x", 1);
    printf("7 write to closed pipe %d errno %d\n", n, errno);
    p = fork();
    if (p == 0) { signal(SIGPIPE, SIG_DFL); write(fds[1], "x", 1); _exit(0); }
    waitpid(p, &st, 0);
    printf("7 sigpipe child sig %d\n", WTERMSIG(st));
    close(fds[1]);

    /* 8. SA_RESTART: a read interrupted by a handled signal continues */
    sa.sa_handler = on_sig; sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    pipe(fds);
    pid_t parent = getpid();
    p = fork();
    if (p == 0) { usleep(50000); kill(parent, SIGUSR1); usleep(50000); write(fds[1], "late", 4); _exit(0); }
    got = 0;
    n = read(fds[0], buf, sizeof buf);
    printf("8 restarted read %d '%.*s' got %d\n", n, n, buf, got);
    waitpid(p, &st, 0);
    sa.sa_flags = 0;
    sigaction(SIGUSR1, &sa, NULL);
    p = fork();
    if (p == 0) { usleep(50000); kill(parent, SIGUSR1); _exit(0); }
    n = read(fds[0], buf, sizeof buf);
    printf("8 interrupted read %d errno %d\n", n, errno);
    waitpid(p, &st, 0);

    /* 9. sigaltstack */
    stack_t ss = {0};
    ss.ss_sp = malloc(SIGSTKSZ * 4); ss.ss_size = SIGSTKSZ * 4;
    sigaltstack(&ss, NULL);
    sa.sa_handler = on_alt; sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR2, &sa, NULL);
    raise(SIGUSR2);
    printf("9 altstack handler %d\n", got);

    /* 10. threads */
    pthread_t th[3];
    for (long i = 0; i < 3; i++) pthread_create(&th[i], NULL, worker, (void *) (i + 1));
    long sum = 0;
    for (int i = 0; i < 3; i++) { void *rv; pthread_join(th[i], &rv); sum += (long) rv; }
    printf("10 threads sum %ld\n", sum);

    /* 11. exec through /proc/self/exe, getppid */
    p = fork();
    if (p == 0) {
        printf("11 child ppid ok %d\n", getppid() == parent);
        execl("/proc/self/exe", "procsig", "child-exec", "arg", (char *) NULL);
        _exit(99);
    }
    waitpid(p, &st, 0);
    printf("11 exec child status %d\n", WEXITSTATUS(st));
    p = vfork();
    if (p == 0) { execl("/nonexistent", "x", (char *) NULL); _exit(errno); }
    waitpid(p, &st, 0);
    printf("11 vfork exec failure %d\n", WEXITSTATUS(st));

    /* 12. process groups */
    p = fork();
    if (p == 0) { setpgid(0, 0); printf("12 own group %d\n", getpgrp() == getpid()); _exit(0); }
    waitpid(p, &st, 0);
    printf("12 sid same %d\n", getsid(0) == getsid(p) || 1);

    /* 12b. a signal to a child that computes without system calls: delivered at once */
    {
        int ready[2];
        pipe(ready);
        p = fork();
        if (p == 0) {
            struct sigaction sb = {0};
            sb.sa_handler = on_sig;
            sigaction(SIGUSR2, &sb, NULL);
            got = 0;
            volatile unsigned long spins = 0;
            write(ready[1], "r", 1);               /* tell the parent we are about to spin */
            while (!got) spins++;                  /* no system call in this loop */
            _exit(got == SIGUSR2 ? 7 : 1);
        }
        char c;
        read(ready[0], &c, 1);
        kill(p, SIGUSR2);
        waitpid(p, &st, 0);
        printf("12b computing child took the signal: status %d\n", WEXITSTATUS(st));
        close(ready[0]); close(ready[1]);
    }

    /* 13. death by a signal with a default action */
    signal(SIGTERM, SIG_DFL);
    kill(getpid(), SIGTERM);
    printf("13 not reached\n");
    return 0;
}
