#pragma once
// A study's table in the paper's layout (invx/study-table.h) as the Ablation tab shows it: the
// base method before the search, then a row per variant with the mean ± sd over its seeds (one
// run's value alone), WikiText-2, C4, the six tasks and their average, the best in bold. Its
// Markdown, LaTeX and CSV are the core's formatStudyTable, as a paper prints them.
#include <QStandardItemModel>
#include <QWidget>
#include <optional>

#include "invx/results-table.h"
#include "invx/study-table.h"

class QLabel;
class QTableView;

namespace invx::gui {

class StudyTableView : public QWidget {
    Q_OBJECT
  public:
    explicit StudyTableView(QWidget* parent = nullptr);

    void setTable(const StudyTable& table);
    // No table: `text` says why (no variant finished, a file that does not read).
    void clear(const QString& text);
    const std::optional<StudyTable>& table() const { return table_; }
    QStandardItemModel* model() { return &model_; }
    QString note() const;
    // The table as formatStudyTable writes it; "" without a table.
    QString text(ResultsFormat format) const;

  private:
    QStandardItemModel model_;
    QTableView* view_ = nullptr;
    QLabel* note_ = nullptr;
    std::optional<StudyTable> table_;
};

}  // namespace invx::gui
