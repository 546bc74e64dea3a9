#pragma once
// An ablation read as a study in the paper's layout (invx/study-table.h): its finished variants
// grouped over seeds, each group a row named in the paper's words, under the row of its base method
// before the search; and what the table still lacks, for the evaluation that ends a study.
#include <vector>

#include "ablation-plan.h"
#include "invx/results-table.h"
#include "invx/setting-table.h"
#include "invx/study-table.h"

namespace invx::gui {

// The finished variants that share every axis value but the seed's, one StudyVariant each (its
// runs: the seeds' files), in the queue's order, labelled by what tells them apart ("P only",
// "P+S+R"; run-labels.h). Variants without a finished run are left out.
std::vector<StudyVariant> studyVariants(const AblationPlan& plan);

// The study's table from what the finished variants' files record. Throws invx::Error naming the
// file that cannot be read, or saying that no variant has finished.
StudyTable ablationStudyTable(const AblationPlan& plan);

// What the study's table lacks on WikiText-2, C4 and the six tasks, for the base-quantized model
// and each searched one, with the settings to measure it as the plan's evaluation says (Quick:
// the first 40 windows and 100 items of each task). Throws as ablationStudyTable.
std::vector<ResultsMeasurement> studyMeasurements(const AblationPlan& plan,
                                                  CommandSettings* settings);

}  // namespace invx::gui
