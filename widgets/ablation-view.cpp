#include "ablation-view.h"

#include <QColor>
#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

#include "ablation-study.h"
#include "invx/setting-table.h"
#include "study-presets.h"
#include "study-table-view.h"

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

// Where a variant's base quantization comes from: calibrated by it, or the file of an earlier
// variant of the same base (StudyPlan::baseSource, as the runner starts it).
QString baseText(const StudyPlan& plan, int variant) {
    const std::vector<PlannedVariant>& variants = plan.variants();
    auto fileName = [](const std::string& path) {
        return QFileInfo(QString::fromStdString(path)).fileName();
    };
    const std::string key = baseQuantizationKey(variants[std::size_t(variant)].settings);
    if (key.empty()) return AblationView::tr("RTN: nothing to calibrate");
    if (plan.slurm())  // the cluster's base job quantizes each shared base once, into its own file
        return AblationView::tr("from %1").arg(fileName(plan.baseFile(variant)));
    const int source = plan.baseSource(variant);
    if (source >= 0)
        return AblationView::tr("from %1").arg(fileName(variants[std::size_t(source)].path));
    // Not started yet: an earlier variant of the same base that is still to run will hold it.
    if (variants[std::size_t(variant)].state == "pending")
        for (int i = 0; i < variant; ++i) {
            const PlannedVariant& earlier = variants[std::size_t(i)];
            if (earlier.state.rfind("failed", 0) != 0 &&
                baseQuantizationKey(earlier.settings) == key)
                return AblationView::tr("from %1, once it has run").arg(fileName(earlier.path));
        }
    return AblationView::tr("calibrated here");
}

// A task's state on the cluster, "running (12_3)", coloured when it needs the user's attention.
QStandardItem* schedulerItem(const std::string& job,
                             const std::map<std::string, SchedulerState>* states) {
    if (job.empty()) return new QStandardItem(QStringLiteral("–"));
    const SchedulerState state = states ? schedulerStateOf(*states, job) : SchedulerState::Unknown;
    QString name;
    switch (state) {
        case SchedulerState::Pending:
            name = AblationView::tr("pending");
            break;
        case SchedulerState::Running:
            name = AblationView::tr("running");
            break;
        case SchedulerState::Completed:
            name = AblationView::tr("completed");
            break;
        case SchedulerState::Failed:
            name = AblationView::tr("failed");
            break;
        case SchedulerState::TimedOut:
            name = AblationView::tr("timed out");
            break;
        case SchedulerState::Cancelled:
            name = AblationView::tr("cancelled");
            break;
        case SchedulerState::Unknown:
            name = states ? AblationView::tr("unknown to Slurm") : AblationView::tr("asking…");
            break;
    }
    auto* item =
        new QStandardItem(QStringLiteral("%1 (%2)").arg(name, QString::fromStdString(job)));
    if (state == SchedulerState::Failed || state == SchedulerState::TimedOut ||
        state == SchedulerState::Cancelled)
        item->setForeground(QColor(0xb0, 0x30, 0x20));
    item->setData(int(state), Qt::UserRole);
    return item;
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
    cancel_ = new QPushButton(tr("Cancel on Cluster"), this);
    cancel_->setToolTip(
        tr("Cancels the selected variant's tasks on the Slurm cluster (all of "
           "them when none is selected); resubmitting resumes them"));
    resubmit_ = new QPushButton(tr("Resubmit Ended"), this);
    resubmit_->setToolTip(
        tr("Resubmits the tasks that failed, timed out or were cancelled; they "
           "resume from their last checkpoint"));
    cancel_->hide();
    resubmit_->hide();
    top->addWidget(heading_, 1);
    top->addWidget(cancel_);
    top->addWidget(resubmit_);
    top->addWidget(create);
    top->addWidget(exportButton);
    layout->addLayout(top);
    auto* split = new QSplitter(Qt::Vertical, this);
    results_ = new QTabWidget(split);
    study_ = new StudyTableView(results_);
    auto* summaryView = tableFor(&summary_, results_);
    summaryView->setObjectName(QStringLiteral("ablationSummary"));
    results_->addTab(study_, tr("Study Table"));
    results_->addTab(summaryView, tr("Search Results"));
    auto* queueView = tableFor(&queue_, split);
    queueView->setObjectName(QStringLiteral("ablationQueue"));
    queueView_ = queueView;
    split->addWidget(results_);
    split->addWidget(queueView);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);
    connect(create, &QPushButton::clicked, this, &AblationView::newAblationRequested);
    connect(exportButton, &QPushButton::clicked, this, &AblationView::exportRequested);
    connect(cancel_, &QPushButton::clicked, this, [this] {
        const QModelIndexList rows = queueView_->selectionModel()->selectedRows();
        Q_EMIT cancelRequested(rows.isEmpty() ? -1 : rows.front().row());
    });
    connect(resubmit_, &QPushButton::clicked, this, &AblationView::resubmitRequested);
}

void AblationView::showStudyTable(bool study) { results_->setCurrentIndex(study ? 0 : 1); }

void AblationView::displayStudy(const AblationPlan& plan) {
    try {
        study_->setTable(ablationStudyTable(plan));
    } catch (const std::exception& e) {
        study_->clear(tr("No study table: %1.").arg(QString::fromStdString(e.what())));
    }
}

void AblationView::display(const AblationPlan* plan, const std::vector<const RunData*>& results,
                           const std::map<std::string, SchedulerState>* scheduler) {
    queue_.clear();
    summary_.clear();
    const bool onCluster = plan && plan->slurm();
    cancel_->setVisible(onCluster);
    resubmit_->setVisible(onCluster);
    if (!plan) {
        study_->clear(tr("The study's table appears here once a variant has finished."));
        return;
    }
    int finished = 0;
    for (const AblationVariant& v : plan->variants())
        finished += v.state == QLatin1String("finished");
    const StudyPreset* preset = findStudyPreset(plan->study());
    const QString what =
        preset ? tr("Study \"%1\" (the paper's %2)")
                     .arg(QCoreApplication::translate("invx::gui::StudyPresets", preset->name),
                          QCoreApplication::translate("invx::gui::StudyPresets", preset->paperPart))
               : tr("Ablation");
    heading_->setText(
        tr("%1 in %2: %3 of %4 variants finished.")
            .arg(what, plan->folder())
            .arg(finished)
            .arg(plan->variants().size()) +
        (onCluster ? QLatin1Char(' ') + tr("Runs on a Slurm cluster (submitted %1).")
                                            .arg(QString::fromStdString(plan->slurm()->submittedAt))
                   : QString()));
    displayStudy(*plan);

    QStringList queueHeader;
    for (const AblationAxis& a : plan->axes()) queueHeader << a.key;
    queueHeader << tr("State") << tr("File") << tr("Base quantization");
    if (onCluster) queueHeader << tr("Search task") << tr("Evaluation task");
    queue_.setHorizontalHeaderLabels(queueHeader);
    const StudyPlan study = plan->toStudyPlan();  // once: the base files and sources of every row
    for (int i = 0; i < int(plan->variants().size()); ++i) {
        const AblationVariant& v = plan->variants()[std::size_t(i)];
        QList<QStandardItem*> row;
        for (const QString& value : v.values) row << new QStandardItem(value);
        row << new QStandardItem(v.state) << new QStandardItem(QFileInfo(v.path).fileName());
        row.back()->setToolTip(v.path);
        row << new QStandardItem(baseText(study, i));
        if (onCluster) {
            const SlurmSubmission& s = *plan->slurm();
            row << schedulerItem(s.searchJobs[std::size_t(i)], scheduler)
                << schedulerItem(s.evaluationJobs[std::size_t(i)], scheduler);
        }
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
