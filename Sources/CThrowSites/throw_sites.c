// Records where errors are thrown: the Swift runtime calls `_swift_willThrow(box)` on each
// untyped `throw` (from `swift_willThrow`, with the box the catch will see), and
// `_swift_willThrowTypedImpl(value, type, conformance)` on each typed one (the value is not
// boxed there; the catch of an `any Error` boxes it later). Both are plain C function
// pointers in the runtime (ErrorObjectCommon.cpp), null unless set.
//
// The hooks run on every thread that throws, possibly inside a signal handler, so they only
// use atomics and plain loads: each slot of a small ring is claimed with a compare-and-swap on
// its sequence number (odd while written), and a reader keeps a slot only when its sequence
// was even and unchanged around the copy.
#include "CThrowSites.h"

#include <stdatomic.h>
#include <string.h>

extern _Atomic(void *) _swift_willThrow;
extern _Atomic(void *) _swift_willThrowTypedImpl;

#define SLOTS 16

typedef struct {
    _Atomic uint64_t sequence;
    cthrowsites_site site;
} slot;

static slot ring[SLOTS];
static _Atomic uint64_t next_slot;

/// The return addresses from the hook's frame record at `frame` up, following saved frame
/// pointers (Swift code and the runtime keep them on Linux) only upwards and only a short
/// way: a frame pointer that does not look like one ends the walk.
static int capture_frames(uintptr_t *frame, uintptr_t *frames) {
    int count = 0;
    while (frame != NULL && count < CTHROWSITES_DEPTH && ((uintptr_t)frame & 7) == 0) {
        uintptr_t return_address = frame[1];
        if (return_address == 0) break;
        frames[count++] = return_address;
        uintptr_t *caller = (uintptr_t *)frame[0];
        if (caller <= frame || (uintptr_t)caller - (uintptr_t)frame > (1u << 20)) break;
        frame = caller;
    }
    return count;
}

/// Claims the next slot and fills it; a slot another thread is filling is left to it.
static void record(int typed, const void *key, const void *value, size_t value_size, const uintptr_t *frames,
                   int frame_count) {
    slot *target = &ring[atomic_fetch_add_explicit(&next_slot, 1, memory_order_relaxed) % SLOTS];
    uint64_t sequence = atomic_load_explicit(&target->sequence, memory_order_relaxed);
    if ((sequence & 1) != 0 ||
        !atomic_compare_exchange_strong_explicit(&target->sequence, &sequence, sequence + 1, memory_order_acquire,
                                                 memory_order_relaxed)) {
        return;
    }
    atomic_thread_fence(memory_order_release);
    cthrowsites_site *site = &target->site;
    site->typed = typed;
    site->key = key;
    memset(site->value, 0, sizeof site->value);
    site->value_size = value_size < sizeof site->value ? value_size : sizeof site->value;
    if (value != NULL && site->value_size > 0) memcpy(site->value, value, site->value_size);
    memcpy(site->frames, frames, sizeof(uintptr_t) * (size_t)frame_count);
    site->frame_count = frame_count;
    atomic_store_explicit(&target->sequence, sequence + 2, memory_order_release);
}

static void will_throw(void *box) {
    uintptr_t frames[CTHROWSITES_DEPTH];
    int count = capture_frames(__builtin_frame_address(0), frames);
    record(0, box, NULL, 0, frames, count);
}

/// The size of a value of `type`, from its value witness table (the word before the
/// metadata points to it; the size follows its eight function pointers).
static size_t value_size(const void *type) {
    const unsigned char *witnesses = ((const unsigned char *const *)type)[-1];
    return *(const size_t *)(witnesses + 8 * sizeof(void *));
}

static void will_throw_typed(const void *value, const void *type, const void *conformance) {
    (void)conformance;
    uintptr_t frames[CTHROWSITES_DEPTH];
    int count = capture_frames(__builtin_frame_address(0), frames);
    record(1, type, value, value_size(type), frames, count);
}

void cthrowsites_install(void) {
    void *none = NULL;
    atomic_compare_exchange_strong(&_swift_willThrow, &none, (void *)will_throw);
    none = NULL;
    atomic_compare_exchange_strong(&_swift_willThrowTypedImpl, &none, (void *)will_throw_typed);
}

int cthrowsites_recent(cthrowsites_site *sites, int capacity) {
    uint64_t newest = atomic_load_explicit(&next_slot, memory_order_acquire);
    int copied = 0;
    for (uint64_t back = 1; back <= SLOTS && back <= newest && copied < capacity; back++) {
        slot *source = &ring[(newest - back) % SLOTS];
        uint64_t before = atomic_load_explicit(&source->sequence, memory_order_acquire);
        if ((before & 1) != 0 || before == 0) continue;
        memcpy(&sites[copied], &source->site, sizeof(cthrowsites_site));
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&source->sequence, memory_order_relaxed) == before) copied++;
    }
    return copied;
}
