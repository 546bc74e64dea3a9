#include "runs-table-model.h"

#include <QFont>
#include <algorithm>
#include <cmath>
#include <limits>

#include "run-labels.h"
#include "table-export.h"

namespace invx::gui {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

enum Metric { BestPerplexity, FinalPerplexity, BestLoss, Acceptance, Steps, Seconds, MetricCount };

QString metricName(int metric) {
    switch (metric) {
        case BestPerplexity:
            return RunsTableModel::tr("Best PPL");
        case FinalPerplexity:
            return RunsTableModel::tr("Final PPL");
        case BestLoss:
            return RunsTableModel::tr("Best loss");
        case Acceptance:
            return RunsTableModel::tr("Accepted (%)");
        case Steps:
            return RunsTableModel::tr("Steps");
        case Seconds:
            return RunsTableModel::tr("Time (s)");
    }
    return {};
}

QString formatted(double v, int metric) {
    if (!std::isfinite(v)) return QStringLiteral("–");
    switch (metric) {
        case BestPerplexity:
        case FinalPerplexity:
            return QString::number(v, 'f', 2);
        case BestLoss:
            return QString::number(v, 'f', 4);
        case Acceptance:
        case Seconds:
            return QString::number(v, 'f', 1);
        case Steps:
            return QString::number(qint64(std::llround(v)));
    }
    return QString::number(v);
}

double runMetric(const RunData& r, int metric) {
    switch (metric) {
        case BestPerplexity:
            return r.bestPerplexity();
        case FinalPerplexity:
            return r.finalPerplexity();
        case BestLoss:
            return r.bestLoss();
        case Acceptance:
            return 100 * r.acceptanceRate();
        case Steps:
            return double(r.stepCount());
        case Seconds:
            return r.searchSeconds();
    }
    return kNaN;
}

// A base method's row: step 0 of a run over it, before any search step.
double baselineMetric(const RunData& r, int metric) {
    switch (metric) {
        case BestPerplexity:
        case FinalPerplexity:
            for (const EvaluationRecord& e : r.evaluations)
                if (e.step == 0) return e.perplexity;
            return kNaN;
        case BestLoss:
            return 1.0 + r.settings.alpha;
        case Steps:
            return 0;
        default:
            return kNaN;
    }
}

// Mean and sample standard deviation of the finite values.
struct Summary {
    double mean = kNaN, sd = kNaN;
    int n = 0;
};

Summary summarise(const std::vector<double>& values) {
    Summary s;
    double sum = 0;
    for (double v : values)
        if (std::isfinite(v)) sum += v, ++s.n;
    if (s.n == 0) return s;
    s.mean = sum / s.n;
    double squares = 0;
    for (double v : values)
        if (std::isfinite(v)) squares += (v - s.mean) * (v - s.mean);
    s.sd = s.n > 1 ? std::sqrt(squares / (s.n - 1)) : 0.0;
    return s;
}

// The runs a group row summarises: those shown, or all when none is.
std::vector<const RunData*> summarised(const ComparedEntry& e) {
    std::vector<const RunData*> shown = e.shownRuns();
    return shown.empty() ? e.runs : shown;
}

}  // namespace

RunsTableModel::RunsTableModel(QObject* parent) : QAbstractItemModel(parent) {}

void RunsTableModel::setRuns(const std::vector<const RunData*>& runs) {
    std::vector<const RunData*> ordered;
    for (const RunData* r : runs_)
        if (std::find(runs.begin(), runs.end(), r) != runs.end()) ordered.push_back(r);
    for (const RunData* r : runs)
        if (std::find(ordered.begin(), ordered.end(), r) == ordered.end()) ordered.push_back(r);
    std::set<const RunData*> hidden;
    for (const RunData* r : hidden_)
        if (std::find(ordered.begin(), ordered.end(), r) != ordered.end()) hidden.insert(r);
    runs_ = ordered;
    hidden_ = hidden;
    update(true);
}

void RunsTableModel::refreshValues() {
    if (runs_.empty()) return;
    const int last = columnCount() - 1;
    Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, last));
    for (int e = 0; e < int(comparison_.entries.size()); ++e) {
        const QModelIndex parent = index(int(comparison_.baselines.size()) + e, 0);
        if (rowCount(parent) > 0)
            Q_EMIT dataChanged(index(0, 0, parent), index(rowCount(parent) - 1, last, parent));
    }
}

void RunsTableModel::setOptions(const ComparisonOptions& options) {
    options_ = options;
    update(true);
}

QStringList RunsTableModel::labels() const {
    QStringList out;
    for (const ComparedEntry& e : comparison_.entries) out << e.label;
    return out;
}

void RunsTableModel::setShown(const RunData* run, bool shown) {
    if (isShown(run) == shown) return;
    if (shown)
        hidden_.erase(run);
    else
        hidden_.insert(run);
    update();
}

void RunsTableModel::setShown(const QModelIndex& index, bool shown) {
    bool changed = false;
    for (const RunData* r : runsAt(index)) {
        changed |= isShown(r) != shown;
        if (shown)
            hidden_.erase(r);
        else
            hidden_.insert(r);
    }
    if (changed) update();
}

void RunsTableModel::moveEntry(int entry, int delta) {
    const int to = entry + delta;
    const int count = int(comparison_.entries.size());
    if (entry < 0 || entry >= count || to < 0 || to >= count || delta == 0) return;
    std::vector<std::vector<const RunData*>> blocks;
    for (const ComparedEntry& e : comparison_.entries) blocks.push_back(e.runs);
    const std::vector<const RunData*> moved = blocks[std::size_t(entry)];
    blocks.erase(blocks.begin() + entry);
    blocks.insert(blocks.begin() + to, moved);
    runs_.clear();
    for (const auto& b : blocks) runs_.insert(runs_.end(), b.begin(), b.end());
    update(true);
}

void RunsTableModel::setCustomLabels(const QHash<QString, QString>& labels) {
    custom_ = labels;
    update();
}

void RunsTableModel::update(bool reset) {
    std::vector<bool> shown;
    for (const RunData* r : runs_) shown.push_back(isShown(r));
    Comparison next = compareRuns(runs_, shown, custom_, options_);
    std::vector<SearchSettings> settings;
    std::vector<ModelIdentity> models;
    for (const RunData* r : runs_) settings.push_back(r->settings), models.push_back(r->model);
    QStringList keys = distinguishingKeys(settings, models);
    keys.removeAll(QStringLiteral("model"));  // a column of its own, always
    auto shape = [](const Comparison& c) {
        std::vector<std::size_t> s{c.baselines.size()};
        for (const ComparedEntry& e : c.entries) s.push_back(e.runs.size());
        return s;
    };
    if (reset || keys != keys_ || shape(next) != shape(comparison_)) {
        beginResetModel();
        comparison_ = std::move(next);
        keys_ = keys;
        endResetModel();
    } else {
        comparison_ = std::move(next);
        refreshValues();
    }
    Q_EMIT comparisonChanged();
}

RunsTableModel::RowKind RunsTableModel::rowKind(const QModelIndex& index) const {
    if (!index.isValid()) return RowKind::None;
    if (index.internalId() != 0) return RowKind::Run;
    return index.row() < int(comparison_.baselines.size()) ? RowKind::Baseline : RowKind::Entry;
}

int RunsTableModel::entryAt(const QModelIndex& index) const {
    switch (rowKind(index)) {
        case RowKind::Run:
            return int(index.internalId()) - 1;
        case RowKind::Entry:
            return index.row() - int(comparison_.baselines.size());
        default:
            return -1;
    }
}

const ComparedEntry* RunsTableModel::entry(const QModelIndex& index) const {
    const int e = entryAt(index);
    return e >= 0 && e < int(comparison_.entries.size()) ? &comparison_.entries[std::size_t(e)]
                                                         : nullptr;
}

std::vector<const RunData*> RunsTableModel::runsAt(const QModelIndex& index) const {
    const ComparedEntry* e = entry(index);
    if (!e) return {};
    if (rowKind(index) == RowKind::Run) return {e->runs[std::size_t(index.row())]};
    return e->runs;
}

QModelIndex RunsTableModel::index(int row, int column, const QModelIndex& parent) const {
    if (!hasIndex(row, column, parent)) return {};
    if (!parent.isValid()) return createIndex(row, column, quintptr(0));
    return createIndex(row, column, quintptr(entryAt(parent) + 1));
}

QModelIndex RunsTableModel::parent(const QModelIndex& child) const {
    if (!child.isValid() || child.internalId() == 0) return {};
    return createIndex(int(comparison_.baselines.size()) + int(child.internalId()) - 1, 0,
                       quintptr(0));
}

int RunsTableModel::rowCount(const QModelIndex& parent) const {
    if (!parent.isValid()) return int(comparison_.baselines.size() + comparison_.entries.size());
    if (parent.column() != 0 || rowKind(parent) != RowKind::Entry) return 0;
    const ComparedEntry* e = entry(parent);
    return e && e->grouped ? int(e->runs.size()) : 0;
}

int RunsTableModel::columnCount(const QModelIndex&) const {
    return FirstMetricColumn + MetricCount + int(keys_.size()) + 1;
}

int RunsTableModel::metricColumnEnd() const { return FirstMetricColumn + MetricCount; }

QVariant RunsTableModel::metric(const QModelIndex& index, int m) const {
    switch (rowKind(index)) {
        case RowKind::Baseline:
            return baselineMetric(*comparison_.baselines[std::size_t(index.row())].run, m);
        case RowKind::Run:
            return runMetric(*runsAt(index).front(), m);
        case RowKind::Entry: {
            std::vector<double> values;
            for (const RunData* r : summarised(*entry(index))) values.push_back(runMetric(*r, m));
            return summarise(values).mean;
        }
        case RowKind::None:
            break;
    }
    return kNaN;
}

QString RunsTableModel::settingCell(const QModelIndex& index, const QString& key) const {
    if (rowKind(index) == RowKind::Baseline) {
        const RunData& r = *comparison_.baselines[std::size_t(index.row())].run;
        return key == QLatin1String("model") || key == QLatin1String("base") ||
                       key == QLatin1String("bits") || key == QLatin1String("group")
                   ? settingText(key, r.settings, r.model)
                   : QStringLiteral("–");
    }
    QStringList values;
    for (const RunData* r : runsAt(index)) {
        const QString v = settingText(key, r->settings, r->model);
        if (!values.contains(v)) values << v;
    }
    return values.join(QStringLiteral(", "));
}

QString RunsTableModel::cellText(const QModelIndex& index) const {
    const int column = index.column();
    const RowKind kind = rowKind(index);
    if (column == NameColumn) {
        if (kind == RowKind::Baseline) return comparison_.baselines[std::size_t(index.row())].label;
        if (kind == RowKind::Run) return entry(index)->runLabels[index.row()];
        return entry(index)->label;
    }
    if (column == CountColumn) {
        if (kind == RowKind::Baseline) return QStringLiteral("–");
        return kind == RowKind::Run ? QString() : QString::number(summarised(*entry(index)).size());
    }
    if (column < metricColumnEnd()) {
        const int m = column - FirstMetricColumn;
        if (kind != RowKind::Entry || summarised(*entry(index)).size() < 2)
            return formatted(metric(index, m).toDouble(), m);
        std::vector<double> values;
        for (const RunData* r : summarised(*entry(index))) values.push_back(runMetric(*r, m));
        const Summary s = summarise(values);
        if (s.n < 2 || formatted(s.sd, m).toDouble() == 0) return formatted(s.mean, m);
        return QStringLiteral("%1 ± %2").arg(formatted(s.mean, m), formatted(s.sd, m));
    }
    const int key = column - metricColumnEnd();
    return settingCell(index, key < keys_.size() ? keys_[key] : QStringLiteral("model"));
}

QVariant RunsTableModel::checkState(const QModelIndex& index) const {
    const std::vector<const RunData*> runs = runsAt(index);
    const auto shown =
        std::count_if(runs.begin(), runs.end(), [this](const RunData* r) { return isShown(r); });
    if (shown == 0) return Qt::Unchecked;
    return std::size_t(shown) == runs.size() ? Qt::Checked : Qt::PartiallyChecked;
}

QVariant RunsTableModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
    const int column = index.column();
    const RowKind kind = rowKind(index);
    const bool numeric = column >= CountColumn && column < metricColumnEnd();
    switch (role) {
        case Qt::DisplayRole:
            return cellText(index);
        case Qt::EditRole:
            return column == NameColumn ? cellText(index) : QVariant();
        case Qt::CheckStateRole:
            return column == NameColumn && kind != RowKind::Baseline ? checkState(index)
                                                                     : QVariant();
        case Qt::ToolTipRole:
            if (column != NameColumn) return {};
            if (kind == RowKind::Baseline)
                return comparison_.baselines[std::size_t(index.row())].toolTip;
            if (kind == RowKind::Run) return entry(index)->runToolTips[index.row()];
            return entry(index)->toolTip;
        case Qt::TextAlignmentRole:
            return numeric ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
        case Qt::FontRole:
            if (kind == RowKind::Baseline) {
                QFont italic;
                italic.setItalic(true);
                return italic;
            }
            return {};
        case SortRole: {
            if (!numeric) return cellText(index);
            const double v =
                column == CountColumn
                    ? double(kind == RowKind::Entry ? summarised(*entry(index)).size() : 1)
                    : metric(index, column - FirstMetricColumn).toDouble();
            return std::isfinite(v) ? QVariant(v)
                                    : QVariant(std::numeric_limits<double>::max());  // blanks last
        }
        default:
            return {};
    }
}

bool RunsTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (!index.isValid() || index.column() != NameColumn || rowKind(index) == RowKind::Baseline)
        return false;
    if (role == Qt::CheckStateRole) {
        setShown(index, value.value<Qt::CheckState>() != Qt::Unchecked);
        return true;
    }
    if (role != Qt::EditRole) return false;
    // A name of the user's own, kept with the view; an empty one gives the derived name back.
    const QString key =
        rowKind(index) == RowKind::Run ? runKey(*runsAt(index).front()) : entry(index)->key;
    const QString text = value.toString().trimmed();
    if (text.isEmpty())
        custom_.remove(key);
    else
        custom_.insert(key, text);
    update();
    Q_EMIT customLabelsChanged();
    return true;
}

Qt::ItemFlags RunsTableModel::flags(const QModelIndex& index) const {
    if (!index.isValid()) return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.column() == NameColumn && rowKind(index) != RowKind::Baseline)
        f |= Qt::ItemIsUserCheckable | Qt::ItemIsEditable;
    return f;
}

QVariant RunsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::ToolTipRole && section == CountColumn)
        return tr(
            "Runs behind the row: a seed group's numbers are mean ± sample standard deviation");
    if (role != Qt::DisplayRole) return {};
    if (section == NameColumn) return tr("Run");
    if (section == CountColumn) return tr("n");
    if (section < metricColumnEnd()) return metricName(section - FirstMetricColumn);
    const int key = section - metricColumnEnd();
    return settingTitle(key < keys_.size() ? keys_[key] : QStringLiteral("model"));
}

QString RunsTableModel::toMarkdown() const {
    return tableToMarkdown(*this, CountColumn, metricColumnEnd());
}
QString RunsTableModel::toLatex() const {
    return tableToLatex(*this, CountColumn, metricColumnEnd());
}

}  // namespace invx::gui
