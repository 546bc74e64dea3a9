#pragma once
// The dialog that asks where and how to export figures: the folder, the size and style preset,
// and the formats (PDF, SVG, PNG and CSV, all checked at first).
#include <QDialog>
#include <QList>
#include <QStringList>

class QCheckBox;
class QComboBox;
class QLineEdit;

namespace invx::gui {

class FigureExportDialog : public QDialog {
    Q_OBJECT
  public:
    FigureExportDialog(const QString& title, const QString& folder, const QString& preset,
                       QWidget* parent = nullptr);
    QString folder() const;
    QString preset() const;
    QStringList formats() const;  // "pdf", "svg", "png", "csv": those checked

  private:
    QLineEdit* folder_ = nullptr;
    QComboBox* preset_ = nullptr;
    QList<QCheckBox*> formats_;
};

}  // namespace invx::gui
