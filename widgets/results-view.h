#pragma once
// The Results tab: the paper's results table for the experiments in view, as `invx table` prints
// it, with a note on what is missing (and the command that measures it) and exports as Markdown,
// LaTeX and CSV (the same text as invx table --format).
#include <QPointer>
#include <QStringList>
#include <QWidget>

#include "invx/setting-table.h"
#include "results-table-model.h"

class QComboBox;
class QLabel;
class QPushButton;
class QTableView;

namespace invx::gui {

class ResultsEvaluator;

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

    // Who measures the missing values (nullptr: the tab only names the command that does).
    void setEvaluator(ResultsEvaluator* evaluator);
    // The measurement scopes of the Measure Missing button: what is measured, on how much data.
    enum class Scope { Perplexity, Everything, Quick };
    // What the table lacks within `scope`, and the settings to measure it with.
    std::vector<ResultsMeasurement> missing(Scope scope, CommandSettings* settings) const;
    // Measures what the table lacks within `scope`; false when nothing is missing or a run is on.
    bool measureMissing(Scope scope);
    void stopMeasuring();

  Q_SIGNALS:
    void exportRequested();

  private:
    void updateMeasureButtons();

    ResultsTableModel model_;
    QTableView* view_ = nullptr;
    QLabel* note_ = nullptr;
    QLabel* progress_ = nullptr;
    QComboBox* scope_ = nullptr;
    QPushButton *measure_ = nullptr, *stop_ = nullptr;
    QPointer<ResultsEvaluator> evaluator_;
    QStringList paths_;
};

}  // namespace invx::gui
