// Direct single-channel convolution (see alflow_kernels.h). Each output is
// one fused multiply-add chain over the patch in im2col order, started at +0:
// the vector width and the number of pixels computed together change the
// speed, never a value.
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

__attribute__((target("avx2,fma")))
static void row_avx2(const float *image, int width, int kernel, const float *weight, int outputs,
                     int oy, int ow, float *out) {
    for (int group = 0; group < outputs; group += 16) {
        const int pair = outputs - group >= 16;
        int ox = 0;
        for (; pair && ox + 4 <= ow; ox += 4) {
            __m256 low[4], high[4];
            for (int p = 0; p < 4; p++) { low[p] = _mm256_setzero_ps(); high[p] = _mm256_setzero_ps(); }
            for (int ky = 0, k = 0; ky < kernel; ky++) {
                for (int kx = 0; kx < kernel; kx++, k++) {
                    const float *source = image + (oy + ky) * width + ox + kx;
                    const __m256 w0 = _mm256_loadu_ps(weight + k * outputs + group);
                    const __m256 w1 = _mm256_loadu_ps(weight + k * outputs + group + 8);
                    for (int p = 0; p < 4; p++) {
                        const __m256 a = _mm256_set1_ps(source[p]);
                        low[p] = _mm256_fmadd_ps(a, w0, low[p]);
                        high[p] = _mm256_fmadd_ps(a, w1, high[p]);
                    }
                }
            }
            for (int p = 0; p < 4; p++) {
                float *target = out + (oy * ow + ox + p) * outputs + group;
                _mm256_storeu_ps(target, low[p]);
                _mm256_storeu_ps(target + 8, high[p]);
            }
        }
        for (int lane = 0; lane < (pair ? 16 : 8); lane += 8) {
            for (int x = pair ? ox : 0; x < ow; x++) {
                __m256 acc = _mm256_setzero_ps();
                for (int ky = 0, k = 0; ky < kernel; ky++) {
                    for (int kx = 0; kx < kernel; kx++, k++) {
                        const __m256 a = _mm256_set1_ps(image[(oy + ky) * width + x + kx]);
                        acc = _mm256_fmadd_ps(a, _mm256_loadu_ps(weight + k * outputs + group + lane), acc);
                    }
                }
                _mm256_storeu_ps(out + (oy * ow + x) * outputs + group + lane, acc);
            }
        }
    }
}

int alflow_direct_convolution_width(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return 16;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 8;
    return 0;
}

int alflow_direct_convolution(const float *images, int count, int height, int width, int kernel,
                              const float *weight, int outputs, float *out, int vector) {
    if ((vector != 16 && vector != 8) || vector > alflow_direct_convolution_width() || kernel < 1 || kernel > height || kernel > width || outputs < vector || outputs % vector != 0) return -1;
    const int oh = height - kernel + 1, ow = width - kernel + 1;
    for (int sample = 0; sample < count; sample++) {
        const float *image = images + (long)sample * height * width;
        float *target = out + (long)sample * oh * ow * outputs;
        for (int oy = 0; oy < oh; oy++) {
            if (vector == 16) row_avx512(image, width, kernel, weight, outputs, oy, ow, target);
            else row_avx2(image, width, kernel, weight, outputs, oy, ow, target);
        }
    }
    return 0;
}

#else

int alflow_direct_convolution_width(void) { return 0; }

int alflow_direct_convolution(const float *images, int count, int height, int width, int kernel,
                              const float *weight, int outputs, float *out, int vector) {
    (void)vector; (void)images; (void)count; (void)height; (void)width; (void)kernel; (void)weight; (void)outputs; (void)out;
    return -1;
}

#endif
