// CPU stand-in for the CUDA runtime names a rendered kernel uses (lazynp.codegen_gpu.render):
// __global__ / __device__ vanish, threadIdx / blockIdx / blockDim / gridDim are globals set by
// LZ_LAUNCH, which runs every thread of a 1-d grid one after the other (the kernels are
// elementwise grid-stride loops with no shared memory or barriers, so the order is free).
// The round-to-nearest intrinsics are plain IEEE operations (compile with
// -ffp-contract=off on x86-64 SSE2: no FMA contraction, no excess precision); the math
// functions (fma, fmod, floor, ... exact; exp, sin, ... within a few ULP) are the host libm's
// (glibc), not CUDA's.
#pragma once
#include <math.h>
#include <string.h>

#define __global__
#define __device__
#define __forceinline__ inline

struct lz_dim3 { unsigned x, y, z; };
static lz_dim3 threadIdx, blockIdx, blockDim, gridDim;

static inline double __dadd_rn(double a, double b) { return a + b; }
static inline double __dsub_rn(double a, double b) { return a - b; }
static inline double __dmul_rn(double a, double b) { return a * b; }
static inline double __ddiv_rn(double a, double b) { return a / b; }
static inline double __dsqrt_rn(double a) { return sqrt(a); }
static inline float __fadd_rn(float a, float b) { return a + b; }
static inline float __fsub_rn(float a, float b) { return a - b; }
static inline float __fmul_rn(float a, float b) { return a * b; }
static inline float __fdiv_rn(float a, float b) { return a / b; }
static inline float __fsqrt_rn(float a) { return sqrtf(a); }

static inline double __longlong_as_double(long long bits) {
  double d;
  memcpy(&d, &bits, sizeof d);
  return d;
}
static inline float __int_as_float(int bits) {
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}
static inline long long __double_as_longlong(double d) {
  long long bits;
  memcpy(&bits, &d, sizeof bits);
  return bits;
}
static inline float __uint_as_float(unsigned int bits) {
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}
static inline unsigned int __float_as_uint(float f) {
  unsigned int bits;
  memcpy(&bits, &f, sizeof bits);
  return bits;
}
static inline int __float_as_int(float f) {
  int bits;
  memcpy(&bits, &f, sizeof bits);
  return bits;
}

#define LZ_LAUNCH(grid, block, kernel, ...)                                   \
  do {                                                                        \
    gridDim = {(unsigned)(grid), 1, 1};                                       \
    blockDim = {(unsigned)(block), 1, 1};                                     \
    for (unsigned lz_b = 0; lz_b < gridDim.x; ++lz_b)                         \
      for (unsigned lz_t = 0; lz_t < blockDim.x; ++lz_t) {                    \
        blockIdx = {lz_b, 0, 0};                                              \
        threadIdx = {lz_t, 0, 0};                                             \
        kernel(__VA_ARGS__);                                                  \
      }                                                                       \
  } while (0)
