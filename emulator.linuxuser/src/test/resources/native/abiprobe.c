/* Prints what a static program sees of its kernel; the test compares the output with a native run. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    char buf[256];
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    printf("FOO=%s\n", getenv("FOO") ? getenv("FOO") : "(null)");
    printf("pagesz=%lu random=%d\n", getauxval(AT_PAGESZ), getauxval(AT_RANDOM) != 0);
    printf("mkdir=%d\n", mkdir("d", 0755));
    int fd = open("d/out.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    printf("write=%zd\n", write(fd, "hello file\n", 11));
    close(fd);
    struct stat st;
    int sr = stat("d/out.txt", &st);
    printf("stat=%d size=%ld mode=%o\n", sr, (long) st.st_size, st.st_mode & 07777);
    FILE *f = fopen("d/out.txt", "r");
    if (f && fgets(buf, sizeof buf, f)) printf("read=%s", buf);
    if (f) fclose(f);
    printf("rename=%d\n", rename("d/out.txt", "d/renamed.txt"));
    int a = access("d/out.txt", F_OK);
    printf("access_old=%d errno=%d\n", a, errno);
    DIR *dd = opendir("d");
    int n = 0;
    struct dirent *e;
    while (dd && (e = readdir(dd))) n++;
    if (dd) closedir(dd);
    printf("entries=%d\n", n);
    int u = unlink("d/renamed.txt");
    printf("unlink=%d rmdir=%d\n", u, rmdir("d"));
    char *p = malloc(1 << 20);
    memset(p, 7, 1 << 20);
    printf("big=%d\n", p[12345]);
    free(p);
    char *q = malloc(100);
    strcpy(q, "heap");
    printf("%s\n", q);
    char *m = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    m[8191] = 5;
    int mv = m[8191];
    printf("mmap=%d munmap=%d\n", mv, munmap(m, 8192));
    int pfd[2];
    printf("pipe=%d\n", pipe(pfd));
    fflush(stdout);
    write(pfd[1], "pipe!", 5);
    char pb[8] = {0};
    printf("piperead=%zd %s\n", read(pfd[0], pb, 5), pb);
    printf("cwd=%s\n", getcwd(buf, sizeof buf) ? "ok" : "fail");
    printf("isatty=%d\n", isatty(1));
    errno = 0;
    int bad = open("/nonexistent/x", O_RDONLY);
    printf("bad=%d errno=%d\n", bad, errno);
    printf("dup2=%d\n", dup2(1, 7));
    dprintf(7, "via fd 7\n");
    fflush(stdout);
    return argc + 2;
}
