#include "records/results-format.h"

#include <cstdio>
#include <filesystem>

namespace invx::results {

bool isPerplexity(const std::string& column) { return column == "wikitext2" || column == "c4"; }

std::string fileName(const std::string& path) {
    return std::filesystem::path(path).filename().string();
}

const ResultRecord* newest(const std::vector<ResultRecord>& results, const std::string& model,
                           std::int64_t step, const std::string& metric) {
    const std::string kind = model == "searched" && step == 0 ? "base" : model;
    const ResultRecord* best = nullptr;
    for (const ResultRecord& r : results)
        if (r.model == kind && r.step == step && r.metric == metric &&
            (!best || r.unixTime >= best->unixTime))
            best = &r;
    return best;
}

ResultsCell cellOf(const ResultRecord* r, const std::string& column) {
    ResultsCell c;
    if (!r) return c;
    c.value = isPerplexity(column) ? r->value : 100.0 * r->value;
    c.partial = !r->complete;
    return c;
}

std::string methodName(const std::string& base) {
    if (base == "omniquant") return "OmniQuant";  // as its paper writes it
    std::string s = base;
    for (char& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string bitsText(const QuantConfig& q) {
    std::string s = std::to_string(q.bits);
    if (q.groupSize != 128)
        s += q.groupSize > 0 ? " (g" + std::to_string(q.groupSize) + ")" : " (per row)";
    return s;
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

std::string latexEscape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '_' || c == '&' || c == '%' || c == '#' || c == '$') out += '\\';
        out += c;
    }
    return out;
}

std::string csvField(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

}  // namespace invx::results
