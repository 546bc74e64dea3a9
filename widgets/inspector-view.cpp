#include "inspector-view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>
#include <cmath>
#include <stdexcept>

#include "curve-plot.h"
#include "figure-export.h"
#include "figure-style.h"
#include "group-map-plot.h"
#include "layer-statistics.h"

namespace invx::gui {
namespace {

constexpr int kBins = 80;

// A histogram as a stepped curve: x = each bin's left edge (and the right end), y = its count.
Curve histogramCurve(const QString& name, const Histogram& h, const QColor& colour,
                     Qt::PenStyle style, bool logCounts) {
    Curve c{name, {}, {}, colour, style, false, false, 1.4, true};
    for (std::size_t b = 0; b < h.counts.size(); ++b) {
        c.x.push_back(h.lower + h.binWidth() * double(b));
        c.y.push_back(logCounts ? std::max(h.counts[b], 0.5)
                                : h.counts[b]);  // empty bins sit at the floor
    }
    c.x.push_back(h.upper);
    c.y.push_back(c.y.back());
    return c;
}

// Values against their index (0, 1, ...).
Curve indexedCurve(const QString& name, const std::vector<float>& values, const QColor& colour,
                   Qt::PenStyle style, double width) {
    Curve c{name, {}, {}, colour, style, false, false, width};
    for (std::size_t i = 0; i < values.size(); ++i)
        c.x.push_back(double(i)), c.y.push_back(double(values[i]));
    return c;
}

QLabel* label(const QString& text, QWidget* parent) { return new QLabel(text, parent); }

// Ticks at whole numbers only (layers, counts), further apart when the range is wide.
void wholeNumberTicks(QCPAxis* axis) {
    QSharedPointer<QCPAxisTickerFixed> whole(new QCPAxisTickerFixed);
    whole->setTickStep(1);
    whole->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    axis->setTicker(whole);
}

// Values as dots (quantized weights sit on a few levels: the dots show the grid).
Curve indexedDots(const QString& name, const std::vector<float>& values, const QColor& colour) {
    Curve c = indexedCurve(name, values, colour, Qt::NoPen, 1.0);
    c.markers = true;
    c.dots = true;
    c.markerSize = 3;
    return c;
}

}  // namespace

InspectorView::InspectorView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    title_ = new QLabel(tr("Double-click a run in the Runs table, or click a point of its curves, "
                           "to inspect its layers."),
                        this);
    title_->setWordWrap(true);
    layout->addWidget(title_);
    auto* controls = new QHBoxLayout;
    controls->addWidget(label(tr("Checkpoint"), this));
    checkpoint_ = new QSlider(Qt::Horizontal, this);
    checkpoint_->setObjectName(QStringLiteral("checkpointSlider"));
    checkpoint_->setMinimumWidth(220);
    checkpoint_->setToolTip(tr("Scrub through the run's checkpoints"));
    controls->addWidget(checkpoint_);
    step_ = new QLabel(this);
    step_->setMinimumWidth(90);
    controls->addWidget(step_);
    controls->addWidget(label(tr("Layer"), this));
    layer_ = new QSpinBox(this);
    layer_->setObjectName(QStringLiteral("layer"));
    layer_->setToolTip(tr("Decoder layer"));
    controls->addWidget(layer_);
    controls->addWidget(label(tr("Matrix"), this));
    matrix_ = new QComboBox(this);
    matrix_->setObjectName(QStringLiteral("matrix"));
    matrix_->addItems({QStringLiteral("q_proj"), QStringLiteral("k_proj"), QStringLiteral("v_proj"),
                       QStringLiteral("out_proj"), QStringLiteral("fc1"), QStringLiteral("fc2")});
    matrix_->setCurrentText(QStringLiteral("fc1"));
    matrix_->setToolTip(tr(
        "The search changes fc1 and fc2; q, k, v and out are quantized by the base method alone"));
    controls->addWidget(matrix_);
    controls->addStretch();
    layout->addLayout(controls);

    tabs_ = new QTabWidget(this);
    tabs_->setDocumentMode(true);
    tabs_->addTab(buildWeightsTab(), tr("Weights"));
    tabs_->addTab(buildMapsTab(), tr("Outlier Maps"));
    tabs_->addTab(buildPermutationTab(), tr("Permutation"));
    layout->addWidget(tabs_, 1);
    invariance_ = new QLabel(this);
    invariance_->setObjectName(QStringLiteral("invarianceCheck"));
    invariance_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    invariance_->setWordWrap(true);
    layout->addWidget(invariance_);

    connect(checkpoint_, &QSlider::valueChanged, this, [this](int i) {
        if (i >= 0 && std::size_t(i) < steps_.size())
            step_->setText(tr("step %1").arg(steps_[std::size_t(i)]));
        ask();
    });
    connect(layer_, &QSpinBox::valueChanged, this, &InspectorView::ask);
    connect(matrix_, &QComboBox::currentIndexChanged, this, [this] {
        groupRow_ = groupIndex_ = -1;  // a group of another matrix
        group_->setLabels(tr("Click a group of a map"), tr("weight in the group"), tr("value"));
        group_->setCurves({});
        redraw();
    });
}

QWidget* InspectorView::buildWeightsTab() {
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    auto* controls = new QHBoxLayout;
    logCounts_ = new QCheckBox(tr("log counts"), page);
    logCounts_->setChecked(true);
    controls->addWidget(logCounts_);
    controls->addStretch();
    layout->addLayout(controls);
    auto* grid = new QGridLayout;
    histogram_ = new CurvePlot(page);
    errors_ = new CurvePlot(page);
    invariancePlot_ = new CurvePlot(page);
    grid->addWidget(histogram_, 0, 0);
    grid->addWidget(errors_, 0, 1);
    grid->addWidget(invariancePlot_, 1, 0, 1, 2);
    grid->setRowStretch(0, 3);
    grid->setRowStretch(1, 2);
    layout->addLayout(grid, 1);
    connect(logCounts_, &QCheckBox::toggled, this, &InspectorView::redraw);
    return page;
}

QWidget* InspectorView::buildMapsTab() {
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    auto* controls = new QHBoxLayout;
    controls->addWidget(label(tr("Quantity"), page));
    quantity_ = new QComboBox(page);
    quantity_->setObjectName(QStringLiteral("quantity"));
    quantity_->addItems(groupQuantityNames());
    quantity_->setCurrentIndex(int(GroupQuantity::Error));
    controls->addWidget(quantity_);
    logColour_ = new QCheckBox(tr("log colour"), page);
    controls->addWidget(logColour_);
    controls->addWidget(label(tr("outline groups above the"), page));
    percentile_ = new QDoubleSpinBox(page);
    percentile_->setRange(50, 100);
    percentile_->setDecimals(1);
    percentile_->setValue(99);
    percentile_->setSuffix(tr(" th percentile"));
    controls->addWidget(percentile_);
    controls->addStretch();
    layout->addLayout(controls);

    auto* grid = new QGridLayout;
    before_ = new GroupMapPlot(page);
    after_ = new GroupMapPlot(page);
    group_ = new CurvePlot(page);
    grid->addWidget(before_, 0, 0);
    grid->addWidget(after_, 0, 1);
    grid->addWidget(group_, 0, 2);
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(2, 1);
    layout->addLayout(grid, 1);
    hover_ = new QLabel(tr("Hover over a group to read its values; click it to see its weights "
                           "against the quantization grid."),
                        page);
    layout->addWidget(hover_);

    connect(quantity_, &QComboBox::currentIndexChanged, this, &InspectorView::redraw);
    connect(logColour_, &QCheckBox::toggled, this, &InspectorView::redraw);
    connect(percentile_, &QDoubleSpinBox::valueChanged, this, &InspectorView::redraw);
    auto hover = [this](qint64 row, qint64 group) {
        if (!haveShown_) return;
        hover_->setText(tr("row %1, group %2 (columns %3–%4): before %5, after %6")
                            .arg(row)
                            .arg(group)
                            .arg(group * (matrixNow() ? matrixNow()->groupSize : 0))
                            .arg((group + 1) * (matrixNow() ? matrixNow()->groupSize : 0) - 1)
                            .arg(before_->cell(row, group), 0, 'g', 4)
                            .arg(after_->cell(row, group), 0, 'g', 4));
    };
    connect(before_, &GroupMapPlot::cellHovered, this, hover);
    connect(after_, &GroupMapPlot::cellHovered, this, hover);
    connect(before_, &GroupMapPlot::cellClicked, this, &InspectorView::showGroup);
    connect(after_, &GroupMapPlot::cellClicked, this, &InspectorView::showGroup);
    return page;
}

QWidget* InspectorView::buildPermutationTab() {
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    auto* controls = new QHBoxLayout;
    controls->addWidget(label(tr("Neuron"), page));
    neuron_ = new QSpinBox(page);
    neuron_->setObjectName(QStringLiteral("neuron"));
    neuron_->setToolTip(
        tr("An FFN neuron by its original index; click a point of the permutation map to pick the "
           "one there"));
    controls->addWidget(neuron_);
    neuronText_ = new QLabel(page);
    neuronText_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    controls->addWidget(neuronText_, 1);
    layout->addLayout(controls);
    auto* grid = new QGridLayout;
    displacement_ = new CurvePlot(page);
    positionChanges_ = new CurvePlot(page);
    scales_ = new CurvePlot(page);
    angles_ = new CurvePlot(page);
    timeline_ = new CurvePlot(page);
    neuronRow_ = new CurvePlot(page);
    neuronColumn_ = new CurvePlot(page);
    neuronErrors_ = new CurvePlot(page);
    wholeNumberTicks(timeline_->yAxis);
    wholeNumberTicks(positionChanges_->yAxis);
    neuronErrors_->setBarLegendColumns(1);
    for (CurvePlot* p : {neuronRow_, neuronColumn_})
        p->legend->setBrush(QColor(255, 255, 255, 210));
    grid->addWidget(displacement_, 0, 0);
    grid->addWidget(positionChanges_, 0, 1);
    grid->addWidget(scales_, 0, 2);
    grid->addWidget(angles_, 0, 3);
    grid->addWidget(timeline_, 1, 0);
    grid->addWidget(neuronRow_, 1, 1);
    grid->addWidget(neuronColumn_, 1, 2);
    grid->addWidget(neuronErrors_, 1, 3);
    layout->addLayout(grid, 1);
    connect(neuron_, &QSpinBox::valueChanged, this, [this] { drawNeuron(); });
    // A click on the map or the change counts picks the neuron at that position.
    auto pick = [this](double x) {
        const auto& permutation = shown_.now.invariance.permutation;
        const long position = std::lround(x);
        if (haveShown_ && position >= 0 && std::size_t(position) < permutation.size())
            showNeuron(permutation[std::size_t(position)]);
    };
    connect(displacement_, &CurvePlot::curveClicked, this, pick);
    connect(positionChanges_, &CurvePlot::curveClicked, this, pick);
    return page;
}

void InspectorView::setSource(LayerInspectorSource* source) {
    source_ = source;
    connect(source_, &LayerInspectorSource::ready, this, [this](const LayerInspection& i) {
        if (i.experiment == experiment_) display(i);
    });
    connect(source_, &LayerInspectorSource::failed, this,
            [this](const QString& e) { title_->setText(e); });
}

void InspectorView::setExperiment(const QString& path,
                                  const std::vector<std::int64_t>& checkpointSteps, int layers) {
    experiment_ = path;
    steps_ = checkpointSteps;
    title_->setText(
        tr("%1: loading the model and rebuilding the layer…").arg(QFileInfo(path).fileName()));
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

void InspectorView::updateCheckpoints(const std::vector<std::int64_t>& checkpointSteps) {
    if (checkpointSteps.size() <= steps_.size()) return;
    const bool atNewest = checkpoint_->value() == checkpoint_->maximum();
    steps_ = checkpointSteps;
    checkpoint_->blockSignals(true);
    checkpoint_->setRange(0, int(steps_.size()) - 1);
    checkpoint_->blockSignals(false);
    if (atNewest) checkpoint_->setValue(checkpoint_->maximum());  // asks
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
void InspectorView::selectMatrix(const QString& name) { matrix_->setCurrentText(name); }
QString InspectorView::selectedMatrix() const { return matrix_->currentText(); }
void InspectorView::selectTab(Tab tab) { tabs_->setCurrentIndex(int(tab)); }
std::int64_t InspectorView::selectedNeuron() const { return neuron_->value(); }

void InspectorView::ask() {
    if (source_ && !experiment_.isEmpty() && !steps_.empty())
        source_->request(experiment_, checkpoint_->value(), layer_->value());
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
    for (int l = 0; l < inspection.invariance.size(); ++l)
        parts << QStringLiteral("%1: %2").arg(l).arg(inspection.invariance[l], 0, 'g', 3);
    invariance_->setText(tr("Invariance check at step %1, largest |original − transformed| block "
                            "output per layer (unquantized, "
                            "calibration batch): ")
                             .arg(inspection.now.step) +
                         parts.join(QStringLiteral(", ")));
    neuron_->blockSignals(true);
    neuron_->setRange(0, std::max<int>(int(inspection.now.invariance.permutation.size()) - 1, 0));
    neuron_->blockSignals(false);
    if (!matrixNow())
        matrix_->setCurrentText(QStringLiteral("fc1"));  // a layer without attention snapshots
    redraw();
}

QString InspectorView::invarianceText() const { return invariance_->text(); }
QString InspectorView::neuronText() const { return neuronText_->text(); }

bool InspectorView::attentionSelected() const { return matrix_->currentIndex() < 4; }

const WeightSnapshot* InspectorView::matrixNow() const {
    const int m = matrix_->currentIndex();
    if (m < 4)
        return std::size_t(m) < shown_.attention.size() ? &shown_.attention[std::size_t(m)]
                                                        : nullptr;
    return m == 4 ? &shown_.now.fc1 : &shown_.now.fc2;
}

const WeightSnapshot* InspectorView::matrixStart() const {
    const int m = matrix_->currentIndex();
    if (m < 4) return matrixNow();  // the search does not change attention
    return m == 4 ? &shown_.start.fc1 : &shown_.start.fc2;
}

void InspectorView::redraw() {
    if (!haveShown_ || !matrixNow()) return;
    drawWeights();
    drawInvariance();
    drawMaps();
    drawPermutation();
    drawNeuron();
    if (groupRow_ >= 0) showGroup(groupRow_, groupIndex_);
}

void InspectorView::drawWeights() {
    const WeightSnapshot& now = *matrixNow();
    const WeightSnapshot& start = *matrixStart();
    const bool logCounts = logCounts_->isChecked();
    const QString name = QString::fromStdString(now.name);
    const auto [lo, hi] = valueRange({&now.original, &now.transformed, &now.quantized});
    histogram_->setLabels(tr("%1 weights, layer %2").arg(name).arg(shown_.now.layer), tr("weight"),
                          tr("count"));
    histogram_->setLogY(logCounts);
    std::vector<Curve> weights = {histogramCurve(tr("original"),
                                                 histogram(now.original, lo, hi, kBins),
                                                 okabeIto(7), Qt::SolidLine, logCounts)};
    if (!attentionSelected())
        weights.push_back(histogramCurve(tr("transformed"),
                                         histogram(now.transformed, lo, hi, kBins), okabeIto(0),
                                         Qt::DashLine, logCounts));
    weights.push_back(histogramCurve(tr("quantized"), histogram(now.quantized, lo, hi, kBins),
                                     okabeIto(3), Qt::SolidLine, logCounts));
    histogram_->setCurves(std::move(weights));
    histogram_->legend->setVisible(true);

    const std::vector<float> errorNow = quantizationError(now),
                             errorStart = quantizationError(start);
    const auto [elo, ehi] = valueRange({&errorNow, &errorStart});
    errors_->setLabels(tr("%1 quantization error").arg(name), tr("quantized − weight"),
                       tr("count"));
    errors_->setLogY(logCounts);
    if (attentionSelected()) {
        errors_->setCurves({histogramCurve(tr("before and after the search (unchanged)"),
                                           histogram(errorNow, elo, ehi, kBins), okabeIto(3),
                                           Qt::SolidLine, logCounts)});
    } else {
        errors_->setCurves(
            {histogramCurve(tr("before the search"), histogram(errorStart, elo, ehi, kBins),
                            okabeIto(7), Qt::DashLine, logCounts),
             histogramCurve(tr("at step %1").arg(shown_.now.step),
                            histogram(errorNow, elo, ehi, kBins), okabeIto(3), Qt::SolidLine,
                            logCounts)});
    }
    errors_->legend->setVisible(true);
}

void InspectorView::drawInvariance() {
    std::vector<double> largest(shown_.invariance.begin(), shown_.invariance.end());
    invariancePlot_->setLabels(
        tr("Invariance check at step %1 (unquantized, calibration batch)").arg(shown_.now.step),
        QString(), tr("max |original − transformed|"));
    invariancePlot_->setBars(
        tr("layer "), {{tr("largest |difference| of the block output"), largest, okabeIto(4)}});
    invariancePlot_->legend->setVisible(false);
}

void InspectorView::drawMaps() {
    const WeightSnapshot& now = *matrixNow();
    const WeightSnapshot& start = *matrixStart();
    const QString name = QString::fromStdString(now.name);
    const GroupQuantity q = GroupQuantity(quantity_->currentIndex());
    const std::int64_t groups = groupCount(now);
    const double percentile = percentile_->value() / 100.0;
    const QString afterTitle =
        attentionSelected()
            ? tr("%1 at step %2 (the search leaves it)").arg(name).arg(shown_.now.step)
            : tr("%1 at step %2").arg(name).arg(shown_.now.step);
    for (GroupMapPlot* m : {before_, after_}) m->setValueName(quantity_->currentText());
    auto colourRange = [](const std::vector<double>& values) {
        double lo = *std::min_element(values.begin(), values.end()),
               hi = *std::max_element(values.begin(), values.end());
        return lo == hi ? QCPRange(lo, lo + 1) : QCPRange(lo, hi);
    };
    if (q == GroupQuantity::ErrorReduction) {
        // The error before the search beside how much of it the search removed: blue groups were
        // fixed, red ones got worse; the groups fixed most are outlined.
        const std::vector<double> before = groupQuantity(start, start, GroupQuantity::Error);
        const std::vector<double> reduction = groupQuantity(now, start, q);
        if (before.empty()) return;
        before_->setCells(tr("%1 before the search").arg(name), now.rows, groups, before,
                          quantile(before, percentile));
        before_->setGradient(viridisGradient());
        before_->setColourRange(colourRange(before),
                                logColour_->isChecked() && colourRange(before).lower > 0);
        before_->setColourLabel(groupQuantityAxisLabels()[int(GroupQuantity::Error)]);
        before_->setValueName(groupQuantityNames()[int(GroupQuantity::Error)]);
        after_->setCells(afterTitle, now.rows, groups, reduction, quantile(reduction, percentile));
        double largest = 0;
        for (double v : reduction) largest = std::max(largest, std::abs(v));
        after_->setGradient(divergingGradient());
        after_->setColourRange(QCPRange(-std::max(largest, 1e-30), std::max(largest, 1e-30)),
                               false);
        after_->setColourLabel(groupQuantityAxisLabels()[int(q)]);
        return;
    }
    // One colour scale for both, so that equal colours mean equal values.
    const std::vector<double> after = groupQuantity(now, start, q);
    const std::vector<double> before = groupQuantity(start, start, q);
    std::vector<double> both(before);
    both.insert(both.end(), after.begin(), after.end());
    if (both.empty()) return;
    const double threshold = quantile(both, percentile);
    const QCPRange range = colourRange(both);
    before_->setCells(tr("%1 before the search").arg(name), now.rows, groups, before, threshold);
    after_->setCells(afterTitle, now.rows, groups, after, threshold);
    for (GroupMapPlot* m : {before_, after_}) {
        m->setGradient(viridisGradient());
        m->setColourRange(range, logColour_->isChecked() && range.lower > 0);
        m->setColourLabel(groupQuantityAxisLabels()[int(q)]);
    }
}

void InspectorView::drawPermutation() {
    const LayerInvariance& state = shown_.now.invariance;
    Curve moved{tr("original neuron"), {}, {}, okabeIto(0), Qt::NoPen, false, true, 1.0};
    for (std::size_t i = 0; i < state.permutation.size(); ++i)
        moved.x.push_back(double(i)), moved.y.push_back(double(state.permutation[i]));
    displacement_->setLabels(tr("Where each neuron went (layer %1)").arg(shown_.now.layer),
                             tr("position now"), tr("original neuron"));
    displacement_->legend->setVisible(false);
    displacement_->setCurves({moved});

    Curve changes{tr("changes"), {}, {}, okabeIto(5), Qt::SolidLine, false, false, 1.0, true};
    for (std::size_t i = 0; i < shown_.positionChanges.size(); ++i)
        changes.x.push_back(double(i)), changes.y.push_back(shown_.positionChanges[i]);
    positionChanges_->setLabels(tr("Position changes"),
                                tr("position (checkpoints 0–%1)").arg(shown_.checkpoint),
                                tr("checkpoints that changed it"));
    positionChanges_->legend->setVisible(false);
    positionChanges_->setCurves({changes});

    std::vector<float> logScales;
    for (float s : state.scales) logScales.push_back(std::log2(s));
    const auto [slo, shi] = valueRange({&logScales});
    scales_->setLabels(tr("Scales"), tr("log₂ scale"), tr("neurons"));
    scales_->legend->setVisible(false);
    scales_->setCurves({histogramCurve(tr("scales"), histogram(logScales, slo, shi, 40),
                                       okabeIto(2), Qt::SolidLine, false)});
    const auto [alo, ahi] = valueRange({&state.angles});
    angles_->setLabels(tr("Rotation angles"), tr("angle (rad)"), tr("neuron pairs"));
    angles_->legend->setVisible(false);
    angles_->setCurves({histogramCurve(tr("angles"), histogram(state.angles, alo, ahi, 40),
                                       okabeIto(4), Qt::SolidLine, false)});
}

void InspectorView::showNeuron(std::int64_t neuron) {
    if (neuron_->value() == int(neuron))
        drawNeuron();
    else
        neuron_->setValue(int(neuron));  // draws
}

void InspectorView::drawNeuron() {
    if (!haveShown_) return;
    const NeuronView v = neuronView(shown_.start, shown_.now, neuron_->value());
    if (v.neuron < 0) {
        neuronText_->setText(tr("No neuron %1 in this layer").arg(neuron_->value()));
        return;
    }
    const double before1 = mean(v.fc1GroupErrorBefore), after1 = mean(v.fc1GroupErrorAfter);
    const double before2 = mean(v.fc2GroupErrorBefore), after2 = mean(v.fc2GroupErrorAfter);
    auto change = [](double b, double a) {
        return b > 0 ? QStringLiteral("%1%").arg(100 * (a - b) / b, 0, 'f', 1)
                     : QStringLiteral("–");
    };
    neuronText_->setText(tr("neuron %1: position %1 → %2, scale %3, angle of its pair %4 rad; "
                            "error of its groups: fc1 %5 → %6 (%7), "
                            "fc2 %8 → %9 (%10)")
                             .arg(v.neuron)
                             .arg(v.position)
                             .arg(double(v.scale), 0, 'g', 5)
                             .arg(double(v.angle), 0, 'g', 3)
                             .arg(before1, 0, 'g', 3)
                             .arg(after1, 0, 'g', 3)
                             .arg(change(before1, after1))
                             .arg(before2, 0, 'g', 3)
                             .arg(after2, 0, 'g', 3)
                             .arg(change(before2, after2)));
    neuronRow_->setLabels(tr("fc1 row of neuron %1").arg(v.neuron), tr("input feature"),
                          tr("weight"));
    neuronRow_->setCurves(
        {indexedCurve(tr("before the search"), v.fc1RowBefore, okabeIto(7), Qt::SolidLine, 0.8),
         indexedCurve(tr("transformed"), v.fc1RowAfter, okabeIto(0), Qt::SolidLine, 0.8),
         indexedDots(tr("quantized"), v.fc1RowQuantized, okabeIto(3))});
    neuronRow_->legend->setVisible(true);
    neuronColumn_->setLabels(tr("fc2 column of neuron %1").arg(v.neuron), tr("output feature"),
                             tr("weight"));
    neuronColumn_->setCurves(
        {indexedCurve(tr("before the search"), v.fc2ColumnBefore, okabeIto(7), Qt::SolidLine, 0.8),
         indexedCurve(tr("transformed"), v.fc2ColumnAfter, okabeIto(0), Qt::SolidLine, 0.8),
         indexedDots(tr("quantized"), v.fc2ColumnQuantized, okabeIto(3))});
    neuronColumn_->legend->setVisible(true);
    // Per fc1 group of its row, and fc2's groups holding its column (mean over fc2's rows).
    QStringList categories;
    std::vector<double> beforeBars = v.fc1GroupErrorBefore, afterBars = v.fc1GroupErrorAfter;
    for (std::size_t g = 0; g < v.fc1GroupErrorBefore.size(); ++g)
        categories << tr("fc1 g%1").arg(g);
    categories << tr("fc2");
    beforeBars.push_back(before2);
    afterBars.push_back(after2);
    neuronErrors_->setLabels(tr("Quantization error of its groups"),
                             tr("group (fc2: mean over its rows)"), tr("mean squared error"));
    neuronErrors_->setBars(categories,
                           {{tr("before the search"), beforeBars, okabeIto(7)},
                            {tr("at step %1").arg(shown_.now.step), afterBars, okabeIto(3)}});
    neuronErrors_->legend->setVisible(true);
}

void InspectorView::showGroup(std::int64_t row, std::int64_t groupIndex) {
    if (!haveShown_ || !matrixNow()) return;
    const WeightSnapshot& now = *matrixNow();
    const WeightSnapshot& start = *matrixStart();
    const std::int64_t g = now.groupSize;
    if (row < 0 || row >= now.rows || groupIndex < 0 || groupIndex >= groupCount(now)) return;
    groupRow_ = row;
    groupIndex_ = groupIndex;
    auto weights = [&](const std::vector<float>& v, const QString& label, const QColor& colour) {
        Curve c{label, {}, {}, colour, Qt::NoPen, false, true, 1.2};
        for (std::int64_t k = 0; k < g; ++k) {
            c.x.push_back(double(k));
            c.y.push_back(double(v[std::size_t(row * now.cols + groupIndex * g + k)]));
        }
        return c;
    };
    // The quantization grid: a line at every level the group's quantized weights take.
    auto grid = [&](const std::vector<float>& quantized, const QString& label, const QColor& colour,
                    Qt::PenStyle style, std::vector<Curve>& curves) {
        std::vector<float> levels(quantized.begin() + row * now.cols + groupIndex * g,
                                  quantized.begin() + row * now.cols + (groupIndex + 1) * g);
        std::sort(levels.begin(), levels.end());
        levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
        for (std::size_t i = 0; i < levels.size(); ++i)
            curves.push_back(Curve{label,
                                   {-0.5, double(g) - 0.5},
                                   {double(levels[i]), double(levels[i])},
                                   colour,
                                   style,
                                   false,
                                   false,
                                   1.0,
                                   false,
                                   i == 0});
    };
    group_->setLabels(
        tr("%1 row %2, group %3").arg(QString::fromStdString(now.name)).arg(row).arg(groupIndex),
        tr("weight in the group"), tr("value"));
    std::vector<Curve> curves;
    if (attentionSelected()) {
        grid(now.quantized, tr("quantization grid"), okabeIto(3), Qt::SolidLine, curves);
        curves.push_back(weights(now.transformed, tr("weight"), okabeIto(0)));
    } else {
        grid(start.quantized, tr("grid before"), okabeIto(7), Qt::DashLine, curves);
        grid(now.quantized, tr("grid after"), okabeIto(3), Qt::SolidLine, curves);
        curves.push_back(weights(start.transformed, tr("weight before"), okabeIto(7)));
        curves.push_back(weights(now.transformed, tr("weight after"), okabeIto(0)));
    }
    group_->setCurves(std::move(curves));
    group_->legend->setVisible(true);
}

QStringList InspectorView::exportFigures(const QString& directory, const QStringList& formats,
                                         const QString& preset) {
    if (!haveShown_)
        throw std::runtime_error("nothing to export: no layer is shown in the inspector yet");
    const FigureStyle style = FigureStyle::preset(preset);
    if (!QDir().mkpath(directory))
        throw std::runtime_error("could not create the folder '" + directory.toStdString() + "'");
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
    copy.showNeuron(neuron_->value());
    if (groupRow_ >= 0) copy.showGroup(groupRow_, groupIndex_);
    const QString matrix = matrix_->currentText();
    const std::vector<std::pair<QString, QCustomPlot*>> views = {
        {matrix + QStringLiteral("-histogram"), copy.histogram_},
        {matrix + QStringLiteral("-error-histogram"), copy.errors_},
        {QStringLiteral("invariance-check"), copy.invariancePlot_},
        {matrix + QStringLiteral("-map-before"), copy.before_},
        {matrix + QStringLiteral("-map-after"), copy.after_},
        {matrix + QStringLiteral("-group"), copy.group_},
        {QStringLiteral("permutation"), copy.displacement_},
        {QStringLiteral("position-changes"), copy.positionChanges_},
        {QStringLiteral("scales"), copy.scales_},
        {QStringLiteral("angles"), copy.angles_},
        {QStringLiteral("accepted-changes"), copy.timeline_},
        {QStringLiteral("neuron-%1-fc1-row").arg(neuron_->value()), copy.neuronRow_},
        {QStringLiteral("neuron-%1-fc2-column").arg(neuron_->value()), copy.neuronColumn_},
        {QStringLiteral("neuron-%1-group-errors").arg(neuron_->value()), copy.neuronErrors_}};
    QStringList written;
    for (const auto& [name, plot] : views) {
        if (plot == copy.group_ && groupRow_ < 0) continue;  // no group clicked
        if (auto* c = qobject_cast<CurvePlot*>(plot))
            c->setBarLegendColumns(style.widthInches < 4 ? 2 : 4);
        plot->resize(style.widthPoints(), style.heightPoints());
        applyFigureStyle(plot, style);
        for (const QString& format : formats) {
            const QString path =
                QDir(directory).filePath(name + QLatin1Char('.') + format.toLower());
            const QString error = exportPlot(plot, path, format, style);
            if (!error.isEmpty()) throw std::runtime_error(error.toStdString());
            written << path;
        }
    }
    return written;
}

}  // namespace invx::gui
