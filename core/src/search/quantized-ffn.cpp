#include "search/quantized-ffn.h"

#include <ATen/ATen.h>

#include <cstdlib>
#include <string>

#include "invx/error.h"
#include "kernels/ffn-rebuild-kernel.h"
#include "quant/group-quantizer.h"

#ifdef INVX_CUDA_KERNELS
#include <c10/cuda/CUDAStream.h>
#endif

namespace invx {
namespace {

bool kernelTakes(const FfnWeights& w, const QuantConfig& quant) {
    const at::ScalarType t = w.w1.scalar_type();
    return !quant.float16Arithmetic && (t == at::kHalf || t == at::kFloat) &&
           w.w2.scalar_type() == t && (!w.b1.defined() || w.b1.scalar_type() == t);
}

}  // namespace

bool fusedKernelsEnabled() {
    static const bool enabled = [] {
        const char* v = std::getenv("INVX_FUSED_KERNELS");
        return !(v && std::string(v) == "0");
    }();
    return enabled;
}

FfnWeights quantizedFfnByTensors(const FfnWeights& fullPrecision, const LayerInvariance& state,
                                 const QuantConfig& quant) {
    const FfnWeights t = transformFfnForStorage(fullPrecision, state);
    return {fakeQuantize(t.w1, quant), t.b1, fakeQuantize(t.w2, quant)};
}

FfnWeights quantizedFfnByKernel(const FfnWeights& fullPrecision, const LayerInvariance& state,
                                const QuantConfig& quant) {
    if (!kernelTakes(fullPrecision, quant))
        throw Error(
            "the fused FFN rebuild takes float16 or float32 weights and the float32 quantizer");
    const at::Tensor w1 = fullPrecision.w1.contiguous(), w2 = fullPrecision.w2.contiguous();
    const at::Tensor b1 = fullPrecision.b1.defined() ? fullPrecision.b1.contiguous() : at::Tensor();
    const std::int64_t ffn = w1.size(0), hidden = w1.size(1);
    quant.validate(hidden, "fc1");
    quant.validate(ffn, "fc2");
    const at::Device device = w1.device();
    // The state exactly as the tensor path has it on the device, so that both start from the same
    // values.
    const FfnStateTensors st = ffnStateOnDevice(state, device);

    FfnWeights out{at::empty_like(w1), b1.defined() ? at::empty_like(b1) : at::Tensor(),
                   at::empty_like(w2)};
    FfnRebuildArgs a;
    a.w1 = w1.data_ptr();
    a.b1 = b1.defined() ? b1.data_ptr() : nullptr;
    a.w2 = w2.data_ptr();
    a.float16 = w1.scalar_type() == at::kHalf;
    a.ffn = ffn, a.hidden = hidden;
    a.permutation = st.perm.data_ptr<std::int64_t>();
    a.scales = st.scales.data_ptr<float>();
    a.cosines = st.cosines.data_ptr<float>();  // [ffn/2, 1]: contiguous, one value a pair
    a.sines = st.sines.data_ptr<float>();
    a.group1 = quant.groupWidth(hidden);
    a.group2 = quant.groupWidth(ffn);
    a.qmax = float(quant.qmax());
    a.inverseQmax =
        1.0f / a.qmax;  // ATen on CUDA divides by a scalar as a product with its inverse
    a.outW1 = out.w1.data_ptr();
    a.outB1 = out.b1.defined() ? out.b1.data_ptr() : nullptr;
    a.outW2 = out.w2.data_ptr();
    if (device.is_cuda()) {
#ifdef INVX_CUDA_KERNELS
        ffnRebuildCuda(a, c10::cuda::getCurrentCUDAStream(device.index()).stream());
#else
        throw Error(
            "the fused FFN rebuild on CUDA needs the CUDA kernels, which this build has not");
#endif
    } else {
        ffnRebuildCpu(a);
    }
    return out;
}

FfnWeights quantizedFfn(const FfnWeights& fullPrecision, const LayerInvariance& state,
                        const QuantConfig& quant) {
#ifdef INVX_CUDA_KERNELS
    if (fullPrecision.w1.is_cuda() && kernelTakes(fullPrecision, quant) && fusedKernelsEnabled())
        return quantizedFfnByKernel(fullPrecision, state, quant);
#endif
    // On the CPU the tensor operations stay: they divide by qmax where the twin multiplies by its
    // inverse (ATen's CUDA arithmetic), and CPU results are kept as they were.
    return quantizedFfnByTensors(fullPrecision, state, quant);
}

}  // namespace invx
