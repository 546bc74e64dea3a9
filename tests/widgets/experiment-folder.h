#pragma once
// A temporary folder for a test class's files, with synthetic experiment files written on demand
// (once each: a later test that asks for the same name gets the same file).
#include <QString>
#include <QTemporaryDir>

#include "synthetic-experiment.h"

namespace invx::test {

class ExperimentFolder {
  public:
    QString file(const QString& name) const { return dir_.filePath(name); }
    // `name` in the folder, written from `run` unless it exists.
    QString synthetic(const QString& name, const SyntheticRun& run = {});

  private:
    QTemporaryDir dir_;
};

}  // namespace invx::test
