#pragma once
// The View toolbar: the curves' x axis (step or search time), a log x axis, the value axis
// (automatic, linear, log, or each run relative to its step 0), their smoothing (none, EMA or
// moving average) with its parameter, seed groups with their band (min-max or ± sd) and the base
// methods' baselines. Its axis and grouping actions also serve the View menu.
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
    QList<QAction*> axisActions() const { return {timeAxis_, logX_, groupSeeds_, baselines_}; }

  Q_SIGNALS:
    void optionsChanged(const invx::gui::FigureOptions& options);

  private:
    void smoothingChosen();
    void apply();

    QAction *timeAxis_ = nullptr, *logX_ = nullptr, *groupSeeds_ = nullptr, *baselines_ = nullptr;
    QComboBox *yScale_ = nullptr, *band_ = nullptr, *smoothing_ = nullptr;
    QDoubleSpinBox* parameter_ = nullptr;
};

}  // namespace invx::gui
