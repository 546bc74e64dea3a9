#include "quant/base-quantization.h"

#include "invx/error.h"
#include "quant/rtn-quantizer.h"

namespace invx {

void requireBaseMethod(const std::string& method) {
    if (method != "rtn" && method != "awq" && method != "gptq")
        throw Error("quantization method must be rtn, awq or gptq, but is '" + method + "'");
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
    } else {
        quantizeRtn(model, quant);
    }
}

}  // namespace invx
