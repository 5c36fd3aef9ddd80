// Max pooling for the fused conv → pool → ReLU blocks (PooledConvolution),
// AVX-512 only (see alflow_kernels.h), 16 channels per vector with masked
// tails. Every operation is one the Swift loops perform — a select on a
// comparison, an addition of the bias, a product by 0 or 1 — written as
// explicit compares and blends, so the values are the Swift loops' to the bit
// (signed zeros and NaNs included).
#include "alflow_kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define BLOCKED 255  // PooledConvolution.blocked

__attribute__((target("avx512f"), always_inline))
static inline __mmask16 lanes(int left) { return left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1); }

// Up to 16 routes (a tail of fewer read without going past it).
__attribute__((target("avx512f"), always_inline))
static inline __m128i route_bytes(const unsigned char *routes, int left) {
    if (left >= 16) return _mm_loadu_si128((const __m128i *)routes);
    unsigned char bytes[16] = {0};
    for (int i = 0; i < left; i++) bytes[i] = routes[i];
    return _mm_loadu_si128((const __m128i *)bytes);
}

// The window's maxima in window order: a value replaces the maximum only if greater.
__attribute__((target("avx512f"), always_inline))
static inline __m512 window_maximum(const float *corner, int width, int channels, int window, __mmask16 m) {
    __m512 maximum = _mm512_maskz_loadu_ps(m, corner);
    for (int dy = 0; dy < window; dy++)
        for (int dx = 0; dx < window; dx++) {
            if (dy == 0 && dx == 0) continue;
            const __m512 value = _mm512_maskz_loadu_ps(m, corner + ((long)dy * width + dx) * channels);
            maximum = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(value, maximum, _CMP_GT_OQ), maximum, value);
        }
    return maximum;
}

// ReLU's select: a value below zero becomes +0 (−0 and NaN pass).
__attribute__((target("avx512f"), always_inline))
static inline __m512 rectified(__m512 value) {
    const __m512 zero = _mm512_setzero_ps();
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(value, zero, _CMP_LT_OQ), value, zero);
}

__attribute__((target("avx512f")))
static void pool_bias(const float *image, int height, int width, int channels, int window, const float *bias, int rectify,
                      float *out) {
    const int ph = height / window, pw = width / window;
    for (int py = 0; py < ph; py++)
        for (int px = 0; px < pw; px++) {
            const float *corner = image + ((long)py * window * width + (long)px * window) * channels;
            float *target = out + ((long)py * pw + px) * channels;
            for (int ch = 0; ch < channels; ch += 16) {
                const __mmask16 m = lanes(channels - ch);
                __m512 value = _mm512_add_ps(window_maximum(corner + ch, width, channels, window, m), _mm512_maskz_loadu_ps(m, bias + ch));
                if (rectify) value = rectified(value);
                _mm512_mask_storeu_ps(target + ch, m, value);
            }
        }
}

__attribute__((target("avx512f")))
static void pool_routes(const float *image, int height, int width, int channels, int window, float *out, unsigned char *routes) {
    const int ph = height / window, pw = width / window;
    const __m512 zero = _mm512_setzero_ps();
    for (int py = 0; py < ph; py++)
        for (int px = 0; px < pw; px++) {
            const float *corner = image + ((long)py * window * width + (long)px * window) * channels;
            const long at = ((long)py * pw + px) * channels;
            for (int ch = 0; ch < channels; ch += 16) {
                const __mmask16 m = lanes(channels - ch);
                const __m512 maximum = rectified(window_maximum(corner + ch, width, channels, window, m));
                // Scanned backwards, so the first position equal to the maximum wins.
                __m512i code = _mm512_set1_epi32(BLOCKED);
                for (int position = window * window - 1; position >= 0; position--) {
                    const float *pixel = corner + ch + ((long)(position / window) * width + position % window) * channels;
                    const __mmask16 equal = _mm512_cmp_ps_mask(_mm512_maskz_loadu_ps(m, pixel), maximum, _CMP_EQ_OQ);
                    code = _mm512_mask_blend_epi32(equal, code, _mm512_set1_epi32(position));
                }
                code = _mm512_mask_blend_epi32(_mm512_cmp_ps_mask(maximum, zero, _CMP_GT_OQ), _mm512_set1_epi32(BLOCKED), code);
                _mm512_mask_storeu_ps(out + at + ch, m, maximum);
                _mm512_mask_cvtepi32_storeu_epi8(routes + at + ch, m, code);
            }
        }
}

__attribute__((target("avx512f")))
static void unpool(const float *gradient, const unsigned char *routes, int height, int width, int channels, int window, float *out) {
    const int ph = height / window, pw = width / window;
    const __m512 one = _mm512_set1_ps(1), zero = _mm512_setzero_ps();
    if (height % window != 0 || width % window != 0)
        for (long i = 0; i < (long)height * width * channels; i++) out[i] = 0;
    for (int py = 0; py < ph; py++)
        for (int px = 0; px < pw; px++) {
            const long at = ((long)py * pw + px) * channels;
            for (int ch = 0; ch < channels; ch += 16) {
                const __mmask16 m = lanes(channels - ch);
                const __m512i route = _mm512_cvtepu8_epi32(route_bytes(routes + at + ch, channels - ch));
                // `routed != blocked ? gradient : 0`, then `hit · that` at every position.
                const __m512 passed = _mm512_maskz_mov_ps(_mm512_cmpneq_epi32_mask(route, _mm512_set1_epi32(BLOCKED)),
                                                          _mm512_maskz_loadu_ps(m, gradient + at + ch));
                for (int position = 0; position < window * window; position++) {
                    const __m512 hit = _mm512_mask_blend_ps(_mm512_cmpeq_epi32_mask(route, _mm512_set1_epi32(position)), zero, one);
                    float *target = out + (((long)py * window + position / window) * width + (long)px * window + position % window) * channels;
                    _mm512_mask_storeu_ps(target + ch, m, _mm512_mul_ps(hit, passed));
                }
            }
        }
}

static int supported(int height, int width, int channels, int window) {
    return alflow_direct_convolution_width() == 16 && channels >= 1 && window >= 1 && window * window < BLOCKED &&
           height >= window && width >= window;
}

int alflow_pool_bias(const float *image, int height, int width, int channels, int window, const float *bias, int rectify, float *out) {
    if (!supported(height, width, channels, window)) return -1;
    pool_bias(image, height, width, channels, window, bias, rectify, out);
    return 0;
}

int alflow_pool_routes(const float *image, int height, int width, int channels, int window, float *out, unsigned char *routes) {
    if (!supported(height, width, channels, window)) return -1;
    pool_routes(image, height, width, channels, window, out, routes);
    return 0;
}

int alflow_unpool(const float *gradient, const unsigned char *routes, int height, int width, int channels, int window, float *out) {
    if (!supported(height, width, channels, window)) return -1;
    unpool(gradient, routes, height, width, channels, window, out);
    return 0;
}

#else

int alflow_pool_bias(const float *image, int height, int width, int channels, int window, const float *bias, int rectify, float *out) {
    (void)image; (void)height; (void)width; (void)channels; (void)window; (void)bias; (void)rectify; (void)out;
    return -1;
}

int alflow_pool_routes(const float *image, int height, int width, int channels, int window, float *out, unsigned char *routes) {
    (void)image; (void)height; (void)width; (void)channels; (void)window; (void)out; (void)routes;
    return -1;
}

int alflow_unpool(const float *gradient, const unsigned char *routes, int height, int width, int channels, int window, float *out) {
    (void)gradient; (void)routes; (void)height; (void)width; (void)channels; (void)window; (void)out;
    return -1;
}

#endif
