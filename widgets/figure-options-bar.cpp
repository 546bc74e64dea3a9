#include "figure-options-bar.h"

#include <QAction>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>

namespace invx::gui {

FigureOptionsBar::FigureOptionsBar(QWidget* parent) : QToolBar(tr("View"), parent) {
    setObjectName(QStringLiteral("viewToolBar"));
    timeAxis_ = addAction(tr("Time"));
    timeAxis_->setToolTip(tr("Plot against search time instead of step"));
    logX_ = addAction(tr("Log x"));
    logY_ = addAction(tr("Log y"));
    for (QAction* a : axisActions()) {
        a->setCheckable(true);
        connect(a, &QAction::toggled, this, &FigureOptionsBar::apply);
    }
    addWidget(new QLabel(tr("  Smoothing "), this));
    smoothing_ = new QComboBox(this);
    smoothing_->setObjectName(QStringLiteral("smoothing"));
    smoothing_->addItems({tr("None"), tr("EMA"), tr("Moving average")});
    addWidget(smoothing_);
    parameter_ = new QDoubleSpinBox(this);
    parameter_->setDecimals(3);
    parameter_->setToolTip(
        tr("EMA: the weight of the past (0-0.999); moving average: the window in steps"));
    addWidget(parameter_);
    parameter_->setValue(0.9);
    connect(smoothing_, &QComboBox::currentIndexChanged, this, &FigureOptionsBar::smoothingChosen);
    connect(parameter_, &QDoubleSpinBox::valueChanged, this, &FigureOptionsBar::apply);
    apply();
}

FigureOptions FigureOptionsBar::options() const {
    FigureOptions o;
    o.timeAxis = timeAxis_->isChecked();
    o.logX = logX_->isChecked();
    o.logY = logY_->isChecked();
    o.smoothing = Smoothing(smoothing_->currentIndex());
    o.smoothingParameter = parameter_->value();
    return o;
}

// A new kind of smoothing starts from its usual parameter.
void FigureOptionsBar::smoothingChosen() {
    parameter_->blockSignals(true);
    parameter_->setValue(smoothing_->currentIndex() == 2 ? 50 : 0.9);
    parameter_->blockSignals(false);
    apply();
}

void FigureOptionsBar::apply() {
    const Smoothing smoothing = Smoothing(smoothing_->currentIndex());
    parameter_->setEnabled(smoothing != Smoothing::None);
    if (smoothing == Smoothing::MovingAverage)
        parameter_->setRange(1, 100000), parameter_->setDecimals(0);
    else
        parameter_->setRange(0, 0.999), parameter_->setDecimals(3);
    Q_EMIT optionsChanged(options());
}

}  // namespace invx::gui
