// SHA-256 block function on the x86 SHA extensions (SHA-NI), after the sequence in Intel's
// "Intel SHA Extensions" paper: the state lives in two registers as ABEF and CDGH,
// sha256rnds2 does two rounds, sha256msg1/msg2 extend the message schedule four words at a time.
// It is C because the Swift compiler cannot yet lower these intrinsics.
#include "CSHA256.h"

#if defined(__x86_64__) || defined(__i386__)

#include <cpuid.h>
#include <immintrin.h>

int csha256_shani_available(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    if (!(ecx & bit_SSSE3) || !(ecx & bit_SSE4_1)) return 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    return (ebx & bit_SHA) != 0;
}

__attribute__((target("sha,ssse3,sse4.1")))
void csha256_blocks_shani(uint32_t state[8], const void *blocks, size_t count, const uint32_t round_constants[64]) {
    // Byte order: the message words are big-endian.
    const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    const uint8_t *data = (const uint8_t *)blocks;

    // state[0..3] = ABCD, state[4..7] = EFGH (lane 0 first) → abef = (F, E, B, A), cdgh = (H, G, D, C).
    __m128i dcba = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)&state[4]);
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);

    for (; count > 0; count--, data += 64) {
        const __m128i abef_before = abef, cdgh_before = cdgh;
        // w[j] holds message words 4i…4i+3 for the last four groups i (ring buffer, j = i mod 4).
        __m128i w[4];
#pragma clang loop unroll(full)
        for (int i = 0; i < 16; i++) {
            __m128i words;
            if (i < 4) {
                words = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * i)), byte_swap);
            } else {
                // W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16] for t = 4i…4i+3.
                __m128i partial = _mm_sha256msg1_epu32(w[(i - 4) & 3], w[(i - 3) & 3]);
                partial = _mm_add_epi32(partial, _mm_alignr_epi8(w[(i - 1) & 3], w[(i - 2) & 3], 4));
                words = _mm_sha256msg2_epu32(partial, w[(i - 1) & 3]);
            }
            w[i & 3] = words;
            __m128i kw = _mm_add_epi32(words, _mm_loadu_si128((const __m128i *)&round_constants[4 * i]));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, kw);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(kw, 0x0E));
        }
        abef = _mm_add_epi32(abef, abef_before);
        cdgh = _mm_add_epi32(cdgh, cdgh_before);
    }

    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(dchg, feba, 8));
}

#else

int csha256_shani_available(void) { return 0; }

void csha256_blocks_shani(uint32_t state[8], const void *blocks, size_t count, const uint32_t round_constants[64]) {
    (void)state; (void)blocks; (void)count;
    __builtin_trap();
}

#endif
