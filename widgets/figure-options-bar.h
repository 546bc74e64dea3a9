#pragma once
// The View toolbar: the curves' x axis (step or search time), log axes, and their smoothing (none,
// EMA or moving average) with its parameter. Its axis actions also serve the View menu.
#include <QList>
#include <QToolBar>

#include "run-figures.h"

class QComboBox;
class QDoubleSpinBox;

namespace invx::gui {

class FigureOptionsBar : public QToolBar {
    Q_OBJECT
  public:
    explicit FigureOptionsBar(QWidget* parent = nullptr);
    FigureOptions options() const;
    QList<QAction*> axisActions() const { return {timeAxis_, logX_, logY_}; }

  Q_SIGNALS:
    void optionsChanged(const invx::gui::FigureOptions& options);

  private:
    void smoothingChosen();
    void apply();

    QAction *timeAxis_ = nullptr, *logX_ = nullptr, *logY_ = nullptr;
    QComboBox* smoothing_ = nullptr;
    QDoubleSpinBox* parameter_ = nullptr;
};

}  // namespace invx::gui
