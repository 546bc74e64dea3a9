#include "run-view.h"

#include <QGridLayout>

#include "curve-plot.h"

namespace invx::gui {

RunView::RunView(QWidget* parent) : QWidget(parent) {
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(4, 4, 4, 4);
    grid->setSpacing(6);
    int i = 0;
    for (FigureKind kind : allFigureKinds()) {
        auto* plot = new CurvePlot(this);
        plot->setObjectName(figureFileName(kind));
        plots_[kind] = plot;
        grid->addWidget(plot, i / 3, i % 3);
        connect(plot, &CurvePlot::curveClicked, this, &RunView::curveClicked);
        ++i;
    }
    refresh();
}

void RunView::setRuns(const std::vector<const RunData*>& runs, const QStringList& labels) {
    runs_ = runs;
    labels_ = labels;
    for (auto& [kind, plot] : plots_) plot->setFollowData(true);
    refresh();
}

void RunView::setOptions(const FigureOptions& options) {
    options_ = options;
    refresh();
}

void RunView::refresh() {
    perLayer_.assign(runs_.size(), {});
    countSteps();
    for (auto& [kind, plot] : plots_) {
        if (kind == FigureKind::AcceptancePerLayer)
            fillLayerAcceptanceFigure(plot, runs_, labels_, acceptancePerLayer());
        else
            fillFigure(plot, kind, runs_, labels_, options_);
    }
}

void RunView::refreshAppended() {
    if (!runsOnlyGrew()) {
        refresh();
        return;
    }
    const std::vector<std::size_t> drawn = drawnSteps_;
    countSteps();
    for (auto& [kind, plot] : plots_) {
        if (isStepFigure(kind))
            extendFigure(plot, kind, runs_, drawn, options_);
        else if (kind == FigureKind::AcceptancePerLayer)
            fillLayerAcceptanceFigure(plot, runs_, labels_, acceptancePerLayer());
        else
            fillFigure(plot, kind, runs_, labels_, options_);  // perplexity: a few evaluations
    }
}

bool RunView::runsOnlyGrew() const {
    if (drawnSteps_.size() != runs_.size()) return false;
    for (std::size_t i = 0; i < runs_.size(); ++i)
        if (runs_[i]->stepCount() < drawnSteps_[i]) return false;
    return true;
}

// Notes how many steps of each run the figures will hold, and counts the new ones per layer.
void RunView::countSteps() {
    drawnSteps_.resize(runs_.size());
    for (std::size_t i = 0; i < runs_.size(); ++i) {
        drawnSteps_[i] = runs_[i]->stepCount();
        perLayer_[i].extend(*runs_[i]);
    }
}

std::vector<std::vector<double>> RunView::acceptancePerLayer() const {
    std::vector<std::vector<double>> out;
    for (std::size_t i = 0; i < runs_.size(); ++i) out.push_back(perLayer_[i].rates(*runs_[i]));
    return out;
}

}  // namespace invx::gui
