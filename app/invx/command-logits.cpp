#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <iostream>
#include <sstream>

#include "commands.h"
#include "compute-options.h"
#include "invx/error.h"
#include "invx/model-locator.h"
#include "invx/text-file.h"
#include "safetensors-file.h"

namespace invx::cli {
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
                throw Error("token id file '" + path + "', line " + std::to_string(rows.size() + 1) +
                            ": '" + field + "' is not an integer");
            }
        }
        if (row.empty()) continue;
        if (!rows.empty() && row.size() != rows[0].size())
            throw Error("token id file '" + path + "': every line must hold the same number of ids");
        rows.push_back(std::move(row));
    }
    if (rows.empty()) throw Error("token id file '" + path + "' holds no ids");
    at::Tensor ids = at::empty({std::int64_t(rows.size()), std::int64_t(rows[0].size())}, at::kLong);
    for (std::size_t r = 0; r < rows.size(); ++r)
        std::copy(rows[r].begin(), rows[r].end(), ids[std::int64_t(r)].data_ptr<std::int64_t>());
    return ids;
}

std::vector<int> parseLayerList(const std::string& text) {
    std::vector<int> layers;
    std::stringstream s(text);
    std::string item;
    while (std::getline(s, item, ',')) {
        try {
            layers.push_back(std::stoi(item));
        } catch (const std::exception&) {
            throw Error("--layers expects comma-separated layer indices, but got '" + text + "'");
        }
    }
    return layers;
}

}  // namespace

const Command& logitsCommand() {
    static const Command c = [] {
        Command cmd{
            "logits",
            "--model PATH|ID --ids FILE --out FILE.safetensors [--layers L,L...]",
            "Run the model on token ids and write its logits (and chosen layers' outputs) as float32 safetensors.",
            {
                {"--model", "PATH|ID", "model directory, or a Hugging Face id found in the local cache", ""},
                {"--ids", "FILE", "token ids: one sequence per line, equal lengths", ""},
                {"--out", "FILE", "safetensors file to write: 'logits' [batch, seq, vocab], 'hidden.L' [batch, seq, hidden]", ""},
                {"--layers", "L,L...", "decoder layers whose outputs to write as well", ""},
            }};
        for (auto& o : computeOptions()) cmd.options.push_back(o);
        return cmd;
    }();
    return c;
}

int runLogits(const Arguments& args) {
    const std::string modelDir = resolveModelDirectory(args.require("--model"));
    const at::Tensor ids = readIdRows(args.require("--ids"));
    const std::string out = args.require("--out");
    const std::vector<int> layers = args.has("--layers") ? parseLayerList(args.get("--layers")) : std::vector<int>{};
    const ModelPlacement placement = applyComputeOptions(args);
    OptModel model = loadModel(modelDir, placement);

    c10::InferenceMode inference;
    std::vector<at::Tensor> hidden;
    at::Tensor logits = model.forward(ids, layers, &hidden);
    std::vector<std::pair<std::string, at::Tensor>> tensors = {{"logits", logits.to(at::kFloat)}};
    for (std::size_t i = 0; i < layers.size(); ++i)
        tensors.emplace_back("hidden." + std::to_string(layers[i]), hidden[i].to(at::kFloat));
    writeSafetensors(out, tensors, {{"model", modelDir}, {"dtype", dtypeText(placement.dtype)}});
    std::cerr << "invx: wrote " << out << " (logits " << logits.size(0) << "x" << logits.size(1)
              << "x" << logits.size(2) << ")\n";
    return 0;
}

}  // namespace invx::cli
