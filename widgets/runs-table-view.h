#pragma once
// The Runs dock: the runs in view as a table that sorts by any column (numbers as numbers, through
// a proxy on RunsTableModel::SortRole); a double click asks to inspect the run.
#include <QTableView>

namespace invx::gui {

struct RunData;
class RunsTableModel;

class RunsTableView : public QTableView {
    Q_OBJECT
  public:
    // `model` stays the caller's.
    explicit RunsTableView(RunsTableModel* model, QWidget* parent = nullptr);

  Q_SIGNALS:
    void inspectRequested(const invx::gui::RunData* run);
};

}  // namespace invx::gui
