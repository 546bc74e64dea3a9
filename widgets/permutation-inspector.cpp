#include "permutation-inspector.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "curve-plot.h"
#include "figure-style.h"
#include "inspector-curves.h"
#include "layer-statistics.h"

namespace invx::gui {

PermutationInspector::PermutationInspector(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Neuron"), this));
    neuron_ = new QSpinBox(this);
    neuron_->setObjectName(QStringLiteral("neuron"));
    neuron_->setToolTip(
        tr("An FFN neuron by its original index; click a point of the permutation map to pick the "
           "one there"));
    controls->addWidget(neuron_);
    neuronText_ = new QLabel(this);
    neuronText_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    controls->addWidget(neuronText_, 1);
    layout->addLayout(controls);
    auto* grid = new QGridLayout;
    displacement_ = new CurvePlot(this);
    positionChanges_ = new CurvePlot(this);
    scales_ = new CurvePlot(this);
    angles_ = new CurvePlot(this);
    timeline_ = new CurvePlot(this);
    neuronRow_ = new CurvePlot(this);
    neuronColumn_ = new CurvePlot(this);
    neuronErrors_ = new CurvePlot(this);
    displacement_->setEmptyText(tr("Where each neuron went appears here"));
    positionChanges_->setEmptyText(tr("How often each position changed appears here"));
    scales_->setEmptyText(tr("The neurons' scales appear here"));
    angles_->setEmptyText(tr("The rotation angles appear here"));
    timeline_->setEmptyText(tr("The accepted changes per layer appear here"));
    neuronRow_->setEmptyText(tr("The selected neuron's fc1 row appears here"));
    neuronColumn_->setEmptyText(tr("The selected neuron's fc2 column appears here"));
    neuronErrors_->setEmptyText(tr("The error of its groups appears here"));
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
        if (!shown_) return;
        const auto& permutation = shown_->now.invariance.permutation;
        const long position = std::lround(x);
        if (position >= 0 && std::size_t(position) < permutation.size())
            showNeuron(permutation[std::size_t(position)]);
    };
    connect(displacement_, &CurvePlot::curveClicked, this, pick);
    connect(positionChanges_, &CurvePlot::curveClicked, this, pick);
}

std::int64_t PermutationInspector::selectedNeuron() const { return neuron_->value(); }
QString PermutationInspector::neuronText() const { return neuronText_->text(); }

void PermutationInspector::setAcceptedSteps(const std::vector<double>& step,
                                            const std::vector<int>& layer,
                                            const std::vector<std::uint8_t>& accepted) {
    Curve changes{tr("accepted"), {}, {}, okabeIto(0), Qt::NoPen, false, true, 1.0};
    for (std::size_t i = 0; i < step.size() && i < layer.size() && i < accepted.size(); ++i)
        if (accepted[i]) changes.x.push_back(step[i]), changes.y.push_back(double(layer[i]));
    timeline_->setLabels(tr("Accepted changes"), tr("step"), tr("decoder layer"));
    timeline_->legend->setVisible(false);
    timeline_->setCurves({changes});
}

void PermutationInspector::draw(const LayerInspection& shown) {
    shown_ = &shown;
    const LayerInvariance& state = shown.now.invariance;
    neuron_->blockSignals(true);
    neuron_->setRange(0, std::max<int>(int(state.permutation.size()) - 1, 0));
    neuron_->blockSignals(false);
    Curve moved{tr("original neuron"), {}, {}, okabeIto(0), Qt::NoPen, false, true, 1.0};
    for (std::size_t i = 0; i < state.permutation.size(); ++i)
        moved.x.push_back(double(i)), moved.y.push_back(double(state.permutation[i]));
    displacement_->setLabels(tr("Where each neuron went (layer %1)").arg(shown.now.layer),
                             tr("position now"), tr("original neuron"));
    displacement_->legend->setVisible(false);
    displacement_->setCurves({moved});

    Curve changes{tr("changes"), {}, {}, okabeIto(5), Qt::SolidLine, false, false, 1.0, true};
    for (std::size_t i = 0; i < shown.positionChanges.size(); ++i)
        changes.x.push_back(double(i)), changes.y.push_back(shown.positionChanges[i]);
    positionChanges_->setLabels(tr("Position changes"),
                                tr("position (checkpoints 0–%1)").arg(shown.checkpoint),
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
    drawNeuron();
}

void PermutationInspector::showNeuron(std::int64_t neuron) {
    if (neuron_->value() == int(neuron))
        drawNeuron();
    else
        neuron_->setValue(int(neuron));  // draws
}

void PermutationInspector::describeNeuronWithoutWeights(std::int64_t neuron) {
    const LayerInvariance& state = shown_->now.invariance;
    const auto found = std::find(state.permutation.begin(), state.permutation.end(), neuron);
    if (found == state.permutation.end()) {
        neuronText_->setText(tr("No neuron %1 in this layer").arg(neuron));
        return;
    }
    const float angle = std::size_t(neuron / 2) < state.angles.size()
                            ? state.angles[std::size_t(neuron / 2)]
                            : 0.0f;
    neuronText_->setText(tr("neuron %1: position %1 → %2, scale %3, angle of its pair %4 rad")
                             .arg(neuron)
                             .arg(found - state.permutation.begin())
                             .arg(double(state.scales.at(std::size_t(neuron))), 0, 'g', 5)
                             .arg(double(angle), 0, 'g', 3));
    const QString why = tr("Needs the model:\nthe weights are not in the file");
    for (CurvePlot* plot : {neuronRow_, neuronColumn_}) {
        plot->setLabels(QString(), QString(), QString());
        plot->setCurves({});
        plot->setEmptyText(why);
    }
    neuronErrors_->setLabels(QString(), QString(), QString());
    neuronErrors_->setBars(QStringList(), {});
    neuronErrors_->setEmptyText(why);
}

void PermutationInspector::drawNeuron() {
    if (!shown_) return;
    if (shown_->now.fc1.rows == 0) {
        describeNeuronWithoutWeights(neuron_->value());
        return;
    }
    const NeuronView v = neuronView(shown_->start, shown_->now, neuron_->value());
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
                            {tr("at step %1").arg(shown_->now.step), afterBars, okabeIto(3)}});
    neuronErrors_->legend->setVisible(true);
}

}  // namespace invx::gui
