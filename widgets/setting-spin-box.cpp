#include "setting-spin-box.h"

#include <algorithm>
#include <climits>

namespace invx::gui {

SettingSpinBox::SettingSpinBox(int minimum, int maximum, QWidget* parent)
    : QSpinBox(parent), minimum_(minimum), maximum_(maximum) {
    setRange(INT_MIN, INT_MAX);  // typed values stay as typed; the form says what is wrong
    setAccelerated(true);
    setKeyboardTracking(true);
}

void SettingSpinBox::stepBy(int steps) {
    const qint64 next = std::clamp(qint64(value()) + steps, qint64(minimum_), qint64(maximum_));
    setValue(int(next));
    selectAll();
}

QAbstractSpinBox::StepEnabled SettingSpinBox::stepEnabled() const {
    StepEnabled enabled = StepNone;
    if (value() < maximum_) enabled |= StepUpEnabled;
    if (value() > minimum_) enabled |= StepDownEnabled;
    return enabled;
}

}  // namespace invx::gui
