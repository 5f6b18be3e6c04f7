/*
 * spawnbench RUNS PROGRAM...: starts each PROGRAM RUNS times, round-robin so that load
 * changes hit every program alike, and prints the median, 25th and 75th percentile wall
 * time of one run (posix_spawn to waitpid) and the median's ratio to the first PROGRAM.
 * Each run gets QUERY_STRING=name=bench, stdin /dev/null and stdout /dev/null.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double run_once(const char *path) {
    char *argv[] = {(char *)path, NULL};
    char *envp[] = {"REQUEST_METHOD=GET", "QUERY_STRING=name=bench", "GATEWAY_INTERFACE=CGI/1.1", NULL};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t pid;
    if (posix_spawn(&pid, path, &actions, NULL, argv, envp) != 0) {
        perror(path);
        exit(1);
    }
    int status;
    waitpid(pid, &status, 0);
    clock_gettime(CLOCK_MONOTONIC, &end);
    posix_spawn_file_actions_destroy(&actions);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "%s failed (status %d)\n", path, status);
        exit(1);
    }
    return (end.tv_sec - start.tv_sec) * 1e6 + (end.tv_nsec - start.tv_nsec) / 1e3;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: spawnbench RUNS PROGRAM...\n");
        return 2;
    }
    int runs = atoi(argv[1]), programs = argc - 2;
    double *times = calloc((size_t)runs * programs, sizeof(double));
    for (int p = 0; p < programs; p++) run_once(argv[p + 2]); /* warm the page cache */
    for (int r = 0; r < runs; r++)
        for (int p = 0; p < programs; p++) times[p * runs + r] = run_once(argv[p + 2]);
    double baseline = 0;
    printf("| program | median µs | p25 µs | p75 µs | median / first |\n|---|---|---|---|---|\n");
    for (int p = 0; p < programs; p++) {
        double *t = times + p * runs;
        qsort(t, runs, sizeof(double), compare);
        double median = t[runs / 2];
        if (p == 0) baseline = median;
        const char *name = strrchr(argv[p + 2], '/');
        printf("| %s | %.0f | %.0f | %.0f | %.2f |\n", name ? name + 1 : argv[p + 2], median, t[runs / 4],
               t[3 * runs / 4], median / baseline);
    }
    free(times);
    return 0;
}
