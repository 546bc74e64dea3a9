#include "run-view.h"

#include <QGridLayout>
#include <QVBoxLayout>

#include "curve-plot.h"
#include "figure-legend.h"

namespace invx::gui {

RunView::RunView(QWidget* parent) : QWidget(parent) {
    auto* column = new QVBoxLayout(this);
    column->setContentsMargins(4, 4, 4, 4);
    column->setSpacing(2);
    legend_ = new FigureLegend(this);
    legend_->setObjectName(QStringLiteral("figureLegend"));
    column->addWidget(legend_);
    auto* grid = new QGridLayout;
    grid->setSpacing(6);
    column->addLayout(grid, 1);
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

void RunView::setComparison(const Comparison& comparison) {
    comparison_ = comparison;
    runs_ = comparison_.shownRuns();
    for (auto& [kind, plot] : plots_) plot->setFollowData(true);
    refresh();
}

void RunView::setRuns(const std::vector<const RunData*>& runs, const QStringList& labels) {
    setComparison(Comparison::ofRuns(runs, labels));
}

void RunView::setOptions(const FigureOptions& options) {
    options_ = options;
    refresh();
}

void RunView::refresh() {
    perLayer_.assign(runs_.size(), {});
    countSteps();
    // One run needs no legend: its figures name their own curves.
    const bool one = comparison_.shownEntries().size() == 1 && runs_.size() == 1 &&
                     comparison_.baselines.empty();
    legend_->setEntries(one ? std::vector<LegendEntry>{} : comparisonLegend(comparison_));
    for (auto& [kind, plot] : plots_) {
        if (kind == FigureKind::AcceptancePerLayer)
            fillLayerAcceptanceFigure(plot, comparison_, acceptancePerLayer());
        else
            fillFigure(plot, kind, comparison_, options_);
    }
}

void RunView::refreshAppended() {
    if (!runsOnlyGrew() || !canExtendFigures(comparison_)) {
        refresh();
        return;
    }
    const std::vector<std::size_t> drawn = drawnSteps_;
    countSteps();
    for (auto& [kind, plot] : plots_) {
        if (isStepFigure(kind))
            extendFigure(plot, kind, comparison_, drawn, options_);
        else if (kind == FigureKind::AcceptancePerLayer)
            fillLayerAcceptanceFigure(plot, comparison_, acceptancePerLayer());
        else
            fillFigure(plot, kind, comparison_, options_);  // perplexity: a few evaluations
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
