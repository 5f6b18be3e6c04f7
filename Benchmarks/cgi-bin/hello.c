/* The smallest compiled CGI script: one write of a header and a body. */
#include <stdio.h>
int main(void) {
    fputs("Content-Type: text/plain\n\nhello\n", stdout);
    return 0;
}
