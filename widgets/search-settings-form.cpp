#include "search-settings-form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <climits>

#include "invx/error.h"
#include "invx/model-locator.h"
#include "invx/opt-config.h"
#include "invx/setting-table.h"
#include "setting-spin-box.h"

namespace invx::gui {
namespace {

const char* const kDemoModel = "opt-demo";

QString text(const std::string& s) { return QString::fromStdString(s); }

QWidget* makeEditor(const SettingDeclaration& d, QWidget* parent) {
    switch (d.kind) {
        case SettingKind::Integer:
            return new SettingSpinBox(int(std::max(d.minimum, double(INT_MIN))),
                                      int(std::min(d.maximum, double(INT_MAX))), parent);
        case SettingKind::Real:
            return new QLineEdit(parent);
        case SettingKind::Flag:
            return new QCheckBox(parent);
        case SettingKind::Choice:
        case SettingKind::OpenChoice: {
            auto* combo = new QComboBox(parent);
            for (const std::string& c : d.choices) combo->addItem(text(c));
            combo->setEditable(d.kind == SettingKind::OpenChoice);
            return combo;
        }
        case SettingKind::Invariances: {
            auto* box = new QWidget(parent);
            auto* row = new QHBoxLayout(box);
            row->setContentsMargins(0, 0, 0, 0);
            const QStringList tips = {SearchSettingsForm::tr("permute neurons"),
                                      SearchSettingsForm::tr("scale neurons"),
                                      SearchSettingsForm::tr("rotate neuron pairs")};
            for (int i = 0; i < 3; ++i) {
                const QString letter = QStringLiteral("PSR").mid(i, 1);
                auto* check = new QCheckBox(letter, box);
                check->setObjectName(letter);
                check->setToolTip(tips[i]);
                row->addWidget(check);
            }
            row->addStretch();
            return box;
        }
    }
    return nullptr;
}

}  // namespace

SearchSettingsForm::SearchSettingsForm(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);

    auto* setup = new QGroupBox(tr("Model and run"), this);
    auto* setupForm = new QFormLayout(setup);
    preset_ = new QComboBox(setup);
    preset_->addItem(tr("Demo: live on a 2-core CPU"), QStringLiteral("demo"));
    preset_->addItem(tr("Paper: the published settings"), QStringLiteral("paper"));
    preset_->setToolTip(tr(
        "Fills the form. Demo: 4 x 128 calibration tokens and 4 evaluation windows, so the "
        "demo model takes about 4 steps a second on two cores; Paper: 32 x 512 tokens, the whole "
        "WikiText-2 test set."));
    setupForm->addRow(tr("Preset"), preset_);
    auto* modelRow = new QHBoxLayout;
    model_ = new QComboBox(setup);
    model_->setEditable(true);
    model_->setObjectName(QStringLiteral("model"));
    model_->setToolTip(tr(
        "A model directory in Hugging Face layout, a model id from the local Hugging Face cache, "
        "or opt-demo (the bundled demo model)"));
    auto* browse = new QPushButton(tr("Browse…"), setup);
    modelRow->addWidget(model_, 1);
    modelRow->addWidget(browse);
    setupForm->addRow(tr("Model"), modelRow);
    device_ = new QComboBox(setup);
    device_->setObjectName(QStringLiteral("device"));
    device_->addItem(QStringLiteral("cpu"));
    dtype_ = new QComboBox(setup);
    dtype_->setObjectName(QStringLiteral("dtype"));
    dtype_->addItems({QStringLiteral("auto"), QStringLiteral("float32"), QStringLiteral("float16"),
                      QStringLiteral("bfloat16")});
    dtype_->setToolTip(tr("auto: float32 on the CPU, float16 on CUDA"));
    setupForm->addRow(tr("Device"), device_);
    setupForm->addRow(tr("Precision"), dtype_);
    auto* outputRow = new QHBoxLayout;
    output_ = new QLineEdit(setup);
    output_->setObjectName(QStringLiteral("output"));
    output_->setToolTip(tr("The new experiment file (.h5); an existing file is never overwritten"));
    auto* saveAs = new QPushButton(tr("Choose…"), setup);
    outputRow->addWidget(output_, 1);
    outputRow->addWidget(saveAs);
    setupForm->addRow(tr("Experiment file"), outputRow);
    layout->addWidget(setup);

    QMap<QString, QFormLayout*> sections;
    for (const SettingDeclaration& d : searchSettingDeclarations()) {
        const QString section = text(d.section);
        if (!sections.contains(section)) {
            auto* box =
                new QGroupBox(QCoreApplication::translate("invx::Settings", d.section), this);
            sections[section] = new QFormLayout(box);
            sections[section]->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
            layout->addWidget(box);
        }
        QWidget* editor = makeEditor(d, this);
        editor->setObjectName(text(d.key));
        editor->setToolTip(QStringLiteral("%1 (%2): %3")
                               .arg(text(d.key), text(d.option),
                                    QCoreApplication::translate("invx::Settings", d.help)));
        auto* label = new QLabel(QCoreApplication::translate("invx::Settings", d.label), this);
        label->setToolTip(editor->toolTip());
        sections[section]->addRow(label, editor);
        editors_[text(d.key)] = editor;
        if (!d.bases.empty()) methodOwned_.push_back({&d, label, editor});
    }
    error_ = new QLabel(this);
    error_->setObjectName(QStringLiteral("formError"));
    error_->setWordWrap(true);
    error_->setStyleSheet(QStringLiteral("color: #b00020;"));
    error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(error_);
    layout->addStretch();

    listModels();
    setModelPath(QString::fromLatin1(kDemoModel));
    applyPreset(QStringLiteral("demo"));

    // Any edit revalidates.
    for (QWidget* editor : editors_) {
        if (auto* spin = qobject_cast<QSpinBox*>(editor))
            connect(spin, &QSpinBox::valueChanged, this, &SearchSettingsForm::validate);
        if (auto* line = qobject_cast<QLineEdit*>(editor))
            connect(line, &QLineEdit::textChanged, this, &SearchSettingsForm::validate);
        if (auto* combo = qobject_cast<QComboBox*>(editor))
            connect(combo, &QComboBox::currentTextChanged, this, &SearchSettingsForm::validate);
        for (auto* check : editor->findChildren<QCheckBox*>())
            connect(check, &QCheckBox::toggled, this, &SearchSettingsForm::validate);
    }
    // A base method's own settings are editable only while it is the chosen one.
    if (auto* base = qobject_cast<QComboBox*>(editors_.value(QStringLiteral("base")))) {
        connect(base, &QComboBox::currentTextChanged, this, &SearchSettingsForm::enableMethodRows);
        enableMethodRows(base->currentText());
    }
    connect(model_, &QComboBox::currentTextChanged, this, [this] {
        readModelShape();
        validate();
    });
    connect(output_, &QLineEdit::textChanged, this, &SearchSettingsForm::validate);
    connect(preset_, &QComboBox::currentIndexChanged, this,
            [this] { applyPreset(preset_->currentData().toString()); });
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(
            this, tr("Model directory (with config.json)"), modelPath());
        if (!dir.isEmpty()) setModelPath(dir);
    });
    connect(saveAs, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("New experiment file"), outputPath(), tr("Experiment files (*.h5)"), nullptr,
            QFileDialog::DontConfirmOverwrite);
        if (!path.isEmpty())
            setOutputPath(path.endsWith(QLatin1String(".h5")) ? path
                                                              : path + QStringLiteral(".h5"));
    });
}

void SearchSettingsForm::enableMethodRows(const QString& method) {
    for (const MethodRow& row : methodOwned_) {
        const bool owned = row.declaration->belongsTo(method.toStdString());
        row.label->setEnabled(owned);
        row.editor->setEnabled(owned);
    }
}

SearchSettings SearchSettingsForm::presetSettings(const QString& preset) {
    return searchSettingsPreset(preset.toStdString());
}

void SearchSettingsForm::applyPreset(const QString& preset) {
    const int index = preset_->findData(preset);
    if (index >= 0 && index != preset_->currentIndex()) {
        preset_->setCurrentIndex(index);  // re-enters through currentIndexChanged
        return;
    }
    setSettings(presetSettings(preset));
}

void SearchSettingsForm::listModels() {
    model_->clear();
    model_->addItem(QString::fromLatin1(kDemoModel));
    // Models in the local Hugging Face cache: hub/models--org--name.
    const QDir hub(QString::fromStdString(huggingFaceHubCache()));
    for (const QString& entry : hub.entryList({QStringLiteral("models--*")}, QDir::Dirs)) {
        QString id = entry.mid(8);
        id.replace(QStringLiteral("--"), QStringLiteral("/"));
        model_->addItem(id);
    }
}

void SearchSettingsForm::setSettings(const SearchSettings& settings) {
    applyingPreset_ = true;
    for (const SettingDeclaration& d : searchSettingDeclarations())
        setEditorText(text(d.key), text(d.get(settings)));
    applyingPreset_ = false;
    validate();
}

QString SearchSettingsForm::editorText(const QString& key) const {
    QWidget* editor = editors_.value(key);
    if (auto* spin = qobject_cast<QSpinBox*>(editor)) return QString::number(spin->value());
    if (auto* line = qobject_cast<QLineEdit*>(editor)) return line->text().trimmed();
    if (auto* combo = qobject_cast<QComboBox*>(editor)) return combo->currentText().trimmed();
    if (auto* check = qobject_cast<QCheckBox*>(editor)) return check->isChecked() ? "1" : "0";
    QString letters;
    for (const char* c : {"P", "S", "R"})
        if (auto* check = editor->findChild<QCheckBox*>(QString::fromLatin1(c));
            check && check->isChecked())
            letters += QString::fromLatin1(c);
    return letters;
}

void SearchSettingsForm::setEditorText(const QString& key, const QString& value) {
    QWidget* editor = editors_.value(key);
    if (auto* spin = qobject_cast<QSpinBox*>(editor))
        spin->setValue(value.toInt());
    else if (auto* check = qobject_cast<QCheckBox*>(editor))
        check->setChecked(value == QLatin1String("1"));
    else if (auto* line = qobject_cast<QLineEdit*>(editor))
        line->setText(value);
    else if (auto* combo = qobject_cast<QComboBox*>(editor)) {
        if (combo->findText(value) < 0) combo->addItem(value);
        combo->setCurrentText(value);
    } else
        for (const char* c : {"P", "S", "R"})
            if (auto* check = editor->findChild<QCheckBox*>(QString::fromLatin1(c)))
                check->setChecked(value.contains(QLatin1Char(*c)));
}

SearchSettings SearchSettingsForm::settings(QString* error) const {
    SettingProblem problem;
    const SearchSettings s = settings(&problem);
    if (error) *error = QString::fromStdString(problem.sentence);
    return s;
}

SearchSettings SearchSettingsForm::settings(SettingProblem* problem) const {
    SearchSettings s;
    try {
        for (const SettingDeclaration& d : searchSettingDeclarations())
            d.set(s, editorText(text(d.key)).toStdString());
        // Against the chosen model where its config.json is here (the group size must divide its
        // widths); a model not found here is the search's to report at Start.
        if (shape_)
            s.validateForModel(shape_->hiddenSize, shape_->ffnDim, int(shape_->numLayers));
        else
            s.validate();
    } catch (const SettingError& e) {
        if (problem) *problem = e.problem();
    }
    return s;
}

SearchRunRequest SearchSettingsForm::request(QString* error) const {
    SettingProblem p;
    const SearchRunRequest r = request(&p);
    if (error) *error = QString::fromStdString(p.sentence);
    return r;
}

SearchRunRequest SearchSettingsForm::request(SettingProblem* settingProblem) const {
    SearchRunRequest r;
    SettingProblem found;
    r.settings = settings(&found);
    QString problem = QString::fromStdString(found.sentence);
    r.modelPath = modelPath().toStdString();
    r.modelPath = modelDirectory().toStdString();
    r.device = device_->currentText().toStdString();
    r.dtype = dtype_->currentText().toStdString();
    r.experimentPath = outputPath().toStdString();
    if (problem.isEmpty() && outputPath().isEmpty())
        problem = tr("choose where the experiment file goes");
    else if (problem.isEmpty() && QFileInfo::exists(outputPath()))
        problem = tr("experiment file '%1' already exists; choose another file, or resume it from "
                     "the Experiments list")
                      .arg(outputPath());
    if (settingProblem)
        *settingProblem = {found.sentence.empty() ? std::string() : found.key,
                           problem.toStdString()};
    return r;
}

void SearchSettingsForm::setDevices(const QStringList& devices) {
    const QString current = device_->currentText();
    device_->clear();
    device_->addItems(devices);
    if (devices.contains(current)) device_->setCurrentText(current);
}

void SearchSettingsForm::setDefaultModelDirectory(const QString& demoDirectory) {
    demoDirectory_ = demoDirectory;
    readModelShape();
    validate();
}

QString SearchSettingsForm::modelDirectory() const {
    return modelPath() == QLatin1String(kDemoModel) ? demoDirectory_ : modelPath();
}

void SearchSettingsForm::readModelShape() {
    shape_.reset();
    const QString path = modelDirectory();
    if (path.isEmpty()) return;
    try {
        const std::string directory = resolveModelDirectory(path.toStdString());
        shape_ = OptConfig::fromFile(directory + "/config.json");
    } catch (const std::exception&) {
        // Not here (or not yet typed out): the form checks the settings alone.
    }
}

void SearchSettingsForm::setModelPath(const QString& path) {
    if (model_->findText(path) < 0) model_->addItem(path);
    model_->setCurrentText(path);
}

QString SearchSettingsForm::modelPath() const { return model_->currentText().trimmed(); }
void SearchSettingsForm::setOutputPath(const QString& path) { output_->setText(path); }
QString SearchSettingsForm::outputPath() const { return output_->text().trimmed(); }
QString SearchSettingsForm::errorText() const { return error_->text(); }

void SearchSettingsForm::validate() {
    if (applyingPreset_) return;
    SettingProblem problem;
    request(&problem);
    const QString sentence = QString::fromStdString(problem.sentence);
    error_->setText(sentence);
    mark(text(problem.key), sentence);
    Q_EMIT validityChanged(sentence.isEmpty());
}

// The field at fault gets a red frame and the sentence as its tooltip; the one marked before gets
// its own tooltip back.
void SearchSettingsForm::mark(const QString& key, const QString& sentence) {
    static const char* const kOwnTip = "invxOwnToolTip";
    if (QWidget* old = editors_.value(markedKey_); old && (key != markedKey_ || key.isEmpty())) {
        old->setStyleSheet(QString());
        old->setToolTip(old->property(kOwnTip).toString());
    }
    markedKey_ = key;
    QWidget* now = editors_.value(key);
    if (!now) return;
    if (!now->property(kOwnTip).isValid()) now->setProperty(kOwnTip, now->toolTip());
    now->setAttribute(Qt::WA_StyledBackground);  // a plain QWidget (the invariances) draws it too
    now->setStyleSheet(QStringLiteral("#%1 { border: 2px solid #b00020; background: #fde7e9; }")
                           .arg(now->objectName()));
    now->setToolTip(sentence);
}

}  // namespace invx::gui
