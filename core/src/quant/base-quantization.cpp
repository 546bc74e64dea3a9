#include "quant/base-quantization.h"

#include <cstdio>

#include "invx/error.h"
#include "quant/rtn-quantizer.h"

namespace invx {

std::string omniquantProgressText(int block, int blocks, int epoch, int epochs, double loss) {
    char text[160];
    std::snprintf(text, sizeof text, "OmniQuant: block %d of %d, epoch %d of %d, loss %.6g",
                  block + 1, blocks, epoch, epochs, loss);
    return text;
}

void requireBaseMethod(const std::string& method) {
    if (method != "rtn" && method != "awq" && method != "gptq" && method != "omniquant")
        throw Error("quantization method must be rtn, awq, gptq or omniquant, but is '" + method +
                    "'");
}

void quantizeWithMethod(OptModel& model, const std::string& method, const QuantConfig& quant,
                        const at::Tensor& calibration, const BaseMethodOptions& options,
                        std::vector<std::string>* warnings,
                        const std::function<void(const std::string&)>& progress) {
    requireBaseMethod(method);
    auto report = [&](const char* what) {
        return [&progress, what](int done, int total) {
            if (progress)
                progress(std::string(what) + ": block " + std::to_string(done) + " of " +
                         std::to_string(total));
        };
    };
    if (method != "rtn" && (!calibration.defined() || calibration.numel() == 0))
        throw Error(method + " needs calibration data; none was given");
    if (method == "awq") {
        const auto result = searchAwq(model, calibration, quant, options.awq, report("AWQ"));
        applyAwq(model, result, quant, options.awq.precision);
        model.roundToFloat16();  // the folded weights in float16, as the authors' models hold them
        quantizeRtn(model, finalQuantizerOfAwq(quant, options.awq.precision));
    } else if (method == "gptq") {
        quantizeGptq(model, calibration, quant, options.gptq, GptqExtras{warnings, report("GPTQ")});
    } else if (method == "omniquant") {
        OmniquantTrainingHooks hooks;
        hooks.progress = [&progress](int block, int blocks, int epoch, int epochs, double loss) {
            if (progress) progress(omniquantProgressText(block, blocks, epoch, epochs, loss));
        };
        const auto result = trainOmniquant(model, calibration, quant, options.omniquant, hooks);
        model.roundToFloat16();  // what trainOmniquant trained on
        applyOmniquant(model, result, quant);
        quantizeRtn(model, quant);
    } else {
        quantizeRtn(model, quant);
    }
}

}  // namespace invx
