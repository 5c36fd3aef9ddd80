// Direct single-channel convolution and its weight gradient (see
// alflow_kernels.h). Each output is one fused multiply-add chain over the
// patch (forward) or over a block of output pixels (gradient), from +0: how
// many outputs are computed together changes the speed, never a value.
#include "alflow_kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define PIXELS 8   // output pixels per register block

__attribute__((target("avx512f")))
static void row_avx512(const float *image, int width, int kernel, const float *weight, int outputs,
                       int oy, int ow, float *out) {
    for (int group = 0; group < outputs; group += 32) {
        const int pair = outputs - group >= 32;
        int ox = 0;
        for (; pair && ox + PIXELS <= ow; ox += PIXELS) {
            __m512 low[PIXELS], high[PIXELS];
            for (int p = 0; p < PIXELS; p++) { low[p] = _mm512_setzero_ps(); high[p] = _mm512_setzero_ps(); }
            for (int ky = 0, k = 0; ky < kernel; ky++) {
                for (int kx = 0; kx < kernel; kx++, k++) {
                    const float *source = image + (oy + ky) * width + ox + kx;
                    const __m512 w0 = _mm512_loadu_ps(weight + k * outputs + group);
                    const __m512 w1 = _mm512_loadu_ps(weight + k * outputs + group + 16);
                    for (int p = 0; p < PIXELS; p++) {
                        const __m512 a = _mm512_set1_ps(source[p]);
                        low[p] = _mm512_fmadd_ps(a, w0, low[p]);
                        high[p] = _mm512_fmadd_ps(a, w1, high[p]);
                    }
                }
            }
            for (int p = 0; p < PIXELS; p++) {
                float *target = out + (oy * ow + ox + p) * outputs + group;
                _mm512_storeu_ps(target, low[p]);
                _mm512_storeu_ps(target + 16, high[p]);
            }
        }
        // Remaining pixels (or a last group of 16 channels), one at a time.
        for (int lane = 0; lane < (pair ? 32 : 16); lane += 16) {
            for (int x = pair ? ox : 0; x < ow; x++) {
                __m512 acc = _mm512_setzero_ps();
                for (int ky = 0, k = 0; ky < kernel; ky++) {
                    for (int kx = 0; kx < kernel; kx++, k++) {
                        const __m512 a = _mm512_set1_ps(image[(oy + ky) * width + x + kx]);
                        acc = _mm512_fmadd_ps(a, _mm512_loadu_ps(weight + k * outputs + group + lane), acc);
                    }
                }
                _mm512_storeu_ps(out + (oy * ow + x) * outputs + group + lane, acc);
            }
        }
    }
}

// The weight gradient: per (tap, output) one fused chain per block of output
// pixels, from +0; at the end of a block its sums are added to the output in
// order (the first block's are stored). Each pass over the pixels keeps
// TAPS taps × VECTORS vectors of outputs in registers; the taps are split
// into passes of equal size.
#define GRADIENT_KERNEL(NAME, TARGET, VTYPE, LANES, VECTORS, TAPS, ZERO, SET1, FMADD, ADD, LOAD, STORE)                    \
__attribute__((target(TARGET)))                                                                                         \
static void NAME(const float *images, int count, int height, int width, int kernel, const float *gradient,              \
                 int outputs, const int *blocks, int blockCount, float *out, int group) {                               \
    const int oh = height - kernel + 1, ow = width - kernel + 1, taps = kernel * kernel;                                \
    (void)blockCount; /* the blocks cover the pixels (checked by the caller) */                                         \
    const int passes = (taps + TAPS - 1) / TAPS, per = (taps + passes - 1) / passes;                                    \
    int offset[TAPS];                                                                                                   \
    for (int t0 = 0; t0 < taps; t0 += per) {                                                                            \
        const int tn = taps - t0 < per ? taps - t0 : per;                                                               \
        /* Padding taps (t >= tn) read the corner and are never stored: fixed trip counts keep acc in registers. */ \
        for (int t = 0; t < TAPS; t++) offset[t] = t < tn ? ((t0 + t) / kernel) * width + (t0 + t) % kernel : 0;       \
        VTYPE acc[TAPS][VECTORS];                                                                                       \
        _Pragma("clang loop unroll(full)")                                                                              \
        for (int t = 0; t < TAPS; t++) for (int v = 0; v < VECTORS; v++) acc[t][v] = ZERO();                            \
        int block = 0, end = blocks[0], first = 1;                                                                      \
        for (int sample = 0, p = 0; sample < count; sample++) {                                                         \
            for (int oy = 0; oy < oh; oy++) {                                                                           \
                for (int ox = 0; ox < ow; ox++, p++) {                                                                  \
                    if (p == end) {                                                                                     \
                        _Pragma("clang loop unroll(full)")                                                              \
                        for (int t = 0; t < TAPS; t++) for (int v = 0; v < VECTORS; v++) {                              \
                            float *target = out + (t0 + t) * outputs + group + v * LANES;                               \
                            if (t < tn) STORE(target, first ? acc[t][v] : ADD(LOAD(target), acc[t][v]));                \
                            acc[t][v] = ZERO();                                                                         \
                        }                                                                                               \
                        first = 0;                                                                                      \
                        end += blocks[++block];                                                                         \
                    }                                                                                                   \
                    const float *corner = images + (long)sample * height * width + oy * width + ox;                     \
                    VTYPE g[VECTORS];                                                                                   \
                    _Pragma("clang loop unroll(full)")                                                                  \
                    for (int v = 0; v < VECTORS; v++) g[v] = LOAD(gradient + (long)p * outputs + group + v * LANES);    \
                    _Pragma("clang loop unroll(full)")                                                                  \
                    for (int t = 0; t < TAPS; t++) {                                                                    \
                        const VTYPE a = SET1(corner[offset[t]]);                                                        \
                        _Pragma("clang loop unroll(full)")                                                              \
                        for (int v = 0; v < VECTORS; v++) acc[t][v] = FMADD(a, g[v], acc[t][v]);                        \
                    }                                                                                                   \
                }                                                                                                       \
            }                                                                                                           \
        }                                                                                                               \
        _Pragma("clang loop unroll(full)")                                                                              \
        for (int t = 0; t < TAPS; t++) for (int v = 0; v < VECTORS; v++) {                                              \
            float *target = out + (t0 + t) * outputs + group + v * LANES;                                               \
            if (t < tn) STORE(target, first ? acc[t][v] : ADD(LOAD(target), acc[t][v]));                                \
        }                                                                                                               \
    }                                                                                                                   \
}

GRADIENT_KERNEL(gradient_avx512_pair, "avx512f", __m512, 16, 2, 13, _mm512_setzero_ps, _mm512_set1_ps, _mm512_fmadd_ps,
                _mm512_add_ps, _mm512_loadu_ps, _mm512_storeu_ps)
GRADIENT_KERNEL(gradient_avx512_single, "avx512f", __m512, 16, 1, 24, _mm512_setzero_ps, _mm512_set1_ps, _mm512_fmadd_ps,
                _mm512_add_ps, _mm512_loadu_ps, _mm512_storeu_ps)
int alflow_direct_convolution_width(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") ? 16 : 0;
}

int alflow_direct_convolution(const float *images, int count, int height, int width, int kernel,
                              const float *weight, int outputs, float *out) {
    if (alflow_direct_convolution_width() != 16 || kernel < 1 || kernel > height || kernel > width || outputs < 16 ||
        outputs % 16 != 0) return -1;
    const int oh = height - kernel + 1, ow = width - kernel + 1;
    for (int sample = 0; sample < count; sample++) {
        const float *image = images + (long)sample * height * width;
        float *target = out + (long)sample * oh * ow * outputs;
        for (int oy = 0; oy < oh; oy++) {
            row_avx512(image, width, kernel, weight, outputs, oy, ow, target);
        }
    }
    return 0;
}

int alflow_direct_weight_gradient(const float *images, int count, int height, int width, int kernel, const float *gradient,
                                  int outputs, const int *blocks, int blockCount, float *out) {
    if (alflow_direct_convolution_width() != 16 || kernel < 1 || kernel > height || kernel > width || outputs < 16 ||
        outputs % 16 != 0 || blockCount < 1 || count < 1) return -1;
    long pixels = 0;
    for (int b = 0; b < blockCount; b++) {
        if (blocks[b] < 1) return -1;
        pixels += blocks[b];
    }
    if (pixels != (long)count * (height - kernel + 1) * (width - kernel + 1)) return -1;
    for (int group = 0; group < outputs;) {
        const int pair = outputs - group >= 32;
        if (pair) gradient_avx512_pair(images, count, height, width, kernel, gradient, outputs, blocks, blockCount, out, group);
        else gradient_avx512_single(images, count, height, width, kernel, gradient, outputs, blocks, blockCount, out, group);
        group += pair ? 32 : 16;
    }
    return 0;
}

#else

int alflow_direct_convolution_width(void) { return 0; }

int alflow_direct_convolution(const float *images, int count, int height, int width, int kernel,
                              const float *weight, int outputs, float *out) {
    (void)images; (void)count; (void)height; (void)width; (void)kernel; (void)weight; (void)outputs; (void)out;
    return -1;
}

int alflow_direct_weight_gradient(const float *images, int count, int height, int width, int kernel, const float *gradient,
                                  int outputs, const int *blocks, int blockCount, float *out) {
    (void)images; (void)count; (void)height; (void)width; (void)kernel; (void)gradient; (void)outputs; (void)blocks;
    (void)blockCount; (void)out;
    return -1;
}

#endif
