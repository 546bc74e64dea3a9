// What a row of the setting table does with values: parse text, format it back, check it against
// the row's kind, range and choices, and read or write the field it is bound to.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "invx/setting-table.h"

namespace invx {
namespace {

// The shortest text that reads back as the same double ("0.1", "1e-05").
std::string realText(double v) {
    char buf[32];
    for (int precision = 6; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*g", precision, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    return buf;
}

std::string boundText(double v) {
    return std::fabs(v) < 1e15 && v == std::floor(v) ? std::to_string(std::int64_t(v))
                                                     : realText(v);
}

// "rtn, awq or gptq"
std::string alternatives(const std::vector<std::string>& choices) {
    std::string out;
    for (std::size_t i = 0; i < choices.size(); ++i)
        out += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
    return out;
}

}  // namespace

std::string capitalized(std::string text) {
    if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = char(text[0] - 'a' + 'A');
    return text;
}

SettingProblem SettingDeclaration::problem(const std::string& predicate) const {
    return {key, capitalized(name) + " " + predicate};
}

bool SettingDeclaration::belongsTo(const std::string& method) const {
    return bases.empty() || std::find(bases.begin(), bases.end(), method) != bases.end();
}

std::string SettingDeclaration::basesText() const {
    std::string out = "--method ";
    for (std::size_t i = 0; i < bases.size(); ++i)
        out += (i == 0 ? "" : i + 1 == bases.size() ? " or " : ", ") + bases[i];
    return out;
}

std::vector<std::string> SettingDeclaration::choicesFor(SettingCommand command) const {
    std::vector<std::string> out = choices;
    if (command == SettingCommand::Evaluate)
        out.insert(out.end(), evaluateChoices.begin(), evaluateChoices.end());
    return out;
}

SettingValue SettingDeclaration::parse(const std::string& text) const {
    if (kind == SettingKind::Integer || kind == SettingKind::Flag) {
        // Parsed into 64 bits and range-checked before any narrowing: "4294967298" is not 2.
        errno = 0;
        char* end = nullptr;
        const long long v = std::strtoll(text.c_str(), &end, 10);
        if (text.empty() || *end != '\0' || errno == ERANGE)
            throw SettingError(problem("must be a whole number, but is '" + text + "'"));
        const SettingValue value = std::int64_t(v);
        if (auto p = check(value)) throw SettingError(*p);
        return value;
    }
    if (kind == SettingKind::Real) {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0')
            throw SettingError(problem("must be a number, but is '" + text + "'"));
        if (!std::isfinite(v))  // "1e999", "inf", "nan": no setting means them
            throw SettingError(problem("must be a finite number, but is '" + text + "'"));
        return v;
    }
    return text;
}

std::string SettingDeclaration::format(const SettingValue& value) const {
    if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&value)) return realText(*d);
    return std::get<std::string>(value);
}

std::optional<SettingProblem> SettingDeclaration::check(const SettingValue& value,
                                                        SettingCommand command) const {
    switch (kind) {
        case SettingKind::Integer:
        case SettingKind::Flag: {
            const auto* v = std::get_if<std::int64_t>(&value);
            if (!v) return problem("must be a whole number");
            if (double(*v) < minimum || double(*v) > maximum) {
                if (maximum >= 1e15)
                    return problem("must be at least " + boundText(minimum) + ", but is " +
                                   std::to_string(*v));
                return problem("must be between " + boundText(minimum) + " and " +
                               boundText(maximum) + ", but is " + std::to_string(*v));
            }
            return std::nullopt;
        }
        case SettingKind::Real: {
            const auto* v = std::get_if<double>(&value);
            if (!v) return problem("must be a number");
            const bool below = minimumOpen ? !(*v > minimum) : !(*v >= minimum);
            const bool above = maximumOpen ? !(*v < maximum) : !(*v <= maximum);
            if (std::isfinite(*v) && !below && !above) return std::nullopt;
            if (maximum >= 1e15)
                return problem(std::string(minimumOpen ? "must be a finite number greater than "
                                                       : "must be a finite number of at least ") +
                               boundText(minimum) + ", but is " + realText(*v));
            return problem("must be in " + std::string(minimumOpen ? "(" : "[") +
                           boundText(minimum) + ", " + boundText(maximum) +
                           (maximumOpen ? ")" : "]") + ", but is " + realText(*v));
        }
        case SettingKind::Choice: {
            const auto* v = std::get_if<std::string>(&value);
            const std::vector<std::string> allowed = choicesFor(command);
            for (const std::string& c : allowed)
                if (v && *v == c) return std::nullopt;
            return problem("must be " + alternatives(allowed) + ", but is '" +
                           (v ? *v : std::string()) + "'");
        }
        case SettingKind::OpenChoice:
        case SettingKind::Invariances:
            if (!std::holds_alternative<std::string>(value)) return problem("must be text");
            return std::nullopt;
    }
    return std::nullopt;
}

std::string SettingDeclaration::get(const SearchSettings& settings) const {
    if (!readSearch)
        throw Error("setting '" + key + "' is not recorded in experiment files (a defect in invx)");
    return format(readSearch(settings));
}

std::string SettingDeclaration::get(const CommandSettings& settings) const {
    return format(readSearch ? readSearch(settings.search) : readEvaluation(settings.evaluation));
}

void SettingDeclaration::set(SearchSettings& settings, const std::string& text) const {
    if (!writeSearch)
        throw Error("setting '" + key + "' is not recorded in experiment files (a defect in invx)");
    writeSearch(settings, parse(text));
}

void SettingDeclaration::set(CommandSettings& settings, const std::string& text) const {
    const SettingValue value = parse(text);
    if (writeSearch)
        writeSearch(settings.search, value);
    else
        writeEvaluation(settings.evaluation, value);
}

}  // namespace invx
