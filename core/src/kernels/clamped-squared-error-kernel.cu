// The clamped squared error on the GPU in two launches: the blocks' sums, then their total and the
// mean, each a halving tree in shared memory as in the CPU twin. Built with -fmad=false
// (core/CMakeLists.txt), so the bits equal the twin's.
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <string>

#include "invx/error.h"
#include "kernels/clamped-squared-error-kernel.h"

namespace invx {
namespace {

__device__ inline float toFloat(const __half* p, std::int64_t i) { return __half2float(p[i]); }
__device__ inline float toFloat(const float* p, std::int64_t i) { return p[i]; }

__device__ float blockTree(float v) {
    __shared__ float lanes[kSquaredErrorThreads];
    const int t = threadIdx.x;
    lanes[t] = v;
    __syncthreads();
    for (int w = kSquaredErrorThreads / 2; w >= 1; w /= 2) {
        if (t < w) lanes[t] = lanes[t] + lanes[t + w];
        __syncthreads();
    }
    return lanes[0];
}

template <typename T>
__global__ void blockSumsKernel(ClampedSquaredErrorArgs a) {
    const T* x = static_cast<const T*>(a.x);
    const T* y = static_cast<const T*>(a.y);
    const std::int64_t first = std::int64_t(blockIdx.x) * kSquaredErrorChunk;
    const std::int64_t last =
        first + kSquaredErrorChunk < a.count ? first + kSquaredErrorChunk : a.count;
    float s = 0.0f;
    for (std::int64_t j = first + threadIdx.x; j < last; j += kSquaredErrorThreads)
        s = s + clampedSquare(toFloat(x, j), toFloat(y, j));
    const float total = blockTree(s);
    if (threadIdx.x == 0) a.blockSums[blockIdx.x] = total;
}

__global__ void meanKernel(ClampedSquaredErrorArgs a) {
    const std::int64_t blocks = squaredErrorBlocks(a.count);
    float s = 0.0f;
    for (std::int64_t b = threadIdx.x; b < blocks; b += kSquaredErrorThreads)
        s = s + a.blockSums[b];
    const float total = blockTree(s);
    if (threadIdx.x == 0) *a.mean = float(double(total) / double(a.count));
}

}  // namespace

void clampedSquaredErrorCuda(const ClampedSquaredErrorArgs& args, void* stream) {
    if (args.count == 0) return;
    const cudaStream_t s = static_cast<cudaStream_t>(stream);
    const unsigned blocks = unsigned(squaredErrorBlocks(args.count));
    if (args.float16)
        blockSumsKernel<__half><<<blocks, kSquaredErrorThreads, 0, s>>>(args);
    else
        blockSumsKernel<float><<<blocks, kSquaredErrorThreads, 0, s>>>(args);
    meanKernel<<<1, kSquaredErrorThreads, 0, s>>>(args);
    const cudaError_t status = cudaGetLastError();
    if (status != cudaSuccess)
        throw Error(std::string("the squared-error kernel did not start: ") +
                    cudaGetErrorString(status));
}

}  // namespace invx
