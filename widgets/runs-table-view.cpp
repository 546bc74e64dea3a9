#include "runs-table-view.h"

#include <QHeaderView>
#include <QSortFilterProxyModel>

#include "list-table-view.h"
#include "runs-table-model.h"

namespace invx::gui {

RunsTableView::RunsTableView(RunsTableModel* model, QWidget* parent) : QTableView(parent) {
    styleListTableView(this);
    auto* proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(model);
    proxy->setSortRole(RunsTableModel::SortRole);
    setObjectName(QStringLiteral("runsTable"));
    setModel(proxy);
    setSortingEnabled(true);
    horizontalHeader()->setStretchLastSection(false);
    sortByColumn(-1, Qt::AscendingOrder);
    setToolTip(tr("Double-click a run to inspect its layers"));
    connect(this, &QTableView::doubleClicked, this, [this, proxy, model](const QModelIndex& index) {
        const int row = proxy->mapToSource(index).row();
        if (row >= 0 && std::size_t(row) < model->runs().size())
            Q_EMIT inspectRequested(model->runs()[std::size_t(row)]);
    });
}

}  // namespace invx::gui
