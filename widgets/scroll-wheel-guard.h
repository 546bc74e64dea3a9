#pragma once
// Keeps the mouse wheel from changing the spin boxes and combo boxes of a scrolled form: a wheel
// over one that has no keyboard focus scrolls the form instead (the event goes on to the scroll
// area), so that scrolling through the settings never edits one of them on the way. A click or
// Tab gives the field focus, and then the wheel changes it, as Qt's own settings dialogs do.
#include <QObject>

class QWidget;

namespace invx::gui {

class ScrollWheelGuard : public QObject {
    Q_OBJECT
  public:
    // Guards every spin box and combo box inside `form` (and gives them Qt::StrongFocus, so that
    // the wheel alone never focuses them).
    static void install(QWidget* form);

  protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

  private:
    using QObject::QObject;
};

}  // namespace invx::gui
