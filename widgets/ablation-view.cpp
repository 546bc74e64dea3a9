#include "ablation-view.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

#include "invx/setting-table.h"

namespace invx::gui {
namespace {

QString meanStd(double mean, double sd, int decimals) {
    if (!std::isfinite(mean)) return QStringLiteral("–");
    return QStringLiteral("%1 ± %2").arg(mean, 0, 'f', decimals).arg(sd, 0, 'f', decimals);
}

QTableView* tableFor(QAbstractItemModel* model, QWidget* parent) {
    auto* view = new QTableView(parent);
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    view->verticalHeader()->hide();
    view->setAlternatingRowColors(true);
    return view;
}

}  // namespace

AblationView::AblationView(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    heading_ = new QLabel(
        tr("No ablation. An ablation runs a grid of variants one after another, each in its own "
           "experiment file, and ends in a table with the mean and standard deviation across "
           "seeds."),
        this);
    heading_->setWordWrap(true);
    auto* create = new QPushButton(tr("New Ablation…"), this);
    auto* exportButton = new QPushButton(tr("Export Table…"), this);
    top->addWidget(heading_, 1);
    top->addWidget(create);
    top->addWidget(exportButton);
    layout->addLayout(top);
    auto* split = new QSplitter(Qt::Vertical, this);
    auto* summaryView = tableFor(&summary_, split);
    summaryView->setObjectName(QStringLiteral("ablationSummary"));
    auto* queueView = tableFor(&queue_, split);
    queueView->setObjectName(QStringLiteral("ablationQueue"));
    split->addWidget(summaryView);
    split->addWidget(queueView);
    layout->addWidget(split, 1);
    connect(create, &QPushButton::clicked, this, &AblationView::newAblationRequested);
    connect(exportButton, &QPushButton::clicked, this, &AblationView::exportRequested);
}

void AblationView::display(const AblationPlan* plan, const std::vector<const RunData*>& results) {
    queue_.clear();
    summary_.clear();
    if (!plan) return;
    int finished = 0;
    for (const AblationVariant& v : plan->variants())
        finished += v.state == QLatin1String("finished");
    heading_->setText(tr("Ablation in %1: %2 of %3 variants finished.")
                          .arg(plan->folder())
                          .arg(finished)
                          .arg(plan->variants().size()));

    QStringList queueHeader;
    for (const AblationAxis& a : plan->axes()) queueHeader << a.key;
    queueHeader << tr("State") << tr("File");
    queue_.setHorizontalHeaderLabels(queueHeader);
    for (const AblationVariant& v : plan->variants()) {
        QList<QStandardItem*> row;
        for (const QString& value : v.values) row << new QStandardItem(value);
        row << new QStandardItem(v.state) << new QStandardItem(QFileInfo(v.path).fileName());
        row.back()->setToolTip(v.path);
        queue_.appendRow(row);
    }

    const QStringList keys = summaryAxisKeys(*plan);
    summaryNumbers_ = int(keys.size());
    summary_.setHorizontalHeaderLabels(
        keys + QStringList{tr("Runs"), tr("Final PPL"), tr("Best PPL"), tr("Best loss")});
    for (const AblationSummaryRow& r : summarizeAblation(*plan, results)) {
        QList<QStandardItem*> row;
        for (const QString& value : r.values) row << new QStandardItem(value);
        row << new QStandardItem(QString::number(r.runs))
            << new QStandardItem(meanStd(r.finalPerplexityMean, r.finalPerplexityStd, 2))
            << new QStandardItem(meanStd(r.bestPerplexityMean, r.bestPerplexityStd, 2))
            << new QStandardItem(meanStd(r.bestLossMean, r.bestLossStd, 4));
        for (int c = summaryNumbers_; c < row.size(); ++c)
            row[c]->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        summary_.appendRow(row);
    }
}

}  // namespace invx::gui
