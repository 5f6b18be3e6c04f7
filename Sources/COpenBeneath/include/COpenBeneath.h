#ifndef COPENBENEATH_H
#define COPENBENEATH_H

/// Opens `path` relative to the open folder `directory`, like `openat(directory, path, flags)`,
/// except that the kernel refuses every step of the resolution that would leave the folder:
/// `..` above it, an absolute path, an absolute symbolic link or one climbing out (`openat2(2)`
/// with `RESOLVE_BENEATH`, Linux 5.6 and later). Returns the new descriptor, or -1 with `errno`
/// set: `EXDEV` for a refused step, `ENOSYS` where the system has no `openat2` (a seccomp
/// filter may answer `EPERM` instead), otherwise what `openat` would set.
int copen_beneath(int directory, const char *path, int flags);

#endif
