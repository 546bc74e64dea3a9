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
    layout->addLayout(form);
    estimate_ = new QLabel(this);
    estimate_->setObjectName(QStringLiteral("studyEstimate"));
    estimate_->setWordWrap(true);
    layout->addWidget(estimate_);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Queue and Start"));
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
    resize(640, 460);
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
