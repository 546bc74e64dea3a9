// invx logits' work: token ids from a text file through the model into a safetensors file.
#include "invx/model-outputs.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <sstream>

#include "invx/error.h"
#include "invx/model-locator.h"
#include "invx/text-file.h"
#include "io/safetensors-file.h"
#include "model/opt-model.h"

namespace invx {
namespace {

// One sequence per non-empty line, ids separated by white space; all lines of equal length.
at::Tensor readIdRows(const std::string& path) {
    std::istringstream in(readWholeFile(path, "token id file"));
    std::vector<std::vector<std::int64_t>> rows;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::vector<std::int64_t> row;
        std::string field;
        while (fields >> field) {
            try {
                std::size_t used = 0;
                row.push_back(std::stoll(field, &used));
                if (used != field.size()) throw std::invalid_argument(field);
            } catch (const std::exception&) {
                throw Error("token id file '" + path + "', line " +
                            std::to_string(rows.size() + 1) + ": '" + field +
                            "' is not an integer");
            }
        }
        if (row.empty()) continue;
        if (!rows.empty() && row.size() != rows[0].size())
            throw Error("token id file '" + path +
                        "': every line must hold the same number of ids");
        rows.push_back(std::move(row));
    }
    if (rows.empty()) throw Error("token id file '" + path + "' holds no ids");
    at::Tensor ids =
        at::empty({std::int64_t(rows.size()), std::int64_t(rows[0].size())}, at::kLong);
    for (std::size_t r = 0; r < rows.size(); ++r)
        std::copy(rows[r].begin(), rows[r].end(), ids[std::int64_t(r)].data_ptr<std::int64_t>());
    return ids;
}

}  // namespace

ModelOutputsResult writeModelOutputs(const ModelOutputsRequest& request) {
    ModelOutputsResult result;
    result.modelDirectory = resolveModelDirectory(request.modelPath);
    const at::Tensor ids = readIdRows(request.idsPath);
    const ModelPlacement placement = parsePlacement(request.device, request.dtype);
    OptModel model = OptModel::load(result.modelDirectory, placement, &result.warnings);

    c10::InferenceMode inference;
    std::vector<at::Tensor> hidden;
    const at::Tensor logits = model.forward(ids, request.layers, &hidden);
    std::vector<std::pair<std::string, at::Tensor>> tensors = {{"logits", logits.to(at::kFloat)}};
    for (std::size_t i = 0; i < request.layers.size(); ++i)
        tensors.emplace_back("hidden." + std::to_string(request.layers[i]),
                             hidden[i].to(at::kFloat));
    writeSafetensors(request.outputPath, tensors,
                     {{"model", result.modelDirectory}, {"dtype", dtypeText(placement.dtype)}});
    result.batch = logits.size(0), result.sequence = logits.size(1),
    result.vocabulary = logits.size(2);
    return result;
}

}  // namespace invx
