#ifndef CTHROWSITES_H
#define CTHROWSITES_H

#include <stddef.h>
#include <stdint.h>

/// How many return addresses one throw site keeps: the runtime's entry (or the compiler's
/// typed-throw thunk), the function that threw, and two callers.
#define CTHROWSITES_DEPTH 4

/// One recorded throw: what identifies the error, and the return addresses above the hook.
typedef struct {
    /// Non-zero for a typed throw (`throws(E)`): the value was not boxed when it was thrown.
    int typed;
    /// The error box (`any Error`) for an untyped throw; the type metadata for a typed one.
    const void *key;
    /// The first bytes of a typed throw's value (zero beyond `value_size`).
    unsigned char value[24];
    /// How many bytes of `value` hold the value (its size, at most 24).
    size_t value_size;
    /// The return addresses, innermost first, and how many there are.
    uintptr_t frames[CTHROWSITES_DEPTH];
    int frame_count;
} cthrowsites_site;

/// Installs the hooks the Swift runtime calls on every `throw` (`_swift_willThrow` and
/// `_swift_willThrowTypedImpl`), unless something (a debugger, another library) set them
/// already. Safe to call more than once and from any thread.
void cthrowsites_install(void);

/// Copies into `sites` up to `capacity` of the most recent throws, newest first; returns how
/// many it copied. Throws being recorded at the moment are left out.
int cthrowsites_recent(cthrowsites_site *sites, int capacity);

#endif
