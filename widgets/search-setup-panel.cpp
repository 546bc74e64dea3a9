#include "search-setup-panel.h"

#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include "scroll-wheel-guard.h"
#include "search-settings-form.h"

namespace invx::gui {

SearchSetupPanel::SearchSetupPanel(const QString& demoModelDirectory, QWidget* parent)
    : QWidget(parent) {
    form_ = new SearchSettingsForm(this);
    form_->setDefaultModelDirectory(demoModelDirectory);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(form_);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(form_->minimumSizeHint().width() + 24);
    ScrollWheelGuard::install(form_);
    layout->addWidget(scroll, 1);
    form_->errorLabel()->setContentsMargins(6, 2, 6, 2);
    layout->addWidget(form_->errorLabel());
    start_ = new QPushButton(tr("Start Search"), this);
    start_->setObjectName(QStringLiteral("startButton"));
    start_->setDefault(true);
    layout->addWidget(start_);
    connect(start_, &QPushButton::clicked, this, &SearchSetupPanel::startRequested);
    connect(form_, &SearchSettingsForm::validityChanged, this, &SearchSetupPanel::updateStart);
}

void SearchSetupPanel::setSearchRunning(bool running) {
    running_ = running;
    updateStart();
}

void SearchSetupPanel::updateStart() {
    start_->setEnabled(!running_ && form_->errorText().isEmpty());
}

}  // namespace invx::gui
