// A plugin that claims the setting key of the example plugin under an id of its own: what two
// plugins wanting one name look like to the host. Only the tests load it, next to the example
// plugin (start-up must stop, naming both owners).
#include "plugins/plugin.hpp"

namespace example_clash {

constexpr ds::settings::SettingDefinition kSettings[] = {
    {.key = "example.greeting", .name = "Greeting", .description = "The example plugin's key"},
};

class ClashPlugin final : public ds::plugins::Plugin {
 public:
  ds::plugins::Metadata metadata() const override {
    return {.id = "example_clash",
            .name = "Example Clash",
            .version = "1.0.0",
            .description = "Claims the setting key of the example plugin"};
  }

  ds::plugins::SettingsExtension global_settings_extension() const override {
    return {.modules = {{.group = {.id = "example_clash", .name = "Example Clash"},
                         .settings = kSettings}}};
  }
};

}  // namespace example_clash

DEPLOYSTACK_PLUGIN(example_clash::ClashPlugin)
