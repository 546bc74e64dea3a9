#pragma once
// The experiment browser's model: the experiment files (*.h5) of a folder and the recent files,
// each with its status as recorded (running, stopped, finished, created) or "unreadable" with the
// reason. refresh() rereads the statuses; the window calls it when the folder changes and about
// once a second while a file is running.
#include <QAbstractTableModel>
#include <QDateTime>
#include <QStringList>
#include <vector>

namespace invx::gui {

class ExperimentListModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Column { NameColumn, StatusColumn, ModifiedColumn, FolderColumn, ColumnCount };
    static constexpr int PathRole = Qt::UserRole + 1;

    explicit ExperimentListModel(QObject* parent = nullptr);

    void setFolder(const QString& folder);
    QString folder() const { return folder_; }
    void setRecentFiles(const QStringList& paths);
    void refresh();

    QString path(int row) const;
    QString status(int row) const;
    int rowOf(const QString& path) const;
    bool anyRunning() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

  private:
    struct Entry {
        QString path, status;
        QDateTime modified;
        qint64 size = -1;
        bool recent = false;
    };
    std::vector<Entry> scan() const;

    QString folder_;
    QStringList recent_;
    std::vector<Entry> entries_;
};

}  // namespace invx::gui
