#pragma once
// The table of runs in view, as a tree: a row per entry of the comparison (a run, or a seed group
// that shows mean ± sd over its runs with their n and expands to them), and, when asked for, a row
// per base method before the search (step 0) first. Columns: the name (editable; the user's names
// are kept by key, apart from the runs' files), n, best and final perplexity, best loss,
// acceptance, steps and search time, then the settings that distinguish the runs and the model.
// A check box shows or hides a run or a whole group; entries move up and down. Sort through a
// QSortFilterProxyModel with sortRole SortRole (numbers sort as numbers). Exports the top-level
// rows as Markdown and LaTeX (booktabs).
#include <QAbstractItemModel>
#include <QHash>
#include <QStringList>
#include <set>
#include <vector>

#include "run-comparison.h"

namespace invx::gui {

class RunsTableModel : public QAbstractItemModel {
    Q_OBJECT
  public:
    static constexpr int SortRole = Qt::UserRole + 1;
    enum Column { NameColumn, CountColumn, FirstMetricColumn };
    enum class RowKind { None, Baseline, Entry, Run };

    explicit RunsTableModel(QObject* parent = nullptr);

    // The runs stay owned by the caller and must outlive their rows here. Runs already in the
    // table keep their place; new ones go last.
    void setRuns(const std::vector<const RunData*>& runs);
    // Numbers changed (a live run grew): repaint without resetting.
    void refreshValues();
    void setOptions(const ComparisonOptions& options);
    const ComparisonOptions& options() const { return options_; }

    // Every run, in the table's order.
    const std::vector<const RunData*>& runs() const { return runs_; }
    const Comparison& comparison() const { return comparison_; }
    // The entries' names, in order.
    QStringList labels() const;
    std::vector<const RunData*> shownRuns() const { return comparison_.shownRuns(); }
    bool isShown(const RunData* run) const { return !hidden_.count(run); }
    void setShown(const RunData* run, bool shown);
    // Shows or hides the row's run, or every run of its entry.
    void setShown(const QModelIndex& index, bool shown);

    RowKind rowKind(const QModelIndex& index) const;
    // The entry a row belongs to (-1 for a baseline or nothing).
    int entryAt(const QModelIndex& index) const;
    // The row's run, or every run of its entry.
    std::vector<const RunData*> runsAt(const QModelIndex& index) const;
    // Moves entry `entry` by `delta` places (the legend's order follows).
    void moveEntry(int entry, int delta);

    // The user's names, by ComparedEntry::key or runKey.
    const QHash<QString, QString>& customLabels() const { return custom_; }
    void setCustomLabels(const QHash<QString, QString>& labels);

    QString toMarkdown() const;
    QString toLatex() const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

  Q_SIGNALS:
    // What the figures draw changed: runs shown, names, order, grouping.
    void comparisonChanged();
    void customLabelsChanged();

  private:
    // Rebuilds the comparison; resets the model when its rows or columns change (or `reset`).
    void update(bool reset = false);
    QVariant metric(const QModelIndex& index, int metric) const;
    QString cellText(const QModelIndex& index) const;
    QVariant checkState(const QModelIndex& index) const;
    QString settingCell(const QModelIndex& index, const QString& key) const;
    const ComparedEntry* entry(const QModelIndex& index) const;
    int metricColumnEnd() const;

    std::vector<const RunData*> runs_;
    std::set<const RunData*> hidden_;
    QHash<QString, QString> custom_;
    ComparisonOptions options_;
    Comparison comparison_;
    QStringList keys_;  // the settings that distinguish the runs (not the model)
};

}  // namespace invx::gui
