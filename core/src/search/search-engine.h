#pragma once
// The InvarExplore hill climb (SPEC section 2): proposal, rebuild, quantization and acceptance, one
// step at a time. It owns the quantized working model; scheduling, files and clocks belong to the
// caller (search-run.cpp).
#include <ATen/core/Tensor.h>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "invx/random-generator.h"
#include "invx/search-records.h"
#include "invx/search-settings.h"
#include "model/opt-model.h"
#include "search/ffn-transform.h"
#include "search/search-proposal.h"

namespace invx {

class SearchEngine {
  public:
    // What the base method needs: awq, gptq and omniquant calibrate on `calibration` [samples,
    // length]; awq reuses `awq`, gptq `gptq`, omniquant `omniquant` (one record per block) when
    // given instead of running again.
    struct BaseInputs {
        at::Tensor calibration;
        std::vector<AwqLayerRecord> awq;
        std::vector<GptqLayerRecord> gptq;
        std::vector<OmniquantLayerRecord> omniquant;
        std::function<void(const std::string&)> progress;  // the base method's progress, if any
        // OmniQuant's training, when it runs: resumed after the blocks it finished before and
        // where it stopped (quant/omniquant-quantizer.h); each block it finishes is handed to
        // omniquantBlockFinished; stopRequested() stops it with OmniquantStopped.
        std::vector<OmniquantLayerRecord> omniquantFinished;
        std::optional<OmniquantTrainingRecord> omniquantInProgress;
        std::function<void(int, const OmniquantLayerRecord&)> omniquantBlockFinished;
        std::function<bool()> stopRequested;
    };

    // `model` is the full-precision model; `calibration` the token ids [samples, length]. Computes
    // the full-precision targets, quantizes the model with the base method and measures CE0, MSE0.
    SearchEngine(OptModel model, const SearchSettings& settings, const at::Tensor& calibration,
                 const BaseInputs& base = {});

    // One step: propose, rebuild and quantize the layer's FFN, evaluate, accept or revert.
    // `elapsedSeconds` of the record is left for the caller.
    StepRecord step();

    // Continues from a checkpoint of a run with the same settings, model and calibration.
    void restore(const SearchCheckpoint& checkpoint);
    SearchCheckpoint checkpoint() const;  // elapsedSeconds left for the caller
    LayerSnapshot snapshot(int layer) const;
    // The snapshot `layer` would have in `state`, built as a step (and restore) builds it; nothing
    // is installed.
    LayerSnapshot snapshotOf(int layer, const LayerInvariance& state) const;

    const BaseResult& base() const { return base_; }
    // What the base method found; each empty unless the base is awq, gptq or omniquant.
    const std::vector<AwqLayerRecord>& awqRecords() const { return awq_; }
    const std::vector<GptqLayerRecord>& gptqRecords() const { return gptq_; }
    const std::vector<OmniquantLayerRecord>& omniquantRecords() const { return omniquant_; }
    const OptModel& model() const { return model_; }  // the accepted quantized model
    const std::vector<LayerInvariance>& state() const { return state_; }
    std::int64_t stepsDone() const { return step_; }
    std::int64_t acceptedSteps() const { return accepted_; }
    double bestLoss() const { return best_; }

    // The calibration CE and MSE of the model as it stands, by a whole forward (for tests).
    std::pair<double, double> measureCurrent() const;
    // The quantized FFN weights of `layer` for `state`, as the search builds them.
    // The outputs of the matched layers of `model` on the calibration batch, into targets_; returns
    // the last layer's output.
    at::Tensor computeTargets(const OptModel& model);
    FfnWeights buildQuantizedFfn(int layer, const LayerInvariance& state) const;

  private:
    struct Losses {
        double ce = 0;
        std::vector<double> mse;  // per matched layer, in matched order
    };
    void installFfn(int layer, const FfnWeights& weights);
    void requireLayer(int layer) const;
    LayerSnapshot snapshotWith(int layer, const LayerInvariance& state,
                               const FfnWeights& quantized) const;
    bool rerunsGptq() const;  // base gptq with gptq_candidates gptq
    void
    startFromGptqWeights();  // gptq_candidates rtn: GPTQ's FFN weights become the starting ones
    FfnWeights currentFfn(int layer) const;
    // Whole forward against `targets`; when `cacheAttention`, refreshes the attention-half cache.
    Losses forwardAll(bool cacheAttention, std::vector<at::Tensor>* attention,
                      const std::vector<at::Tensor>& targets) const;
    // The reference mode's per-step recomputation of the full-precision matched-layer outputs.
    std::vector<at::Tensor> fullPrecisionTargets() const;
    // From the FFN of `layer` on, with the cached attention halves before it.
    Losses forwardFrom(int layer, std::vector<at::Tensor>& newAttention) const;
    double combinedMse(const std::vector<double>& mse) const;
    double lossOf(const Losses& l) const;
    at::Tensor mseTerm(const at::Tensor& hidden, const at::Tensor& target) const;

    SearchSettings settings_;
    OptModel model_;
    std::unique_ptr<OptModel> fullPrecision_;  // reference mode only
    at::Tensor calibration_;
    std::vector<int> matched_;         // matched layer indices
    std::vector<int> matchedSlot_;     // layer -> position in matched_, or -1
    std::vector<at::Tensor> targets_;  // full-precision outputs of the matched layers
    // The FFN weights candidates are built from: after AWQ's or OmniQuant's folds and clips;
    // GPTQ's weights with gptq_candidates rtn.
    std::vector<FfnWeights> fullPrecisionFfn_;
    std::vector<std::pair<at::Tensor, at::Tensor>> gptqHessians_;  // base gptq: fc1, fc2 inputs
    std::vector<AwqLayerRecord> awq_;
    std::vector<GptqLayerRecord> gptq_;            // the base run's weights (reused or computed)
    std::vector<OmniquantLayerRecord> omniquant_;  // what OmniQuant learned (reused or computed)
    std::vector<at::Tensor> attention_;  // fast mode: accepted attention-half outputs per layer
    std::vector<double> mse_;            // accepted per-matched-layer MSE
    BaseResult base_;

    std::vector<LayerInvariance> state_;
    RandomGenerator rng_;
    std::int64_t step_ = 0, accepted_ = 0;
    double best_ = 0;
    std::deque<std::uint8_t> recent_;
};

}  // namespace invx
