#include "runs-table-model.h"

#include <QFileInfo>
#include <cmath>

#include "invx/setting-table.h"
#include "run-labels.h"
#include "table-export.h"

namespace invx::gui {
namespace {

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
            return QString::number(v, 'f', 1);
        case Steps:
            return QString::number(qint64(v));
        case Seconds:
            return QString::number(v, 'f', 1);
    }
    return QString::number(v);
}

}  // namespace

RunsTableModel::RunsTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void RunsTableModel::setRuns(const std::vector<const RunData*>& runs) {
    beginResetModel();
    std::vector<bool> shown(runs.size(), true);
    for (std::size_t i = 0; i < runs.size(); ++i)
        for (std::size_t j = 0; j < runs_.size(); ++j)
            if (runs_[j] == runs[i]) shown[i] = shown_[j];
    runs_ = runs;
    shown_ = shown;
    std::vector<SearchSettings> settings;
    QStringList names;
    for (const RunData* r : runs_)
        settings.push_back(r->settings), names << QFileInfo(r->path).completeBaseName();
    labels_ = differenceLabels(settings, names);
    keys_ = differingSettingKeys(settings);
    endResetModel();
}

void RunsTableModel::refreshValues() {
    if (!runs_.empty()) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

bool RunsTableModel::isShown(int row) const {
    return row >= 0 && std::size_t(row) < shown_.size() && shown_[std::size_t(row)];
}

void RunsTableModel::setShown(int row, bool shown) {
    if (row < 0 || std::size_t(row) >= shown_.size() || shown_[std::size_t(row)] == shown) return;
    shown_[std::size_t(row)] = shown;
    Q_EMIT dataChanged(index(row, 0), index(row, 0), {Qt::CheckStateRole});
    Q_EMIT shownChanged();
}

std::vector<const RunData*> RunsTableModel::shownRuns() const {
    std::vector<const RunData*> out;
    for (std::size_t i = 0; i < runs_.size(); ++i)
        if (shown_[i]) out.push_back(runs_[i]);
    return out;
}

QStringList RunsTableModel::shownLabels() const {
    QStringList out;
    for (std::size_t i = 0; i < runs_.size(); ++i)
        if (shown_[i]) out << labels_[int(i)];
    return out;
}

int RunsTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(runs_.size());
}
int RunsTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : 1 + int(keys_.size()) + MetricCount;
}

QVariant RunsTableModel::number(int row, int metric) const {
    const RunData& r = *runs_[std::size_t(row)];
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
    return {};
}

QString RunsTableModel::cellText(int row, int column) const {
    if (column == 0) return labels_[row];
    if (column <= keys_.size()) {
        const SettingDeclaration* d = findSettingDeclaration(keys_[column - 1].toStdString());
        return QString::fromStdString(d->get(runs_[std::size_t(row)]->settings));
    }
    const int metric = column - 1 - int(keys_.size());
    return formatted(number(row, metric).toDouble(), metric);
}

QVariant RunsTableModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int column = index.column();
    const int metric = column - 1 - int(keys_.size());
    if (role == Qt::CheckStateRole && column == 0)
        return isShown(index.row()) ? Qt::Checked : Qt::Unchecked;
    if (role == Qt::DisplayRole) return cellText(index.row(), column);
    if (role == Qt::ToolTipRole) return runs_[std::size_t(index.row())]->path;
    if (role == Qt::TextAlignmentRole && metric >= 0) return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == SortRole) {
        if (metric < 0) return cellText(index.row(), column);
        const double v = number(index.row(), metric).toDouble();
        return std::isfinite(v) ? QVariant(v)
                                : QVariant(std::numeric_limits<double>::max());  // blanks last
    }
    return {};
}

bool RunsTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (role != Qt::CheckStateRole || index.column() != 0 || !index.isValid()) return false;
    setShown(index.row(), value.value<Qt::CheckState>() == Qt::Checked);
    return true;
}

Qt::ItemFlags RunsTableModel::flags(const QModelIndex& index) const {
    if (!index.isValid()) return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.column() == 0) f |= Qt::ItemIsUserCheckable;
    return f;
}

QVariant RunsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    if (section == 0) return tr("Run");
    if (section <= keys_.size()) return keys_[section - 1];
    return metricName(section - 1 - int(keys_.size()));
}

QString RunsTableModel::toMarkdown() const { return tableToMarkdown(*this, 1 + int(keys_.size())); }
QString RunsTableModel::toLatex() const { return tableToLatex(*this, 1 + int(keys_.size())); }

}  // namespace invx::gui
