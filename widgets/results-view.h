#pragma once
// The Results tab: the paper's results table for the experiments in view, as `invx table` prints
// it, with a note on what is missing (and the command that measures it) and exports as Markdown,
// LaTeX and CSV (the same text as invx table --format).
#include <QStringList>
#include <QWidget>

#include "results-table-model.h"

class QLabel;
class QTableView;

namespace invx::gui {

class ResultsView : public QWidget {
    Q_OBJECT
public:
    explicit ResultsView(QWidget* parent = nullptr);

    // Reads the results the files record; files not yet written (a run being set up) are left out.
    // A failure (files of different models, an unreadable file) is shown in place of the table.
    void setExperiments(const QStringList& paths);
    void reload();
    ResultsTableModel* model() { return &model_; }
    QString note() const;
    // The table as invx table prints it: "markdown", "latex" or "csv".
    QString text(const QString& format) const;
    // Writes the table; the format follows the suffix (.md, .tex, .csv). Returns "" or the error.
    QString exportTo(const QString& path) const;

Q_SIGNALS:
    void exportRequested();

private:
    ResultsTableModel model_;
    QTableView* view_ = nullptr;
    QLabel* note_ = nullptr;
    QStringList paths_;
};

}  // namespace invx::gui
