#pragma once
// The form that sets up a search, built from the core's declaration table (the rows that
// `invx search --help` prints): a spin box for an integer with a range, a line for a number, a
// combo box for a choice, a check box per invariance. What it holds is checked with the core's own
// validation on every edit; the core's sentence shows under the form and the field at fault is
// marked.
#include <QMap>
#include <QWidget>

#include "invx/search-run.h"
#include "invx/search-settings.h"
#include "invx/setting-problem.h"

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
    void setDefaultModelDirectory(const QString& demoDirectory) { demoDirectory_ = demoDirectory; }

    QString errorText() const;  // the shown validation sentence, "" when valid
    // The label that shows it; a window may place it where it stays in view (beside its Start).
    QLabel* errorLabel() const { return error_; }
    QWidget* editor(const QString& key) const { return editors_.value(key); }

  Q_SIGNALS:
    void validityChanged(bool valid);

  private:
    void validate();
    void listModels();
    QString editorText(const QString& key) const;
    void setEditorText(const QString& key, const QString& text);

    QMap<QString, QWidget*> editors_;
    QComboBox* preset_ = nullptr;
    QComboBox* model_ = nullptr;
    QComboBox* device_ = nullptr;
    QComboBox* dtype_ = nullptr;
    QLineEdit* output_ = nullptr;
    QLabel* error_ = nullptr;
    QString demoDirectory_;
    QString markedKey_;
    bool applyingPreset_ = false;
};

}  // namespace invx::gui
