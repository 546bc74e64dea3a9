#pragma once
// The table of runs in view: a row per run, named by what differs between the runs, with the
// settings that differ, best and final perplexity, best loss, acceptance, steps and search time.
// Sort through a QSortFilterProxyModel with sortRole SortRole (numbers sort as numbers). A check
// box per row shows or hides the run in the plots. Exports as Markdown and LaTeX (booktabs).
#include <QAbstractTableModel>
#include <QStringList>
#include <vector>

#include "run-data.h"

namespace invx::gui {

class RunsTableModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit RunsTableModel(QObject* parent = nullptr);

    // The runs stay owned by the caller and must outlive their rows here.
    void setRuns(const std::vector<const RunData*>& runs);
    // Numbers changed (a live run grew): repaint without resetting.
    void refreshValues();
    const std::vector<const RunData*>& runs() const { return runs_; }
    QStringList labels() const { return labels_; }
    bool isShown(int row) const;
    void setShown(int row, bool shown);
    std::vector<const RunData*> shownRuns() const;
    QStringList shownLabels() const;

    QString toMarkdown() const;
    QString toLatex() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

  Q_SIGNALS:
    void shownChanged();

  private:
    QVariant number(int row, int metric) const;
    QString cellText(int row, int column) const;

    std::vector<const RunData*> runs_;
    std::vector<bool> shown_;
    QStringList labels_, keys_;
};

}  // namespace invx::gui
