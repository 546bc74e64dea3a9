#include "scroll-wheel-guard.h"

#include <QAbstractSpinBox>
#include <QComboBox>
#include <QEvent>
#include <QWidget>

namespace invx::gui {

void ScrollWheelGuard::install(QWidget* form) {
    auto* guard = new ScrollWheelGuard(form);
    const auto guardAll = [guard](const auto& widgets) {
        for (QWidget* w : widgets) {
            w->setFocusPolicy(Qt::StrongFocus);
            w->installEventFilter(guard);
        }
    };
    guardAll(form->findChildren<QAbstractSpinBox*>());
    guardAll(form->findChildren<QComboBox*>());
}

bool ScrollWheelGuard::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() != QEvent::Wheel) return false;
    auto* widget = qobject_cast<QWidget*>(watched);
    if (!widget || widget->hasFocus()) return false;
    // Filtered and ignored: QApplication passes an ignored wheel event on to the parents, up to
    // the scroll area, which scrolls.
    event->ignore();
    return true;
}

}  // namespace invx::gui
