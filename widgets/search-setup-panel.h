#pragma once
// The Search Setup dock: the search form, scrollable, with its sentence and Start below it, in
// view however far the form is scrolled. Start is enabled while the form is valid and no search
// runs.
#include <QWidget>

class QPushButton;

namespace invx::gui {

class SearchSettingsForm;

class SearchSetupPanel : public QWidget {
    Q_OBJECT
  public:
    // `demoModelDirectory` is what the form's "opt-demo" means.
    explicit SearchSetupPanel(const QString& demoModelDirectory, QWidget* parent = nullptr);
    SearchSettingsForm* form() const { return form_; }
    void setSearchRunning(bool running);

  Q_SIGNALS:
    void startRequested();

  private:
    void updateStart();

    SearchSettingsForm* form_ = nullptr;
    QPushButton* start_ = nullptr;
    bool running_ = false;
};

}  // namespace invx::gui
