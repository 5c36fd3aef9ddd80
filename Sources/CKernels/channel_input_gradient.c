// The input gradient of a multi-channel convolution (stride 1, no padding),
// AVX-512 only (see alflow_kernels.h): what `dCols = dY · Wᵀ` followed by
// the adjoint of im2col computes, without the `rows × patch` column matrix.
// Each tile of ROWS output pixels gets its column gradients (one fused chain
// per value and depth block from +0, the block sums added in order) in a
// small scratch buffer, then adds them into the image gradient pixel by
// pixel in ascending order — the order of Im2Col.accumulate, in which each
// image value receives at most one term per output pixel.
#include "alflow_kernels.h"
#include "channel_tiles.h"

#if ALFLOW_CHANNEL_TILES

// Adds one output pixel's column gradients (`patch` values in (ky, kx, c)
// order) into the image gradient at its patch's origin `corner`.
__attribute__((target("avx512f")))
static void add_patch(const float *columns, float *corner, int width, int channels, int kernelHeight, int kernelWidth) {
    const int run = kernelWidth * channels;  // one kernel row: contiguous in NHWC
    for (int ky = 0; ky < kernelHeight; ky++) {
        const float *from = columns + ky * run;
        float *to = corner + (long)ky * width * channels;
        int i = 0;
        for (; i + 16 <= run; i += 16) _mm512_storeu_ps(to + i, _mm512_add_ps(_mm512_loadu_ps(to + i), _mm512_loadu_ps(from + i)));
        for (; i < run; i++) to[i] += from[i];
    }
}

__attribute__((target("avx512f")))
static void input_gradient_avx512(const float *gradient, int count, int height, int width, int channels, int kernelHeight,
                                  int kernelWidth, const float *weightT, int outputs, const int *blocks, int blockCount,
                                  const long *identity, float *scratch, float *dx) {
    const int oh = height - kernelHeight + 1, ow = width - kernelWidth + 1, rows = count * oh * ow;
    const int patch = kernelHeight * kernelWidth * channels;
    for (int r0 = 0; r0 < rows; r0 += ROWS) {
        const float *base[ROWS];
        float *target[ROWS];
        for (int i = 0; i < ROWS; i++) {
            const int r = r0 + i < rows ? r0 + i : r0;  // padding rows repeat the first and are not written
            base[i] = gradient + (long)r * outputs;
            target[i] = r0 + i < rows ? scratch + (long)i * patch : NULL;
        }
        product_rows(base, identity, blocks, blockCount, weightT, patch, target);
        for (int i = 0; i < ROWS && r0 + i < rows; i++) {
            const int r = r0 + i, sample = r / (oh * ow), pixel = r % (oh * ow);
            float *corner = dx + ((long)sample * height * width + (long)(pixel / ow) * width + pixel % ow) * channels;
            add_patch(scratch + (long)i * patch, corner, width, channels, kernelHeight, kernelWidth);
        }
    }
}

int alflow_channel_input_gradient(const float *gradient, int count, int height, int width, int channels, int kernelHeight,
                                  int kernelWidth, const float *weightT, int outputs, const int *blocks, int blockCount,
                                  float *dx) {
    const int patch = kernelHeight * kernelWidth * channels;
    if (outputs < 1 || !shape_supported(count, height, width, channels, kernelHeight, kernelWidth, patch) ||
        !blocks_cover(blocks, blockCount, outputs)) return -1;
    long *identity = malloc(sizeof(long) * (size_t)outputs);
    float *scratch = malloc(sizeof(float) * (size_t)ROWS * patch);
    if (!identity || !scratch) {
        free(identity);
        free(scratch);
        return -1;
    }
    for (int o = 0; o < outputs; o++) identity[o] = o;
    input_gradient_avx512(gradient, count, height, width, channels, kernelHeight, kernelWidth, weightT, outputs, blocks,
                          blockCount, identity, scratch, dx);
    free(identity);
    free(scratch);
    return 0;
}

#else

int alflow_channel_input_gradient(const float *gradient, int count, int height, int width, int channels, int kernelHeight,
                                  int kernelWidth, const float *weightT, int outputs, const int *blocks, int blockCount,
                                  float *dx) {
    (void)gradient; (void)count; (void)height; (void)width; (void)channels; (void)kernelHeight; (void)kernelWidth;
    (void)weightT; (void)outputs; (void)blocks; (void)blockCount; (void)dx;
    return -1;
}

#endif
