/* A FastCGI worker on Debian's libfcgi that follows `cgi fastcgi`'s conventions: it accepts on
 * descriptor 0, exits after FCGI_MAX_REQUESTS requests, finishes its request and exits on SIGTERM,
 * and writes 'B' and 'E' around each request on the descriptor FCGI_STATUS_FD names.
 *
 * Build: cc -O2 -o worker worker.c -lfcgi
 *
 * Answers by query string:
 *   (none)          Hello, world!
 *   pid             the worker's process id
 *   echo            the request body (read whole, then sent back), as application/octet-stream
 *   stream=FILE     "first", flushed; then waits (up to 20 s) for FILE to exist; then "last"
 *   sleep=SECONDS   sleeps, then answers "slept"
 *   fail            a 500 with a one-line report on FastCGI's stderr
 *   reject          a 413 (as an application answers a body over its limit)
 */
#include <fcgiapp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stopping = 0;

static void on_sigterm(int signal) { (void)signal; stopping = 1; }

static void report(int fd, char byte) {
    if (fd >= 0) (void)!write(fd, &byte, 1);
}

static void answer(FCGX_Request *request) {
    const char *query = FCGX_GetParam("QUERY_STRING", request->envp);
    if (query == NULL) query = "";
    if (strcmp(query, "pid") == 0) {
        FCGX_FPrintF(request->out, "Content-Type: text/plain\r\n\r\n%d\n", (int)getpid());
    } else if (strcmp(query, "echo") == 0) {
        /* The whole body first, as an application that reads its request before answering:
         * answering while a front still sends the body can deadlock a front that does not read
         * the response until it has sent the body. */
        size_t size = 0, capacity = 1 << 16;
        char *body = malloc(capacity);
        int count;
        while (body && (count = FCGX_GetStr(body + size, (int)(capacity - size), request->in)) > 0) {
            size += (size_t)count;
            if (size == capacity) body = realloc(body, capacity *= 2);
        }
        FCGX_FPrintF(request->out, "Content-Type: application/octet-stream\r\n\r\n");
        if (body) FCGX_PutStr(body, (int)size, request->out);
        free(body);
    } else if (strncmp(query, "stream=", 7) == 0) {
        FCGX_FPrintF(request->out, "Content-Type: text/plain\r\n\r\nfirst\n");
        FCGX_FFlush(request->out);
        for (int tries = 0; tries < 2000 && access(query + 7, F_OK) != 0; tries++) usleep(10000);
        FCGX_FPrintF(request->out, "last\n");
    } else if (strncmp(query, "sleep=", 6) == 0) {
        sleep((unsigned)atoi(query + 6));
        FCGX_FPrintF(request->out, "Content-Type: text/plain\r\n\r\nslept\n");
    } else if (strcmp(query, "fail") == 0) {
        FCGX_FPrintF(request->err, "worker: the request asked to fail\n");
        FCGX_FPrintF(request->out, "Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nfailed\n");
    } else if (strcmp(query, "reject") == 0) {
        FCGX_FPrintF(request->out, "Status: 413 Content Too Large\r\nContent-Type: text/plain\r\n\r\ntoo large\n");
    } else {
        FCGX_FPrintF(request->out, "Content-Type: text/plain\r\n\r\nHello, world!\n");
    }
}

int main(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_sigterm; /* no SA_RESTART: a blocked accept returns */
    sigaction(SIGTERM, &action, NULL);
    const char *max = getenv("FCGI_MAX_REQUESTS");
    const char *status = getenv("FCGI_STATUS_FD");
    long limit = max ? atol(max) : 0;
    int status_fd = status ? atoi(status) : -1;

    FCGX_Init();
    FCGX_Request request;
    FCGX_InitRequest(&request, 0, FCGI_FAIL_ACCEPT_ON_INTR);
    for (long served = 0; !stopping && (limit == 0 || served < limit); served++) {
        if (FCGX_Accept_r(&request) < 0) break;
        report(status_fd, 'B');
        answer(&request);
        FCGX_Finish_r(&request);
        report(status_fd, 'E');
    }
    return 0;
}
