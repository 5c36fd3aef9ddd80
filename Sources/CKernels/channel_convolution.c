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
                           const long *offset, float *out) {
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

// The weight gradient is the same tile product with the roles turned: its
// rows are patch positions t (A[t][p] = images[offset[t] + origin[p]]: the
// tile's bases are the images shifted by each position's offset, read at
// each output pixel's patch origin), its depth the output pixels p, and B
// the output gradient.
__attribute__((target("avx512f")))
static void gradient_avx512(const float *images, int patch, const float *gradient, int outputs, const int *blocks, int blockCount,
                            const long *offset, const long *origin, float *out) {
    for (int t0 = 0; t0 < patch; t0 += ROWS) {
        const float *base[ROWS];
        float *target[ROWS];
        for (int i = 0; i < ROWS; i++) {
            base[i] = images + offset[t0 + i < patch ? t0 + i : t0];  // padding positions repeat the first and are not written
            target[i] = t0 + i < patch ? out + (long)(t0 + i) * outputs : NULL;
        }
        product_rows(base, origin, blocks, blockCount, gradient, outputs, target);
    }
}

int alflow_channel_convolution(const float *images, int count, int height, int width, int channels, int kernelHeight,
                               int kernelWidth, const float *weight, int outputs, const int *blocks, int blockCount, float *out) {
    if (!shape_supported(count, height, width, channels, kernelHeight, kernelWidth, outputs) ||
        !blocks_cover(blocks, blockCount, (long)kernelHeight * kernelWidth * channels)) return -1;
    long *offset = patch_offsets(width, channels, kernelHeight, kernelWidth);
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
    long *offset = patch_offsets(width, channels, kernelHeight, kernelWidth);
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
