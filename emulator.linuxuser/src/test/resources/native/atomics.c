/* Threads that update shared counters with LOCK-prefixed instructions (lock add, lock xadd, lock
   cmpxchg, xchg) and start and end many threads (glibc counts them with lock inc/dec): every update
   must count. Prints the totals, which a native run prints the same. */
#include <pthread.h>
#include <stdio.h>

#define THREADS 4
#define ROUNDS 200000

static long added, fetched, cas;
static int spin;

static void *work(void *arg) {
    for (int i = 0; i < ROUNDS; i++) {
        __atomic_add_fetch(&added, 1, __ATOMIC_SEQ_CST);           /* lock add */
        (void) __atomic_fetch_add(&fetched, 2, __ATOMIC_SEQ_CST);  /* lock xadd */
        long old = __atomic_load_n(&cas, __ATOMIC_RELAXED);        /* lock cmpxchg loop */
        while (!__atomic_compare_exchange_n(&cas, &old, old + 3, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) { }
        while (__atomic_exchange_n(&spin, 1, __ATOMIC_ACQUIRE)) { } /* xchg lock ... */
        __atomic_exchange_n(&spin, 0, __ATOMIC_RELEASE);            /* ... released with xchg */
    }
    return arg;
}

static void *nothing(void *arg) { return arg; }

int main(void) {
    pthread_t th[THREADS];
    for (long i = 0; i < THREADS; i++) pthread_create(&th[i], NULL, work, (void *) i);
    long sum = 0;
    for (int i = 0; i < THREADS; i++) { void *rv; pthread_join(th[i], &rv); sum += (long) rv; }
    printf("added %ld fetched %ld cas %ld ids %ld\n", added, fetched, cas, sum);
    /* many short threads, several alive at once: glibc's thread count must never reach 0 early */
    int started = 0;
    for (int round = 0; round < 200; round++) {
        pthread_t t[3];
        for (int k = 0; k < 3; k++) if (pthread_create(&t[k], NULL, nothing, NULL) == 0) started++;
        for (int k = 0; k < 3; k++) pthread_join(t[k], NULL);
    }
    printf("short threads %d\n", started);
    return 0;
}
