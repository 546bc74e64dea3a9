#include "io/published-invariances.h"

#include <ATen/ATen.h>

#include <cstring>
#include <fstream>

#include "invx/error.h"
#include "io/checkpoint-reader.h"

namespace invx {
namespace {

// The pickle opcodes the writer uses (protocol 3).
class PickleWriter {
  public:
    std::string out;

    void begin(int protocol) { out += '\x80', out += char(protocol); }
    void stop() { out += '.'; }
    void mark() { out += '('; }
    void global(const std::string& module, const std::string& name) {
        out += 'c' + module + '\n' + name + '\n';
    }
    void text(const std::string& s) { out += 'X', le(s.size(), 4), out += s; }
    void bytes(const std::string& b) { out += 'B', le(b.size(), 4), out += b; }
    void integer(std::int64_t v) {
        if (v >= 0 && v < 256)
            out += 'K', out += char(v);
        else if (v >= 0 && v < 65536)
            out += 'M', le(std::uint64_t(v), 2);
        else if (v >= INT32_MIN && v <= INT32_MAX)
            out += 'J', le(std::uint64_t(std::uint32_t(std::int32_t(v))), 4);
        else
            throw Error("an integer of the invariances does not fit 32 bits");
    }
    void none() { out += 'N'; }
    void boolean(bool b) { out += b ? '\x88' : '\x89'; }
    void tuple() { out += 't'; }  // from the mark
    void tuple1() { out += '\x85'; }
    void emptyTuple() { out += ')'; }
    void emptyList() { out += ']'; }
    void appends() { out += 'e'; }  // from the mark
    void emptyDict() { out += '}'; }
    void setItems() { out += 'u'; }  // from the mark
    void reduce() { out += 'R'; }
    void persistentId() { out += 'Q'; }
    void le(std::uint64_t v, int n) {
        for (int i = 0; i < n; ++i) out += char((v >> (8 * i)) & 0xff);
    }
};

// torch.save(storage, _use_new_zipfile_serialization=False) of a float16 storage, as
// TypedStorage.__reduce__ makes it: what torch.storage._load_from_bytes reads back.
std::string legacyHalfStorage(const std::vector<float>& values) {
    PickleWriter w;
    w.begin(2), w.out += std::string("\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 12),
        w.stop();                           // the magic number
    w.begin(2), w.integer(1001), w.stop();  // protocol version
    w.begin(2), w.emptyDict(), w.mark();    // system information
    w.text("protocol_version"), w.integer(1001);
    w.text("little_endian"), w.boolean(true);
    w.text("type_sizes"), w.emptyDict(), w.mark(), w.text("short"), w.integer(2), w.text("int"),
        w.integer(4), w.text("long"), w.integer(4), w.setItems();
    w.setItems(), w.stop();
    w.begin(2), w.mark(), w.text("storage"), w.global("torch", "HalfStorage"), w.text("0"),
        w.text("cpu"), w.integer(std::int64_t(values.size())), w.none(), w.tuple(),
        w.persistentId(), w.stop();
    w.begin(2), w.emptyList(), w.mark(), w.text("0"), w.appends(), w.stop();  // the storages' keys
    w.le(values.size(), 8);
    const at::Tensor half = at::tensor(values).to(at::kHalf);
    w.out.append(static_cast<const char*>(half.data_ptr()), values.size() * 2);
    return w.out;
}

// torch._utils._rebuild_tensor_v2(storage, 0, (n,), (1,), False, OrderedDict()).
void halfTensor(PickleWriter& w, const std::vector<float>& values) {
    w.global("torch._utils", "_rebuild_tensor_v2");
    w.mark();
    w.global("torch.storage", "_load_from_bytes"), w.bytes(legacyHalfStorage(values)), w.tuple1(),
        w.reduce();
    w.integer(0);
    w.integer(std::int64_t(values.size())), w.tuple1();
    w.integer(1), w.tuple1();
    w.boolean(false);
    w.global("collections", "OrderedDict"), w.emptyTuple(), w.reduce();
    w.tuple();
    w.reduce();
}

std::vector<float> floats(const at::Tensor& t) {
    const at::Tensor f = t.to(at::kFloat).contiguous();
    return std::vector<float>(f.data_ptr<float>(), f.data_ptr<float>() + f.numel());
}

}  // namespace

PublishedInvariances readPublishedInvariances(const std::string& path, int layers,
                                              std::int64_t ffn) {
    const std::map<std::string, std::vector<at::Tensor>> lists = readPickledTensorLists(path);
    auto fail = [&](const std::string& what) -> Error {
        return Error("invariances '" + path + "': " + what);
    };
    for (const auto& [name, list] : lists)
        if (name != "orders" && name != "scales" && name != "rotations")
            throw fail("holds '" + name +
                       "', but the published code saves only orders, scales and rotations");
    PublishedInvariances out;
    out.layers.assign(std::size_t(layers), LayerInvariance::identity(ffn));
    for (const auto& [name, kind, width] :
         {std::tuple{"orders", 'P', ffn}, std::tuple{"scales", 'S', ffn},
          std::tuple{"rotations", 'R', ffn / 2}}) {
        const auto it = lists.find(name);
        if (it == lists.end()) continue;
        out.kinds += kind;
        if (std::int64_t(it->second.size()) != layers)
            throw fail(std::string(name) + " has " + std::to_string(it->second.size()) +
                       " layers, but the model has " + std::to_string(layers));
        for (int l = 0; l < layers; ++l) {
            const at::Tensor& t = it->second[std::size_t(l)];
            if (t.dim() != 1 || t.numel() != width)
                throw fail(std::string(name) + " of layer " + std::to_string(l) + " has " +
                           std::to_string(t.numel()) + " values, but the model's FFN needs " +
                           std::to_string(width));
            LayerInvariance& state = out.layers[std::size_t(l)];
            if (kind == 'P') {
                const at::Tensor order = t.to(at::kLong).contiguous();
                state.permutation.assign(order.data_ptr<std::int64_t>(),
                                         order.data_ptr<std::int64_t>() + ffn);
                std::vector<bool> seen(std::size_t(ffn), false);
                for (std::int64_t p : state.permutation) {
                    if (p < 0 || p >= ffn || seen[std::size_t(p)])
                        throw fail("orders of layer " + std::to_string(l) +
                                   " is not a permutation of 0.." + std::to_string(ffn - 1));
                    seen[std::size_t(p)] = true;
                }
            } else {
                std::vector<float>& values = kind == 'S' ? state.scales : state.angles;
                values = floats(t);
                for (float v : values)
                    if (!std::isfinite(v) ||
                        (kind == 'S' && !(v >= kMinimumScale && v <= kMaximumScale)))
                        throw fail(std::string(name) + " of layer " + std::to_string(l) +
                                   " holds " + std::to_string(v) +
                                   (kind == 'S' ? ", but scales lie between 0.001 and 10000 (the "
                                                  "range the search keeps them in)"
                                                : ", but angles are finite"));
            }
        }
    }
    if (out.kinds.empty()) throw fail("holds none of orders, scales and rotations");
    return out;
}

void writePublishedInvariances(const std::string& path, const std::vector<LayerInvariance>& layers,
                               const std::string& kinds) {
    PickleWriter w;
    w.begin(3);
    w.emptyDict(), w.mark();
    // In the published code's order of keys: rotations, scales, orders.
    if (kinds.find('R') != std::string::npos) {
        w.text("rotations"), w.emptyList(), w.mark();
        for (const LayerInvariance& l : layers) halfTensor(w, l.angles);
        w.appends();
    }
    if (kinds.find('S') != std::string::npos) {
        w.text("scales"), w.emptyList(), w.mark();
        for (const LayerInvariance& l : layers) halfTensor(w, l.scales);
        w.appends();
    }
    if (kinds.find('P') != std::string::npos) {
        w.text("orders"), w.emptyList(), w.mark();
        for (const LayerInvariance& l : layers) {
            w.emptyList(), w.mark();
            for (std::int64_t p : l.permutation) w.integer(p);
            w.appends();
        }
        w.appends();
    }
    w.setItems(), w.stop();
    std::ofstream out(path, std::ios::binary);
    out.write(w.out.data(), std::streamsize(w.out.size()));
    if (!out) throw Error("cannot write the invariances to '" + path + "'");
}

}  // namespace invx
