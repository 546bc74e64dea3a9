// Reads pytorch_model.bin files: PyTorch's zip archive (through libtorch's PyTorchStreamReader)
// holding a pickled state_dict. libtorch's own unpickler serves TorchScript archives: it turns
// every collections.OrderedDict into None, and 1.13 lacks SETITEM and POP, so it cannot read what
// torch.save(model.state_dict()) writes. This is a small, restricted unpickler for exactly that
// shape: dicts, tuples, lists, scalars and strings, tensors rebuilt from storages, and no other
// globals (like torch.load(weights_only=True), it never runs code named in the file).
#include <ATen/ATen.h>
#include <caffe2/serialize/inline_container.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <unordered_set>
#include <variant>

#include "invx/error.h"
#include "invx/text-file.h"
#include "io/checkpoint-reader.h"

namespace invx {
namespace {

struct Value;
using ValuePtr = std::shared_ptr<Value>;
struct Global {
    std::string module, name;
};
struct Mark {};
struct None {};
using List = std::vector<ValuePtr>;
using Dict = std::vector<std::pair<ValuePtr, ValuePtr>>;  // insertion order, as Python keeps it
struct Tuple {
    List items;
};
struct Value {
    std::variant<None, bool, std::int64_t, double, std::string, Tuple, List, Dict, Global,
                 at::Tensor, Mark>
        v;
};

template <typename T>
ValuePtr make(T x) {
    auto p = std::make_shared<Value>();
    p->v = std::move(x);
    return p;
}

// Frees a graph of values without recursion: a pickle may nest lists a million deep, and the
// default destructors would recurse once per level and overflow the stack; through the memo it may
// also build cycles, which reference counts never free. Every container reached is emptied into
// the work list, so none is destroyed with children and every cycle is broken. Only for values
// nobody needs any more: the unpickler's own, once the tensors are taken out.
void dismantle(std::vector<ValuePtr> work) {
    std::unordered_set<const Value*> seen;
    while (!work.empty()) {
        ValuePtr v = std::move(work.back());
        work.pop_back();
        if (!v || !seen.insert(v.get()).second) continue;
        auto take = [&](List& items) {
            for (ValuePtr& x : items) work.push_back(std::move(x));
            items.clear();
        };
        if (auto* l = std::get_if<List>(&v->v))
            take(*l);
        else if (auto* t = std::get_if<Tuple>(&v->v))
            take(t->items);
        else if (auto* d = std::get_if<Dict>(&v->v)) {
            for (auto& [k, x] : *d) work.push_back(std::move(k)), work.push_back(std::move(x));
            d->clear();
        }
    }
}

std::uint64_t littleEndian(const char* p, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i)
        v |= std::uint64_t(static_cast<unsigned char>(p[i])) << (8 * i);
    return v;
}

at::ScalarType storageDtype(const std::string& storageClass) {
    static const std::map<std::string, at::ScalarType> types = {
        {"FloatStorage", at::kFloat},       {"HalfStorage", at::kHalf},
        {"BFloat16Storage", at::kBFloat16}, {"DoubleStorage", at::kDouble},
        {"LongStorage", at::kLong},         {"IntStorage", at::kInt},
        {"ShortStorage", at::kShort},       {"CharStorage", at::kChar},
        {"ByteStorage", at::kByte},         {"BoolStorage", at::kBool},
    };
    auto it = types.find(storageClass);
    if (it == types.end()) throw Error("storage type torch." + storageClass + " is not supported");
    return it->second;
}

// Where a persistent storage id's bytes come from: its key, element type and size -> a 1-D tensor.
using StorageSource =
    std::function<at::Tensor(const std::string& key, at::ScalarType dtype, std::int64_t numel)>;

class StateDictUnpickler {
  public:
    // `legacyStorages`: the pickle may hold storages as torch.storage._load_from_bytes(b), where b
    // is torch.save's legacy format: what pickle.dump of a tensor writes (the published code's).
    StateDictUnpickler(const std::string& pickle, StorageSource storages,
                       bool legacyStorages = false)
        : in_(pickle), storageSource_(std::move(storages)), legacyStorages_(legacyStorages) {}
    ~StateDictUnpickler() {
        std::vector<ValuePtr> all(stack_.begin(), stack_.end());
        for (auto& [i, v] : memo_) all.push_back(v);
        stack_.clear();
        memo_.clear();
        dismantle(std::move(all));
    }
    StateDictUnpickler(const StateDictUnpickler&) = delete;
    StateDictUnpickler& operator=(const StateDictUnpickler&) = delete;

    ValuePtr run() {
        while (true) {
            const unsigned char op = byte();
            if (op == '.') break;
            step(op);
        }
        if (stack_.size() != 1)
            throw Error("the pickle ends with " + std::to_string(stack_.size()) + " values");
        return stack_.back();
    }
    // The next of several pickles written one after another (torch.save's legacy format).
    ValuePtr next() {
        ValuePtr v = run();
        stack_.clear();
        memo_.clear();
        return v;
    }
    std::size_t position() const { return pos_; }

  private:
    unsigned char byte() {
        if (pos_ >= in_.size()) throw Error("the pickle is truncated");
        return static_cast<unsigned char>(in_[pos_++]);
    }
    std::string bytes(std::uint64_t n) {
        if (n > in_.size() - pos_) throw Error("the pickle is truncated");
        std::string s = in_.substr(pos_, n);
        pos_ += n;
        return s;
    }
    std::uint64_t number(std::size_t n) {
        std::string b = bytes(n);
        return littleEndian(b.data(), n);
    }
    std::string line() {
        std::size_t end = in_.find('\n', pos_);
        if (end == std::string::npos) throw Error("the pickle is truncated");
        std::string s = in_.substr(pos_, end - pos_);
        pos_ = end + 1;
        return s;
    }
    ValuePtr pop() {
        if (stack_.empty()) throw Error("the pickle pops an empty stack");
        ValuePtr v = stack_.back();
        stack_.pop_back();
        return v;
    }
    List popToMark() {
        List items;
        while (true) {
            ValuePtr v = pop();
            if (std::holds_alternative<Mark>(v->v)) break;
            items.push_back(v);
        }
        return List(items.rbegin(), items.rend());
    }
    Dict& dictAt(ValuePtr& v) {
        if (auto* d = std::get_if<Dict>(&v->v)) return *d;
        throw Error("the pickle sets items on something that is not a dict");
    }
    void memoPut(std::uint64_t i) {
        if (stack_.empty()) throw Error("the pickle memoizes an empty stack");
        memo_[i] = stack_.back();
    }
    void memoGet(std::uint64_t i) {
        auto it = memo_.find(i);
        if (it == memo_.end())
            throw Error("the pickle refers to memo entry " + std::to_string(i) +
                        ", which it never set");
        stack_.push_back(it->second);
    }

    static std::int64_t toInt(const ValuePtr& v) {
        if (auto* i = std::get_if<std::int64_t>(&v->v)) return *i;
        if (auto* b = std::get_if<bool>(&v->v)) return *b;
        throw Error("the pickle has a non-integer where a tensor size, stride or offset belongs");
    }
    static std::vector<std::int64_t> toInts(const ValuePtr& v) {
        const auto* t = std::get_if<Tuple>(&v->v);
        if (!t) throw Error("the pickle has a non-tuple where a tensor shape belongs");
        std::vector<std::int64_t> out;
        for (const auto& x : t->items) out.push_back(toInt(x));
        return out;
    }
    static const std::string& toString(const ValuePtr& v) {
        if (auto* s = std::get_if<std::string>(&v->v)) return *s;
        throw Error("the pickle has a non-string where a string belongs");
    }

    // BINPERSID: ("storage", torch.XStorage, key, location, numel) -> a 1-D tensor over the record.
    ValuePtr storage(const ValuePtr& id) {
        const auto* t = std::get_if<Tuple>(&id->v);
        if (!t || t->items.size() < 5 || toString(t->items[0]) != "storage")
            throw Error("the pickle has a persistent id that is not a storage");
        const auto* cls = std::get_if<Global>(&t->items[1]->v);
        if (!cls || cls->module != "torch")
            throw Error("the pickle names a storage type outside torch");
        const std::string key = toString(t->items[2]);
        const at::ScalarType dtype = storageDtype(cls->name);
        auto cached = storages_.find(key);
        if (cached != storages_.end()) return make(cached->second);
        const std::int64_t numel = toInt(t->items[4]);
        if (numel < 0)
            throw Error("storage " + key + " claims " + std::to_string(numel) + " elements");
        const at::Tensor data = storageSource_(key, dtype, numel);
        storages_[key] = data;
        return make(data);
    }

    // torch.storage._load_from_bytes(b): magic number, protocol, system info, the storage as a
    // persistent id, the keys of the storages, then each storage's element count and bytes.
    at::Tensor legacyStorage(const std::string& b) {
        static const std::string magic("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.",
                                       15);
        if (b.compare(0, magic.size(), magic) != 0)
            throw Error("a pickled storage is not in torch.save's legacy format");
        std::map<std::string, at::Tensor> pending;
        StateDictUnpickler inner(
            b, [&](const std::string& key, at::ScalarType dtype, std::int64_t numel) {
                if (numel > std::int64_t(b.size()))
                    throw Error("a pickled storage claims more elements than it has bytes");
                return pending[key] = at::empty({numel}, at::TensorOptions().dtype(dtype));
            });
        inner.pos_ = magic.size();
        const ValuePtr protocol = inner.next();
        if (toInt(protocol) != 1001)
            throw Error("a pickled storage has protocol " + std::to_string(toInt(protocol)) +
                        ", not 1001");
        inner.next();  // system information: little-endian x86-64 is all this reads
        const ValuePtr object = inner.run();
        const auto* storage = std::get_if<at::Tensor>(&object->v);
        if (!storage) throw Error("a pickled storage holds something else");
        const at::Tensor result = *storage;
        inner.stack_.clear(), inner.memo_.clear();
        const ValuePtr keys = inner.next();
        const auto* list = std::get_if<List>(&keys->v);
        if (!list) throw Error("a pickled storage lacks its list of keys");
        for (const ValuePtr& k : *list) {
            auto it = pending.find(toString(k));
            if (it == pending.end()) throw Error("a pickled storage lists a key it never used");
            const std::int64_t numel = std::int64_t(littleEndian(inner.bytes(8).data(), 8));
            if (numel != it->second.numel())
                throw Error("a pickled storage's element count disagrees with its header");
            const std::string data = inner.bytes(std::uint64_t(numel) * it->second.element_size());
            if (!data.empty()) std::memcpy(it->second.data_ptr(), data.data(), data.size());
        }
        return result;
    }

    ValuePtr call(const Global& g, const ValuePtr& argsValue) {
        const auto* args = std::get_if<Tuple>(&argsValue->v);
        if (!args)
            throw Error("the pickle calls " + g.module + "." + g.name +
                        " without an argument tuple");
        const List& a = args->items;
        if (g.module == "collections" && g.name == "OrderedDict") return make(Dict{});
        if (g.module == "torch._utils" && g.name == "_rebuild_tensor_v2" && a.size() >= 4) {
            const auto* storage = std::get_if<at::Tensor>(&a[0]->v);
            if (!storage)
                throw Error("the pickle rebuilds a tensor from something that is not a storage");
            const auto sizes = toInts(a[2]), strides = toInts(a[3]);
            const std::int64_t offset = toInt(a[1]);
            // The furthest element the view touches, computed without overflow (a crafted size
            // times a stride wrapped around and passed the check).
            bool inside = sizes.size() == strides.size() && offset >= 0;
            bool empty = false;
            std::int64_t last = offset;
            for (std::size_t i = 0; inside && i < sizes.size(); ++i) {
                if (sizes[i] < 0 || strides[i] < 0)
                    inside = false;
                else if (sizes[i] == 0)
                    empty = true;
                else {
                    std::int64_t span = 0;
                    inside = !__builtin_mul_overflow(sizes[i] - 1, strides[i], &span) &&
                             !__builtin_add_overflow(last, span, &last);
                }
            }
            if (!inside || (!empty && last >= storage->numel()))
                throw Error("the pickle describes a tensor outside its storage");
            return make(storage->as_strided(sizes, strides, offset));
        }
        if (g.module == "torch._utils" && g.name == "_rebuild_parameter" && !a.empty()) return a[0];
        if (legacyStorages_ && g.module == "torch.storage" && g.name == "_load_from_bytes" &&
            a.size() == 1)
            return make(legacyStorage(toString(a[0])));
        // libtorch's torch::pickle_save wraps containers in a type tag: (value, "Dict[str,
        // Tensor]").
        if (g.module == "torch.jit._pickle" && g.name == "restore_type_tag" && !a.empty())
            return a[0];
        throw Error("the pickle calls " + g.module + "." + g.name +
                    ", which a state_dict of tensors does not need");
    }

    void step(unsigned char op) {
        switch (op) {
            case 0x80:
                byte();
                break;  // PROTO
            case 0x95:
                number(8);
                break;  // FRAME
            case '(':
                stack_.push_back(make(Mark{}));
                break;  // MARK
            case 'N':
                stack_.push_back(make(None{}));
                break;
            case 0x88:
                stack_.push_back(make(true));
                break;
            case 0x89:
                stack_.push_back(make(false));
                break;
            case 'K':
                stack_.push_back(make(std::int64_t(byte())));
                break;
            case 'M':
                stack_.push_back(make(std::int64_t(number(2))));
                break;
            case 'J':
                stack_.push_back(make(std::int64_t(std::int32_t(number(4)))));
                break;
            case 0x8a: {  // LONG1
                std::string b = bytes(byte());
                if (b.size() > 8) throw Error("the pickle holds an integer wider than 64 bits");
                std::uint64_t v = littleEndian(b.data(), b.size());
                if (!b.empty() && b.size() < 8 && (static_cast<unsigned char>(b.back()) & 0x80))
                    v |= ~std::uint64_t(0) << (8 * b.size());  // sign-extend
                stack_.push_back(make(std::int64_t(v)));
                break;
            }
            case 'G': {  // BINFLOAT, big-endian
                std::string b = bytes(8);
                std::uint64_t bits = 0;
                for (unsigned char c : b) bits = (bits << 8) | c;
                double d;
                std::memcpy(&d, &bits, 8);
                stack_.push_back(make(d));
                break;
            }
            case 'X':
                stack_.push_back(make(bytes(number(4))));
                break;  // BINUNICODE
            case 0x8c:
                stack_.push_back(make(bytes(byte())));
                break;  // SHORT_BINUNICODE
            case 0x8d:
                stack_.push_back(make(bytes(number(8))));
                break;  // BINUNICODE8
            case 'U':
                stack_.push_back(make(bytes(byte())));
                break;  // SHORT_BINSTRING
            case 'T':
                stack_.push_back(make(bytes(number(4))));
                break;  // BINSTRING
            case 'C':
                stack_.push_back(make(bytes(byte())));
                break;  // SHORT_BINBYTES
            case 'B':
                stack_.push_back(make(bytes(number(4))));
                break;  // BINBYTES
            case ')':
                stack_.push_back(make(Tuple{}));
                break;
            case 't':
                stack_.push_back(make(Tuple{popToMark()}));
                break;
            case 0x85: {
                auto a = pop();
                stack_.push_back(make(Tuple{{a}}));
                break;
            }
            case 0x86: {
                auto b = pop(), a = pop();
                stack_.push_back(make(Tuple{{a, b}}));
                break;
            }
            case 0x87: {
                auto c = pop(), b = pop(), a = pop();
                stack_.push_back(make(Tuple{{a, b, c}}));
                break;
            }
            case ']':
                stack_.push_back(make(List{}));
                break;
            case 'l':
                stack_.push_back(make(popToMark()));
                break;
            case 'a': {
                auto x = pop();
                auto* l = stack_.empty() ? nullptr : std::get_if<List>(&stack_.back()->v);
                if (!l) throw Error("the pickle appends to something that is not a list");
                l->push_back(x);
                break;
            }
            case 'e': {
                List items = popToMark();
                auto* l = stack_.empty() ? nullptr : std::get_if<List>(&stack_.back()->v);
                if (!l) throw Error("the pickle appends to something that is not a list");
                l->insert(l->end(), items.begin(), items.end());
                break;
            }
            case '}':
                stack_.push_back(make(Dict{}));
                break;
            case 'd': {
                List items = popToMark();
                Dict d;
                for (std::size_t i = 0; i + 1 < items.size(); i += 2)
                    d.emplace_back(items[i], items[i + 1]);
                stack_.push_back(make(std::move(d)));
                break;
            }
            case 's': {
                auto v = pop(), k = pop();
                if (stack_.empty()) throw Error("the pickle sets an item on an empty stack");
                dictAt(stack_.back()).emplace_back(k, v);
                break;
            }
            case 'u': {
                List items = popToMark();
                if (stack_.empty()) throw Error("the pickle sets items on an empty stack");
                Dict& d = dictAt(stack_.back());
                for (std::size_t i = 0; i + 1 < items.size(); i += 2)
                    d.emplace_back(items[i], items[i + 1]);
                break;
            }
            case 'q':
                memoPut(byte());
                break;  // BINPUT
            case 'r':
                memoPut(number(4));
                break;  // LONG_BINPUT
            case 0x94:
                memoPut(memo_.size());
                break;  // MEMOIZE
            case 'h':
                memoGet(byte());
                break;  // BINGET
            case 'j':
                memoGet(number(4));
                break;  // LONG_BINGET
            case '0':
                pop();
                break;  // POP
            case '1':
                popToMark();
                break;  // POP_MARK
            case '2':
                stack_.push_back(stack_.at(stack_.size() - 1));
                break;   // DUP
            case 'c': {  // GLOBAL
                std::string module = line();
                std::string name = line();
                stack_.push_back(make(Global{module, name}));
                break;
            }
            case 0x93: {  // STACK_GLOBAL
                std::string name = toString(pop()), module = toString(pop());
                stack_.push_back(make(Global{module, name}));
                break;
            }
            case 'Q':
                stack_.push_back(storage(pop()));
                break;   // BINPERSID
            case 'R': {  // REDUCE
                auto args = pop(), fn = pop();
                const auto* g = std::get_if<Global>(&fn->v);
                if (!g) throw Error("the pickle calls something that is not a global");
                stack_.push_back(call(*g, args));
                break;
            }
            case 'b': {  // BUILD
                // Only an OrderedDict's attributes (_metadata) are built in a state_dict: drop
                // them.
                pop();
                if (stack_.empty() || !std::holds_alternative<Dict>(stack_.back()->v))
                    throw Error("the pickle sets the state of an object that is not a dict");
                break;
            }
            default:
                throw Error("pickle opcode " + std::to_string(op) + " is not supported");
        }
    }

    const std::string& in_;
    std::size_t pos_ = 0;
    StorageSource storageSource_;
    bool legacyStorages_ = false;
    std::vector<ValuePtr> stack_;
    std::map<std::uint64_t, ValuePtr> memo_;
    std::map<std::string, at::Tensor> storages_;
};

bool startsLikeZip(const std::string& path) {
    requireRegularFile(path, "PyTorch checkpoint");
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    char magic[2] = {0, 0};
    const bool zip = std::fread(magic, 1, 2, f) == 2 && magic[0] == 'P' && magic[1] == 'K';
    std::fclose(f);
    return zip;
}

}  // namespace

std::map<std::string, at::Tensor> readTorchPickle(const std::string& path) {
    if (!startsLikeZip(path)) {
        throw Error(
            "PyTorch checkpoint '" + path +
            "' is not a zip archive: it is truncated, or in the legacy format of PyTorch "
            "before 1.6; re-save it with a current torch.save or convert it to safetensors");
    }
    std::map<std::string, at::Tensor> out;
    std::string problem;
    try {
        caffe2::serialize::PyTorchStreamReader archive(path);
        auto [data, size] = archive.getRecord("data.pkl");
        const std::string pickle(static_cast<const char*>(data.get()), size);
        // The unpickler owns every value (and frees them all when it goes): take the tensors out
        // first.
        StateDictUnpickler unpickler(
            pickle, [&archive](const std::string& key, at::ScalarType dtype, std::int64_t numel) {
                if (numel == 0) return at::empty({0}, at::TensorOptions().dtype(dtype));
                // The record is the file's own bytes: compare before allocating what the header
                // claims.
                const std::size_t elementSize = c10::elementSize(dtype);
                auto [ptr, size] = archive.getRecord("data/" + key);
                if (size % elementSize != 0 || std::uint64_t(numel) != size / elementSize)
                    throw Error("storage " + key + " holds " + std::to_string(size) +
                                " bytes, not the " + std::to_string(numel) + " elements of " +
                                std::to_string(elementSize) + " bytes its header claims");
                at::Tensor data = at::empty({numel}, at::TensorOptions().dtype(dtype));
                std::memcpy(data.data_ptr(), ptr.get(), size);
                return data;
            });
        const ValuePtr root = unpickler.run();
        if (const auto* dict = std::get_if<Dict>(&root->v)) {
            for (const auto& [key, value] : *dict) {
                const auto* name = std::get_if<std::string>(&key->v);
                const auto* tensor = std::get_if<at::Tensor>(&value->v);
                if (!name || !tensor) {
                    problem = "holds an entry that is not name: tensor";
                    break;
                }
                out[*name] = *tensor;
            }
        } else {
            problem = "does not hold a dict of tensors (a state_dict)";
        }
    } catch (const std::exception& e) {
        std::string what = e.what();
        what = what.substr(0, what.find('\n'));
        throw Error("cannot read PyTorch checkpoint '" + path + "': " + what +
                    "; the file is damaged or not a state_dict, convert it to safetensors");
    }
    if (!problem.empty()) throw Error("PyTorch checkpoint '" + path + "' " + problem);
    return out;
}

std::map<std::string, std::vector<at::Tensor>> readPickledTensorLists(const std::string& path) {
    requireRegularFile(path, "pickle");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot read '" + path + "' (does it exist?)");
    const std::string pickle((std::istreambuf_iterator<char>(in)), {});
    std::map<std::string, std::vector<at::Tensor>> out;
    std::string problem;
    try {
        StateDictUnpickler unpickler(
            pickle,
            [](const std::string&, at::ScalarType, std::int64_t) -> at::Tensor {
                throw Error("the pickle refers to storages outside it");
            },
            /*legacyStorages=*/true);
        const ValuePtr root = unpickler.run();
        const auto* dict = std::get_if<Dict>(&root->v);
        if (!dict) problem = "does not hold a dict";
        for (std::size_t e = 0; dict && e < dict->size() && problem.empty(); ++e) {
            const auto& [key, value] = (*dict)[e];
            const auto* name = std::get_if<std::string>(&key->v);
            const auto* list = std::get_if<List>(&value->v);
            if (!name || !list) {
                problem = "holds an entry that is not name: list";
                break;
            }
            std::vector<at::Tensor>& tensors = out[*name];
            for (const ValuePtr& item : *list) {
                if (const auto* t = std::get_if<at::Tensor>(&item->v)) {
                    tensors.push_back(*t);
                } else if (const auto* ints = std::get_if<List>(&item->v)) {
                    std::vector<std::int64_t> values;
                    for (const ValuePtr& x : *ints) {
                        const auto* i = std::get_if<std::int64_t>(&x->v);
                        if (!i) throw Error("'" + *name + "' holds a list with a non-integer");
                        values.push_back(*i);
                    }
                    tensors.push_back(at::tensor(values, at::kLong));
                } else {
                    problem = "'" + *name +
                              "' holds something that is neither a tensor nor a list of integers";
                    break;
                }
            }
        }
    } catch (const std::exception& e) {
        std::string what = e.what();
        throw Error("cannot read the pickle '" + path + "': " + what.substr(0, what.find('\n')));
    }
    if (!problem.empty()) throw Error("the pickle '" + path + "' " + problem);
    return out;
}

}  // namespace invx
