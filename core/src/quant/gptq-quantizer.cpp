#include "quant/gptq-quantizer.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <cmath>

#ifdef INVX_CUDA_KERNELS
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

#include "invx/error.h"
#include "kernels/gptq-block-kernel.h"
#include "model/tensor-values.h"
#include "quant/rtn-quantizer.h"

namespace invx {
namespace {

// Per-row scale and zero of the columns in `slice` [out, cols] (SPEC's quantizer).
std::pair<at::Tensor, at::Tensor> rowParams(const at::Tensor& slice, double qmax) {
    const at::Tensor maxv = slice.amax({1}, true), minv = slice.amin({1}, true);
    const at::Tensor scale = (maxv - minv).clamp_min(1e-5) / qmax;
    const at::Tensor zero = (-at::round(minv / scale)).clamp(0.0, qmax);
    return {scale, zero};
}

at::Tensor quantizeColumn(const at::Tensor& w, const at::Tensor& scale, const at::Tensor& zero,
                          double qmax) {
    const at::Tensor q = (at::round(w / scale) + zero).clamp(0.0, qmax);
    return (q - zero) * scale;
}

// The upper Cholesky factor of H^-1 after dampening; raises the dampening tenfold (up to five
// times) while H is not positive definite.
at::Tensor inverseCholesky(at::Tensor H, double& dampening) {
    const at::Tensor meanDiag = H.diagonal().mean();
    for (int attempt = 0; attempt < 6; ++attempt, dampening *= 10) {
        at::Tensor damped = H + at::eye(H.size(0), H.options()) * (meanDiag * dampening);
        auto [L, info] = at::linalg_cholesky_ex(damped);
        if (info.item<std::int64_t>() != 0) continue;
        auto [U, info2] = at::linalg_cholesky_ex(at::cholesky_inverse(L), /*upper=*/true);
        if (info2.item<std::int64_t>() == 0) return U;
    }
    throw Error("GPTQ: the Hessian stays singular even with dampening " +
                std::to_string(dampening / 10) +
                "; the calibration inputs may be degenerate (all equal or NaN)");
}

bool useRowKernel(const at::Device& device, const GptqOptions& options) {
    if (options.columnLoop) return false;
    if (device.is_cpu()) return true;
#ifdef INVX_CUDA_KERNELS
    return device.is_cuda() && options.blockSize <= kGptqCudaMaxBlock;
#else
    return false;  // no kernel for this device: the column loop runs there
#endif
}

// The reference: one block as the authors' code runs it, a dozen tensor operations per column.
// Writes the block's dequantized weights into Q1 and returns the scaled errors.
at::Tensor runColumnLoop(at::Tensor W1, const at::Tensor& Q1, const at::Tensor& U, std::int64_t i1,
                         std::int64_t group, const std::vector<at::Tensor>& scales,
                         const std::vector<at::Tensor>& zeros, double qmax) {
    const std::int64_t count = W1.size(1);
    at::Tensor Err1 = at::zeros_like(W1);
    const at::Tensor U1 = U.narrow(0, i1, count).narrow(1, i1, count);
    for (std::int64_t i = 0; i < count; ++i) {
        const std::size_t g = std::size_t((i1 + i) / group);
        const at::Tensor w = W1.narrow(1, i, 1);
        const at::Tensor q = quantizeColumn(w, scales[g], zeros[g], qmax);
        Q1.narrow(1, i, 1).copy_(q);
        const at::Tensor err = (w - q) / U1[i][i];
        W1.narrow(1, i, count - i).sub_(err.matmul(U1.narrow(0, i, 1).narrow(1, i, count - i)));
        Err1.narrow(1, i, 1).copy_(err);
    }
    return Err1;
}

void launchRowKernel(const GptqBlockArgs& args, const at::Device& device) {
#ifdef INVX_CUDA_KERNELS
    if (device.is_cuda()) {
        const c10::cuda::CUDAGuard guard(device);
        gptqBlockCuda(args, c10::cuda::getCurrentCUDAStream(device.index()).stream());
        return;
    }
#endif
    gptqBlockCpu(args);
}

// The same block by the row kernels (gptq-block-kernel.h), bit for bit.
at::Tensor runRowKernel(const at::Tensor& W1, const at::Tensor& Q1, const at::Tensor& U,
                        std::int64_t i1, std::int64_t group, const std::vector<at::Tensor>& scales,
                        const std::vector<at::Tensor>& zeros, double qmax) {
    const std::int64_t count = W1.size(1);
    const auto first = std::ptrdiff_t(i1 / group), last = std::ptrdiff_t((i1 + count - 1) / group);
    const at::Tensor S =
        at::cat(std::vector<at::Tensor>(scales.begin() + first, scales.begin() + last + 1), 1)
            .contiguous();
    const at::Tensor Z =
        at::cat(std::vector<at::Tensor>(zeros.begin() + first, zeros.begin() + last + 1), 1)
            .contiguous();
    const at::Tensor weights = W1.contiguous(), quantized = at::empty_like(weights),
                     errors = at::empty_like(weights);
    GptqBlockArgs a;
    a.weights = weights.data_ptr<float>();
    a.quantized = quantized.data_ptr<float>();
    a.errors = errors.data_ptr<float>();
    a.inverseCholesky = U.data_ptr<float>() + i1 * U.stride(0) + i1;
    a.uStride = U.stride(0);
    a.scale = S.data_ptr<float>();
    a.zero = Z.data_ptr<float>();
    a.params = S.size(1);
    a.rows = weights.size(0);
    a.count = count;
    a.firstColumn = i1;
    a.group = group;
    a.qmax = float(qmax);
    launchRowKernel(a, weights.device());
    Q1.copy_(quantized);
    return errors;
}

}  // namespace

void accumulateHessian(at::Tensor& hessian, std::int64_t& tokens, const at::Tensor& x) {
    const at::Tensor flat = x.reshape({-1, x.size(-1)}).to(at::kFloat);
    const std::int64_t n = flat.size(0);
    if (!hessian.defined()) hessian = at::zeros({flat.size(1), flat.size(1)}, flat.options());
    // Running mean of 2 x x^T, as the authors' add_batch keeps it.
    hessian.mul_(double(tokens) / double(tokens + n));
    tokens += n;
    const at::Tensor scaled = flat * std::sqrt(2.0 / double(tokens));
    hessian.addmm_(scaled.t(), scaled);
}

GptqLayerResult gptqQuantizeWeight(const at::Tensor& weight, const at::Tensor& hessian,
                                   const QuantConfig& quant, const GptqOptions& options) {
    c10::InferenceMode guard;
    const std::int64_t cols = weight.size(1);
    quant.validate(cols);
    const double qmax = double(quant.qmax());
    const std::int64_t group = quant.groupWidth(cols);

    at::Tensor W = weight.to(at::kFloat).clone();
    at::Tensor H = hessian.to(W.device(), at::kFloat).clone();
    GptqLayerResult result;
    const at::Tensor dead = H.diagonal() == 0;
    result.deadColumns = dead.sum().item<std::int64_t>();
    if (result.deadColumns > 0) {
        H.diagonal().masked_fill_(dead, 1.0);
        W.masked_fill_(dead.unsqueeze(0), 0.0);
    }
    at::Tensor perm, invPerm;
    if (options.actOrder) {
        perm = at::argsort(H.diagonal(), /*dim=*/0, /*descending=*/true);
        invPerm = at::argsort(perm);
        W = W.index_select(1, perm);
        H = H.index_select(0, perm).index_select(1, perm);
    }
    result.dampening = options.dampening;
    const at::Tensor U =
        inverseCholesky(H, result.dampening).contiguous();  // the row kernels index it

    const at::Tensor Q = at::empty_like(W);
    const bool rowKernel = useRowKernel(W.device(), options);
    std::vector<at::Tensor> groupScales, groupZeros;  // one per group, in processing order
    for (std::int64_t i1 = 0; i1 < cols; i1 += options.blockSize) {
        const std::int64_t i2 = std::min(i1 + options.blockSize, cols), count = i2 - i1;
        // A group's parameters come from the weights as they stand when its block starts: the
        // authors' code takes them from W, which the block's own updates reach only at its end.
        for (std::int64_t col = (i1 + group - 1) / group * group; col < i2; col += group) {
            auto [s, z] = rowParams(W.narrow(1, col, std::min(group, cols - col)), qmax);
            groupScales.push_back(s);
            groupZeros.push_back(z);
        }
        const at::Tensor W1 = W.narrow(1, i1, count).clone(), Q1 = Q.narrow(1, i1, count);
        const at::Tensor Err1 =
            rowKernel ? runRowKernel(W1, Q1, U, i1, group, groupScales, groupZeros, qmax)
                      : runColumnLoop(W1, Q1, U, i1, group, groupScales, groupZeros, qmax);
        if (i2 < cols)
            W.narrow(1, i2, cols - i2)
                .sub_(Err1.matmul(U.narrow(0, i1, count).narrow(1, i2, cols - i2)));
    }
    if (options.keepCodes) {
        // Recovered from Q, which holds (code - zero) * scale exactly up to float rounding.
        const at::Tensor position =
            at::arange(cols, W.options().dtype(at::kLong)).div(group, "floor");
        const at::Tensor s = at::cat(groupScales, 1), z = at::cat(groupZeros, 1);
        const at::Tensor codes =
            (at::round(Q / s.index_select(1, position)) + z.index_select(1, position))
                .clamp(0.0, qmax);
        at::Tensor groupIndex = position;
        at::Tensor ordered = codes;
        if (options.actOrder) {
            ordered = codes.index_select(1, invPerm);
            groupIndex = position.index_select(0, invPerm);
        }
        result.codes = ordered.to(at::kCPU, at::kByte);
        result.scale = s.to(at::kCPU);
        result.zero = z.to(at::kCPU);
        result.groupIndex = groupIndex.to(at::kCPU, at::kInt);
    }
    result.weight = (options.actOrder ? Q.index_select(1, invPerm) : Q).to(weight.scalar_type());
    return result;
}

GptqLinearRecord gptqRecord(const GptqLayerResult& result) {
    GptqLinearRecord r;
    r.rows = result.codes.size(0);
    r.cols = result.codes.size(1);
    r.groups = result.scale.size(1);
    r.codes =
        std::vector<std::uint8_t>(result.codes.data_ptr<std::uint8_t>(),
                                  result.codes.data_ptr<std::uint8_t>() + result.codes.numel());
    r.scale = toFloatVector(result.scale);
    r.zero = toFloatVector(result.zero);
    r.groupIndex = std::vector<std::int32_t>(
        result.groupIndex.data_ptr<std::int32_t>(),
        result.groupIndex.data_ptr<std::int32_t>() + result.groupIndex.numel());
    return r;
}

at::Tensor gptqDequantize(const GptqLinearRecord& r, std::int64_t rows, std::int64_t cols,
                          const at::TensorOptions& options, const std::string& where) {
    const auto count = [](std::int64_t a, std::int64_t b) { return std::size_t(a * b); };
    if (r.rows != rows || r.cols != cols || r.groups < 1 || r.codes.size() != count(rows, cols) ||
        r.scale.size() != count(rows, r.groups) || r.zero.size() != count(rows, r.groups) ||
        r.groupIndex.size() != std::size_t(cols))
        throw Error("stored GPTQ weights of " + where + " are " + std::to_string(r.rows) + " x " +
                    std::to_string(r.cols) + " (or incomplete), but the model's are " +
                    std::to_string(rows) + " x " + std::to_string(cols));
    for (std::int32_t g : r.groupIndex)
        if (g < 0 || g >= r.groups)
            throw Error("stored GPTQ weights of " + where + " name a group outside 0.." +
                        std::to_string(r.groups - 1));
    const at::TensorOptions cpu = at::TensorOptions().device(at::kCPU);
    const at::Tensor codes =
        at::from_blob(const_cast<std::uint8_t*>(r.codes.data()), {rows, cols}, cpu.dtype(at::kByte))
            .to(at::kFloat);
    const at::Tensor index =
        at::from_blob(const_cast<std::int32_t*>(r.groupIndex.data()), {cols}, cpu.dtype(at::kInt))
            .to(at::kLong);
    const at::Tensor scale =
        at::from_blob(const_cast<float*>(r.scale.data()), {rows, r.groups}, cpu.dtype(at::kFloat));
    const at::Tensor zero =
        at::from_blob(const_cast<float*>(r.zero.data()), {rows, r.groups}, cpu.dtype(at::kFloat));
    // The same two float32 operations as GPTQ's own dequantization, so the weight is bit-identical.
    return ((codes - zero.index_select(1, index)) * scale.index_select(1, index)).to(options);
}

void quantizeGptq(OptModel& model, const at::Tensor& calibration, const QuantConfig& quant,
                  const GptqOptions& baseOptions, const GptqExtras& extras) {
    c10::InferenceMode guard;
    const int layers = int(model.layers().size());
    validateGroupSizes(model, quant);
    if (extras.reuse && extras.reuse->size() != std::size_t(layers))
        throw Error("stored GPTQ weights cover " + std::to_string(extras.reuse->size()) +
                    " blocks, but the model has " + std::to_string(layers));
    GptqOptions options = baseOptions;
    options.keepCodes = extras.records != nullptr;
    std::vector<at::Tensor> hidden =
        embedInChunks(model, calibration, options.chunkSamples);  // block inputs
    std::vector<std::string>* warnings = extras.warnings;

    for (int l = 0; l < layers; ++l) {
        OptLayer& layer = model.layers()[std::size_t(l)];
        at::Tensor hQkv, hOut, hFc1, hFc2;
        std::int64_t nQkv = 0, nOut = 0, nFc1 = 0, nFc2 = 0;
        for (const at::Tensor& h : hidden) {
            BlockLinearInputs in;
            model.forwardLayer(std::size_t(l), h, &in);
            accumulateHessian(hQkv, nQkv, in.qkv);
            accumulateHessian(hOut, nOut, in.out);
            accumulateHessian(hFc1, nFc1, in.fc1);
            accumulateHessian(hFc2, nFc2, in.fc2);
        }
        const std::pair<LinearWeights*, const at::Tensor*> jobs[] = {
            {&layer.q, &hQkv},   {&layer.k, &hQkv},   {&layer.v, &hQkv},
            {&layer.out, &hOut}, {&layer.fc1, &hFc1}, {&layer.fc2, &hFc2}};
        GptqLayerRecord record;
        for (int j = 0; j < 6; ++j) {
            LinearWeights& linear = *jobs[j].first;
            const std::string where = "layer " + std::to_string(l) + " " +
                                      (j < 4 ? "self_attn." : "") + kGptqLinearNames[j];
            if (extras.reuse) {
                linear.weight = gptqDequantize((*extras.reuse)[std::size_t(l)].linears[j],
                                               linear.weight.size(0), linear.weight.size(1),
                                               linear.weight.options(), where);
                continue;
            }
            const std::int64_t inputs = linear.weight.size(1), tokens = j < 3    ? nQkv
                                                                        : j == 3 ? nOut
                                                                        : j == 4 ? nFc1
                                                                                 : nFc2;
            if (warnings && tokens < inputs && j != 1 && j != 2)
                warnings->push_back("GPTQ: " + where + " has " + std::to_string(inputs) +
                                    " inputs but only " + std::to_string(tokens) +
                                    " calibration tokens, so its Hessian is rank-deficient; "
                                    "dampening keeps it invertible, but more calibration tokens "
                                    "give a better result");
            GptqLayerResult r = gptqQuantizeWeight(linear.weight, *jobs[j].second, quant, options);
            if (!at::isfinite(r.weight).all().item<bool>())
                throw Error("GPTQ produced non-finite weights in " + where +
                            "; check the calibration data and the model");
            if (warnings && r.dampening > options.dampening)
                warnings->push_back("GPTQ: the Hessian of " + where +
                                    " was not positive definite; dampening raised from " +
                                    std::to_string(options.dampening) + " to " +
                                    std::to_string(r.dampening));
            if (extras.records) record.linears[j] = gptqRecord(r);
            linear.weight = r.weight;
        }
        if (extras.records) extras.records->push_back(std::move(record));
        if (extras.ffnHessians) extras.ffnHessians->emplace_back(hFc1, hFc2);
        for (at::Tensor& h : hidden)
            h = model.forwardLayer(std::size_t(l), h);  // quantized outputs feed the next block
        if (extras.progress) extras.progress(l + 1, layers);
    }
}

}  // namespace invx
