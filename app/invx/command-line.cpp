#include "command-line.h"

#include <cstdio>
#include <new>
#include <sstream>

#include "invx/error.h"

namespace invx::cli {
namespace {

const Option* findOption(const Command& command, const std::string& name) {
    for (const auto& o : command.options)
        if (o.name == name) return &o;
    for (const auto& o : command.options)
        for (const auto& alias : o.aliases)
            if (alias == name) return &o;
    return nullptr;
}

}  // namespace

std::string Arguments::get(const std::string& name) const {
    auto it = values_.find(name);
    if (it != values_.end()) return it->second;
    const Option* o = command_ ? findOption(*command_, name) : nullptr;
    return o ? o->defaultValue : std::string();
}

std::string Arguments::typed(const std::string& name) const {
    auto it = typed_.find(name);
    return it == typed_.end() ? name : it->second;
}

std::string Arguments::require(const std::string& name) const {
    std::string v = get(name);
    if (v.empty())
        throw Error("invx " + command_->name + " needs " + name + "; see invx " + command_->name +
                    " --help");
    return v;
}

long long Arguments::getInt(const std::string& name, long long min, long long max) const {
    const std::string v = get(name);
    std::size_t used = 0;
    long long n = 0;
    try {
        n = std::stoll(v, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (v.empty() || used != v.size() || n < min || n > max) {
        throw Error(name + " expects an integer between " + std::to_string(min) + " and " +
                    std::to_string(max) + ", but got '" + v + "'");
    }
    return n;
}

double Arguments::getDouble(const std::string& name) const {
    const std::string v = get(name);
    std::size_t used = 0;
    double x = 0;
    try {
        x = std::stod(v, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (v.empty() || used != v.size()) throw Error(name + " expects a number, but got '" + v + "'");
    return x;
}

Arguments parse(const Command& command, const std::vector<std::string>& args) {
    Arguments out;
    out.command_ = &command;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string name = args[i], value;
        bool inlineValue = false;
        if (auto eq = name.find('='); name.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            inlineValue = true;
        }
        const Option* o = findOption(command, name);
        if (!o && !command.operands.empty() && name.rfind("-", 0) != 0) {
            out.operands_.push_back(args[i]);
            continue;
        }
        if (!o) {
            throw Error("invx " + command.name + ": unknown " +
                        std::string(name.rfind("-", 0) == 0 ? "option '" : "argument '") + name +
                        "'; see invx " + command.name + " --help");
        }
        if (out.values_.count(o->name))
            throw Error("invx " + command.name + ": " + name + " is given twice" +
                        (name == o->name ? std::string() : " (as " + o->name + ")"));
        if (name != o->name) out.typed_[o->name] = name;
        if (o->valueName.empty()) {
            if (inlineValue) throw Error("invx " + command.name + ": " + name + " takes no value");
            out.values_[o->name] = "1";
            continue;
        }
        if (!inlineValue) {
            if (i + 1 >= args.size())
                throw Error("invx " + command.name + ": " + name + " needs a value (" +
                            o->valueName + ")");
            value = args[++i];
        }
        out.values_[o->name] = value;
    }
    return out;
}

std::vector<Option> settingOptions(SettingCommand command) {
    const CommandSettings defaults = defaultSettings(command);
    const std::vector<const SettingDeclaration*> rows = settingDeclarations(command);
    std::vector<Option> options;
    for (const SettingDeclaration* d : rows) {
        Option o{d->option, d->valueName, d->help,
                 d->kind == SettingKind::Flag ? "" : d->get(defaults)};
        if (d->kind ==
            SettingKind::Choice) {  // the choices this command takes: "fp|rtn|awq|gptq" for eval
            o.valueName.clear();
            for (const std::string& c : d->choicesFor(command))
                o.valueName += (o.valueName.empty() ? "" : "|") + c;
        }
        for (const std::string& alias : d->aliases) {
            bool taken = false;
            for (const SettingDeclaration* other : rows) taken = taken || other->option == alias;
            if (!taken) o.aliases.push_back(alias);
        }
        options.push_back(std::move(o));
    }
    return options;
}

void applySettingOptions(const Arguments& args, SettingCommand command, CommandSettings& settings) {
    for (const SettingDeclaration* d : settingDeclarations(command))
        if (args.has(d->option)) d->set(settings, args.get(d->option));
}

void refuseOtherMethodsSettings(const Arguments& args, SettingCommand command,
                                const std::string& method) {
    for (const SettingDeclaration* d : settingDeclarations(command))
        if (args.has(d->option) && !d->belongsTo(method))
            throw Error(d->option + " is a setting of " + d->basesText() + ", but the method is " +
                        method);
}

std::string settingOptionPrefix(const SettingError& error, const std::vector<std::string>& args) {
    const SettingDeclaration* d = findSettingDeclaration(error.key());
    if (!d) return {};
    for (const std::string& a : args) {
        const std::string name = a.substr(0, a.find('='));
        if (name == d->option) return d->option + ": ";
        for (const std::string& alias : d->aliases)
            if (name == alias) return alias + ": ";
    }
    return {};
}

std::string helpText(const Command& command) {
    std::ostringstream s;
    s << "Usage: invx " << command.name << ' ' << command.synopsis << "\n\n"
      << command.summary << "\n\nOptions:\n";
    std::size_t width = 0;
    for (const auto& o : command.options)
        width = std::max(width, o.name.size() + (o.valueName.empty() ? 0 : o.valueName.size() + 1));
    for (const auto& o : command.options) {
        std::string left = o.name + (o.valueName.empty() ? "" : " " + o.valueName);
        s << "  " << left << std::string(width - left.size() + 2, ' ') << o.help;
        if (!o.defaultValue.empty() && !o.valueName.empty())
            s << " (default: " << o.defaultValue << ")";
        for (std::size_t i = 0; i < o.aliases.size(); ++i)
            s << (i ? ", " : " (also ") << o.aliases[i];
        if (!o.aliases.empty()) s << ')';
        s << '\n';
    }
    s << "  --help" << std::string(width > 4 ? width - 4 : 2, ' ') << "show this help\n";
    return s.str();
}

bool wantsHelp(const std::vector<std::string>& args) {
    for (const auto& a : args)
        if (a == "--help" || a == "-h") return true;
    return false;
}

std::string formatDuration(double seconds) {
    char buf[32];
    const long s = long(seconds + 0.5);
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
    else
        std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    return buf;
}

std::string failureMessage(const std::exception& error, const std::vector<std::string>& args) {
    std::string running = "(while running: invx";
    for (const std::string& a : args)
        running += ' ' + (a.find(' ') == std::string::npos ? a : "'" + a + "'");
    running += ")";
    const std::string hint = "; use a smaller model, batch or window, or float16 (--dtype)";
    if (dynamic_cast<const std::bad_alloc*>(&error)) return "out of memory " + running + hint;
    std::string what = error.what();
    what = what.substr(0, what.find('\n'));
    const bool memory = what.find("out of memory") != std::string::npos ||
                        what.find("can't allocate") != std::string::npos;
    return what + ' ' + running + (memory ? hint : "");
}

}  // namespace invx::cli
