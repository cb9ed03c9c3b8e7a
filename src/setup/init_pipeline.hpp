#pragma once
// The stages every setup and every start runs on the database, in order: `migrate` (the core
// migrations), `settings` (missing groups and defaults), `plugins` (each plugin's migrations
// and seed; not required: a failing plugin leaves the core initialized, and setup answers
// restart_required). The server and the HTTP fuzz harness both run exactly this pipeline.
#include <vector>

#include "core/config.hpp"
#include "db/init_stage.hpp"
#include "plugins/plugin_host.hpp"
#include "settings/settings_runtime.hpp"

namespace ds::setup {

// `settings` and `plugins` must outlive the stages.
std::vector<db::InitStage> init_pipeline(const Config& config, settings::SettingsRuntime& settings,
                                         const plugins::PluginHost& plugins);

}  // namespace ds::setup
