#include "io/checkpoint-reader.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "invx/error.h"
#include "io/safetensors-file.h"
#include "records/json-text.h"

namespace invx {
namespace {

namespace fs = std::filesystem;

// tensor -> shard file, from a Hugging Face *.index.json.
std::map<std::string, std::string> readShardIndex(const fs::path& index) {
    const nlohmann::json json = readJsonFile(index.string(), "checkpoint index");
    if (!json.is_object() || !json.contains("weight_map") || !json["weight_map"].is_object())
        throw Error("checkpoint index '" + index.string() + "' has no \"weight_map\" object");
    std::map<std::string, std::string> map;
    for (const auto& [name, file] : json["weight_map"].items()) {
        if (!file.is_string())
            throw Error("checkpoint index '" + index.string() + "': the shard of '" + name +
                        "' is not a file name");
        const std::string f = file.get<std::string>();
        if (f.find('/') != std::string::npos || !fs::exists(index.parent_path() / f)) {
            throw Error("checkpoint index '" + index.string() + "' puts '" + name + "' in '" + f +
                        "', which is not in the directory; the download is incomplete");
        }
        map[name] = f;
    }
    return map;
}

}  // namespace

CheckpointReader::CheckpointReader(const std::string& directory) : directory_(directory) {
    const fs::path dir(directory);
    auto openSafetensors = [&](const std::string& file) {
        if (!safetensors_.count(file))
            safetensors_[file] = std::make_unique<SafetensorsFile>((dir / file).string());
        return safetensors_[file].get();
    };
    if (fs::exists(dir / "model.safetensors")) {
        format_ = "model.safetensors";
        for (const auto& t : openSafetensors(format_)->header().tensors)
            fileByName_[t.name] = format_;
    } else if (fs::exists(dir / "model.safetensors.index.json")) {
        format_ = "model.safetensors.index.json";
        fileByName_ = readShardIndex(dir / format_);
        for (const auto& [name, file] : fileByName_) {
            if (!openSafetensors(file)->header().find(name)) {
                throw Error("checkpoint index '" + (dir / format_).string() + "' puts '" + name +
                            "' in '" + file + "', but that file does not hold it");
            }
        }
    } else if (fs::exists(dir / "pytorch_model.bin")) {
        format_ = "pytorch_model.bin";
        loadedBin_ = format_;
        binTensors_ = readTorchPickle((dir / format_).string());
        for (const auto& [name, t] : binTensors_) fileByName_[name] = format_;
    } else if (fs::exists(dir / "pytorch_model.bin.index.json")) {
        format_ = "pytorch_model.bin.index.json";
        fileByName_ = readShardIndex(dir / format_);
    } else {
        throw Error("model directory '" + directory +
                    "' has no weights: expected model.safetensors, model.safetensors.index.json, "
                    "pytorch_model.bin or pytorch_model.bin.index.json");
    }
}

CheckpointReader::~CheckpointReader() = default;

std::vector<std::string> CheckpointReader::names() const {
    std::vector<std::string> out;
    for (const auto& [name, file] : fileByName_) out.push_back(name);
    return out;
}

bool CheckpointReader::contains(const std::string& name) const {
    return fileByName_.count(name) > 0;
}

std::string CheckpointReader::fileOf(const std::string& name) const {
    auto it = fileByName_.find(name);
    return it == fileByName_.end() ? std::string() : (fs::path(directory_) / it->second).string();
}

at::Tensor CheckpointReader::load(const std::string& name) {
    auto it = fileByName_.find(name);
    if (it == fileByName_.end())
        throw Error("checkpoint '" + (fs::path(directory_) / format_).string() +
                    "' has no tensor '" + name + "'");
    auto st = safetensors_.find(it->second);
    if (st != safetensors_.end()) return st->second->load(name);
    return loadFromBin(it->second, name);
}

at::Tensor CheckpointReader::loadFromBin(const std::string& file, const std::string& name) {
    if (loadedBin_ != file) {
        binTensors_.clear();  // hold one shard at a time
        binTensors_ = readTorchPickle((fs::path(directory_) / file).string());
        loadedBin_ = file;
    }
    auto it = binTensors_.find(name);
    if (it == binTensors_.end())
        throw Error("checkpoint shard '" + (fs::path(directory_) / file).string() +
                    "' does not hold '" + name + "', though the index says it does");
    return it->second;
}

}  // namespace invx
