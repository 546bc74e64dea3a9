#include "experiment-list-model.h"

#include <QBrush>
#include <QColor>
#include <QDir>
#include <QFileInfo>

#include "run-loader.h"

namespace invx::gui {

ExperimentListModel::ExperimentListModel(QObject* parent) : QAbstractTableModel(parent) {}

void ExperimentListModel::setFolder(const QString& folder) {
    folder_ = folder;
    refresh();
}

void ExperimentListModel::setRecentFiles(const QStringList& paths) {
    recent_ = paths;
    refresh();
}

std::vector<ExperimentListModel::Entry> ExperimentListModel::scan() const {
    std::vector<Entry> out;
    QStringList seen;
    auto add = [&](const QString& path, bool recent) {
        const QString absolute = QFileInfo(path).absoluteFilePath();
        if (seen.contains(absolute)) return;
        seen << absolute;
        const QFileInfo info(absolute);
        // A finished, stopped or unreadable file unchanged since the last scan keeps its status:
        // refreshing every second reopens only running files and those written to. A running,
        // created or interrupted file is always reread: a status write (or another process
        // resuming it) need not change the size, nor the time within its millisecond.
        QString status;
        const int known = rowOf(absolute);
        const Entry* last = known >= 0 ? &entries_[std::size_t(known)] : nullptr;
        if (!info.exists())
            status = tr("unreadable: the file no longer exists");
        else if (last && last->status != QLatin1String("running") &&
                 last->status != QLatin1String("created") &&
                 last->status != QLatin1String("interrupted") &&
                 last->modified == info.lastModified() && last->size == info.size())
            status = last->status;
        else
            status = experimentStatus(absolute);
        out.push_back(
            Entry{absolute, status, info.lastModified(), info.exists() ? info.size() : -1, recent});
    };
    if (!folder_.isEmpty())
        for (const QFileInfo& info :
             QDir(folder_).entryInfoList({QStringLiteral("*.h5")}, QDir::Files, QDir::Time))
            add(info.absoluteFilePath(), false);
    for (const QString& path : recent_) add(path, true);
    return out;
}

void ExperimentListModel::refresh() {
    std::vector<Entry> fresh = scan();
    const bool sameRows =
        fresh.size() == entries_.size() &&
        std::equal(fresh.begin(), fresh.end(), entries_.begin(),
                   [](const Entry& a, const Entry& b) { return a.path == b.path; });
    if (!sameRows) {
        beginResetModel();
        entries_ = std::move(fresh);
        endResetModel();
        return;
    }
    for (std::size_t i = 0; i < fresh.size(); ++i) {
        if (fresh[i].status == entries_[i].status && fresh[i].modified == entries_[i].modified)
            continue;
        entries_[i] = fresh[i];
        Q_EMIT dataChanged(index(int(i), 0), index(int(i), ColumnCount - 1));
    }
}

QString ExperimentListModel::path(int row) const {
    return row >= 0 && row < rowCount() ? entries_[std::size_t(row)].path : QString();
}
QString ExperimentListModel::status(int row) const {
    return row >= 0 && row < rowCount() ? entries_[std::size_t(row)].status : QString();
}

int ExperimentListModel::rowOf(const QString& path) const {
    const QString absolute = QFileInfo(path).absoluteFilePath();
    for (std::size_t i = 0; i < entries_.size(); ++i)
        if (entries_[i].path == absolute) return int(i);
    return -1;
}

bool ExperimentListModel::anyRunning() const {
    for (const Entry& e : entries_)
        if (e.status == QLatin1String("running")) return true;
    return false;
}

int ExperimentListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(entries_.size());
}
int ExperimentListModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ExperimentListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry& e = entries_[std::size_t(index.row())];
    const bool unreadable = e.status.startsWith(QLatin1String("unreadable"));
    if (role == PathRole) return e.path;
    if (role == Qt::ToolTipRole) {
        if (e.status == QLatin1String("interrupted"))
            return e.path + QLatin1Char('\n') +
                   tr("interrupted: its run ended without stopping (killed, or the machine went "
                      "down); "
                      "Resume continues it from its last checkpoint");
        return e.path + QLatin1Char('\n') + e.status;
    }
    if (role == Qt::ForegroundRole && index.column() == StatusColumn) {
        if (unreadable) return QBrush(QColor(176, 0, 32));
        if (e.status == QLatin1String("running")) return QBrush(QColor(0, 114, 178));
        if (e.status == QLatin1String("finished")) return QBrush(QColor(0, 128, 90));
        if (e.status == QLatin1String("interrupted")) return QBrush(QColor(213, 94, 0));
        return {};
    }
    if (role != Qt::DisplayRole) return {};
    switch (index.column()) {
        case NameColumn:
            return QFileInfo(e.path).fileName();
        case StatusColumn:
            return unreadable ? tr("unreadable") : e.status;
        case ModifiedColumn:
            return e.modified.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
        case FolderColumn:
            return e.recent ? tr("recent: %1").arg(QFileInfo(e.path).absolutePath())
                            : QFileInfo(e.path).absolutePath();
    }
    return {};
}

QVariant ExperimentListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
        case NameColumn:
            return tr("File");
        case StatusColumn:
            return tr("Status");
        case ModifiedColumn:
            return tr("Modified");
        case FolderColumn:
            return tr("Folder");
    }
    return {};
}

}  // namespace invx::gui
