// Register tiles and argument checks shared by the multi-channel
// convolution kernels (channel_convolution.c, channel_input_gradient.c).
#ifndef ALFLOW_CHANNEL_TILES_H
#define ALFLOW_CHANNEL_TILES_H

#include "alflow_kernels.h"

#include <stdlib.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ALFLOW_CHANNEL_TILES 1
#include <immintrin.h>

#define ROWS 6  // output pixels (forward) or patch positions (gradient) per register tile

// Writes a tile's sums: stored for the first depth block, added after.
#define FINISH(TARGET, ACC, FIRST) _mm512_storeu_ps((TARGET), (FIRST) ? (ACC) : _mm512_add_ps(_mm512_loadu_ps(TARGET), (ACC)))

// Product tile: ROWS rows of A (`base`, read through `offset`: A[i][k] =
// base[i][offset[k]]) times B (`weight`, `outputs` wide) for V vectors of
// its columns from `group`, over the depth [k0, k1), into the rows `target`
// (a null target being padding). The forward convolution reads patches of
// the image this way, the weight gradient the images at each pixel's patch
// origin, the input gradient rows of the output gradient.
__attribute__((target("avx512f"), always_inline))
static inline void product_tile(const int V, const float *const *base, const long *offset, int k0, int k1, const float *weight,
                                int outputs, int group, float *const *target, int first) {
    __m512 acc[ROWS][4];
    _Pragma("clang loop unroll(full)")
    for (int i = 0; i < ROWS; i++) for (int v = 0; v < 4; v++) acc[i][v] = _mm512_setzero_ps();
    for (int k = k0; k < k1; k++) {
        const long at = offset[k];
        const float *row = weight + (long)k * outputs + group;
        __m512 w[4];
        _Pragma("clang loop unroll(full)")
        for (int v = 0; v < 4; v++) if (v < V) w[v] = _mm512_loadu_ps(row + 16 * v);
        _Pragma("clang loop unroll(full)")
        for (int i = 0; i < ROWS; i++) {
            const __m512 a = _mm512_set1_ps(base[i][at]);
            _Pragma("clang loop unroll(full)")
            for (int v = 0; v < 4; v++) if (v < V) acc[i][v] = _mm512_fmadd_ps(a, w[v], acc[i][v]);
        }
    }
    for (int i = 0; i < ROWS; i++) {
        if (!target[i]) continue;
        for (int v = 0; v < V; v++) FINISH(target[i] + group + 16 * v, acc[i][v], first);
    }
}

// A tile's rows times all of B's `outputs` columns (a multiple of 16), every depth block in order.
__attribute__((target("avx512f"), always_inline))
static inline void product_rows(const float *const *base, const long *offset, const int *blocks, int blockCount,
                                const float *weight, int outputs, float *const *target) {
    for (int group = 0; group < outputs;) {
        const int left = (outputs - group) / 16, V = left >= 4 ? 4 : left;
        for (int b = 0, k0 = 0; b < blockCount; k0 += blocks[b], b++) {
            const int k1 = k0 + blocks[b], first = b == 0;
            switch (V) {
            case 4: product_tile(4, base, offset, k0, k1, weight, outputs, group, target, first); break;
            case 3: product_tile(3, base, offset, k0, k1, weight, outputs, group, target, first); break;
            case 2: product_tile(2, base, offset, k0, k1, weight, outputs, group, target, first); break;
            default: product_tile(1, base, offset, k0, k1, weight, outputs, group, target, first); break;
            }
        }
        group += 16 * V;
    }
}

// The patch offsets (ky, kx, c) in the image, relative to the patch's origin; NULL if out of memory.
static inline long *patch_offsets(int width, int channels, int kernelHeight, int kernelWidth) {
    long *offset = malloc(sizeof(long) * (size_t)kernelHeight * kernelWidth * channels);
    if (!offset) return NULL;
    for (int ky = 0, k = 0; ky < kernelHeight; ky++)
        for (int kx = 0; kx < kernelWidth; kx++)
            for (int c = 0; c < channels; c++, k++) offset[k] = ((long)ky * width + kx) * channels + c;
    return offset;
}

// Whether the blocks are positive and add up to `total`.
static inline int blocks_cover(const int *blocks, int blockCount, long total) {
    long sum = 0;
    if (blockCount < 1) return 0;
    for (int b = 0; b < blockCount; b++) {
        if (blocks[b] < 1) return 0;
        sum += blocks[b];
    }
    return sum == total;
}

static inline int shape_supported(int count, int height, int width, int channels, int kernelHeight, int kernelWidth, int outputs) {
    return alflow_direct_convolution_width() == 16 && count >= 1 && channels >= 1 && kernelHeight >= 1 && kernelWidth >= 1 &&
           kernelHeight <= height && kernelWidth <= width && outputs >= 16 && outputs % 16 == 0 &&
           (long)height * width * channels <= 0x7fffffffL;
}

#else
#define ALFLOW_CHANNEL_TILES 0
#endif

#endif
