// `nfmetrics synth`: writes OpenMetrics for backfill, or serves live samples on /metrics.
#pragma once

#include <CLI/CLI.hpp>

namespace nfmetrics::synth {

// Adds the `synth` subcommand and its options to app; the subcommand's callback does the work.
void RegisterSynthCommand(CLI::App& app);

}  // namespace nfmetrics::synth
