// What the base method hands the search, as the experiment file keeps it: the starting losses and
// matched layers (/base), AWQ's scales and clips (/base/awq), GPTQ's integer weights (/base/gptq),
// OmniQuant's scales, clip factors and losses (/base/omniquant).
// Written once, before the file is published.
#include "invx/experiment-file.h"
#include "records/experiment/experiment-file-impl.h"

namespace invx {

void ExperimentFile::writeBase(const BaseResult& base) {
    const auto lock = hdf5::lock();
    const hdf5::File& f = d_->file;
    d_->requireNotLive("record the base method's results");
    // OmniQuant's blocks may be in /base already, recorded as its training went.
    if (f.exists("/base") && f.hasAttribute("/base", "method"))
        d_->fail("the base method's results are already recorded");
    if (!f.exists("/base")) f.createGroup("/base");
    f.setString("/base", "method", base.method);
    f.setDouble("/base", "ce0", base.ce0);
    f.setDouble("/base", "mse0", base.mse0);
    f.setDouble("/base", "full_precision_ce", base.fullPrecisionCe);
    if (!base.reusedFrom.empty()) f.setString("/base", "reused_from", base.reusedFrom);
    std::vector<std::int32_t> matched(base.matchedLayers.begin(), base.matchedLayers.end());
    f.writeArray("/base/matched_layers", H5T_NATIVE_INT32, {hsize_t(matched.size())},
                 matched.data());
}

std::optional<BaseResult> ExperimentFile::base() const {
    const auto lock = hdf5::lock();
    const hdf5::File& f = d_->file;
    if (!f.exists("/base") || !f.hasAttribute("/base", "method")) return std::nullopt;
    BaseResult b;
    b.method = f.getString("/base", "method");
    b.ce0 = f.getDouble("/base", "ce0");
    b.mse0 = f.getDouble("/base", "mse0");
    b.fullPrecisionCe = f.getDouble("/base", "full_precision_ce");
    if (f.hasAttribute("/base", "reused_from")) b.reusedFrom = f.getString("/base", "reused_from");
    for (auto v : f.readArray<std::int32_t>("/base/matched_layers", H5T_NATIVE_INT32))
        b.matchedLayers.push_back(v);
    return b;
}

namespace {
constexpr const char* kAwqParts[] = {"qkv_scales", "out_scales", "fc1_scales", "fc2_scales",
                                     "v_clip",     "out_clip",   "fc1_clip",   "fc2_clip"};
std::vector<float>* awqPart(AwqLayerRecord& r, int i) {
    std::vector<float>* parts[] = {&r.qkvScales, &r.outScales, &r.fc1Scales, &r.fc2Scales,
                                   &r.vClip,     &r.outClip,   &r.fc1Clip,   &r.fc2Clip};
    return parts[i];
}
}  // namespace

void ExperimentFile::writeAwq(const std::vector<AwqLayerRecord>& layers) {
    const auto lock = hdf5::lock();
    const hdf5::File& f = d_->file;
    d_->requireNotLive("record AWQ's results");
    if (f.exists("/base/awq")) d_->fail("AWQ's results are already recorded");
    f.createGroup("/base/awq");
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const std::string g = "/base/awq/layer_" + std::to_string(l);
        f.createGroup(g);
        AwqLayerRecord r = layers[l];
        for (int i = 0; i < 8; ++i) {
            const std::vector<float>& v = *awqPart(r, i);
            if (!v.empty())
                f.writeArray(g + "/" + kAwqParts[i], H5T_NATIVE_FLOAT, {hsize_t(v.size())},
                             v.data());
        }
    }
}

std::vector<AwqLayerRecord> ExperimentFile::awq() const {
    const auto lock = hdf5::lock();
    const hdf5::File& f = d_->file;
    std::vector<AwqLayerRecord> out;
    if (!f.exists("/base/awq")) return out;
    for (std::size_t l = 0;; ++l) {
        const std::string g = "/base/awq/layer_" + std::to_string(l);
        if (!f.exists(g)) break;
        AwqLayerRecord r;
        for (int i = 0; i < 8; ++i)
            if (f.exists(g + "/" + kAwqParts[i]))
                *awqPart(r, i) = f.readArray<float>(g + "/" + kAwqParts[i], H5T_NATIVE_FLOAT);
        out.push_back(std::move(r));
    }
    return out;
}

void ExperimentFile::writeGptq(const std::vector<GptqLayerRecord>& layers) {
    const auto lock = hdf5::lock();
    const hdf5::File& f = d_->file;
    d_->requireNotLive("record GPTQ's results");
    if (f.exists("/base/gptq")) d_->fail("GPTQ's weights are already recorded");
    f.createGroup("/base/gptq");
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const std::string g = "/base/gptq/layer_" + std::to_string(l);
        f.createGroup(g);
        for (int j = 0; j < 6; ++j) {
            const GptqLinearRecord& r = layers[l].linears[j];
            const std::string lg = g + "/" + kGptqLinearNames[j];
            f.createGroup(lg);
            const hsize_t rows = hsize_t(r.rows), cols = hsize_t(r.cols),
                          groups = hsize_t(r.groups);
            f.writeArray(lg + "/codes", H5T_NATIVE_UINT8, {rows, cols}, r.codes.data());
            f.writeArray(lg + "/scale", H5T_NATIVE_FLOAT, {rows, groups}, r.scale.data());
            f.writeArray(lg + "/zero", H5T_NATIVE_FLOAT, {rows, groups}, r.zero.data());
            f.writeArray(lg + "/group_index", H5T_NATIVE_INT32, {cols}, r.groupIndex.data());
        }
    }
}

std::vector<GptqLayerRecord> ExperimentFile::gptq() const {
    const auto lock = hdf5::lock();
    const hdf5::File& f = d_->file;
    std::vector<GptqLayerRecord> out;
    if (!f.exists("/base/gptq")) return out;
    for (std::size_t l = 0;; ++l) {
        const std::string g = "/base/gptq/layer_" + std::to_string(l);
        if (!f.exists(g)) break;
        GptqLayerRecord record;
        for (int j = 0; j < 6; ++j) {
            GptqLinearRecord& r = record.linears[j];
            const std::string lg = g + "/" + kGptqLinearNames[j];
            const std::vector<hsize_t> codes = f.shape(lg + "/codes");
            const std::vector<hsize_t> scale = f.shape(lg + "/scale");
            if (codes.size() != 2 || scale.size() != 2)
                d_->fail(lg + " is not a GPTQ record (codes and scale must be 2-D)");
            r.rows = std::int64_t(codes[0]);
            r.cols = std::int64_t(codes[1]);
            r.groups = std::int64_t(scale[1]);
            r.codes = f.readArray<std::uint8_t>(lg + "/codes", H5T_NATIVE_UINT8);
            r.scale = f.readArray<float>(lg + "/scale", H5T_NATIVE_FLOAT);
            r.zero = f.readArray<float>(lg + "/zero", H5T_NATIVE_FLOAT);
            r.groupIndex = f.readArray<std::int32_t>(lg + "/group_index", H5T_NATIVE_INT32);
        }
        out.push_back(std::move(record));
    }
    return out;
}

namespace {

constexpr const char* kOmniquantScales[] = {"qkv_scales", "out_scales", "fc1_scales", "qk_scales"};
constexpr const char* kOmniquantTraining = "/base/omniquant/training";

template <typename Record>
auto omniquantScales(Record& r, int i) {
    decltype(&r.qkvScales) parts[] = {&r.qkvScales, &r.outScales, &r.fc1Scales, &r.qkScales};
    return parts[i];
}

void writeOmniquantGroup(const hdf5::File& f, const std::string& g, const OmniquantLayerRecord& r) {
    f.createGroup(g);
    auto write = [&](const std::string& name, const std::vector<float>& v) {
        if (!v.empty())
            f.writeArray(g + "/" + name, H5T_NATIVE_FLOAT, {hsize_t(v.size())}, v.data());
    };
    for (int i = 0; i < 4; ++i) write(kOmniquantScales[i], *omniquantScales(r, i));
    for (int i = 0; i < 6; ++i) {
        write(std::string(kGptqLinearNames[i]) + "_upper", r.upperClip[i]);
        write(std::string(kGptqLinearNames[i]) + "_lower", r.lowerClip[i]);
    }
    if (!r.epochLoss.empty())
        f.writeArray(g + "/epoch_loss", H5T_NATIVE_DOUBLE, {hsize_t(r.epochLoss.size())},
                     r.epochLoss.data());
}

OmniquantLayerRecord readOmniquantGroup(const hdf5::File& f, const std::string& g) {
    OmniquantLayerRecord r;
    auto read = [&](const std::string& name, std::vector<float>& v) {
        if (f.exists(g + "/" + name)) v = f.readArray<float>(g + "/" + name, H5T_NATIVE_FLOAT);
    };
    for (int i = 0; i < 4; ++i) read(kOmniquantScales[i], *omniquantScales(r, i));
    for (int i = 0; i < 6; ++i) {
        read(std::string(kGptqLinearNames[i]) + "_upper", r.upperClip[i]);
        read(std::string(kGptqLinearNames[i]) + "_lower", r.lowerClip[i]);
    }
    if (f.exists(g + "/epoch_loss"))
        r.epochLoss = f.readArray<double>(g + "/epoch_loss", H5T_NATIVE_DOUBLE);
    return r;
}

std::string omniquantLayerGroup(std::size_t l) {
    return "/base/omniquant/layer_" + std::to_string(l);
}

std::size_t omniquantLayerCount(const hdf5::File& f) {
    if (!f.exists("/base/omniquant")) return 0;
    std::size_t n = 0;
    while (f.exists(omniquantLayerGroup(n))) ++n;
    return n;
}

void requireOmniquantGroup(const hdf5::File& f) {
    if (!f.exists("/base")) f.createGroup("/base");
    if (!f.exists("/base/omniquant")) f.createGroup("/base/omniquant");
}

void removeOmniquantTraining(const hdf5::File& f) {
    if (f.exists(kOmniquantTraining))
        f.checkStatus(H5Ldelete(f.id(), kOmniquantTraining, H5P_DEFAULT),
                      std::string("remove ") + kOmniquantTraining);
}

}  // namespace

void ExperimentFile::writeOmniquant(const std::vector<OmniquantLayerRecord>& layers) {
    const auto lock = hdf5::lock();
    const hdf5::File& f = d_->file;
    d_->requireNotLive("record OmniQuant's results");
    requireOmniquantGroup(f);
    const std::size_t recorded = omniquantLayerCount(f);
    if (recorded > layers.size()) d_->fail("OmniQuant's results are already recorded");
    for (std::size_t l = recorded; l < layers.size(); ++l)
        writeOmniquantGroup(f, omniquantLayerGroup(l), layers[l]);
    removeOmniquantTraining(f);
}

void ExperimentFile::appendOmniquantLayer(const OmniquantLayerRecord& layer) {
    const auto lock = hdf5::lock();
    const hdf5::File& f = d_->file;
    d_->requireNotLive("record OmniQuant's results");
    requireOmniquantGroup(f);
    writeOmniquantGroup(f, omniquantLayerGroup(omniquantLayerCount(f)), layer);
    removeOmniquantTraining(f);  // where an earlier stop left this block: done with now
}

std::vector<OmniquantLayerRecord> ExperimentFile::omniquant() const {
    const auto lock = hdf5::lock();
    const hdf5::File& f = d_->file;
    std::vector<OmniquantLayerRecord> out;
    const std::size_t n = omniquantLayerCount(f);
    for (std::size_t l = 0; l < n; ++l)
        out.push_back(readOmniquantGroup(f, omniquantLayerGroup(l)));
    return out;
}

void ExperimentFile::writeOmniquantTraining(const OmniquantTrainingRecord& t) {
    const auto lock = hdf5::lock();
    const hdf5::File& f = d_->file;
    d_->requireNotLive("record OmniQuant's stopped training");
    requireOmniquantGroup(f);
    // Replaced whole; HDF5 does not reuse the old one's space, but a run is stopped rarely.
    removeOmniquantTraining(f);
    const std::string g = kOmniquantTraining;
    f.createGroup(g);
    f.setInt(g, "block", t.block);
    f.setInt(g, "epoch", t.epoch);
    f.setInt(g, "sample", t.sample);
    f.setDouble(g, "epoch_loss_sum", t.epochLossSum);
    f.setInt(g, "optimizer_steps", t.optimizerSteps);
    f.setDouble(g, "loss_scale", t.lossScale);
    f.setInt(g, "loss_scale_steps", t.lossScaleSteps);
    writeOmniquantGroup(f, g + "/parameters", t.parameters);
    writeOmniquantGroup(f, g + "/first_moment", t.firstMoment);
    writeOmniquantGroup(f, g + "/second_moment", t.secondMoment);
}

std::optional<OmniquantTrainingRecord> ExperimentFile::omniquantTraining() const {
    const auto lock = hdf5::lock();
    const hdf5::File& f = d_->file;
    const std::string g = kOmniquantTraining;
    if (!f.exists(g)) return std::nullopt;
    OmniquantTrainingRecord t;
    t.block = f.getInt(g, "block");
    t.epoch = f.getInt(g, "epoch");
    t.sample = f.getInt(g, "sample");
    t.epochLossSum = f.getDouble(g, "epoch_loss_sum");
    t.optimizerSteps = f.getInt(g, "optimizer_steps");
    t.lossScale = f.getDouble(g, "loss_scale");
    t.lossScaleSteps = f.getInt(g, "loss_scale_steps");
    t.parameters = readOmniquantGroup(f, g + "/parameters");
    t.firstMoment = readOmniquantGroup(f, g + "/first_moment");
    t.secondMoment = readOmniquantGroup(f, g + "/second_moment");
    return t;
}

}  // namespace invx
