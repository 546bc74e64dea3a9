#include "search/loss-kernels.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <limits>

#include "invx/error.h"
#include "kernels/clamped-squared-error-kernel.h"
#include "kernels/row-cross-entropy-kernel.h"

#ifdef INVX_CUDA_KERNELS
#include <c10/cuda/CUDAStream.h>
#endif

namespace invx {

bool lossKernelsTake(const at::Tensor& t) {
    if (t.scalar_type() != at::kHalf && t.scalar_type() != at::kFloat) return false;
#ifdef INVX_CUDA_KERNELS
    return true;
#else
    return !t.is_cuda();
#endif
}

at::Tensor rowCrossEntropy(const at::Tensor& logits, const at::Tensor& targets) {
    if (logits.dim() != 2 ||
        (logits.scalar_type() != at::kHalf && logits.scalar_type() != at::kFloat))
        throw Error("the row cross-entropy takes [rows, vocab] logits in float16 or float32");
    const at::Tensor x = logits.stride(1) == 1 ? logits : logits.contiguous();
    const at::Tensor t = targets.reshape({-1}).to(x.device(), at::kLong).contiguous();
    if (t.numel() != x.size(0))
        throw Error("the row cross-entropy needs one target per row of logits");
    at::Tensor losses = at::empty({x.size(0)}, x.options().dtype(at::kFloat));
    RowCrossEntropyArgs a;
    a.logits = x.data_ptr();
    a.float16 = x.scalar_type() == at::kHalf;
    a.rows = x.size(0), a.vocab = x.size(1), a.rowStride = x.stride(0);
    a.targets = t.data_ptr<std::int64_t>();
    a.losses = losses.data_ptr<float>();
    if (x.is_cuda()) {
#ifdef INVX_CUDA_KERNELS
        rowCrossEntropyCuda(a, c10::cuda::getCurrentCUDAStream(x.device().index()).stream());
#else
        throw Error(
            "the row cross-entropy on CUDA needs the CUDA kernels, which this build has not");
#endif
    } else {
        rowCrossEntropyCpu(a);
    }
    return losses;
}

at::Tensor clampedSquaredErrorMean(const at::Tensor& x, const at::Tensor& y) {
    if (x.sizes() != y.sizes() || x.scalar_type() != y.scalar_type() || x.device() != y.device() ||
        (x.scalar_type() != at::kHalf && x.scalar_type() != at::kFloat))
        throw Error(
            "the clamped squared error takes two tensors of one shape, dtype (float16 or float32) "
            "and device");
    const at::Tensor a = x.contiguous(), b = y.contiguous();
    at::Tensor blockSums = at::empty({std::max<std::int64_t>(1, squaredErrorBlocks(a.numel()))},
                                     a.options().dtype(at::kFloat));
    at::Tensor mean =
        at::full({}, std::numeric_limits<float>::quiet_NaN(), a.options().dtype(at::kFloat));
    ClampedSquaredErrorArgs args;
    args.x = a.data_ptr(), args.y = b.data_ptr();
    args.float16 = a.scalar_type() == at::kHalf;
    args.count = a.numel();
    args.blockSums = blockSums.data_ptr<float>(), args.mean = mean.data_ptr<float>();
    if (a.is_cuda()) {
#ifdef INVX_CUDA_KERNELS
        clampedSquaredErrorCuda(args, c10::cuda::getCurrentCUDAStream(a.device().index()).stream());
#else
        throw Error(
            "the clamped squared error on CUDA needs the CUDA kernels, which this build has not");
#endif
    } else {
        clampedSquaredErrorCpu(args);
    }
    return mean;
}

}  // namespace invx
