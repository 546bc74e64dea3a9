#pragma once
// The form that sets up a search, built from the core's declaration table (the rows that
// `invx search --help` prints): a spin box for an integer with a range, a line for a number, a
// combo box for a choice, a check box per invariance. What it holds is checked with the core's own
// validation on every edit, against the chosen model's widths when its config.json is here (a
// group size must divide them); the core's sentence shows under the form and the field at fault
// gets a red frame with the sentence as its tooltip. Integer fields keep out-of-range numbers as
// typed, so that the check can say what is wrong instead of the number vanishing. A base method's
// own settings (AWQ's precision, OmniQuant's epochs, ...) are disabled while another is chosen.
#include <QMap>
#include <QWidget>
#include <optional>
#include <vector>

#include "invx/opt-config.h"
#include "invx/search-run.h"
#include "invx/search-settings.h"
#include "invx/setting-problem.h"
#include "invx/setting-table.h"

class QComboBox;
class QLabel;
class QLineEdit;

namespace invx::gui {

class SearchSettingsForm : public QWidget {
    Q_OBJECT
  public:
    explicit SearchSettingsForm(QWidget* parent = nullptr);

    // The core's presets (invx::searchSettingsPreset): "demo" and "paper".
    static SearchSettings presetSettings(const QString& preset);
    void applyPreset(const QString& preset);

    void setSettings(const SearchSettings& settings);
    // The settings as edited; on a problem, `error` gets the core's sentence and the result is
    // partial.
    SearchSettings settings(QString* error = nullptr) const;
    SearchSettings settings(
        SettingProblem* problem) const;  // ... with the key of the setting at fault
    // A request for a new run as the form says (model, device, dtype, output file).
    SearchRunRequest request(QString* error = nullptr) const;
    SearchRunRequest request(SettingProblem* problem) const;

    void setDevices(const QStringList& devices);
    void setModelPath(const QString& path);  // a directory or a Hugging Face id
    QString modelPath() const;
    void setOutputPath(const QString& path);
    QString outputPath() const;
    void setDefaultModelDirectory(const QString& demoDirectory);
    // The chosen model's shape, when its config.json could be read (else the settings are checked
    // alone).
    const std::optional<OptConfig>& modelShape() const { return shape_; }

    QString errorText() const;  // the shown validation sentence, "" when valid
    // The label that shows it; a window may place it where it stays in view (beside its Start).
    QLabel* errorLabel() const { return error_; }
    QWidget* editor(const QString& key) const { return editors_.value(key); }

  Q_SIGNALS:
    void validityChanged(bool valid);

  private:
    void validate();
    void mark(const QString& key, const QString& sentence);
    void listModels();
    QString modelDirectory() const;  // the demo model's directory for "opt-demo"
    void readModelShape();
    QString editorText(const QString& key) const;
    void setEditorText(const QString& key, const QString& text);
    void enableMethodRows(const QString& method);

    // A row of settings that belong to some base methods only (the table's `bases`).
    struct MethodRow {
        const SettingDeclaration* declaration;
        QLabel* label;
        QWidget* editor;
    };
    std::vector<MethodRow> methodOwned_;
    QMap<QString, QWidget*> editors_;
    QComboBox* preset_ = nullptr;
    QComboBox* model_ = nullptr;
    QComboBox* device_ = nullptr;
    QComboBox* dtype_ = nullptr;
    QLineEdit* output_ = nullptr;
    QLabel* error_ = nullptr;
    QString demoDirectory_;
    QString markedKey_;
    std::optional<OptConfig> shape_;
    bool applyingPreset_ = false;
};

}  // namespace invx::gui
