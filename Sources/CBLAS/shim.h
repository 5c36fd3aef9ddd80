// Bridge to OpenBLAS. `cblas.h` from Debian's openblas-pthread flavour also
// declares openblas_set_num_threads / openblas_get_corename / openblas_get_config.
#ifndef ALFLOW_CBLAS_SHIM_H
#define ALFLOW_CBLAS_SHIM_H
#include <cblas.h>
#if defined(__linux__)
#include <malloc.h>
#include <limits.h>
#endif
#if defined(__x86_64__)
#include <cpuid.h>
#endif

/// Keeps large freed buffers in the heap instead of returning them to the
/// kernel (glibc's mmap threshold), so that the activation buffers a
/// training loop allocates every batch are not page-faulted in again.
static inline void alflow_keep_large_buffers_in_heap(void) {
#if defined(__linux__)
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
}
/// CPU features that decide which OpenBLAS kernel can run, as bits:
/// 1 AVX2, 2 FMA, 4 AVX-512 F+BW+VL+DQ+CD usable (the OS saves ZMM state).
static inline int alflow_cpu_features(void) {
    int features = 0;
#if defined(__x86_64__)
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int osxsave = (c >> 27) & 1, fma = (c >> 12) & 1;
    unsigned long long xcr0 = 0;
    if (osxsave) {
        unsigned int lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        xcr0 = ((unsigned long long)hi << 32) | lo;
    }
    int ymm = (xcr0 & 0x6) == 0x6, zmm = (xcr0 & 0xE6) == 0xE6;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return features;
    if (ymm && ((b >> 5) & 1)) features |= 1;
    if (ymm && fma) features |= 2;
    int avx512 = ((b >> 16) & 1) && ((b >> 17) & 1) && ((b >> 28) & 1) && ((b >> 30) & 1) && ((b >> 31) & 1);
    if (zmm && avx512) features |= 4;
#endif
    return features;
}
#endif
