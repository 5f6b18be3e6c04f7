// openat2(2) has no glibc wrapper, and Swift cannot call the variadic syscall(2): this is the shim.
#include "COpenBeneath.h"

#include <errno.h>

#if defined(__linux__) && __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

int copen_beneath(int directory, const char *path, int flags) {
#if defined(SYS_openat2) && defined(RESOLVE_BENEATH)
    struct open_how how = {.flags = (unsigned)flags, .mode = 0, .resolve = RESOLVE_BENEATH};
    return (int)syscall(SYS_openat2, directory, path, &how, sizeof how);
#else
    (void)directory, (void)path, (void)flags;
    errno = ENOSYS;
    return -1;
#endif
}
