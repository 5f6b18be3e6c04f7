#ifndef CSHA256_H
#define CSHA256_H

#include <stddef.h>
#include <stdint.h>

/// Whether this CPU has the SHA extensions (SHA-NI) with SSSE3 and SSE4.1, which
/// `csha256_blocks_shani` needs. Runs CPUID on every call: callers cache the answer.
int csha256_shani_available(void);

/// The SHA-256 compression function (FIPS 180-4 §6.2.2) over `count` 64-byte blocks at
/// `blocks` (any alignment), updating `state` (H0…H7), with the 64 round constants of
/// FIPS 180-4 §4.2.2 (the Swift side owns the one table). Only call it when
/// `csha256_shani_available()` returned non-zero.
void csha256_blocks_shani(uint32_t state[8], const void *blocks, size_t count, const uint32_t round_constants[64]);

#endif
