#pragma once
// Looks inside a searched model: for any checkpoint and decoder layer of an experiment, the FFN
// weights (fc1, fc2) in their original, transformed and quantized forms with per-group statistics,
// as the search built them; and how far the transformation moved each layer's output. The model is
// loaded and quantized with the base method once, at construction; each answer then rebuilds one
// layer (or, for the invariance check, runs one forward). No torch in this header: the workbench's
// worker thread drives it. Not thread-safe: one thread at a time.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "invx/search-records.h"
#include "invx/search-settings.h"

namespace invx {

class ExperimentInspector {
  public:
    // Loads the experiment's model (`modelPath` "" = as recorded) on `device`/`dtype` ("" = as
    // recorded; a run made on CUDA loads on the CPU in float32 where no GPU is visible). Throws
    // invx::Error naming the file when it cannot be read, has no checkpoint, or was made for
    // another model.
    explicit ExperimentInspector(const std::string& experimentPath,
                                 const std::string& modelPath = "", const std::string& device = "",
                                 const std::string& dtype = "",
                                 const std::function<void(const std::string&)>& progress = {});
    ~ExperimentInspector();
    ExperimentInspector(const ExperimentInspector&) = delete;
    ExperimentInspector& operator=(const ExperimentInspector&) = delete;

    const SearchSettings& settings() const;
    // Where the model was loaded: "cpu" or "cuda:0", and "float32", "float16" or "bfloat16".
    std::string device() const;
    std::string dtype() const;
    int layers() const;
    // Checkpoints as they are in the file now (a running search adds more); index -1 = the last.
    std::int64_t checkpointCount() const;
    std::int64_t checkpointStep(std::int64_t checkpoint) const;

    // fc1 and fc2 of `layer` at `checkpoint`: original (float16 precision, as the search starts),
    // transformed (stored precision), quantized (what the model uses), and per row and group the
    // transformed weights' minimum and maximum and the mean squared quantization error; the
    // layer's invariance state. Throws naming the file for a checkpoint or layer out of range.
    LayerSnapshot inspectLayer(std::int64_t checkpoint, int layer);
    // The same before the search: the identity state, step 0.
    LayerSnapshot inspectStart(int layer);

    // q_proj, k_proj, v_proj and out_proj of `layer`, which the search does not change: original
    // = transformed = the weights the base method quantized (AWQ's scaled and clipped ones over
    // AWQ, else the float16 original), quantized = what the model uses; with group statistics.
    std::vector<WeightSnapshot> inspectAttention(int layer);

    // For `layer`, per FFN position: at how many of the checkpoints 0..`checkpoint` (-1: the last)
    // its neuron differed from the one it held at the previous checkpoint (the identity before the
    // first). Swaps undone between two checkpoints do not show: checkpoints are what the file
    // keeps.
    std::vector<std::int64_t> positionChanges(int layer, std::int64_t checkpoint);

    // Per decoder layer, on the calibration batch: the largest absolute difference between the
    // block outputs of the original model and of the same model with every FFN transformed as at
    // `checkpoint` (in float32, unquantized). Permutation and scaling leave the function unchanged
    // (zero up to float rounding); rotation does not commute with ReLU, so R gives small values.
    std::vector<double> invarianceCheck(std::int64_t checkpoint);

  private:
    void keepAttentionInputs();
    struct Impl;
    std::unique_ptr<Impl> d_;
};

}  // namespace invx
