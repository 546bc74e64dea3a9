#include "results-table-model.h"

#include <QFileInfo>
#include <QFont>
#include <cmath>

namespace invx::gui {
namespace {

bool isPerplexity(const std::string& column) { return column == "wikitext2" || column == "c4"; }

}  // namespace

ResultsTableModel::ResultsTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void ResultsTableModel::setTable(ResultsTable table) {
    beginResetModel();
    table_ = std::move(table);
    endResetModel();
}

int ResultsTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(table_.rows.size());
}

int ResultsTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() || table_.rows.empty() ? 0
                                                   : kFirstValueColumn + int(table_.columns.size());
}

QString ResultsTableModel::cellText(int row, int column) const {
    const ResultsRow& r = table_.rows[std::size_t(row)];
    if (column == 0) return QString::fromStdString(r.bits);
    if (column == 1) return QString::fromStdString(r.method);
    const ResultsCell& c = r.cells[std::size_t(column - kFirstValueColumn)];
    if (!c.value) return QStringLiteral("–");
    return QString::number(*c.value, 'f', 2) + (c.partial ? QStringLiteral("*") : QString());
}

QVariant ResultsTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount()) return {};
    const ResultsRow& r = table_.rows[std::size_t(index.row())];
    const int column = index.column();
    const ResultsCell* cell =
        column >= kFirstValueColumn ? &r.cells[std::size_t(column - kFirstValueColumn)] : nullptr;
    switch (role) {
        case Qt::DisplayRole:
            return cellText(index.row(), column);
        case SortRole:
            if (!cell) return cellText(index.row(), column);
            return cell->value ? QVariant(*cell->value) : QVariant(std::nan(""));
        case Qt::FontRole: {
            if (!cell || !cell->best) return {};
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        case Qt::TextAlignmentRole:
            return cell ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                        : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
        case Qt::ToolTipRole: {
            QStringList files;
            for (const std::string& p : r.paths)
                files << QFileInfo(QString::fromStdString(p)).fileName();
            const QString which = r.model == "full-precision" ? tr("The model without quantization")
                                  : r.model == "base"
                                      ? tr("The base method's model: the search's start (step 0)")
                                      : tr("The searched model at step %1").arg(r.step);
            if (!cell) return tr("%1, from %2").arg(which, files.join(QStringLiteral(", ")));
            if (!cell->value)
                return tr("Not recorded yet: `invx table --evaluate` measures it and records it in "
                          "%1")
                    .arg(files.value(0));
            const std::string& metric = table_.columns[std::size_t(column - kFirstValueColumn)];
            QString what = metric == "average" ? tr("Average accuracy of the six tasks, %")
                           : isPerplexity(metric)
                               ? tr("Perplexity, 2048-token windows (lower is better)")
                               : tr("5-shot accuracy, % (acc, lm-evaluation-harness)");
            if (cell->partial)
                what += tr("; measured on part of the data (--limit or --max-windows)");
            return what;
        }
        default:
            return {};
    }
}

QVariant ResultsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount()) return {};
    if (role == Qt::DisplayRole) {
        if (section == 0) return tr("Bits");
        if (section == 1) return tr("Method");
        const std::string& metric = table_.columns[std::size_t(section - kFirstValueColumn)];
        return QString::fromStdString(resultsHeading(metric)) +
               (isPerplexity(metric) ? QStringLiteral(" ↓") : QStringLiteral(" ↑"));
    }
    if (role == Qt::ToolTipRole && section >= kFirstValueColumn) {
        const std::string& metric = table_.columns[std::size_t(section - kFirstValueColumn)];
        if (metric == "wikitext2") return tr("WikiText-2 test perplexity");
        if (metric == "c4")
            return tr("C4 validation perplexity (the first million tokens of the sample)");
        if (metric == "average") return tr("Average accuracy of the six reasoning tasks");
        return tr("%1 accuracy, 5-shot").arg(QString::fromStdString(resultsHeading(metric)));
    }
    return {};
}

}  // namespace invx::gui
