#pragma once
// A search's invariances to and from the published InvarExplore code's `ckpt.pkl` (orders, scales,
// rotations per layer), for `invx export-invariances` and `invx import-invariances`. No torch here.
#include <cstdint>
#include <string>

#include "invx/search-observer.h"

namespace invx {

struct InvarianceExport {
    std::string kinds;      // which invariances were written: a subset of "PSR"
    std::int64_t step = 0;  // the search step of the exported checkpoint
};

// Writes the checkpoint's invariances (index; -1 = the last) of an experiment as the published code
// saves them (float16, loadable with pickle.load). Refuses a pickle path that exists.
InvarianceExport exportInvariances(const std::string& experimentPath, std::int64_t checkpoint,
                                   const std::string& picklePath);

// Which invariances a ckpt.pkl holds, as "PSR" in that order. Throws naming the file when it holds
// none.
std::string publishedInvarianceKinds(const std::string& picklePath);
// The step of the published code's METADATA beside the pickle ("step: 812, loss: ..."), or 0.
std::int64_t publishedMetadataStep(const std::string& picklePath);

struct InvarianceImport {
    std::string kinds;
    double ce0 = 0,
           ce = 0;    // calibration cross-entropy of the base method and of the imported state
    double loss = 0;  // the search's loss of the imported state
};

// Appends the state of `picklePath` to an experiment file made by `invx quantize` (the base
// method's model, checkpoint 0) as its last checkpoint at `step`, with the loss the search gives
// it.
InvarianceImport importInvariances(const std::string& experimentPath, const std::string& picklePath,
                                   std::int64_t step, SearchObserver& observer);

}  // namespace invx
