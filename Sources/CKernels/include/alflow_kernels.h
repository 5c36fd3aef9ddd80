#ifndef ALFLOW_KERNELS_H
#define ALFLOW_KERNELS_H

/// Direct convolution of single-channel images (stride 1, no padding) for
/// alflow's Tensors module: out[p][o] = Σ_k patch_p[k] · weight[k][o] as one
/// fused multiply-add chain per output, k ascending from +0 — the arithmetic
/// of OpenBLAS's AVX-512 sgemm kernels on the im2col product, which Swift
/// checks bit for bit before using it (DirectConvolution.swift).
///
/// The vector width of every kernel below: 16 where this CPU and build have
/// AVX-512F, else 0 (then each of them refuses). No AVX2 variant: the
/// OpenBLAS kernels of AVX2-only machines (Haswell, Zen, Sandybridge) sum
/// otherwise, so the check would never let one run.
int alflow_direct_convolution_width(void);

/// `images`: `count` images of `height` × `width` floats, one after the other.
/// `weight`: [kernel · kernel][outputs] (the im2col patch order by the output
/// channels). `out`: [count · oh · ow][outputs], oh = height − kernel + 1.
/// `outputs` must be a multiple of 16. Returns 0, or −1 (nothing written)
/// when the shape or this CPU is not supported.
int alflow_direct_convolution(const float *images, int count, int height, int width, int kernel,
                              const float *weight, int outputs, float *out);

/// The weight gradient of that convolution over `count` images:
/// out[t][o] = Σ_p patch_p[t] · gradient[p][o] over the count · oh · ow
/// output pixels p in order (gradient: [count · oh · ow][outputs]; out:
/// [kernel · kernel][outputs]), with the p axis cut into `blockCount`
/// consecutive blocks of `blocks[i]` pixels: one fused multiply-add chain
/// per block from +0, the block sums added in order — OpenBLAS's blocking of
/// a product's depth. Returns 0, or −1 (nothing written) when the shape,
/// the blocks or this CPU are not supported.
int alflow_direct_weight_gradient(const float *images, int count, int height, int width, int kernel, const float *gradient,
                                  int outputs, const int *blocks, int blockCount, float *out);

/// Multi-channel NHWC images (AVX-512 only; channel_convolution.c): the
/// product of the im2col matrix [count · oh · ow][kernelHeight · kernelWidth
/// · channels] with `weight` [that patch size][outputs] into `out`
/// [count · oh · ow][outputs], the patch axis cut into `blockCount`
/// consecutive blocks of `blocks[i]` positions: one fused multiply-add
/// chain per output and block from +0, the block sums added in order.
/// `outputs` must be a multiple of 16. Returns 0, or −1 (nothing written)
/// when the shape, the blocks or this CPU is not supported.
int alflow_channel_convolution(const float *images, int count, int height, int width, int channels, int kernelHeight,
                               int kernelWidth, const float *weight, int outputs, const int *blocks, int blockCount, float *out);

/// Its weight gradient: out[t][o] = Σ_p patch_p[t] · gradient[p][o] over the
/// count · oh · ow output pixels p in order, the p axis cut into blocks as
/// above (gradient: [count · oh · ow][outputs]; out: [patch size][outputs]).
int alflow_channel_weight_gradient(const float *images, int count, int height, int width, int channels, int kernelHeight,
                                   int kernelWidth, const float *gradient, int outputs, const int *blocks, int blockCount,
                                   float *out);

/// Its input gradient (channel_input_gradient.c): adds to `dx` (count
/// images, NHWC) the adjoint of im2col applied to gradient · weightᵀ, where
/// `gradient` is [count · oh · ow][outputs] and `weightT` [outputs][patch
/// size] (the patch size a multiple of 16): each column-gradient value one
/// fused chain per block of the `outputs` axis from +0, the block sums added
/// in order, then added into `dx` output pixel by output pixel in order.
int alflow_channel_input_gradient(const float *gradient, int count, int height, int width, int channels, int kernelHeight,
                                  int kernelWidth, const float *weightT, int outputs, const int *blocks, int blockCount,
                                  float *dx);

/// Max pooling of one biased or unbiased [height][width][channels] image with
/// a `window` × `window` window and equal stride (pooling.c; AVX-512 only),
/// the arithmetic of PooledConvolution's Swift loops to the bit. Each returns
/// 0, or −1 (nothing written) where this CPU or the shape is not supported.
///
/// Inference: out = max over the window, + bias, then ReLU's select if `rectify`.
int alflow_pool_bias(const float *image, int height, int width, int channels, int window, const float *bias, int rectify, float *out);

/// Training: out = ReLU(max over the window); routes = the first window
/// position (dy · window + dx) equal to it, or 255 where it is not positive.
int alflow_pool_routes(const float *image, int height, int width, int channels, int window, float *out, unsigned char *routes);

/// The gradient back through that: at each position, hit · (route != 255 ?
/// gradient : 0), hit being 1 where the route is that position and 0 elsewhere.
int alflow_unpool(const float *gradient, const unsigned char *routes, int height, int width, int channels, int window, float *out);

#endif
