#include "inspector-view.h"

#include <QCheckBox>
#include <QDir>
#include <stdexcept>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>
#include <cmath>

#include "curve-plot.h"
#include "figure-export.h"
#include "figure-style.h"
#include "group-map-plot.h"
#include "layer-statistics.h"

namespace invx::gui {
namespace {

constexpr int kBins = 80;

// A histogram as a stepped curve: x = each bin's left edge (and the right end), y = its count.
Curve histogramCurve(const QString& name, const Histogram& h, const QColor& colour, Qt::PenStyle style, bool logCounts) {
    Curve c{name, {}, {}, colour, style, false, false, 1.4, true};
    for (std::size_t b = 0; b < h.counts.size(); ++b) {
        c.x.push_back(h.lower + h.binWidth() * double(b));
        c.y.push_back(logCounts ? std::max(h.counts[b], 0.5) : h.counts[b]);  // empty bins sit at the floor
    }
    c.x.push_back(h.upper);
    c.y.push_back(c.y.back());
    return c;
}

}  // namespace

InspectorView::InspectorView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    title_ = new QLabel(tr("Double-click a run in the Runs table, or click a point of its curves, to inspect its layers."), this);
    title_->setWordWrap(true);
    layout->addWidget(title_);
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Checkpoint"), this));
    checkpoint_ = new QSlider(Qt::Horizontal, this);
    checkpoint_->setObjectName(QStringLiteral("checkpointSlider"));
    checkpoint_->setMinimumWidth(180);
    controls->addWidget(checkpoint_);
    step_ = new QLabel(this);
    step_->setMinimumWidth(90);
    controls->addWidget(step_);
    controls->addWidget(new QLabel(tr("Layer"), this));
    layer_ = new QSpinBox(this);
    controls->addWidget(layer_);
    matrix_ = new QComboBox(this);
    matrix_->addItems({QStringLiteral("fc1"), QStringLiteral("fc2")});
    controls->addWidget(matrix_);
    quantity_ = new QComboBox(this);
    quantity_->addItems(groupQuantityNames());
    quantity_->setCurrentIndex(int(GroupQuantity::Error));
    controls->addWidget(quantity_);
    logColour_ = new QCheckBox(tr("log colour"), this);
    controls->addWidget(logColour_);
    controls->addWidget(new QLabel(tr("outline above"), this));
    percentile_ = new QDoubleSpinBox(this);
    percentile_->setRange(50, 100);
    percentile_->setDecimals(1);
    percentile_->setValue(99);
    percentile_->setSuffix(tr(" th pct"));
    controls->addWidget(percentile_);
    logCounts_ = new QCheckBox(tr("log counts"), this);
    logCounts_->setChecked(true);
    controls->addWidget(logCounts_);
    controls->addStretch();
    layout->addLayout(controls);

    auto* grid = new QGridLayout;
    histogram_ = new CurvePlot(this);
    errors_ = new CurvePlot(this);
    before_ = new GroupMapPlot(this);
    after_ = new GroupMapPlot(this);
    group_ = new CurvePlot(this);
    displacement_ = new CurvePlot(this);
    scales_ = new CurvePlot(this);
    angles_ = new CurvePlot(this);
    timeline_ = new CurvePlot(this);
    colourScale_ = new QCPColorScale(after_);
    after_->plotLayout()->addElement(1, 1, colourScale_);
    colourScale_->setType(QCPAxis::atRight);
    colourScale_->setGradient(viridisGradient());
    colourScale_->setBarWidth(10);
    after_->map()->setColorScale(colourScale_);
    auto* marginGroup = new QCPMarginGroup(after_);
    after_->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, marginGroup);
    colourScale_->setMarginGroup(QCP::msBottom | QCP::msTop, marginGroup);
    grid->addWidget(histogram_, 0, 0);
    grid->addWidget(errors_, 0, 1);
    grid->addWidget(group_, 0, 2);
    grid->addWidget(timeline_, 0, 3);
    grid->addWidget(before_, 1, 0);
    grid->addWidget(after_, 1, 1);
    grid->addWidget(displacement_, 1, 2);
    auto* right = new QVBoxLayout;
    right->addWidget(scales_, 1);
    right->addWidget(angles_, 1);
    grid->addLayout(right, 1, 3);
    layout->addLayout(grid, 1);
    auto* bottom = new QHBoxLayout;
    invariance_ = new QLabel(this);
    invariance_->setObjectName(QStringLiteral("invarianceCheck"));
    invariance_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    hover_ = new QLabel(this);
    bottom->addWidget(invariance_, 1);
    bottom->addWidget(hover_);
    layout->addLayout(bottom);

    connect(checkpoint_, &QSlider::valueChanged, this, [this](int i) {
        if (i >= 0 && std::size_t(i) < steps_.size()) step_->setText(tr("step %1").arg(steps_[std::size_t(i)]));
        ask();
    });
    connect(layer_, &QSpinBox::valueChanged, this, &InspectorView::ask);
    for (QComboBox* c : {matrix_, quantity_}) connect(c, &QComboBox::currentIndexChanged, this, &InspectorView::redraw);
    for (QCheckBox* c : {logColour_, logCounts_}) connect(c, &QCheckBox::toggled, this, &InspectorView::redraw);
    connect(percentile_, &QDoubleSpinBox::valueChanged, this, &InspectorView::redraw);
    auto hover = [this](qint64 row, qint64 group) {
        if (!haveShown_) return;
        hover_->setText(tr("row %1, group %2: before %3, after %4")
                            .arg(row)
                            .arg(group)
                            .arg(before_->cell(row, group), 0, 'g', 4)
                            .arg(after_->cell(row, group), 0, 'g', 4));
    };
    connect(before_, &GroupMapPlot::cellHovered, this, hover);
    connect(after_, &GroupMapPlot::cellHovered, this, hover);
    connect(before_, &GroupMapPlot::cellClicked, this, &InspectorView::showGroup);
    connect(after_, &GroupMapPlot::cellClicked, this, &InspectorView::showGroup);
}

void InspectorView::setSource(LayerInspectorSource* source) {
    source_ = source;
    connect(source_, &LayerInspectorSource::ready, this, [this](const LayerInspection& i) {
        if (i.experiment == experiment_) display(i);
    });
    connect(source_, &LayerInspectorSource::failed, this, [this](const QString& e) { title_->setText(e); });
}

void InspectorView::setExperiment(const QString& path, const std::vector<std::int64_t>& checkpointSteps, int layers) {
    experiment_ = path;
    steps_ = checkpointSteps;
    title_->setText(tr("%1: loading the model and rebuilding the layer…").arg(QFileInfo(path).fileName()));
    layer_->blockSignals(true);
    layer_->setRange(0, std::max(layers - 1, 0));
    layer_->blockSignals(false);
    checkpoint_->blockSignals(true);
    checkpoint_->setRange(0, std::max(int(steps_.size()) - 1, 0));
    checkpoint_->setValue(checkpoint_->maximum());
    checkpoint_->blockSignals(false);
    if (!steps_.empty()) step_->setText(tr("step %1").arg(steps_.back()));
    ask();
}

void InspectorView::setAcceptedSteps(const std::vector<double>& step, const std::vector<int>& layer,
                                     const std::vector<std::uint8_t>& accepted) {
    acceptedStep_ = step;
    acceptedLayer_ = layer;
    accepted_ = accepted;
    Curve changes{tr("accepted"), {}, {}, okabeIto(0), Qt::NoPen, false, true, 1.0};
    for (std::size_t i = 0; i < step.size() && i < layer.size() && i < accepted.size(); ++i)
        if (accepted[i]) changes.x.push_back(step[i]), changes.y.push_back(double(layer[i]));
    timeline_->setLabels(tr("Accepted changes"), tr("step"), tr("decoder layer"));
    timeline_->legend->setVisible(false);
    timeline_->setCurves({changes});
}

void InspectorView::selectCheckpoint(std::int64_t index) { checkpoint_->setValue(int(index)); }
std::int64_t InspectorView::selectedCheckpoint() const { return checkpoint_->value(); }

void InspectorView::ask() {
    if (source_ && !experiment_.isEmpty() && !steps_.empty()) source_->request(experiment_, checkpoint_->value(), layer_->value());
}

void InspectorView::display(const LayerInspection& inspection) {
    shown_ = inspection;
    haveShown_ = true;
    title_->setText(tr("%1, layer %2, checkpoint %3 of %4 (step %5)")
                        .arg(QFileInfo(inspection.experiment).fileName())
                        .arg(inspection.now.layer)
                        .arg(inspection.checkpoint)
                        .arg(inspection.checkpointCount)
                        .arg(inspection.now.step));
    QStringList parts;
    for (int l = 0; l < inspection.invariance.size(); ++l) parts << QStringLiteral("%1: %2").arg(l).arg(inspection.invariance[l], 0, 'g', 3);
    invariance_->setText(tr("Invariance check, largest |original − transformed| layer output (unquantized, calibration batch): ") +
                         parts.join(QStringLiteral(", ")));
    redraw();
}

QString InspectorView::invarianceText() const { return invariance_->text(); }

const WeightSnapshot& InspectorView::matrix(const LayerSnapshot& s) const { return matrix_->currentIndex() == 0 ? s.fc1 : s.fc2; }

void InspectorView::redraw() {
    if (!haveShown_) return;
    const WeightSnapshot& now = matrix(shown_.now);
    const WeightSnapshot& start = matrix(shown_.start);
    const bool logCounts = logCounts_->isChecked();
    const QString name = QString::fromStdString(now.name);

    // Weights: original, transformed, quantized on one set of bins.
    const auto [lo, hi] = valueRange({&now.original, &now.transformed, &now.quantized});
    histogram_->setLabels(tr("%1 weights").arg(name), tr("weight"), tr("count"));
    histogram_->setLogY(logCounts);
    histogram_->setCurves({histogramCurve(tr("original"), histogram(now.original, lo, hi, kBins), okabeIto(7), Qt::SolidLine, logCounts),
                           histogramCurve(tr("transformed"), histogram(now.transformed, lo, hi, kBins), okabeIto(0), Qt::DashLine, logCounts),
                           histogramCurve(tr("quantized"), histogram(now.quantized, lo, hi, kBins), okabeIto(3), Qt::SolidLine, logCounts)});
    histogram_->legend->setVisible(true);

    // Quantization error before and after the search.
    const std::vector<float> errorNow = quantizationError(now), errorStart = quantizationError(start);
    const auto [elo, ehi] = valueRange({&errorNow, &errorStart});
    errors_->setLabels(tr("%1 quantization error").arg(name), tr("quantized − weight"), tr("count"));
    errors_->setLogY(logCounts);
    errors_->setCurves({histogramCurve(tr("before the search"), histogram(errorStart, elo, ehi, kBins), okabeIto(7), Qt::DashLine, logCounts),
                        histogramCurve(tr("at step %1").arg(shown_.now.step), histogram(errorNow, elo, ehi, kBins), okabeIto(3), Qt::SolidLine, logCounts)});
    errors_->legend->setVisible(true);

    // Outlier maps, one colour scale.
    const GroupQuantity q = GroupQuantity(quantity_->currentIndex());
    const std::vector<double> after = groupQuantity(now, start, q);
    const std::vector<double> before = q == GroupQuantity::ErrorChange ? std::vector<double>(after.size(), 0.0)
                                                                       : groupQuantity(start, start, q);
    std::vector<double> both(before);
    both.insert(both.end(), after.begin(), after.end());
    const double threshold = quantile(both, percentile_->value() / 100.0);
    double cmin = *std::min_element(both.begin(), both.end()), cmax = *std::max_element(both.begin(), both.end());
    const bool logColour = logColour_->isChecked() && cmin > 0;
    if (cmin == cmax) cmax = cmin + 1;
    const std::int64_t groups = groupCount(now);
    before_->setCells(tr("%1 before the search").arg(name), now.rows, groups, before, threshold);
    after_->setCells(tr("%1 at step %2").arg(name).arg(shown_.now.step), now.rows, groups, after, threshold);
    for (GroupMapPlot* m : {before_, after_}) m->setColourRange(QCPRange(cmin, cmax), logColour);
    colourScale_->axis()->setLabel(quantity_->currentText());
    for (GroupMapPlot* m : {before_, after_}) m->setValueName(quantity_->currentText());

    // Where each neuron went, and the scales.
    const LayerInvariance& state = shown_.now.invariance;
    Curve moved{tr("original neuron"), {}, {}, okabeIto(0), Qt::NoPen, false, true, 1.0};
    for (std::size_t i = 0; i < state.permutation.size(); ++i) moved.x.push_back(double(i)), moved.y.push_back(double(state.permutation[i]));
    displacement_->setLabels(tr("Neuron permutation (layer %1)").arg(shown_.now.layer), tr("new position"), tr("original neuron"));
    displacement_->legend->setVisible(false);
    displacement_->setCurves({moved});
    std::vector<float> logScales;
    for (float s : state.scales) logScales.push_back(std::log2(s));
    const auto [slo, shi] = valueRange({&logScales});
    scales_->setLabels(tr("Scales"), tr("log₂ scale"), tr("neurons"));
    scales_->legend->setVisible(false);
    scales_->setCurves({histogramCurve(tr("scales"), histogram(logScales, slo, shi, 40), okabeIto(2), Qt::SolidLine, false)});
    const auto [alo, ahi] = valueRange({&state.angles});
    angles_->setLabels(tr("Rotation angles"), tr("angle (rad)"), tr("neuron pairs"));
    angles_->legend->setVisible(false);
    angles_->setCurves({histogramCurve(tr("angles"), histogram(state.angles, alo, ahi, 40), okabeIto(4), Qt::SolidLine, false)});
}

void InspectorView::showGroup(std::int64_t row, std::int64_t groupIndex) {
    if (!haveShown_) return;
    groupRow_ = row;
    groupIndex_ = groupIndex;
    const WeightSnapshot& now = matrix(shown_.now);
    const WeightSnapshot& start = matrix(shown_.start);
    const std::int64_t g = now.groupSize;
    auto slice = [&](const std::vector<float>& v, const QString& label, const QColor& colour, bool markers, Qt::PenStyle style) {
        Curve c{label, {}, {}, colour, style, false, markers, 1.2};
        for (std::int64_t k = 0; k < g; ++k) {
            c.x.push_back(double(k));
            c.y.push_back(double(v[std::size_t(row * now.cols + groupIndex * g + k)]));
        }
        return c;
    };
    group_->setLabels(tr("%1 row %2, group %3").arg(QString::fromStdString(now.name)).arg(row).arg(groupIndex),
                      tr("weight in the group"), tr("value"));
    group_->setCurves({slice(start.transformed, tr("before: weight"), okabeIto(7), true, Qt::NoPen),
                       slice(start.quantized, tr("before: quantized"), okabeIto(7), false, Qt::DashLine),
                       slice(now.transformed, tr("after: weight"), okabeIto(0), true, Qt::NoPen),
                       slice(now.quantized, tr("after: quantized"), okabeIto(3), false, Qt::SolidLine)});
    group_->legend->setVisible(true);
}

QStringList InspectorView::exportFigures(const QString& directory, const QStringList& formats, const QString& preset) {
    if (!haveShown_) throw std::runtime_error("nothing to export: no layer is shown in the inspector yet");
    const FigureStyle style = FigureStyle::preset(preset);
    if (!QDir().mkpath(directory)) throw std::runtime_error("could not create the folder '" + directory.toStdString() + "'");
    // A copy with the same choices, so that the styling leaves the screen alone.
    InspectorView copy;
    copy.setAttribute(Qt::WA_DontShowOnScreen);
    copy.matrix_->setCurrentIndex(matrix_->currentIndex());
    copy.quantity_->setCurrentIndex(quantity_->currentIndex());
    copy.logColour_->setChecked(logColour_->isChecked());
    copy.logCounts_->setChecked(logCounts_->isChecked());
    copy.percentile_->setValue(percentile_->value());
    copy.setAcceptedSteps(acceptedStep_, acceptedLayer_, accepted_);
    copy.display(shown_);
    if (groupRow_ >= 0) copy.showGroup(groupRow_, groupIndex_);
    const QString matrix = matrix_->currentText();
    const std::vector<std::pair<QString, QCustomPlot*>> views = {
        {matrix + QStringLiteral("-histogram"), copy.histogram_}, {matrix + QStringLiteral("-error-histogram"), copy.errors_},
        {matrix + QStringLiteral("-map-before"), copy.before_},   {matrix + QStringLiteral("-map-after"), copy.after_},
        {matrix + QStringLiteral("-group"), copy.group_},         {QStringLiteral("permutation"), copy.displacement_},
        {QStringLiteral("scales"), copy.scales_},                 {QStringLiteral("angles"), copy.angles_},
        {QStringLiteral("accepted-changes"), copy.timeline_}};
    QStringList written;
    for (const auto& [name, plot] : views) {
        if (plot == copy.group_ && groupRow_ < 0) continue;  // no group clicked
        if (auto* c = qobject_cast<CurvePlot*>(plot)) c->setBarLegendColumns(style.widthInches < 4 ? 2 : 4);
        plot->resize(style.widthPoints(), style.heightPoints());
        applyFigureStyle(plot, style);
        for (const QString& format : formats) {
            const QString path = QDir(directory).filePath(name + QLatin1Char('.') + format.toLower());
            const QString error = exportPlot(plot, path, format, style);
            if (!error.isEmpty()) throw std::runtime_error(error.toStdString());
            written << path;
        }
    }
    return written;
}

}  // namespace invx::gui
