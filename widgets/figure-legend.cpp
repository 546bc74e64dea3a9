#include "figure-legend.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>
#include <cmath>

namespace invx::gui {

FigureLegend::FigureLegend(QWidget* parent) : QWidget(parent) {
    QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
}

LegendLook FigureLegend::look() const {
    LegendLook l;
    l.font = font();
    l.swatch = 30;
    l.gap = 6;
    l.spacing = 18;
    return l;
}

void FigureLegend::setEntries(std::vector<LegendEntry> entries) {
    entries_ = std::move(entries);
    setVisible(!entries_.empty());
    updateGeometry();
    update();
}

int FigureLegend::heightForWidth(int width) const {
    return int(std::ceil(layoutLegend(entries_, look(), width).size.height())) + 4;
}

QSize FigureLegend::sizeHint() const { return {400, heightForWidth(width() > 0 ? width() : 400)}; }

void FigureLegend::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    const LegendLook l = look();
    paintLegend(&painter, entries_, layoutLegend(entries_, l, width()), l, QPointF(0, 2));
}

// Each entry's tooltip: the run's or group's full settings.
bool FigureLegend::event(QEvent* event) {
    if (event->type() != QEvent::ToolTip) return QWidget::event(event);
    const auto* help = static_cast<QHelpEvent*>(event);
    const LegendLayout layout = layoutLegend(entries_, look(), width());
    for (std::size_t i = 0; i < layout.cells.size(); ++i)
        if (layout.cells[i].translated(0, 2).contains(help->pos()) &&
            !entries_[i].toolTip.isEmpty()) {
            QToolTip::showText(help->globalPos(), entries_[i].toolTip, this);
            return true;
        }
    QToolTip::hideText();
    event->ignore();
    return true;
}

}  // namespace invx::gui
