// The experiment-file reader on generated HDF5 files: a valid experiment of the input's sizes and
// values (any permutation, scale or generator state), then damaged the ways an edit, another
// program or a half-written file could: an attribute of another value or type, a dataset missing
// or of another shape or type. Every reader then runs over it. (Random bytes would mostly test
// libhdf5's own parser, which is not ours to fix; this tests what we assume of the structure.)
#include <fuzzer/FuzzedDataProvider.h>
#include <hdf5.h>

#include "fuzz-support.h"
#include "invx/error.h"
#include "invx/experiment-file.h"

namespace {

const char* const kDatasets[] = {"/steps",
                                 "/evaluations",
                                 "/calibration/input_ids",
                                 "/calibration/base_input_ids",
                                 "/checkpoints/permutation",
                                 "/checkpoints/scales",
                                 "/checkpoints/angles",
                                 "/checkpoints/rng_state",
                                 "/checkpoints/recent_accepted",
                                 "/checkpoints/recent_count",
                                 "/checkpoints/accepted_steps",
                                 "/checkpoints/best_loss",
                                 "/checkpoints/elapsed_s",
                                 "/checkpoints/step",
                                 "/base/matched_layers",
                                 "/snapshots/fc1/original",
                                 "/snapshots/fc2/group_error",
                                 "/snapshots/permutation",
                                 "/snapshots/step",
                                 "/snapshots/layer",
                                 "/snapshots/layers",
                                 "/run_log",
                                 "/base/gptq/layer_0/fc1/codes",
                                 "/base/gptq/layer_0/fc1/group_index",
                                 "/base/awq/layer_0/fc2_scales"};
const char* const kIntAttributes[][2] = {{"/model", "layers"},
                                         {"/model", "ffn"},
                                         {"/model", "hidden"},
                                         {"/", "schema_version"},
                                         {"/snapshots/fc1", "group_size"},
                                         {"/snapshots/fc2", "group_size"}};
const char* const kStringAttributes[][2] = {
    {"/settings", "json"}, {"/", "format"}, {"/base", "method"}};

invx::LayerInvariance state(FuzzedDataProvider& in, std::int64_t ffn) {
    invx::LayerInvariance s = invx::LayerInvariance::identity(ffn);
    if (in.ConsumeBool())
        for (auto& p : s.permutation) p = in.ConsumeIntegralInRange<std::int64_t>(-2, ffn + 1);
    if (in.ConsumeBool())
        for (auto& x : s.scales) x = in.ConsumeFloatingPoint<float>();
    return s;
}

void writeValidFile(FuzzedDataProvider& in, const std::string& path) {
    const int layers = in.ConsumeIntegralInRange(1, 3);
    const std::int64_t ffn = 2 * in.ConsumeIntegralInRange(1, 8),
                       hidden = 4 * in.ConsumeIntegralInRange(1, 4);
    invx::ModelIdentity model;
    model.path = "/models/fuzz";
    model.layers = layers;
    model.hidden = hidden;
    model.ffn = ffn;
    invx::CalibrationBatch calibration;
    calibration.samples = in.ConsumeIntegralInRange(1, 3);
    calibration.length = in.ConsumeIntegralInRange(1, 8);
    calibration.ids.assign(std::size_t(calibration.samples * calibration.length), 5);
    if (in.ConsumeBool()) {
        calibration.baseSamples = 2;
        calibration.baseIds.assign(std::size_t(2 * calibration.length), 7);
    }
    invx::SearchSettings settings;
    settings.quant.groupSize = 2;  // divides every row below, as the snapshots' groups
    invx::ExperimentFile f = invx::ExperimentFile::create(path, settings, model, calibration);
    if (in.ConsumeBool()) {
        f.writeBase(invx::BaseResult{});
        invx::GptqLayerRecord g;
        for (auto& l : g.linears) {
            l.rows = 1, l.cols = 2, l.groups = 1;
            l.codes = {0, 1}, l.scale = {1}, l.zero = {0}, l.groupIndex = {0, 0};
        }
        f.writeGptq({g});
        invx::AwqLayerRecord a;
        a.fc2Scales.assign(std::size_t(ffn), 1.0f);
        f.writeAwq({a});
    }
    if (in.ConsumeBool()) f.recordSnapshotLayers({in.ConsumeIntegral<int>()});
    f.publish();
    for (int i = in.ConsumeIntegralInRange(0, 3); i > 0; --i) {
        invx::StepRecord r;
        r.step = in.ConsumeIntegral<std::int64_t>();
        r.layer = in.ConsumeIntegral<int>();
        r.loss = in.ConsumeFloatingPoint<double>();
        f.appendSteps({r});
    }
    if (in.ConsumeBool()) f.appendEvaluation(invx::EvaluationRecord{});
    for (int c = in.ConsumeIntegralInRange(0, 2); c > 0; --c) {
        invx::SearchCheckpoint cp;
        cp.step = in.ConsumeIntegral<std::int64_t>();
        for (auto& w : cp.rng) w = in.ConsumeIntegral<std::uint64_t>();
        cp.recentAccepted.assign(std::size_t(in.ConsumeIntegralInRange(0, 100)), 1);
        for (int l = 0; l < layers; ++l) cp.layers.push_back(state(in, ffn));
        f.appendCheckpoint(cp);
    }
    if (in.ConsumeBool()) {
        invx::LayerSnapshot s;
        s.invariance = invx::LayerInvariance::identity(ffn);
        for (invx::WeightSnapshot* w : {&s.fc1, &s.fc2}) {
            w->rows = w == &s.fc1 ? ffn : hidden;
            w->cols = w == &s.fc1 ? hidden : ffn;
            w->groupSize = 2;
            const std::size_t n = std::size_t(w->rows * w->cols), g = n / 2;
            w->original.assign(n, 1.0f), w->transformed.assign(n, 1.0f),
                w->quantized.assign(n, 1.0f);
            w->groupMin.assign(g, 0.0f), w->groupMax.assign(g, 1.0f), w->groupError.assign(g, 0.0f);
        }
        f.appendSnapshot(s);
    }
}

void replaceDataset(hid_t file, const char* name, FuzzedDataProvider& in) {
    H5Ldelete(file, name, H5P_DEFAULT);
    const int rank = in.ConsumeIntegralInRange(0, 3);
    hsize_t dims[3];
    for (int i = 0; i < rank; ++i) dims[i] = in.ConsumeIntegralInRange<hsize_t>(0, 5);
    const hid_t types[] = {H5T_NATIVE_INT32, H5T_NATIVE_FLOAT, H5T_NATIVE_UINT8, H5T_NATIVE_INT64};
    const hid_t type = types[in.ConsumeIntegralInRange(0, 3)];
    const hid_t space = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, dims, nullptr);
    const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    const hid_t ds = H5Dcreate2(file, name, type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    if (ds >= 0) H5Dclose(ds);
    H5Pclose(lcpl);
    H5Sclose(space);
}

void damage(const std::string& path, FuzzedDataProvider& in) {
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    if (file < 0) return;
    for (int edits = in.ConsumeIntegralInRange(0, 3); edits > 0; --edits) {
        switch (in.ConsumeIntegralInRange(0, 3)) {
            case 0: {  // an integer attribute of another value
                const auto& [object, name] = kIntAttributes[in.ConsumeIntegralInRange<std::size_t>(
                    0, std::size(kIntAttributes) - 1)];
                if (H5Aexists_by_name(file, object, name, H5P_DEFAULT) > 0)
                    H5Adelete_by_name(file, object, name, H5P_DEFAULT);
                const std::int64_t v = in.ConsumeIntegral<std::int64_t>();
                const hid_t space = H5Screate(H5S_SCALAR);
                const hid_t a = H5Acreate_by_name(file, object, name, H5T_STD_I64LE, space,
                                                  H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
                if (a >= 0) H5Awrite(a, H5T_NATIVE_INT64, &v), H5Aclose(a);
                H5Sclose(space);
                break;
            }
            case 1: {  // a string attribute of another type or text
                const auto& [object, name] =
                    kStringAttributes[in.ConsumeIntegralInRange<std::size_t>(
                        0, std::size(kStringAttributes) - 1)];
                if (H5Aexists_by_name(file, object, name, H5P_DEFAULT) > 0)
                    H5Adelete_by_name(file, object, name, H5P_DEFAULT);
                const hid_t space = H5Screate(H5S_SCALAR);
                if (in.ConsumeBool()) {
                    const double v = in.ConsumeFloatingPoint<double>();
                    const hid_t a = H5Acreate_by_name(file, object, name, H5T_IEEE_F64LE, space,
                                                      H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
                    if (a >= 0) H5Awrite(a, H5T_NATIVE_DOUBLE, &v), H5Aclose(a);
                } else {
                    const std::string text = in.ConsumeRandomLengthString(64);
                    const hid_t type = H5Tcopy(H5T_C_S1);
                    H5Tset_size(type, text.size() + 1);
                    const hid_t a = H5Acreate_by_name(file, object, name, type, space, H5P_DEFAULT,
                                                      H5P_DEFAULT, H5P_DEFAULT);
                    if (a >= 0) H5Awrite(a, type, text.c_str()), H5Aclose(a);
                    H5Tclose(type);
                }
                H5Sclose(space);
                break;
            }
            case 2:  // a dataset missing
                H5Ldelete(
                    file,
                    kDatasets[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kDatasets) - 1)],
                    H5P_DEFAULT);
                break;
            default:  // a dataset of another shape or type
                replaceDataset(
                    file,
                    kDatasets[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kDatasets) - 1)],
                    in);
        }
    }
    H5Fclose(file);
}

template <typename F>
void refusedOrRead(F&& read) {
    try {
        read();
    } catch (const invx::Error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // HDF5's own diagnostics would flood the output
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const std::string path = (invx::fuzz::scratch() / "fuzz.h5").string();
    std::filesystem::remove(path);
    try {
        writeValidFile(in, path);
    } catch (const invx::Error&) {
        return 0;  // the writer refused the input's values: nothing to read
    }
    damage(path, in);
    refusedOrRead([&] {
        const invx::ExperimentFile f = invx::ExperimentFile::open(path, false);
        refusedOrRead([&] { (void)f.settings(); });
        refusedOrRead([&] { (void)f.model(); });
        refusedOrRead([&] { (void)f.calibration(); });
        refusedOrRead([&] { (void)f.status(); });
        refusedOrRead([&] { (void)f.base(); });
        refusedOrRead([&] { (void)f.awq(); });
        refusedOrRead([&] { (void)f.gptq(); });
        refusedOrRead([&] { (void)f.steps(); });
        refusedOrRead([&] { (void)f.evaluations(); });
        refusedOrRead([&] { (void)f.checkpointSteps(); });
        refusedOrRead([&] {
            for (std::int64_t c = 0; c < std::min<std::int64_t>(f.checkpointCount(), 4); ++c)
                (void)f.checkpoint(c);
        });
        refusedOrRead([&] { (void)f.permutationHistory(0); });
        refusedOrRead([&] {
            for (std::int64_t s = 0; s < std::min<std::int64_t>(f.snapshotCount(), 2); ++s)
                (void)f.snapshot(s);
        });
        refusedOrRead([&] { (void)f.hasSnapshot(0, 0); });
        refusedOrRead([&] { (void)f.snapshotLayers(); });
    });
    return 0;
}
