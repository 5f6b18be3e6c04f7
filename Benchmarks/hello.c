/* The start-up benchmark's peer: the same answer from C. */
#include <stdio.h>

int main(void) {
    fputs("Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello world\n", stdout);
    return 0;
}
