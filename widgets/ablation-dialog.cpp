#include "ablation-dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include "invx/setting-table.h"

namespace invx::gui {
namespace {

QString presetText(const char* text) {
    return QCoreApplication::translate("invx::gui::StudyPresets", text);
}

}  // namespace

AblationDialog::AblationDialog(const QString& defaultFolder, const SearchSettings& base,
                               const std::optional<MeasuredSpeed>& speed, QWidget* parent)
    : QDialog(parent), base_(base), speed_(speed) {
    setWindowTitle(tr("New Ablation or Study"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(
        tr("Every combination of the values below runs once, with the other settings as in the "
           "search form. List values separated by commas. Variants that share a base "
           "quantization calibrate it once."),
        this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto* top = new QFormLayout;
    preset_ = new QComboBox(this);
    preset_->setObjectName(QStringLiteral("studyPreset"));
    preset_->addItem(tr("A grid of my own"), QString());
    for (const StudyPreset& p : studyPresets())
        preset_->addItem(tr("%1 (the paper's %2)").arg(presetText(p.name), presetText(p.paperPart)),
                         p.id);
    top->addRow(tr("Study"), preset_);
    fixed_ = new QLabel(this);
    fixed_->setWordWrap(true);
    top->addRow(QString(), fixed_);
    layout->addLayout(top);

    axes_ = new QTableWidget(0, 2, this);
    axes_->setHorizontalHeaderLabels({tr("Setting"), tr("Values")});
    axes_->horizontalHeader()->setStretchLastSection(true);
    axes_->verticalHeader()->hide();
    layout->addWidget(axes_);
    auto* add = new QPushButton(tr("Add Setting"), this);
    connect(add, &QPushButton::clicked, this,
            [this] { addAxis(QStringLiteral("alpha"), QStringLiteral("0.1")); });
    layout->addWidget(add, 0, Qt::AlignLeft);

    auto* form = new QFormLayout;
    seeds_ = new QSpinBox(this);
    seeds_->setRange(1, 20);
    seeds_->setToolTip(
        tr("Runs per variant, with seeds 0, 1, ...; the table shows their mean ± "
           "standard deviation"));
    form->addRow(tr("Seeds per variant"), seeds_);
    auto* evaluation = new QHBoxLayout;
    evaluate_ = new QCheckBox(tr("At the end, evaluate every variant and its base method on C4 "
                                 "and the six tasks"),
                              this);
    evaluationScope_ = new QComboBox(this);
    evaluationScope_->addItem(tr("whole data sets"), int(AblationEvaluation::Whole));
    evaluationScope_->addItem(tr("quick: 40 windows, 100 items (marked *)"),
                              int(AblationEvaluation::Quick));
    evaluationScope_->setEnabled(false);
    evaluation->addWidget(evaluate_);
    evaluation->addWidget(evaluationScope_);
    evaluation->addStretch(1);
    form->addRow(tr("Evaluation"), evaluation);
    folder_ = new QLineEdit(defaultFolder, this);
    form->addRow(tr("Folder for the experiment files"), folder_);
    addRunOnRows(form);
    layout->addLayout(form);
    estimate_ = new QLabel(this);
    estimate_->setObjectName(QStringLiteral("studyEstimate"));
    estimate_->setWordWrap(true);
    layout->addWidget(estimate_);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    start_ = buttons->button(QDialogButtonBox::Ok);
    start_->setText(tr("Queue and Start"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    connect(preset_, &QComboBox::currentIndexChanged, this, &AblationDialog::presetChosen);
    connect(seeds_, &QSpinBox::valueChanged, this, &AblationDialog::seedsChanged);
    connect(axes_, &QTableWidget::itemChanged, this, &AblationDialog::updateEstimate);
    connect(evaluate_, &QCheckBox::toggled, evaluationScope_, &QWidget::setEnabled);
    // The grid the dialog opened with before studies existed: the invariances, three seeds.
    addAxis(QStringLiteral("invariances"), QStringLiteral("P, S, R, PSR"));
    seeds_->setValue(3);
    presetChosen();
    restoreRunOn();
    runOnChanged();                // the rows of the restored choice
    axes_->setMinimumHeight(140);  // four axes in view with the rows of a Slurm cluster below
    resize(720, 720);
}

// "Run on" and the fields of each choice, as rows of the dialog's form (aligned with the rest),
// those of the other choices hidden.
void AblationDialog::addRunOnRows(QFormLayout* form) {
    runOn_ = new QComboBox(this);
    runOn_->setObjectName(QStringLiteral("studyRunOn"));
    runOn_->addItem(tr("This window, one variant after another"), int(InTheWindow));
    runOn_->addItem(tr("This machine, several variants at once (invx study run)"),
                    int(SeveralAtOnce));
    runOn_->addItem(tr("A Slurm cluster (invx study submit)"), int(OnSlurm));
    form->addRow(tr("Run on"), runOn_);

    parallel_ = new QSpinBox(this);
    parallel_->setObjectName(QStringLiteral("studyParallel"));
    parallel_->setRange(1, 64);
    parallel_->setValue(2);
    gpus_ = new QLineEdit(this);
    gpus_->setObjectName(QStringLiteral("studyGpus"));
    gpus_->setPlaceholderText(tr("e.g. 0,1,2,3; empty: the CPU's threads divided among them"));
    partition_ = new QLineEdit(this);
    partition_->setObjectName(QStringLiteral("slurmPartition"));
    partition_->setPlaceholderText(tr("the cluster's default"));
    account_ = new QLineEdit(this);
    account_->setObjectName(QStringLiteral("slurmAccount"));
    account_->setPlaceholderText(tr("your default account"));
    timeLimit_ = new QLineEdit(this);
    timeLimit_->setObjectName(QStringLiteral("slurmTime"));
    timeLimit_->setPlaceholderText(tr("per task, e.g. 4:00:00 or 1-00:00:00"));
    gpusPerTask_ = new QSpinBox(this);
    gpusPerTask_->setObjectName(QStringLiteral("slurmGpus"));
    gpusPerTask_->setRange(0, 16);
    gpusPerTask_->setValue(1);
    gpusPerTask_->setSpecialValueText(tr("none (CPU)"));
    cpusPerTask_ = new QSpinBox(this);
    cpusPerTask_->setObjectName(QStringLiteral("slurmCpus"));
    cpusPerTask_->setRange(0, 512);
    cpusPerTask_->setSpecialValueText(tr("the cluster's default"));
    sbatchLines_ = new QLineEdit(this);
    sbatchLines_->setObjectName(QStringLiteral("slurmExtra"));
    sbatchLines_->setPlaceholderText(tr("further #SBATCH options, separated by ';': --qos=high"));
    const std::vector<std::pair<QString, QWidget*>> parallelRows{
        {tr("Variants at once"), parallel_}, {tr("GPUs"), gpus_}};
    const std::vector<std::pair<QString, QWidget*>> slurmRows{
        {tr("Partition"), partition_},       {tr("Account"), account_},
        {tr("Time limit"), timeLimit_},      {tr("GPUs per task"), gpusPerTask_},
        {tr("CPUs per task"), cpusPerTask_}, {tr("Extra #SBATCH"), sbatchLines_}};
    for (const auto& [label, field] : parallelRows) form->addRow(label, field);
    for (const auto& [label, field] : slurmRows) form->addRow(label, field);
    form_ = form;
    connect(runOn_, &QComboBox::currentIndexChanged, this, &AblationDialog::runOnChanged);
}

void AblationDialog::runOnChanged() {
    const int where = runOn_->currentData().toInt();
    for (QWidget* w : {static_cast<QWidget*>(parallel_), static_cast<QWidget*>(gpus_)})
        form_->setRowVisible(w, where == SeveralAtOnce);
    for (QWidget* w : {static_cast<QWidget*>(partition_), static_cast<QWidget*>(account_),
                       static_cast<QWidget*>(timeLimit_), static_cast<QWidget*>(gpusPerTask_),
                       static_cast<QWidget*>(cpusPerTask_), static_cast<QWidget*>(sbatchLines_)})
        form_->setRowVisible(w, where == OnSlurm);
    start_->setText(where == OnSlurm         ? tr("Submit to Slurm")
                    : where == SeveralAtOnce ? tr("Start")
                                             : tr("Queue and Start"));
}

void AblationDialog::setRunOn(RunOn where) {
    runOn_->setCurrentIndex(runOn_->findData(int(where)));
}

void AblationDialog::setSlurmOptions(const SlurmOptions& o) {
    partition_->setText(QString::fromStdString(o.partition));
    account_->setText(QString::fromStdString(o.account));
    timeLimit_->setText(QString::fromStdString(o.timeLimit));
    gpusPerTask_->setValue(o.gpusPerTask);
    cpusPerTask_->setValue(o.cpusPerTask);
    QStringList lines;
    for (const std::string& l : o.extraLines) lines << QString::fromStdString(l);
    sbatchLines_->setText(lines.join(QStringLiteral("; ")));
}

void AblationDialog::setParallel(int parallel, const QString& gpus) {
    parallel_->setValue(parallel);
    gpus_->setText(gpus);
}

// The last choices, as the user left them.
void AblationDialog::restoreRunOn() {
    QSettings s;
    s.beginGroup(QStringLiteral("study"));
    setRunOn(RunOn(s.value(QStringLiteral("runOn"), int(InTheWindow)).toInt()));
    setParallel(s.value(QStringLiteral("parallel"), 2).toInt(),
                s.value(QStringLiteral("gpus")).toString());
    SlurmOptions o;
    o.partition = s.value(QStringLiteral("slurm/partition")).toString().toStdString();
    o.account = s.value(QStringLiteral("slurm/account")).toString().toStdString();
    o.timeLimit = s.value(QStringLiteral("slurm/time")).toString().toStdString();
    o.gpusPerTask = s.value(QStringLiteral("slurm/gpusPerTask"), 1).toInt();
    o.cpusPerTask = s.value(QStringLiteral("slurm/cpusPerTask"), 0).toInt();
    for (const QString& l : s.value(QStringLiteral("slurm/extra")).toStringList())
        o.extraLines.push_back(l.toStdString());
    setSlurmOptions(o);
}

void AblationDialog::done(int result) {
    if (result == QDialog::Accepted) {
        QSettings s;
        s.beginGroup(QStringLiteral("study"));
        s.setValue(QStringLiteral("runOn"), runOn_->currentData().toInt());
        s.setValue(QStringLiteral("parallel"), parallel_->value());
        s.setValue(QStringLiteral("gpus"), gpus_->text());
        const StudyOptions o = options();
        const SlurmOptions slurm = o.slurm.value_or(SlurmOptions{});
        if (o.slurm) {
            s.setValue(QStringLiteral("slurm/partition"), QString::fromStdString(slurm.partition));
            s.setValue(QStringLiteral("slurm/account"), QString::fromStdString(slurm.account));
            s.setValue(QStringLiteral("slurm/time"), QString::fromStdString(slurm.timeLimit));
            s.setValue(QStringLiteral("slurm/gpusPerTask"), slurm.gpusPerTask);
            s.setValue(QStringLiteral("slurm/cpusPerTask"), slurm.cpusPerTask);
            QStringList extra;
            for (const std::string& l : slurm.extraLines) extra << QString::fromStdString(l);
            s.setValue(QStringLiteral("slurm/extra"), extra);
        }
    }
    QDialog::done(result);
}

void AblationDialog::addAxis(const QString& key, const QString& values) {
    const int row = axes_->rowCount();
    axes_->insertRow(row);
    auto* combo = new QComboBox(axes_);
    for (const SettingDeclaration& d : searchSettingDeclarations())
        combo->addItem(QString::fromStdString(d.key));
    combo->setCurrentText(key);
    connect(combo, &QComboBox::currentTextChanged, this, &AblationDialog::updateEstimate);
    axes_->setCellWidget(row, 0, combo);
    axes_->setItem(row, 1, new QTableWidgetItem(values));
    updateEstimate();
}

void AblationDialog::choosePreset(const QString& id) {
    preset_->setCurrentIndex(std::max(0, preset_->findData(id)));
}

void AblationDialog::setSeeds(int seeds) { seeds_->setValue(seeds); }

void AblationDialog::setEvaluation(AblationEvaluation evaluation) {
    evaluate_->setChecked(evaluation != AblationEvaluation::None);
    if (evaluation != AblationEvaluation::None)
        evaluationScope_->setCurrentIndex(evaluationScope_->findData(int(evaluation)));
}

// A preset replaces the grid with its axes (the seeds stay as chosen); "a grid of my own" keeps
// whatever the table holds.
void AblationDialog::presetChosen() {
    const StudyPreset* preset = findStudyPreset(preset_->currentData().toString());
    if (!preset) {
        fixed_->setText(tr("Every setting not in the grid is the search form's."));
        updateEstimate();
        return;
    }
    QStringList fixed;
    for (const auto& [key, value] : preset->fixed) fixed << key + QStringLiteral(" = ") + value;
    fixed_->setText(tr("Sets %1 (as the paper's analyses); every other setting is the search "
                       "form's.")
                        .arg(fixed.join(QStringLiteral(", "))));
    const QSignalBlocker block(axes_);
    axes_->setRowCount(0);
    for (const AblationAxis& a : preset->axes) addAxis(a.key, a.values.join(QStringLiteral(", ")));
    seedsChanged();
}

// The seeds are the grid's "seed" row: 0, 1, ... n-1, and no row for one seed (the form's).
void AblationDialog::seedsChanged() {
    int row = -1;
    for (int r = 0; r < axes_->rowCount(); ++r)
        if (const auto* combo = qobject_cast<QComboBox*>(axes_->cellWidget(r, 0));
            combo && combo->currentText() == QLatin1String("seed"))
            row = r;
    const std::vector<AblationAxis> seeds = seedAxis(seeds_->value());
    if (seeds.empty()) {
        if (row >= 0) axes_->removeRow(row);
        updateEstimate();
        return;
    }
    const QString values = seeds.front().values.join(QStringLiteral(", "));
    if (row < 0)
        addAxis(QStringLiteral("seed"), values);
    else
        axes_->item(row, 1)->setText(values);
    updateEstimate();
}

std::vector<AblationAxis> AblationDialog::axes() const {
    std::vector<AblationAxis> out;
    for (int row = 0; row < axes_->rowCount(); ++row) {
        const auto* combo = qobject_cast<QComboBox*>(axes_->cellWidget(row, 0));
        QStringList values;
        for (const QString& v : axes_->item(row, 1)
                                    ? axes_->item(row, 1)->text().split(QLatin1Char(','))
                                    : QStringList())
            if (!v.trimmed().isEmpty()) values << v.trimmed();
        if (combo && !values.isEmpty()) out.push_back({combo->currentText(), values});
    }
    return out;
}

QString AblationDialog::folder() const { return folder_->text().trimmed(); }

StudyOptions AblationDialog::options() const {
    StudyOptions o;
    if (const StudyPreset* preset = findStudyPreset(preset_->currentData().toString())) {
        o.study = preset->id;
        o.fixed = preset->fixed;
    }
    if (evaluate_->isChecked())
        o.evaluation = AblationEvaluation(evaluationScope_->currentData().toInt());
    const int where = runOn_ ? runOn_->currentData().toInt() : int(InTheWindow);
    if (where == SeveralAtOnce) {
        o.parallel = parallel_->value();
        o.gpus = gpus_->text().trimmed();
    } else if (where == OnSlurm) {
        SlurmOptions s;
        s.partition = partition_->text().trimmed().toStdString();
        s.account = account_->text().trimmed().toStdString();
        s.timeLimit = timeLimit_->text().trimmed().toStdString();
        s.gpusPerTask = gpusPerTask_->value();
        s.cpusPerTask = cpusPerTask_->value();
        for (const QString& l : sbatchLines_->text().split(QLatin1Char(';')))
            if (!l.trimmed().isEmpty()) s.extraLines.push_back(l.trimmed().toStdString());
        o.slurm = s;
    }
    return o;
}

QString AblationDialog::estimate() const { return estimate_->text(); }

// The grid as the queue will make it (the same checks), counted; its error sentence otherwise.
void AblationDialog::updateEstimate() {
    if (!estimate_) return;
    try {
        SearchSettings base = base_;
        applyFixedSettings(base, options().fixed);
        const AblationPlan plan = AblationPlan::create(base, axes(), folder(), {}, {}, {});
        std::vector<SearchSettings> variants;
        for (const AblationVariant& v : plan.variants()) variants.push_back(v.settings);
        estimate_->setStyleSheet({});
        estimate_->setText(estimateText(estimateStudy(variants, speed_), speed_));
    } catch (const std::exception& e) {
        estimate_->setStyleSheet(QStringLiteral("color: #b00020"));
        estimate_->setText(QString::fromStdString(e.what()));
    }
}

}  // namespace invx::gui
