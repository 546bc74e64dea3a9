#pragma once
// A spin box for an integer setting that keeps what is typed: a QSpinBox limited to the setting's
// range would drop an out-of-range number without a word, so this one takes any whole number and
// leaves the range to the core's check, which the form shows under the field. Its arrows and the
// wheel stay within the declared range.
#include <QSpinBox>

namespace invx::gui {

class SettingSpinBox : public QSpinBox {
    Q_OBJECT
  public:
    SettingSpinBox(int minimum, int maximum, QWidget* parent = nullptr);
    void stepBy(int steps) override;

  protected:
    StepEnabled stepEnabled() const override;

  private:
    int minimum_, maximum_;  // the setting's declared range
};

}  // namespace invx::gui
