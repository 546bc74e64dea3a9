#include "experiment-browser.h"

#include <QFileDialog>
#include <QFileSystemWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include "experiment-list-model.h"
#include "list-table-view.h"

namespace invx::gui {

ExperimentBrowser::ExperimentBrowser(ExperimentListModel* model, QWidget* parent)
    : QWidget(parent), model_(model) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* folderRow = new QHBoxLayout;
    folder_ = new QLabel(this);
    folder_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* chooseFolder = new QPushButton(tr("Folder…"), this);
    folderRow->addWidget(folder_, 1);
    folderRow->addWidget(chooseFolder);
    layout->addLayout(folderRow);
    table_ = new QTableView(this);
    styleListTableView(table_);
    table_->setObjectName(QStringLiteral("experimentsTable"));
    table_->setModel(model_);
    layout->addWidget(table_, 1);
    auto* buttons = new QHBoxLayout;
    auto* open = new QPushButton(tr("Open"), this);
    auto* resume = new QPushButton(tr("Resume"), this);
    resume->setToolTip(
        tr("Continue the selected stopped or interrupted experiment from its last checkpoint"));
    buttons->addWidget(open);
    buttons->addWidget(resume);
    buttons->addStretch();
    layout->addLayout(buttons);
    watcher_ = new QFileSystemWatcher(this);
    connect(watcher_, &QFileSystemWatcher::directoryChanged, model_, &ExperimentListModel::refresh);
    connect(chooseFolder, &QPushButton::clicked, this, [this] {
        const QString dir =
            QFileDialog::getExistingDirectory(this, tr("Experiment folder"), model_->folder());
        if (!dir.isEmpty()) Q_EMIT folderChosen(dir);
    });
    connect(table_, &QTableView::doubleClicked, this,
            [this](const QModelIndex& i) { Q_EMIT openRequested(model_->path(i.row())); });
    connect(open, &QPushButton::clicked, this, [this] {
        for (const QString& p : selectedPaths()) Q_EMIT openRequested(p);
    });
    connect(resume, &QPushButton::clicked, this, [this] {
        const QStringList paths = selectedPaths();
        if (!paths.isEmpty()) Q_EMIT resumeRequested(paths.front());
    });
}

void ExperimentBrowser::setFolder(const QString& folder) {
    if (!watcher_->directories().isEmpty()) watcher_->removePaths(watcher_->directories());
    watcher_->addPath(folder);
    model_->setFolder(folder);
    folder_->setText(folder);
    folder_->setToolTip(folder);
}

QStringList ExperimentBrowser::selectedPaths() const {
    QStringList paths;
    for (const QModelIndex& i : table_->selectionModel()->selectedRows())
        paths << model_->path(i.row());
    return paths;
}

}  // namespace invx::gui
