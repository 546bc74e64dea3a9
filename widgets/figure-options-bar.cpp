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
    addWidget(new QLabel(tr("  y "), this));
    yScale_ = new QComboBox(this);
    yScale_->setObjectName(QStringLiteral("yScale"));
    // In YScale's order.
    yScale_->addItems({tr("Automatic"), tr("Linear"), tr("Log"), tr("Relative to step 0")});
    yScale_->setToolTip(
        tr("The value axis: automatic is linear unless the curves span two orders "
           "of magnitude (then log); relative to step 0 divides each run by its "
           "value before the search"));
    addWidget(yScale_);
    addSeparator();
    groupSeeds_ = addAction(tr("Group Seeds"));
    groupSeeds_->setToolTip(
        tr("Runs that differ only by their seed are one line: the mean, with a band"));
    band_ = new QComboBox(this);
    band_->setObjectName(QStringLiteral("band"));
    band_->addItems({tr("min–max"), tr("± sd")});  // in BandKind's order
    band_->setToolTip(
        tr("A seed group's band: its lowest and highest run, or the mean ± the "
           "sample standard deviation"));
    addWidget(band_);
    baselines_ = addAction(tr("Baselines"));
    baselines_->setToolTip(
        tr("The base methods before the search (step 0): a row each and a reference line"));
    timeAxis_->setObjectName(QStringLiteral("timeAxis"));
    logX_->setObjectName(QStringLiteral("logX"));
    groupSeeds_->setObjectName(QStringLiteral("groupSeeds"));
    baselines_->setObjectName(QStringLiteral("baselines"));
    for (QAction* a : {timeAxis_, logX_, groupSeeds_, baselines_}) a->setCheckable(true);
    groupSeeds_->setChecked(true);
    addSeparator();
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
    for (QAction* a : {timeAxis_, logX_, groupSeeds_, baselines_})
        connect(a, &QAction::toggled, this, &FigureOptionsBar::apply);
    for (QComboBox* box : {yScale_, band_})
        connect(box, &QComboBox::currentIndexChanged, this, &FigureOptionsBar::apply);
    connect(smoothing_, &QComboBox::currentIndexChanged, this, &FigureOptionsBar::smoothingChosen);
    connect(parameter_, &QDoubleSpinBox::valueChanged, this, &FigureOptionsBar::apply);
    apply();
}

FigureOptions FigureOptionsBar::options() const {
    FigureOptions o;
    o.timeAxis = timeAxis_->isChecked();
    o.logX = logX_->isChecked();
    o.yScale = YScale(yScale_->currentIndex());
    o.smoothing = Smoothing(smoothing_->currentIndex());
    o.smoothingParameter = parameter_->value();
    o.comparison.groupSeeds = groupSeeds_->isChecked();
    o.comparison.band = BandKind(band_->currentIndex());
    o.comparison.baselines = baselines_->isChecked();
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
    band_->setEnabled(groupSeeds_->isChecked());
    Q_EMIT optionsChanged(options());
}

}  // namespace invx::gui
