#pragma once
// The ablation tab: the queue of variants with their states, and the result table with the mean
// and standard deviation across seeds; and the dialog that sets up a new ablation grid.
#include <QDialog>
#include <QStandardItemModel>
#include <QWidget>
#include <vector>

#include "ablation-plan.h"

class QLabel;
class QLineEdit;
class QTableWidget;

namespace invx::gui {

class AblationView : public QWidget {
    Q_OBJECT
public:
    explicit AblationView(QWidget* parent = nullptr);
    // Shows `plan` (nullptr: none) with results[i] for variant i (nullptr where none).
    void display(const AblationPlan* plan, const std::vector<const RunData*>& results);
    QStandardItemModel* queueModel() { return &queue_; }
    QStandardItemModel* summaryModel() { return &summary_; }
    int firstSummaryNumberColumn() const { return summaryNumbers_; }

Q_SIGNALS:
    void newAblationRequested();
    void exportRequested();

private:
    QLabel* heading_ = nullptr;
    QStandardItemModel queue_, summary_;
    int summaryNumbers_ = 1;
};

class AblationDialog : public QDialog {
    Q_OBJECT
public:
    explicit AblationDialog(const QString& defaultFolder, QWidget* parent = nullptr);
    std::vector<AblationAxis> axes() const;
    QString folder() const;

private:
    QTableWidget* axes_ = nullptr;
    QLineEdit* folder_ = nullptr;
};

}  // namespace invx::gui
