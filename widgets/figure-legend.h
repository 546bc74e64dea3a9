#pragma once
// The legend the window's figures share, above them and outside their data: one entry per run or
// seed group shown (and per baseline), each with its full settings as a tooltip. Wraps into as
// many rows as its width needs.
#include <QWidget>
#include <vector>

#include "legend-painter.h"

namespace invx::gui {

class FigureLegend : public QWidget {
    Q_OBJECT
  public:
    explicit FigureLegend(QWidget* parent = nullptr);
    void setEntries(std::vector<LegendEntry> entries);
    const std::vector<LegendEntry>& entries() const { return entries_; }

    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;
    QSize sizeHint() const override;

  protected:
    void paintEvent(QPaintEvent* event) override;
    bool event(QEvent* event) override;

  private:
    LegendLook look() const;

    std::vector<LegendEntry> entries_;
};

}  // namespace invx::gui
