#include "experiment-folder.h"

#include <QFile>

namespace invx::test {

QString ExperimentFolder::synthetic(const QString& name, const SyntheticRun& run) {
    const QString path = file(name);
    if (!QFile::exists(path)) writeSyntheticExperiment(path, run);
    return path;
}

}  // namespace invx::test
