// GPTQ's lazy batch on the GPU: one warp per row, the row's block of weights in shared memory. Each
// column is quantized by every lane (the same value, read from shared memory), and the lanes split
// the update of the columns after it. Built with -fmad=false (core/CMakeLists.txt), so nvcc fuses
// no multiply and add, and the bits equal the column loop's.
#include <cuda_runtime.h>

#include <string>

#include "invx/error.h"
#include "kernels/gptq-block-kernel.h"

namespace invx {
namespace {

constexpr int kWarpsPerBlock = 4;

__global__ void gptqBlockKernel(GptqBlockArgs a) {
    extern __shared__ float rowsOfBlock[];
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    const std::int64_t r = std::int64_t(blockIdx.x) * kWarpsPerBlock + warp;
    if (r >= a.rows) return;  // whole warps only; the kernel has no block-wide barrier
    float* w = rowsOfBlock + warp * a.count;
    const float* source = a.weights + r * a.count;
    for (std::int64_t j = lane; j < a.count; j += 32) w[j] = source[j];
    __syncwarp();

    for (std::int64_t i = 0; i < a.count; ++i) {
        const float* u = a.inverseCholesky + i * a.uStride;
        const GptqWeightStep step = gptqBlockStep(a, r, i, w[i]);
        if (lane == 0) {
            a.quantized[r * a.count + i] = step.quantized;
            a.errors[r * a.count + i] = step.error;
        }
        for (std::int64_t j = i + 1 + lane; j < a.count; j += 32) w[j] -= step.error * u[j];
        __syncwarp();  // column i + 1 is final before any lane reads it
    }
}

}  // namespace

void gptqBlockCuda(const GptqBlockArgs& args, void* stream) {
    if (args.rows == 0 || args.count == 0) return;
    if (args.count > kGptqCudaMaxBlock)
        throw Error("GPTQ's CUDA kernel takes blocks of at most " +
                    std::to_string(kGptqCudaMaxBlock) + " columns, not " +
                    std::to_string(args.count));
    const unsigned blocks = unsigned((args.rows + kWarpsPerBlock - 1) / kWarpsPerBlock);
    const std::size_t shared =
        std::size_t(kWarpsPerBlock) * std::size_t(args.count) * sizeof(float);
    gptqBlockKernel<<<blocks, kWarpsPerBlock * 32, shared, static_cast<cudaStream_t>(stream)>>>(
        args);
    const cudaError_t status = cudaGetLastError();
    if (status != cudaSuccess)
        throw Error(std::string("GPTQ's CUDA kernel did not start: ") + cudaGetErrorString(status));
}

}  // namespace invx
