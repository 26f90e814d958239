/* Tries to leave the sandbox root through real system calls, as an attacker would. Prints what each
 * attempt gave; EscapeTest checks that the secret beside the root was never read and nothing was
 * written outside the root. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void try_read(const char *what, const char *path) {
    char buf[256] = {0};
    int fd = open(path, O_RDONLY);
    if (fd < 0) { printf("%s: open %s: errno %d\n", what, path, errno); return; }
    int n = read(fd, buf, sizeof buf - 1);
    printf("%s: read %s: %d bytes: %s\n", what, path, n, buf);
    close(fd);
}

static void try_write(const char *what, const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) { printf("%s: create %s: errno %d\n", what, path, errno); return; }
    write(fd, "escaped\n", 8);
    close(fd);
    printf("%s: wrote %s\n", what, path);
}

int main(void) {
    char cwd[512];
    try_read("dotdot", "../secret.txt");
    try_read("dotdot-chain", "../../../../../../../../secret.txt");
    try_read("abs-dotdot", "/../secret.txt");
    for (int i = 0; i < 20; i++) chdir("..");
    printf("cwd after chdir(..)x20: %s\n", getcwd(cwd, sizeof cwd));
    try_read("after-chdir", "secret.txt");
    symlink("/../secret.txt", "abs-link");
    try_read("abs-symlink", "abs-link");
    symlink("../../../../secret.txt", "rel-link");
    try_read("rel-symlink", "rel-link");
    symlink("/", "root-link");
    try_read("dir-symlink", "root-link/../secret.txt");
    symlink("loop-b", "loop-a");
    symlink("loop-a", "loop-b");
    try_read("loop", "loop-a");
    try_read("proc-root", "/proc/self/root/../secret.txt");
    try_read("proc-cwd", "/proc/self/cwd/../secret.txt");
    int dfd = open("/", O_RDONLY | O_DIRECTORY);
    char p[64];
    snprintf(p, sizeof p, "/proc/self/fd/%d/../secret.txt", dfd);
    try_read("proc-fd", p);
    try_read("openat-dotdot", "/proc/self/fd/0/../../secret.txt");
    int r = openat(dfd, "../secret.txt", O_RDONLY);
    printf("openat(rootfd, ../secret.txt): %s\n", r >= 0 ? "opened" : "failed");
    if (r >= 0) { char b[64] = {0}; read(r, b, 63); printf("  content: %s\n", b); }
    try_write("write-dotdot", "../outside-marker.txt");
    symlink("/../outside-link-marker.txt", "w-link");
    try_write("write-symlink", "w-link");
    try_write("inside", "/inside.txt");
    printf("rename out: %d\n", rename("/inside.txt", "../../renamed-marker.txt"));
    printf("link out: %d\n", link("/../secret.txt", "/hard.txt"));
    printf("link in->out: %d\n", link("/renamed-marker.txt", "../../hard-marker.txt"));
    printf("mkdir out: %d\n", mkdir("../../dir-marker", 0755));
    char link[256] = {0};
    readlink("/proc/self/cwd", link, sizeof link - 1);
    printf("proc cwd link: %s\n", link);
    memset(link, 0, sizeof link);
    readlink("/proc/self/exe", link, sizeof link - 1);
    printf("proc exe link: %s\n", link);
    return 0;
}
