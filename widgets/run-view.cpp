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
    for (auto& [kind, plot] : plots_) fillFigure(plot, kind, runs_, labels_, options_);
}

}  // namespace invx::gui
