#pragma once
// The dialog that sets up a new ablation grid: a row per axis (a setting and its values), and the
// folder the queue and the variants' files go to.
#include <QDialog>
#include <vector>

#include "ablation-plan.h"

class QLineEdit;
class QTableWidget;

namespace invx::gui {

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
