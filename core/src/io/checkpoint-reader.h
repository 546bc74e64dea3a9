#pragma once
// The tensors of a Hugging Face checkpoint directory, whatever its format: model.safetensors,
// sharded safetensors (model.safetensors.index.json), pytorch_model.bin or sharded .bin
// (pytorch_model.bin.index.json). Tensors are read one at a time, on demand.
#include <ATen/core/Tensor.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace invx {

class SafetensorsFile;

class CheckpointReader {
  public:
    explicit CheckpointReader(const std::string& directory);  // throws naming what is missing
    ~CheckpointReader();

    std::vector<std::string> names() const;  // as stored in the files
    bool contains(const std::string& name) const;
    // CPU tensor in its stored dtype; throws naming the file when the name is absent.
    at::Tensor load(const std::string& name);
    std::string fileOf(const std::string& name) const;     // the file that holds it
    const std::string& format() const { return format_; }  // "model.safetensors", ...

  private:
    at::Tensor loadFromBin(const std::string& file, const std::string& name);

    std::string directory_;
    std::string format_;
    std::map<std::string, std::string> fileByName_;  // tensor -> file name in the directory
    std::map<std::string, std::unique_ptr<SafetensorsFile>> safetensors_;
    std::string loadedBin_;  // the .bin shard held in memory
    std::map<std::string, at::Tensor> binTensors_;
};

// All tensors of a PyTorch zip archive written by torch.save (a dict of name -> tensor).
std::map<std::string, at::Tensor> readTorchPickle(const std::string& path);

// A plain pickle (pickle.dump, not torch.save) of a dict of name -> list of tensors or of lists
// of integers (as int64 tensors): the published InvarExplore code's ckpt.pkl. No code named in the
// file runs; tensors come from torch.storage._load_from_bytes, read by the same restricted rules.
std::map<std::string, std::vector<at::Tensor>> readPickledTensorLists(const std::string& path);

}  // namespace invx
