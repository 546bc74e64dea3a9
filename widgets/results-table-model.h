#pragma once
// The paper's results table (invx/results-table.h) as a Qt table model: a row per model (full
// precision, each base method, each with InvarExplore), columns Bits, Method, WikiText-2 and C4
// perplexity, the six tasks' accuracy in percent and their average. A value measured on part of
// the data carries a *, a missing one is a dash; the best quantized value of each bit width is
// bold; tooltips say what each cell is and how it was measured. Sort through a
// QSortFilterProxyModel with sortRole SortRole.
#include <QAbstractTableModel>

#include "invx/results-table.h"

namespace invx::gui {

class ResultsTableModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int kFirstValueColumn = 2;

    explicit ResultsTableModel(QObject* parent = nullptr);

    void setTable(ResultsTable table);
    const ResultsTable& table() const { return table_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

  private:
    QString cellText(int row, int column) const;
    ResultsTable table_;
};

}  // namespace invx::gui
