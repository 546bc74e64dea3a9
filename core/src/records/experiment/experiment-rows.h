#pragma once
// The packed rows of the experiment file's tables (docs/experiment-file.md) and their HDF5 types:
// /steps, /evaluations, /run_log and /results. A row's layout is the file's: change it only with
// a new schema version.
#include <cstdint>

#include "records/hdf5/hdf5-file.h"

namespace invx::experiment {

struct StepRow {
    std::int64_t step;
    std::int32_t layer;
    double loss, ce, mse;
    std::uint8_t accepted;
    double acceptanceRate, recentAcceptanceRate, elapsedSeconds;
};

struct EvaluationRow {
    std::int64_t step, acceptedSteps;
    double perplexity;
    std::int64_t windows, windowsAvailable;
    double elapsedSeconds, seconds;
};

// Every change of status or step budget, appended (schema 2), because a writer in
// single-writer/multiple-reader mode may not rewrite attributes.
struct RunLogRow {
    char status[16];
    std::int64_t targetSteps;
    double unixTime;
};

// Measurements for the results table (invx table, the workbench's Results tab). A row is written
// whole; one a killed writer left unwritten reads with an empty model and is skipped.
struct ResultRow {
    char model[16];
    std::int64_t step;
    char metric[32];
    double value, valueNorm;
    std::int64_t items;
    std::uint8_t complete;
    char protocol[256];
    double seconds, unixTime;
};

hdf5::Handle stepType();
hdf5::Handle evaluationType();
hdf5::Handle runLogType();
hdf5::Handle resultType();
// The step field alone, to read a table's steps without the rest of its rows.
hdf5::Handle stepFieldType();

// A row never written reads as this step (the fill value of every step column of schema 2).
constexpr std::int64_t kUnwrittenStep = -1;

}  // namespace invx::experiment
