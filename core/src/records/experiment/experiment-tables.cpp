// The experiment file's tables of rows: every step, the evaluations during the search, and the
// measurements for the results table.
#include <algorithm>
#include <ctime>

#include "invx/error.h"
#include "invx/experiment-file.h"
#include "records/experiment/experiment-file-impl.h"

namespace invx {

using namespace experiment;

void ExperimentFile::appendSteps(const std::vector<StepRecord>& steps) {
    const auto lock = hdf5::lock();
    std::vector<StepRow> rows;
    rows.reserve(steps.size());
    for (const auto& s : steps)
        rows.push_back({s.step, s.layer, s.loss, s.ce, s.mse, std::uint8_t(s.accepted),
                        s.acceptanceRate, s.recentAcceptanceRate, s.elapsedSeconds});
    d_->file.appendRows("/steps", stepType(), rows.data(), rows.size());
}

std::int64_t ExperimentFile::stepCount() const {
    const auto lock = hdf5::lock();
    return std::int64_t(d_->writtenRows("/steps", true));
}

std::vector<StepRecord> ExperimentFile::steps(std::int64_t first, std::int64_t count) const {
    const auto lock = hdf5::lock();
    const std::int64_t total = stepCount();
    first = std::clamp<std::int64_t>(first, 0, total);
    if (count < 0 || first + count > total) count = total - first;
    std::vector<StepRow> rows(static_cast<std::size_t>(count));
    d_->file.readRows("/steps", stepType(), rows.data(), hsize_t(first), hsize_t(count));
    std::vector<StepRecord> out;
    out.reserve(rows.size());
    for (const auto& r : rows) {
        StepRecord s;
        s.step = r.step;
        s.layer = r.layer;
        s.loss = r.loss;
        s.ce = r.ce;
        s.mse = r.mse;
        s.accepted = r.accepted != 0;
        s.acceptanceRate = r.acceptanceRate;
        s.recentAcceptanceRate = r.recentAcceptanceRate;
        s.elapsedSeconds = r.elapsedSeconds;
        out.push_back(s);
    }
    return out;
}

void ExperimentFile::appendEvaluation(const EvaluationRecord& e) {
    const auto lock = hdf5::lock();
    EvaluationRow row{e.step,    e.acceptedSteps,    e.perplexity,
                      e.windows, e.windowsAvailable, e.elapsedSeconds,
                      e.seconds};
    d_->file.appendRows("/evaluations", evaluationType(), &row, 1);
}

std::vector<EvaluationRecord> ExperimentFile::evaluations() const {
    const auto lock = hdf5::lock();
    std::vector<EvaluationRow> rows(
        static_cast<std::size_t>(d_->writtenRows("/evaluations", true)));
    d_->file.readRows("/evaluations", evaluationType(), rows.data(), 0, rows.size());
    std::vector<EvaluationRecord> out;
    for (const auto& r : rows)
        out.push_back({r.step, r.acceptedSteps, r.perplexity, r.windows, r.windowsAvailable,
                       r.elapsedSeconds, r.seconds});
    return out;
}

namespace {
void copyText(char* to, std::size_t size, const std::string& text, const char* what,
              const std::string& path) {
    if (text.size() >= size)
        throw Error("experiment file '" + path + "': the result's " + what + " '" + text +
                    "' is longer than " + std::to_string(size - 1) + " characters");
    std::snprintf(to, size, "%s", text.c_str());
}
}  // namespace

void ExperimentFile::appendResult(const ResultRecord& r) {
    const auto lock = hdf5::lock();
    if (std::find(std::begin(ResultRecord::kModels), std::end(ResultRecord::kModels), r.model) ==
        std::end(ResultRecord::kModels))
        d_->fail("a result is of the full-precision, base or searched model, not '" + r.model +
                 "'");
    if (!d_->file.exists("/results"))
        d_->file.createTable("/results", resultType(), {}, 64);  // schema 1: not live
    ResultRow row{};
    copyText(row.model, sizeof row.model, r.model, "model", d_->path);
    copyText(row.metric, sizeof row.metric, r.metric, "metric", d_->path);
    copyText(row.protocol, sizeof row.protocol, r.protocol, "protocol", d_->path);
    row.step = r.step;
    row.value = r.value, row.valueNorm = r.valueNorm;
    row.items = r.items;
    row.complete = r.complete ? 1 : 0;
    row.seconds = r.seconds;
    row.unixTime = r.unixTime > 0 ? r.unixTime : double(std::time(nullptr));
    d_->file.appendRows("/results", resultType(), &row, 1);
    d_->file.flush();
}

std::vector<ResultRecord> ExperimentFile::results() const {
    const auto lock = hdf5::lock();
    if (!d_->file.exists("/results")) return {};
    std::vector<ResultRow> rows(static_cast<std::size_t>(d_->file.rows("/results")));
    d_->file.readRows("/results", resultType(), rows.data(), 0, rows.size());
    std::vector<ResultRecord> out;
    for (ResultRow& r : rows) {
        r.model[sizeof r.model - 1] = r.metric[sizeof r.metric - 1] =
            r.protocol[sizeof r.protocol - 1] = '\0';
        if (r.model[0] == '\0') continue;  // extended by a killed writer, never written
        ResultRecord x;
        x.model = r.model, x.step = r.step, x.metric = r.metric;
        x.value = r.value, x.valueNorm = r.valueNorm, x.items = r.items,
        x.complete = r.complete != 0;
        x.protocol = r.protocol, x.seconds = r.seconds, x.unixTime = r.unixTime;
        out.push_back(std::move(x));
    }
    return out;
}

}  // namespace invx
