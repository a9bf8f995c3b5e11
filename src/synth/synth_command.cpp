#include "synth/synth_command.hpp"

namespace nfmetrics::synth {
void RegisterSynthCommand(CLI::App& app) { app.add_subcommand("synth", "Synthetic data"); }
}  // namespace nfmetrics::synth
