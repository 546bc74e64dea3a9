// The experiment file's checkpoints: the invariance state of every layer, the random generator and
// the acceptance statistics, one row per checkpoint across the /checkpoints tables. The step column
// is written last: it commits the row.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "invx/experiment-file.h"
#include "records/experiment/experiment-file-impl.h"

namespace invx {
namespace {

std::string shortNumber(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

}  // namespace

namespace experiment {

const std::vector<std::string>& checkpointTables() {
    static const std::vector<std::string> tables{
        "/checkpoints/permutation",     "/checkpoints/scales",
        "/checkpoints/angles",          "/checkpoints/rng_state",
        "/checkpoints/recent_accepted", "/checkpoints/recent_count",
        "/checkpoints/accepted_steps",  "/checkpoints/best_loss",
        "/checkpoints/elapsed_s",       "/checkpoints/step"};
    return tables;
}

void createCheckpointTables(const hdf5::File& f, const ModelIdentity& model) {
    const hsize_t L = hsize_t(model.layers), F = hsize_t(model.ffn);
    const std::int64_t unwritten = kUnwrittenStep;
    f.createGroup("/checkpoints");
    f.createTable("/checkpoints/permutation", H5T_NATIVE_INT32, {L, F}, 1, true);
    f.createTable("/checkpoints/scales", H5T_NATIVE_FLOAT, {L, F}, 1, true);
    f.createTable("/checkpoints/angles", H5T_NATIVE_FLOAT, {L, F / 2}, 1, true);
    f.createTable("/checkpoints/rng_state", H5T_NATIVE_UINT64, {4}, 64);
    f.createTable("/checkpoints/recent_accepted", H5T_NATIVE_UINT8,
                  {hsize_t(StepRecord::kRecentWindow)}, 64);
    f.createTable("/checkpoints/recent_count", H5T_NATIVE_INT32, {}, 64);
    f.createTable("/checkpoints/accepted_steps", H5T_NATIVE_INT64, {}, 64);
    f.createTable("/checkpoints/best_loss", H5T_NATIVE_DOUBLE, {}, 64);
    f.createTable("/checkpoints/elapsed_s", H5T_NATIVE_DOUBLE, {}, 64);
    f.createTable("/checkpoints/step", H5T_NATIVE_INT64, {}, 64, false,
                  &unwritten);  // written last: it commits
}

}  // namespace experiment

void ExperimentFile::appendCheckpoint(const SearchCheckpoint& c) {
    const auto lock = hdf5::lock();
    const hdf5::File& f = d_->file;
    const std::int64_t L = d_->layers(), F = d_->ffn();
    if (std::int64_t(c.layers.size()) != L) d_->fail("a checkpoint must hold every layer");
    std::vector<std::int32_t> perm;  // FFN widths fit; half the size of int64 in every checkpoint
    std::vector<float> scales, angles;
    for (const auto& l : c.layers) {
        if (std::int64_t(l.permutation.size()) != F || std::int64_t(l.scales.size()) != F ||
            std::int64_t(l.angles.size()) != F / 2)
            d_->fail("a checkpoint layer does not match the FFN width " + std::to_string(F));
        perm.insert(perm.end(), l.permutation.begin(), l.permutation.end());
        scales.insert(scales.end(), l.scales.begin(), l.scales.end());
        angles.insert(angles.end(), l.angles.begin(), l.angles.end());
    }
    if (c.recentAccepted.size() > std::size_t(StepRecord::kRecentWindow))
        d_->fail("a checkpoint holds " + std::to_string(c.recentAccepted.size()) +
                 " recent steps, more than the window's " +
                 std::to_string(StepRecord::kRecentWindow));
    std::vector<std::uint8_t> recent(std::size_t(StepRecord::kRecentWindow), 0);
    std::copy(c.recentAccepted.begin(), c.recentAccepted.end(), recent.begin());
    const std::int32_t recentCount = std::int32_t(c.recentAccepted.size());
    const hsize_t layers = hsize_t(L), width = hsize_t(F);
    f.appendRows("/checkpoints/permutation", H5T_NATIVE_INT32, perm.data(), 1, {layers, width});
    f.appendRows("/checkpoints/scales", H5T_NATIVE_FLOAT, scales.data(), 1, {layers, width});
    f.appendRows("/checkpoints/angles", H5T_NATIVE_FLOAT, angles.data(), 1, {layers, width / 2});
    f.appendRows("/checkpoints/rng_state", H5T_NATIVE_UINT64, c.rng.data(), 1,
                 {hsize_t(c.rng.size())});
    f.appendRows("/checkpoints/recent_accepted", H5T_NATIVE_UINT8, recent.data(), 1,
                 {hsize_t(recent.size())});
    f.appendRows("/checkpoints/recent_count", H5T_NATIVE_INT32, &recentCount, 1);
    f.appendRows("/checkpoints/accepted_steps", H5T_NATIVE_INT64, &c.acceptedSteps, 1);
    f.appendRows("/checkpoints/best_loss", H5T_NATIVE_DOUBLE, &c.bestLoss, 1);
    f.appendRows("/checkpoints/elapsed_s", H5T_NATIVE_DOUBLE, &c.elapsedSeconds, 1);
    // The step commits the row: it reaches the disk only after the rest of the row did.
    if (d_->schema >= 2) f.flush();
    f.appendRows("/checkpoints/step", H5T_NATIVE_INT64, &c.step, 1);
}

std::vector<std::int64_t> ExperimentFile::checkpointSteps() const {
    const auto lock = hdf5::lock();
    const std::int64_t n = checkpointCount();
    if (n == 0) return {};
    std::vector<std::int64_t> steps =
        d_->file.readArray<std::int64_t>("/checkpoints/step", H5T_NATIVE_INT64);
    steps.resize(std::size_t(n));
    return steps;
}

std::int64_t ExperimentFile::Impl::committedCheckpoints() const {
    // The step column is appended last, so a row is complete when its step is there.
    std::int64_t n = std::int64_t(writtenRows("/checkpoints/step", false));
    for (const std::string& table : experiment::checkpointTables())
        n = std::min(n, std::int64_t(file.rows(table)));
    return n;
}

std::int64_t ExperimentFile::checkpointCount() const {
    const auto lock = hdf5::lock();
    const std::int64_t committed = d_->committedCheckpoints();
    if (committed == d_->checkedCheckpoints) return d_->goodCheckpoints;
    // A model no OPT could have is the file's fault, not its tail's: refused, not read around.
    // OPT-175B has 96 x 49,152 FFN neurons; more than 2^28 would be a damaged /model, not a model.
    const std::int64_t L = d_->layers(), F = d_->ffn();
    if (L * F > (std::int64_t(1) << 28))
        d_->fail("/model says " + std::to_string(L) + " layers of FFN width " + std::to_string(F) +
                 ", more than any OPT model");
    std::int64_t good = committed;
    std::string firstReason;
    while (good > 0) {
        try {
            d_->readCheckpoint(good - 1);
            break;
        } catch (const Error& e) {
            if (firstReason.empty()) {  // the last checkpoint's reason, without the file's name
                firstReason = e.what();
                const std::string prefix = "experiment file '" + d_->path + "': ";
                if (firstReason.rfind(prefix, 0) == 0) firstReason.erase(0, prefix.size());
            }
            --good;
        }
    }
    d_->checkedCheckpoints = committed;
    d_->goodCheckpoints = good;
    d_->damageNote.clear();
    if (good < committed) {
        const std::int64_t damaged = committed - good;
        d_->damageNote =
            "experiment file '" + d_->path + "': " +
            (damaged == 1 ? std::string("its last checkpoint is damaged")
                          : "its last " + std::to_string(damaged) + " checkpoints are damaged") +
            " (" + firstReason + "); " +
            (good == 0 ? std::string("it is read as if it held no checkpoint yet")
                       : "it is read as if it ended at checkpoint " + std::to_string(good - 1) +
                             ", and --resume continues from there");
    }
    return good;
}

std::string ExperimentFile::damageNote() const {
    const auto lock = hdf5::lock();
    checkpointCount();
    return d_->damageNote;
}

SearchCheckpoint ExperimentFile::checkpoint(std::int64_t index) const {
    const auto lock = hdf5::lock();
    const std::int64_t count = checkpointCount();
    if (index < 0) index += count;
    // One of the damaged tail, asked for by its index, is refused with its reason.
    if (index >= count && index < d_->committedCheckpoints()) return d_->readCheckpoint(index);
    if (index < 0 || index >= count)
        d_->fail(count == 0 ? std::string("it holds no checkpoint yet")
                            : "checkpoint " + std::to_string(index) + " does not exist (it holds " +
                                  std::to_string(count) + ")");
    return d_->readCheckpoint(index);
}

SearchCheckpoint ExperimentFile::Impl::readCheckpoint(std::int64_t index) const {
    const hdf5::File& f = file;
    const std::int64_t L = layers(), F = ffn();
    const hsize_t i = hsize_t(index);  // checkpointCount() has checked the model's size
    std::vector<std::int32_t> perm(static_cast<std::size_t>(L * F));
    std::vector<float> scales(static_cast<std::size_t>(L * F)),
        angles(static_cast<std::size_t>(L * F / 2));
    std::vector<std::uint8_t> recent(static_cast<std::size_t>(StepRecord::kRecentWindow));
    std::int32_t recentCount = 0;
    SearchCheckpoint c;
    const hsize_t layers = hsize_t(L), width = hsize_t(F);
    f.readRows("/checkpoints/permutation", H5T_NATIVE_INT32, perm.data(), i, 1, {layers, width});
    f.readRows("/checkpoints/scales", H5T_NATIVE_FLOAT, scales.data(), i, 1, {layers, width});
    f.readRows("/checkpoints/angles", H5T_NATIVE_FLOAT, angles.data(), i, 1, {layers, width / 2});
    f.readRows("/checkpoints/rng_state", H5T_NATIVE_UINT64, c.rng.data(), i, 1,
               {hsize_t(c.rng.size())});
    f.readRows("/checkpoints/recent_accepted", H5T_NATIVE_UINT8, recent.data(), i, 1,
               {hsize_t(recent.size())});
    f.readRows("/checkpoints/recent_count", H5T_NATIVE_INT32, &recentCount, i, 1);
    f.readRows("/checkpoints/accepted_steps", H5T_NATIVE_INT64, &c.acceptedSteps, i, 1);
    f.readRows("/checkpoints/best_loss", H5T_NATIVE_DOUBLE, &c.bestLoss, i, 1);
    f.readRows("/checkpoints/elapsed_s", H5T_NATIVE_DOUBLE, &c.elapsedSeconds, i, 1);
    f.readRows("/checkpoints/step", H5T_NATIVE_INT64, &c.step, i, 1);
    // A resumed search trusts this state: refuse one the search could not have written.
    auto refuse = [&](const std::string& what) {
        fail("checkpoint " + std::to_string(index) + " (step " + std::to_string(c.step) + ") " +
             what);
    };
    if (recentCount < 0 || recentCount > StepRecord::kRecentWindow)
        refuse("counts " + std::to_string(recentCount) +
               " recent steps, but the window holds 0 to " +
               std::to_string(StepRecord::kRecentWindow));
    c.recentAccepted.assign(recent.begin(), recent.begin() + recentCount);
    for (std::uint8_t a : c.recentAccepted)
        if (a > 1)
            refuse("marks a recent step as accepted with " + std::to_string(a) + ", not 0 or 1");
    if (c.step < 0) refuse("is at a negative step");
    if (c.acceptedSteps < 0 || c.acceptedSteps > c.step)
        refuse("counts " + std::to_string(c.acceptedSteps) + " accepted steps of " +
               std::to_string(c.step));
    if (!std::isfinite(c.bestLoss)) refuse("has a loss that is not finite");
    if (!std::isfinite(c.elapsedSeconds) || c.elapsedSeconds < 0)
        refuse("has a search time that is not a duration");
    if (index > 0) {
        std::int64_t previous = 0;
        f.readRows("/checkpoints/step", H5T_NATIVE_INT64, &previous, i - 1, 1);
        if (previous >= c.step)
            refuse("comes after checkpoint " + std::to_string(index - 1) + " at step " +
                   std::to_string(previous) + ": checkpoints must be in the order of their steps");
    }
    if (std::all_of(c.rng.begin(), c.rng.end(), [](std::uint64_t w) { return w == 0; }))
        refuse("has an all-zero random generator state, which xoshiro256 never reaches");
    std::vector<std::uint8_t> seen(static_cast<std::size_t>(F));
    for (std::int64_t l = 0; l < L; ++l) {
        LayerInvariance s;
        s.permutation.assign(perm.begin() + l * F, perm.begin() + (l + 1) * F);
        s.scales.assign(scales.begin() + l * F, scales.begin() + (l + 1) * F);
        s.angles.assign(angles.begin() + l * F / 2, angles.begin() + (l + 1) * F / 2);
        std::fill(seen.begin(), seen.end(), 0);
        for (std::int64_t p : s.permutation) {
            if (p < 0 || p >= F || seen[std::size_t(p)])
                refuse("layer " + std::to_string(l) +
                       ": its permutation is not a permutation of 0.." + std::to_string(F - 1));
            seen[std::size_t(p)] = 1;
        }
        for (float x : s.scales)
            if (!(x >= kMinimumScale * 0.999f && x <= kMaximumScale) || !std::isfinite(x))
                refuse("layer " + std::to_string(l) + ": a scale is " + shortNumber(x) +
                       "; scales lie between 0.001 and 10000 (the range the search keeps them in)");
        for (float a : s.angles)
            if (!std::isfinite(a))
                refuse("layer " + std::to_string(l) + ": an angle is not finite");
        c.layers.push_back(std::move(s));
    }
    return c;
}

std::vector<std::vector<std::int64_t>> ExperimentFile::permutationHistory(int layer) const {
    const auto lock = hdf5::lock();
    const hdf5::File& f = d_->file;
    const std::int64_t L = d_->layers(), F = d_->ffn();
    if (layer < 0 || layer >= L)
        d_->fail("it has layers 0 to " + std::to_string(L - 1) + ", not " + std::to_string(layer));
    const std::vector<hsize_t> dims = f.shape("/checkpoints/permutation");
    if (dims.size() != 3 || dims[1] != hsize_t(L) || dims[2] != hsize_t(F))
        d_->fail("/checkpoints/permutation does not have the shape [checkpoints, " +
                 std::to_string(L) + ", " + std::to_string(F) +
                 "] its model's layers and FFN width ask for");
    std::vector<std::vector<std::int64_t>> history;
    if (dims[0] == 0) return history;
    std::vector<std::int32_t> values(std::size_t(dims[0]) * std::size_t(F));
    f.readBlock("/checkpoints/permutation", H5T_NATIVE_INT32, values.data(), {0, hsize_t(layer), 0},
                {dims[0], 1, hsize_t(F)});
    for (hsize_t c = 0; c < dims[0]; ++c)
        history.emplace_back(values.begin() + std::ptrdiff_t(c * hsize_t(F)),
                             values.begin() + std::ptrdiff_t((c + 1) * hsize_t(F)));
    return history;
}

}  // namespace invx
