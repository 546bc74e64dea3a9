#pragma once
// The workbench's tables of experiments and runs look alike: whole rows selected, several at a
// time, read-only, one line a row with long paths elided in the middle.
class QTableView;

namespace invx::gui {

void styleListTableView(QTableView* view);

}  // namespace invx::gui
