#include "inspector-view.h"

#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>
#include <stdexcept>

#include "curve-plot.h"
#include "figure-export.h"
#include "figure-style.h"
#include "group-map-plot.h"
#include "outlier-map-inspector.h"
#include "permutation-inspector.h"
#include "weights-inspector.h"

namespace invx::gui {

InspectorView::InspectorView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    title_ = new QLabel(tr("Double-click a run in the Runs table, or click a point of its curves, "
                           "to inspect its layers."),
                        this);
    title_->setWordWrap(true);
    layout->addWidget(title_);
    layout->addLayout(buildControls());
    // The one line a run without its model gets: what needs the model, what comes from the file.
    modelNote_ = new QLabel(this);
    modelNote_->setObjectName(QStringLiteral("modelNote"));
    modelNote_->setWordWrap(true);
    modelNote_->setStyleSheet(
        QStringLiteral("QLabel { background: #fff4ce; border: 1px solid #e0c060; padding: 4px; }"));
    modelNote_->setVisible(false);
    layout->addWidget(modelNote_);

    tabs_ = new QTabWidget(this);
    tabs_->setDocumentMode(true);
    weights_ = new WeightsInspector(tabs_);
    maps_ = new OutlierMapInspector(tabs_);
    permutation_ = new PermutationInspector(tabs_);
    tabs_->addTab(weights_, tr("Weights"));
    tabs_->addTab(maps_, tr("Outlier Maps"));
    tabs_->addTab(permutation_, tr("Permutation"));
    layout->addWidget(tabs_, 1);
    invariance_ = new QLabel(this);
    invariance_->setObjectName(QStringLiteral("invarianceCheck"));
    invariance_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    invariance_->setWordWrap(true);
    layout->addWidget(invariance_);

    connect(weights_, &WeightsInspector::optionsChanged, this, &InspectorView::redraw);
    connect(maps_, &OutlierMapInspector::optionsChanged, this, &InspectorView::redraw);
}

QLayout* InspectorView::buildControls() {
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Checkpoint"), this));
    checkpoint_ = new QSlider(Qt::Horizontal, this);
    checkpoint_->setObjectName(QStringLiteral("checkpointSlider"));
    checkpoint_->setMinimumWidth(220);
    checkpoint_->setToolTip(tr("Scrub through the run's checkpoints"));
    controls->addWidget(checkpoint_);
    step_ = new QLabel(this);
    step_->setMinimumWidth(90);
    controls->addWidget(step_);
    controls->addWidget(new QLabel(tr("Layer"), this));
    layer_ = new QSpinBox(this);
    layer_->setObjectName(QStringLiteral("layer"));
    layer_->setToolTip(tr("Decoder layer"));
    controls->addWidget(layer_);
    controls->addWidget(new QLabel(tr("Matrix"), this));
    matrix_ = new QComboBox(this);
    matrix_->setObjectName(QStringLiteral("matrix"));
    matrix_->addItems({QStringLiteral("q_proj"), QStringLiteral("k_proj"), QStringLiteral("v_proj"),
                       QStringLiteral("out_proj"), QStringLiteral("fc1"), QStringLiteral("fc2")});
    matrix_->setCurrentText(QStringLiteral("fc1"));
    matrix_->setToolTip(tr(
        "The search changes fc1 and fc2; q, k, v and out are quantized by the base method alone"));
    controls->addWidget(matrix_);
    controls->addWidget(new QLabel(tr("Device"), this));
    device_ = new QComboBox(this);
    device_->setObjectName(QStringLiteral("inspectorDevice"));
    device_->addItem(QStringLiteral("cpu"));
    device_->setEnabled(false);
    device_->setToolTip(
        tr("Where the inspector loads the model and rebuilds layers. A run made "
           "on a GPU opens on the CPU; CUDA is offered where this machine has a "
           "GPU."));
    controls->addWidget(device_);
    controls->addStretch();

    connect(checkpoint_, &QSlider::valueChanged, this, [this](int i) {
        if (i >= 0 && std::size_t(i) < steps_.size())
            step_->setText(tr("step %1").arg(steps_[std::size_t(i)]));
        ask();
    });
    connect(layer_, &QSpinBox::valueChanged, this, &InspectorView::ask);
    connect(matrix_, &QComboBox::currentIndexChanged, this, [this] {
        maps_->forgetGroup();  // a group of another matrix
        redraw();
    });
    connect(device_, &QComboBox::currentTextChanged, this, [this](const QString& device) {
        if (!source_) return;
        source_->setDevice(device);
        if (!experiment_.isEmpty())
            title_->setText(tr("%1: loading the model on %2 and rebuilding the layer…")
                                .arg(QFileInfo(experiment_).fileName(), device));
        ask();
    });
    return controls;
}

void InspectorView::setSource(LayerInspectorSource* source) {
    source_ = source;
    connect(source_, &LayerInspectorSource::ready, this,
            [this](const std::shared_ptr<LayerInspection>& i) {
                if (i && i->experiment == experiment_) display(std::move(*i));
            });
    connect(source_, &LayerInspectorSource::failed, this,
            [this](const QString& e) { title_->setText(e); });
    const QStringList devices = source_->devices();
    device_->blockSignals(true);
    device_->clear();
    device_->addItems(devices);
    device_->setCurrentText(QStringLiteral("cpu"));
    device_->blockSignals(false);
    device_->setEnabled(devices.size() > 1);
    source_->setDevice(device_->currentText());
}

QString InspectorView::device() const { return device_->currentText(); }
void InspectorView::selectDevice(const QString& device) { device_->setCurrentText(device); }

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
    permutation_->setAcceptedSteps(step, layer, accepted);
}

void InspectorView::selectCheckpoint(std::int64_t index) { checkpoint_->setValue(int(index)); }
std::int64_t InspectorView::selectedCheckpoint() const { return checkpoint_->value(); }
void InspectorView::selectMatrix(const QString& name) { matrix_->setCurrentText(name); }
QString InspectorView::selectedMatrix() const { return matrix_->currentText(); }
void InspectorView::selectTab(Tab tab) { tabs_->setCurrentIndex(int(tab)); }
std::int64_t InspectorView::selectedNeuron() const { return permutation_->selectedNeuron(); }
QString InspectorView::invarianceText() const { return invariance_->text(); }
QString InspectorView::neuronText() const { return permutation_->neuronText(); }
QString InspectorView::modelNote() const {
    return modelNote_->isHidden() ? QString() : modelNote_->text();
}

CurvePlot* InspectorView::histogramPlot() const { return weights_->histogramPlot(); }
CurvePlot* InspectorView::errorPlot() const { return weights_->errorPlot(); }
CurvePlot* InspectorView::invariancePlot() const { return weights_->invariancePlot(); }
GroupMapPlot* InspectorView::beforeMap() const { return maps_->beforeMap(); }
GroupMapPlot* InspectorView::afterMap() const { return maps_->afterMap(); }
CurvePlot* InspectorView::groupPlot() const { return maps_->groupPlot(); }
CurvePlot* InspectorView::displacementPlot() const { return permutation_->displacementPlot(); }
CurvePlot* InspectorView::positionChangesPlot() const {
    return permutation_->positionChangesPlot();
}
CurvePlot* InspectorView::scalesPlot() const { return permutation_->scalesPlot(); }
CurvePlot* InspectorView::anglesPlot() const { return permutation_->anglesPlot(); }
CurvePlot* InspectorView::timelinePlot() const { return permutation_->timelinePlot(); }
CurvePlot* InspectorView::neuronRowPlot() const { return permutation_->neuronRowPlot(); }
CurvePlot* InspectorView::neuronColumnPlot() const { return permutation_->neuronColumnPlot(); }
CurvePlot* InspectorView::neuronErrorPlot() const { return permutation_->neuronErrorPlot(); }

void InspectorView::ask() {
    if (source_ && !experiment_.isEmpty() && !steps_.empty())
        source_->request(experiment_, checkpoint_->value(), layer_->value());
}

QString InspectorView::titleText(const LayerInspection& inspection) const {
    const QString where = inspection.device.isEmpty() ? tr("from the file alone")
                                                      : tr("rebuilt on %1").arg(inspection.device);
    return tr("%1, layer %2, checkpoint %3 of %4 (step %5), %6")
        .arg(QFileInfo(inspection.experiment).fileName())
        .arg(inspection.now.layer)
        .arg(inspection.checkpoint)
        .arg(inspection.checkpointCount)
        .arg(inspection.now.step)
        .arg(where);
}

void InspectorView::display(LayerInspection inspection) {
    shown_ = std::move(inspection);
    haveShown_ = true;
    title_->setText(titleText(shown_));
    if (!shown_.hasWeights()) {
        showWithoutModel();
        return;
    }
    modelNote_->setVisible(false);
    modelNote_->clear();
    QStringList parts;
    for (int l = 0; l < shown_.invariance.size(); ++l)
        parts << QStringLiteral("%1: %2").arg(l).arg(shown_.invariance[l], 0, 'g', 3);
    invariance_->setText(tr("Invariance check at step %1, largest |original − transformed| block "
                            "output per layer (unquantized, "
                            "calibration batch): ")
                             .arg(shown_.now.step) +
                         parts.join(QStringLiteral(", ")));
    if (!matrixNow())
        matrix_->setCurrentText(QStringLiteral("fc1"));  // a layer without attention snapshots
    redraw();
}

// What the file alone holds, and one line saying what needs the model.
void InspectorView::showWithoutModel() {
    const QString model = shown_.missingModel.isEmpty()
                              ? tr("The run's model")
                              : tr("The model %1").arg(shown_.missingModel);
    modelNote_->setText(
        tr("%1 is not on this machine: the weights histograms, outlier maps, a neuron's weights "
           "and the invariance check need it; the permutations, scales, angles and accepted "
           "changes come from the file.")
            .arg(model));
    modelNote_->setToolTip(shown_.missingModelReason);
    modelNote_->setVisible(true);
    invariance_->clear();
    const QString why = tr("Needs the model:\nthe weights are not in the file");
    weights_->clear(why);
    maps_->clear(why);
    permutation_->draw(shown_);
}

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
    if (!haveShown_) return;
    if (!shown_.hasWeights()) {
        showWithoutModel();
        return;
    }
    if (!matrixNow()) return;
    weights_->draw(*matrixNow(), *matrixStart(), attentionSelected(), shown_.now.step,
                   shown_.now.layer);
    weights_->drawInvariance(shown_.invariance, shown_.now.step);
    maps_->draw(*matrixNow(), *matrixStart(), attentionSelected(), shown_.now.step);
    permutation_->draw(shown_);
}

void InspectorView::showNeuron(std::int64_t neuron) { permutation_->showNeuron(neuron); }

void InspectorView::showGroup(std::int64_t row, std::int64_t groupIndex) {
    if (haveShown_) maps_->showGroup(row, groupIndex);
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
    copy.maps_->setQuantity(maps_->quantity());
    copy.maps_->setLogColour(maps_->logColour());
    copy.maps_->setPercentile(maps_->percentile());
    copy.weights_->setLogCounts(weights_->logCounts());
    copy.setAcceptedSteps(acceptedStep_, acceptedLayer_, accepted_);
    copy.display(shown_);
    copy.showNeuron(selectedNeuron());
    if (maps_->hasGroup()) copy.showGroup(maps_->groupRow(), maps_->groupIndex());
    const QString matrix = matrix_->currentText();
    const QString neuron = QString::number(selectedNeuron());
    const std::vector<std::pair<QString, QCustomPlot*>> views = {
        {matrix + QStringLiteral("-histogram"), copy.histogramPlot()},
        {matrix + QStringLiteral("-error-histogram"), copy.errorPlot()},
        {QStringLiteral("invariance-check"), copy.invariancePlot()},
        {matrix + QStringLiteral("-map-before"), copy.beforeMap()},
        {matrix + QStringLiteral("-map-after"), copy.afterMap()},
        {matrix + QStringLiteral("-group"), copy.groupPlot()},
        {QStringLiteral("permutation"), copy.displacementPlot()},
        {QStringLiteral("position-changes"), copy.positionChangesPlot()},
        {QStringLiteral("scales"), copy.scalesPlot()},
        {QStringLiteral("angles"), copy.anglesPlot()},
        {QStringLiteral("accepted-changes"), copy.timelinePlot()},
        {QStringLiteral("neuron-%1-fc1-row").arg(neuron), copy.neuronRowPlot()},
        {QStringLiteral("neuron-%1-fc2-column").arg(neuron), copy.neuronColumnPlot()},
        {QStringLiteral("neuron-%1-group-errors").arg(neuron), copy.neuronErrorPlot()}};
    QStringList written;
    for (const auto& [name, plot] : views) {
        auto* curves = qobject_cast<CurvePlot*>(plot);
        auto* map = qobject_cast<GroupMapPlot*>(plot);
        // A view with nothing in it (no group clicked; no model here) is no figure.
        if ((curves && curves->showsEmptyText()) || (map && map->showsEmptyText())) continue;
        if (curves) curves->setBarLegendColumns(style.widthInches < 4 ? 2 : 4);
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
