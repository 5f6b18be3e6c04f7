#define _GNU_SOURCE
/* The ceiling for any CGI server on this machine: WORKERS threads each posix_spawn a script with
 * its stdout on a pipe, read the output to end-of-file and reap it, for SECONDS seconds.
 * Usage: spawnloop SCRIPT [WORKERS] [SECONDS]   prints spawns per second. */
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
static const char *script;
static double deadline;
static long counts[64];

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void *worker(void *arg) {
    long *count = arg;
    char buffer[4096];
    char *argv[] = {(char *)script, NULL};
    while (now() < deadline) {
        int fds[2];
        if (pipe2(fds, 02000000 /* O_CLOEXEC */) != 0) break;
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
        pid_t pid;
        int failed = posix_spawn(&pid, script, &actions, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&actions);
        close(fds[1]);
        if (failed) { close(fds[0]); break; }
        while (read(fds[0], buffer, sizeof buffer) > 0) {}
        close(fds[0]);
        waitpid(pid, NULL, 0);
        (*count)++;
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: spawnloop SCRIPT [WORKERS] [SECONDS]\n"); return 2; }
    script = argv[1];
    int workers = argc > 2 ? atoi(argv[2]) : 8;
    double seconds = argc > 3 ? atof(argv[3]) : 5;
    if (workers < 1 || workers > 64) workers = 8;
    pthread_t threads[64];
    double start = now();
    deadline = start + seconds;
    for (int i = 0; i < workers; i++) pthread_create(&threads[i], NULL, worker, &counts[i]);
    long total = 0;
    for (int i = 0; i < workers; i++) { pthread_join(threads[i], NULL); total += counts[i]; }
    printf("%.0f\n", total / (now() - start));
    return 0;
}
