// Direct convolution of multi-channel NHWC images (stride 1, no padding) and
// its weight gradient, AVX-512 only (see alflow_kernels.h). Both are the
// im2col product without the im2col matrix: a patch value is read from the
// image through a table of offsets, one per position of the patch row
// (ky, kx, c). Each output is one fused multiply-add chain per depth block
// from +0, the block sums added in order: register tiles change the speed,
// never a value.
#include "alflow_kernels.h"
#include "channel_tiles.h"

#if ALFLOW_CHANNEL_TILES

__attribute__((target("avx512f")))
static void forward_avx512(const float *images, int count, int height, int width, int channels, int kernelHeight,
                           int kernelWidth, const float *weight, int outputs, const int *blocks, int blockCount,
                           const int *offset, float *out) {
    const int oh = height - kernelHeight + 1, ow = width - kernelWidth + 1, rows = count * oh * ow;
    for (int r0 = 0; r0 < rows; r0 += ROWS) {
        const float *base[ROWS];
        float *target[ROWS];
        for (int i = 0; i < ROWS; i++) {
            const int r = r0 + i < rows ? r0 + i : r0;  // padding rows repeat the first and are not written
            const int sample = r / (oh * ow), pixel = r % (oh * ow);
            base[i] = images + ((long)sample * height * width + (long)(pixel / ow) * width + pixel % ow) * channels;
            target[i] = r0 + i < rows ? out + (long)r * outputs : NULL;
        }
        product_rows(base, offset, blocks, blockCount, weight, outputs, target);
    }
}

// Gradient tile: ROWS patch positions (offsets `taps`, rows `target`, a null
// target being padding) × V vectors of outputs from `group`, over the output
// pixels [p0, p1) whose patch origins are `origin`.
__attribute__((target("avx512f"), always_inline))
static inline void gradient_tile(const int V, const float *images, const long *origin, int p0, int p1, const int *taps,
                                 const float *gradient, int outputs, int group, float *const *target, int first) {
    __m512 acc[ROWS][4];
    _Pragma("clang loop unroll(full)")
    for (int i = 0; i < ROWS; i++) for (int v = 0; v < 4; v++) acc[i][v] = _mm512_setzero_ps();
    for (int p = p0; p < p1; p++) {
        const float *corner = images + origin[p];
        const float *row = gradient + (long)p * outputs + group;
        __m512 g[4];
        _Pragma("clang loop unroll(full)")
        for (int v = 0; v < 4; v++) if (v < V) g[v] = _mm512_loadu_ps(row + 16 * v);
        _Pragma("clang loop unroll(full)")
        for (int i = 0; i < ROWS; i++) {
            const __m512 a = _mm512_set1_ps(corner[taps[i]]);
            _Pragma("clang loop unroll(full)")
            for (int v = 0; v < 4; v++) if (v < V) acc[i][v] = _mm512_fmadd_ps(a, g[v], acc[i][v]);
        }
    }
    for (int i = 0; i < ROWS; i++) {
        if (!target[i]) continue;
        for (int v = 0; v < V; v++) FINISH(target[i] + group + 16 * v, acc[i][v], first);
    }
}

__attribute__((target("avx512f")))
static void gradient_avx512(const float *images, int patch, const float *gradient, int outputs, const int *blocks, int blockCount,
                            const int *offset, const long *origin, float *out) {
    for (int t0 = 0; t0 < patch; t0 += ROWS) {
        int taps[ROWS];
        float *target[ROWS];
        for (int i = 0; i < ROWS; i++) {
            taps[i] = offset[t0 + i < patch ? t0 + i : t0];  // padding positions repeat the first and are not written
            target[i] = t0 + i < patch ? out + (long)(t0 + i) * outputs : NULL;
        }
        for (int group = 0; group < outputs;) {
            const int left = (outputs - group) / 16, V = left >= 4 ? 4 : left;
            for (int b = 0, p0 = 0; b < blockCount; p0 += blocks[b], b++) {
                const int p1 = p0 + blocks[b], first = b == 0;
                switch (V) {
                case 4: gradient_tile(4, images, origin, p0, p1, taps, gradient, outputs, group, target, first); break;
                case 3: gradient_tile(3, images, origin, p0, p1, taps, gradient, outputs, group, target, first); break;
                case 2: gradient_tile(2, images, origin, p0, p1, taps, gradient, outputs, group, target, first); break;
                default: gradient_tile(1, images, origin, p0, p1, taps, gradient, outputs, group, target, first); break;
                }
            }
            group += 16 * V;
        }
    }
}

int alflow_channel_convolution(const float *images, int count, int height, int width, int channels, int kernelHeight,
                               int kernelWidth, const float *weight, int outputs, const int *blocks, int blockCount, float *out) {
    if (!shape_supported(count, height, width, channels, kernelHeight, kernelWidth, outputs) ||
        !blocks_cover(blocks, blockCount, (long)kernelHeight * kernelWidth * channels)) return -1;
    int *offset = patch_offsets(width, channels, kernelHeight, kernelWidth);
    if (!offset) return -1;
    forward_avx512(images, count, height, width, channels, kernelHeight, kernelWidth, weight, outputs, blocks, blockCount,
                   offset, out);
    free(offset);
    return 0;
}

int alflow_channel_weight_gradient(const float *images, int count, int height, int width, int channels, int kernelHeight,
                                   int kernelWidth, const float *gradient, int outputs, const int *blocks, int blockCount,
                                   float *out) {
    const int oh = height - kernelHeight + 1, ow = width - kernelWidth + 1;
    if (!shape_supported(count, height, width, channels, kernelHeight, kernelWidth, outputs) ||
        !blocks_cover(blocks, blockCount, (long)count * oh * ow)) return -1;
    int *offset = patch_offsets(width, channels, kernelHeight, kernelWidth);
    long *origin = malloc(sizeof(long) * (size_t)count * oh * ow);
    if (!offset || !origin) {
        free(offset);
        free(origin);
        return -1;
    }
    for (int sample = 0, p = 0; sample < count; sample++)
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++, p++) origin[p] = ((long)sample * height * width + (long)oy * width + ox) * channels;
    gradient_avx512(images, kernelHeight * kernelWidth * channels, gradient, outputs, blocks, blockCount,
                    offset, origin, out);
    free(offset);
    free(origin);
    return 0;
}

#else

int alflow_channel_convolution(const float *images, int count, int height, int width, int channels, int kernelHeight,
                               int kernelWidth, const float *weight, int outputs, const int *blocks, int blockCount, float *out) {
    (void)images; (void)count; (void)height; (void)width; (void)channels; (void)kernelHeight; (void)kernelWidth;
    (void)weight; (void)outputs; (void)blocks; (void)blockCount; (void)out;
    return -1;
}

int alflow_channel_weight_gradient(const float *images, int count, int height, int width, int channels, int kernelHeight,
                                   int kernelWidth, const float *gradient, int outputs, const int *blocks, int blockCount,
                                   float *out) {
    (void)images; (void)count; (void)height; (void)width; (void)channels; (void)kernelHeight; (void)kernelWidth;
    (void)gradient; (void)outputs; (void)blocks; (void)blockCount; (void)out;
    return -1;
}

#endif
