// The experiment file's weight snapshots: one layer's fc1 and fc2 before and after the search
// (original, transformed, quantized, and per-group statistics) with the layer's invariance state.
// Schema 2 keeps them as rows of /snapshots tables, committed by their step; schema 1 kept a group
// per snapshot, which is still read and written for such files.
#include <cstdio>

#include "invx/experiment-file.h"
#include "records/experiment/experiment-file-impl.h"

namespace invx {
namespace experiment {

const char* const kSnapshotWeights[6] = {"original",  "transformed", "quantized",
                                         "group_min", "group_max",   "group_error"};

const std::vector<std::string>& snapshotTables() {
    static const std::vector<std::string> tables = [] {
        std::vector<std::string> t;
        for (const char* g : {"/snapshots/fc1/", "/snapshots/fc2/"})
            for (const char* part : kSnapshotWeights) t.push_back(std::string(g) + part);
        for (const char* name : {"/snapshots/layer", "/snapshots/permutation", "/snapshots/scales",
                                 "/snapshots/angles", "/snapshots/step"})
            t.push_back(name);
        return t;
    }();
    return tables;
}

void createSnapshotTables(const hdf5::File& f, const SearchSettings& settings,
                          const ModelIdentity& model) {
    const hsize_t F = hsize_t(model.ffn), H = hsize_t(model.hidden);
    const std::int64_t unwritten = kUnwrittenStep;
    // Snapshots of one layer's fc1 [ffn, hidden] and fc2 [hidden, ffn], one row each.
    f.createGroup("/snapshots");
    f.createTable("/snapshots/layer", H5T_NATIVE_INT32, {}, 64);
    for (const char* name : {"fc1", "fc2"}) {
        const bool fc1 = name[2] == '1';
        const hsize_t rows = fc1 ? F : H, cols = fc1 ? H : F;
        // As makeWeightSnapshot groups them; a size that does not divide the row (only a model too
        // small for the settings, which the search refuses) makes one group per row.
        hsize_t group = hsize_t(settings.quant.groupWidth(std::int64_t(cols)));
        if (cols % group) group = cols;
        const std::string g = std::string("/snapshots/") + name;
        f.createGroup(g);
        f.setInt(g, "group_size", std::int64_t(group));
        for (const char* weight : {"original", "transformed", "quantized"})
            f.createTable(g + "/" + weight, H5T_NATIVE_FLOAT, {rows, cols}, 1, true);
        for (const char* stat : {"group_min", "group_max", "group_error"})
            f.createTable(g + "/" + stat, H5T_NATIVE_FLOAT,
                          {rows, cols / std::max<hsize_t>(group, 1)}, 1, true);
    }
    f.createTable("/snapshots/permutation", H5T_NATIVE_INT64, {F}, 1, true);
    f.createTable("/snapshots/scales", H5T_NATIVE_FLOAT, {F}, 1, true);
    f.createTable("/snapshots/angles", H5T_NATIVE_FLOAT, {F / 2}, 1, true);
    f.createTable("/snapshots/step", H5T_NATIVE_INT64, {}, 64, false,
                  &unwritten);  // written last: it commits
}

}  // namespace experiment

namespace {

std::string snapshotName(std::int64_t index) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "/snapshots/%06lld", (long long)index);
    return buf;
}

std::vector<float>& snapshotPart(WeightSnapshot& w, int i) {
    std::vector<float>* parts[] = {&w.original, &w.transformed, &w.quantized,
                                   &w.groupMin, &w.groupMax,    &w.groupError};
    return *parts[i];
}

}  // namespace

using experiment::kSnapshotWeights;

void ExperimentFile::recordSnapshotLayers(const std::vector<int>& layers) {
    const auto lock = hdf5::lock();
    d_->requireNotLive("record the snapshot layers");
    std::vector<std::int32_t> values(layers.begin(), layers.end());
    d_->file.writeArray("/snapshots/layers", H5T_NATIVE_INT32, {hsize_t(values.size())},
                        values.data());
}

std::vector<int> ExperimentFile::snapshotLayers() const {
    const auto lock = hdf5::lock();
    if (!d_->file.exists("/snapshots/layers")) return {};
    const auto values = d_->file.readArray<std::int32_t>("/snapshots/layers", H5T_NATIVE_INT32);
    return std::vector<int>(values.begin(), values.end());
}

void ExperimentFile::appendSnapshot(const LayerSnapshot& s) {
    const auto lock = hdf5::lock();
    if (d_->schema < 2) return appendSnapshotGroup(s);
    const hdf5::File& f = d_->file;
    const std::int64_t F = d_->ffn();
    const auto& inv = s.invariance;
    if (std::int64_t(inv.permutation.size()) != F || std::int64_t(inv.scales.size()) != F ||
        std::int64_t(inv.angles.size()) != F / 2 || s.fc1.rows != F || s.fc2.cols != F)
        d_->fail("a snapshot does not match the FFN width " + std::to_string(F));
    for (const WeightSnapshot* w : {&s.fc1, &s.fc2}) {
        const std::string g = std::string("/snapshots/") + (w == &s.fc1 ? "fc1" : "fc2");
        const std::int64_t group = f.getInt(g, "group_size");
        if (w->groupSize != group)
            d_->fail("a snapshot's " + g + " has groups of " + std::to_string(w->groupSize) +
                     ", not " + std::to_string(group));
        const std::vector<hsize_t> weights{hsize_t(w->rows), hsize_t(w->cols)},
            groups{hsize_t(w->rows), hsize_t(w->cols / group)};
        auto& parts = const_cast<WeightSnapshot&>(*w);
        for (int i = 0; i < 6; ++i) {
            const std::vector<float>& v = snapshotPart(parts, i);
            const std::vector<hsize_t>& shape = i < 3 ? weights : groups;
            if (v.size() != std::size_t(shape[0] * shape[1]))
                d_->fail("a snapshot's " + g + "/" + kSnapshotWeights[i] + " has the wrong size");
            f.appendRows(g + "/" + kSnapshotWeights[i], H5T_NATIVE_FLOAT, v.data(), 1, shape);
        }
    }
    const std::int32_t layer = s.layer;
    f.appendRows("/snapshots/layer", H5T_NATIVE_INT32, &layer, 1);
    f.appendRows("/snapshots/permutation", H5T_NATIVE_INT64, inv.permutation.data(), 1,
                 {hsize_t(F)});
    f.appendRows("/snapshots/scales", H5T_NATIVE_FLOAT, inv.scales.data(), 1, {hsize_t(F)});
    f.appendRows("/snapshots/angles", H5T_NATIVE_FLOAT, inv.angles.data(), 1, {hsize_t(F / 2)});
    // The step commits the row: it reaches the disk only after the rest of the row did.
    f.flush();
    f.appendRows("/snapshots/step", H5T_NATIVE_INT64, &s.step, 1);
}

std::int64_t ExperimentFile::snapshotCount() const {
    const auto lock = hdf5::lock();
    if (d_->schema < 2) return snapshotGroupCount();
    std::int64_t n = std::int64_t(d_->writtenRows("/snapshots/step", false));
    for (const std::string& table : experiment::snapshotTables())
        n = std::min(n, std::int64_t(d_->file.rows(table)));
    return n;
}

LayerSnapshot ExperimentFile::snapshot(std::int64_t index) const {
    const auto lock = hdf5::lock();
    if (d_->schema < 2) return snapshotGroup(index);
    const hdf5::File& f = d_->file;
    if (index < 0 || index >= snapshotCount())
        d_->fail("snapshot " + std::to_string(index) + " does not exist");
    const std::int64_t F = d_->ffn(), H = f.getInt("/model", "hidden");
    if (H < 1 || H > (1 << 20) || F * H > (std::int64_t(1) << 32))
        d_->fail("/model@hidden is " + std::to_string(H) + ", not a hidden size of an OPT model");
    const hsize_t i = hsize_t(index);
    LayerSnapshot s;
    std::int32_t layer = 0;
    f.readRows("/snapshots/step", H5T_NATIVE_INT64, &s.step, i, 1);
    f.readRows("/snapshots/layer", H5T_NATIVE_INT32, &layer, i, 1);
    s.layer = layer;
    for (WeightSnapshot* w : {&s.fc1, &s.fc2}) {
        const bool fc1 = w == &s.fc1;
        w->name = fc1 ? "fc1" : "fc2";
        const std::string g = "/snapshots/" + w->name;
        w->rows = fc1 ? F : H;
        w->cols = fc1 ? H : F;
        w->groupSize = f.getInt(g, "group_size");
        if (w->groupSize < 1 || w->cols % w->groupSize)
            d_->fail(g + "@group_size is " + std::to_string(w->groupSize) +
                     ", which does not divide its " + std::to_string(w->cols) + " columns");
        const std::vector<hsize_t> weights{hsize_t(w->rows), hsize_t(w->cols)},
            groups{hsize_t(w->rows), hsize_t(w->cols / w->groupSize)};
        for (int k = 0; k < 6; ++k) {
            const std::vector<hsize_t>& shape = k < 3 ? weights : groups;
            std::vector<float>& v = snapshotPart(*w, k);
            v.resize(std::size_t(shape[0] * shape[1]));
            f.readRows(g + "/" + kSnapshotWeights[k], H5T_NATIVE_FLOAT, v.data(), i, 1, shape);
        }
    }
    s.invariance.permutation.resize(std::size_t(F));
    s.invariance.scales.resize(std::size_t(F));
    s.invariance.angles.resize(std::size_t(F / 2));
    f.readRows("/snapshots/permutation", H5T_NATIVE_INT64, s.invariance.permutation.data(), i, 1,
               {hsize_t(F)});
    f.readRows("/snapshots/scales", H5T_NATIVE_FLOAT, s.invariance.scales.data(), i, 1,
               {hsize_t(F)});
    f.readRows("/snapshots/angles", H5T_NATIVE_FLOAT, s.invariance.angles.data(), i, 1,
               {hsize_t(F / 2)});
    return s;
}

bool ExperimentFile::hasSnapshot(std::int64_t step, int layer) const {
    const auto lock = hdf5::lock();
    const std::int64_t n = snapshotCount();
    if (d_->schema < 2) {
        for (std::int64_t i = 0; i < n; ++i) {
            const LayerSnapshot s = snapshotGroup(i);
            if (s.step == step && s.layer == layer) return true;
        }
        return false;
    }
    if (n == 0) return false;
    std::vector<std::int64_t> steps(static_cast<std::size_t>(n));
    std::vector<std::int32_t> layers(static_cast<std::size_t>(n));
    d_->file.readRows("/snapshots/step", H5T_NATIVE_INT64, steps.data(), 0, hsize_t(n));
    d_->file.readRows("/snapshots/layer", H5T_NATIVE_INT32, layers.data(), 0, hsize_t(n));
    for (std::int64_t i = 0; i < n; ++i)
        if (steps[std::size_t(i)] == step && layers[std::size_t(i)] == layer) return true;
    return false;
}

// Schema 1: a group per snapshot.
void ExperimentFile::appendSnapshotGroup(const LayerSnapshot& s) {
    const hdf5::File& f = d_->file;
    const std::string g = snapshotName(snapshotGroupCount());
    f.createGroup(g);
    f.setInt(g, "step", s.step);
    f.setInt(g, "layer", s.layer);
    for (const WeightSnapshot* w : {&s.fc1, &s.fc2}) {
        const std::string wg = g + "/" + w->name;
        f.createGroup(wg);
        f.setInt(wg, "group_size", w->groupSize);
        const std::vector<hsize_t> dims{hsize_t(w->rows), hsize_t(w->cols)};
        const std::vector<hsize_t> groups{
            hsize_t(w->rows), hsize_t(w->cols / std::max<std::int64_t>(w->groupSize, 1))};
        auto& parts = const_cast<WeightSnapshot&>(*w);
        for (int i = 0; i < 6; ++i)
            f.writeArray(wg + "/" + kSnapshotWeights[i], H5T_NATIVE_FLOAT, i < 3 ? dims : groups,
                         snapshotPart(parts, i).data());
    }
    const auto& inv = s.invariance;
    f.writeArray(g + "/permutation", H5T_NATIVE_INT64, {hsize_t(inv.permutation.size())},
                 inv.permutation.data());
    f.writeArray(g + "/scales", H5T_NATIVE_FLOAT, {hsize_t(inv.scales.size())}, inv.scales.data());
    f.writeArray(g + "/angles", H5T_NATIVE_FLOAT, {hsize_t(inv.angles.size())}, inv.angles.data());
}

std::int64_t ExperimentFile::snapshotGroupCount() const {
    hdf5::Handle g = d_->file.group("/snapshots");
    H5G_info_t info;
    d_->file.checkStatus(H5Gget_info(g, &info), "count the snapshots");
    return std::int64_t(info.nlinks);
}

LayerSnapshot ExperimentFile::snapshotGroup(std::int64_t index) const {
    const hdf5::File& f = d_->file;
    if (index < 0 || index >= snapshotGroupCount())
        d_->fail("snapshot " + std::to_string(index) + " does not exist");
    const std::string g = snapshotName(index);
    LayerSnapshot s;
    s.step = f.getInt(g, "step");
    s.layer = int(f.getInt(g, "layer"));
    for (WeightSnapshot* w : {&s.fc1, &s.fc2}) {
        w->name = w == &s.fc1 ? "fc1" : "fc2";
        const std::string wg = g + "/" + w->name;
        w->groupSize = f.getInt(wg, "group_size");
        const auto dims = f.shape(wg + "/original");
        if (dims.size() != 2 || w->groupSize < 1 || dims[1] % hsize_t(w->groupSize))
            d_->fail(wg + " is not a [rows, cols] weight in groups of its group_size");
        w->rows = std::int64_t(dims[0]);
        w->cols = std::int64_t(dims[1]);
        const std::vector<hsize_t> weights = dims,
                                   groups = {dims[0], dims[1] / hsize_t(w->groupSize)};
        for (int k = 0; k < 6; ++k) {
            const std::string name = wg + "/" + kSnapshotWeights[k];
            const std::vector<hsize_t>& expected = k < 3 ? weights : groups;
            if (f.shape(name) != expected)
                d_->fail(name + " is not " + hdf5::File::shapeText(expected) +
                         " like the snapshot's weight");
            snapshotPart(*w, k) = f.readArray<float>(name, H5T_NATIVE_FLOAT);
        }
    }
    s.invariance.permutation = f.readArray<std::int64_t>(g + "/permutation", H5T_NATIVE_INT64);
    s.invariance.scales = f.readArray<float>(g + "/scales", H5T_NATIVE_FLOAT);
    s.invariance.angles = f.readArray<float>(g + "/angles", H5T_NATIVE_FLOAT);
    if (s.invariance.scales.size() != s.invariance.permutation.size() ||
        s.invariance.angles.size() != s.invariance.permutation.size() / 2 ||
        std::int64_t(s.invariance.permutation.size()) != s.fc1.rows)
        d_->fail(g + " holds an invariance state that does not match its fc1's " +
                 std::to_string(s.fc1.rows) + " neurons");
    return s;
}

}  // namespace invx
