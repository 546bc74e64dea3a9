#pragma once
// The Runs dock: the runs in view as a tree that sorts by any column (numbers as numbers, through a
// proxy on RunsTableModel::SortRole), a seed group expanding to its runs. A double click on a run
// asks to inspect it; its context menu renames (F2), hides, shows alone, moves (Ctrl+Up, Ctrl+Down)
// and closes (Delete) a run or a group. The user's names persist with the view (QSettings), never
// in the experiment files.
#include <QSet>
#include <QTreeView>
#include <vector>

class QSortFilterProxyModel;

namespace invx::gui {

struct RunData;
class RunsTableModel;

class RunsTableView : public QTreeView {
    Q_OBJECT
  public:
    // `model` stays the caller's.
    explicit RunsTableView(RunsTableModel* model, QWidget* parent = nullptr);

  Q_SIGNALS:
    void inspectRequested(const invx::gui::RunData* run);
    // Close these runs (a row's run, or every run of a group).
    void closeRequested(const std::vector<const invx::gui::RunData*>& runs);

  protected:
    void contextMenuEvent(QContextMenuEvent* event) override;

  private:
    void buildActions();
    QModelIndex currentSourceIndex() const;
    void moveCurrent(int delta);
    void showOnly(const QModelIndex& source);
    void rememberExpanded();
    void restoreExpanded();
    void fitColumns();

    RunsTableModel* model_;
    QSortFilterProxyModel* proxy_;
    QSet<QString> expanded_;  // the keys of the groups shown expanded
    QAction *rename_ = nullptr, *hide_ = nullptr, *only_ = nullptr, *up_ = nullptr,
            *down_ = nullptr, *close_ = nullptr, *inspect_ = nullptr;
};

}  // namespace invx::gui
