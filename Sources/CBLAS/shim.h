// Bridge to OpenBLAS. `cblas.h` from Debian's openblas-pthread flavour also
// declares openblas_set_num_threads / openblas_get_corename / openblas_get_config.
#ifndef ALFLOW_CBLAS_SHIM_H
#define ALFLOW_CBLAS_SHIM_H
#include <cblas.h>
#if defined(__linux__)
#include <malloc.h>
#include <limits.h>
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
#endif
