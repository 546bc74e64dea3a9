#pragma once
// The Experiments dock: the experiment folder (watched, with a button to choose another), its
// experiment files and the recent ones with their status, and Open / Resume for the selection.
#include <QStringList>
#include <QWidget>

class QFileSystemWatcher;
class QLabel;
class QTableView;

namespace invx::gui {

class ExperimentListModel;

class ExperimentBrowser : public QWidget {
    Q_OBJECT
  public:
    // `model` stays the caller's.
    explicit ExperimentBrowser(ExperimentListModel* model, QWidget* parent = nullptr);
    // Lists `folder` and rescans it when its files change.
    void setFolder(const QString& folder);
    QStringList selectedPaths() const;

  Q_SIGNALS:
    void openRequested(const QString& path);
    void resumeRequested(const QString& path);
    void folderChosen(const QString& folder);

  private:
    ExperimentListModel* model_;
    QLabel* folder_ = nullptr;
    QTableView* table_ = nullptr;
    QFileSystemWatcher* watcher_ = nullptr;
};

}  // namespace invx::gui
