// Settings that shape the whole application.
#include "settings/modules/modules.hpp"

namespace ds::settings::modules {
namespace {

using enum SettingType;

constexpr SettingDefinition kSettings[] = {
    {.key = "global.page_url", .name = "Page URL", .type = string,
     .default_value = "http://localhost:5173",
     .description = "Public base URL of the frontend, used in links the backend sends",
     .required = true},
    {.key = "global.enable_login", .name = "Enable Login", .type = boolean, .default_value = "true",
     .description = "Whether users can sign in at all"},
    {.key = "global.enable_email_registration", .name = "Enable Email Registration",
     .type = boolean, .default_value = "true",
     .description = "Whether new users can register with an email address"},
    {.key = "global.enable_swagger_docs", .name = "Enable API Documentation", .type = boolean,
     .default_value = "true", .description = "Whether the OpenAPI/Swagger documentation is served"},
    {.key = "global.show_version", .name = "Show Version", .type = boolean,
     .default_value = "true", .description = "Whether the application version is shown publicly"},
};

}  // namespace

const Module& global() {
  static const Module module{
      .group = {.id = "global", .name = "Global Settings",
                .description = "General application configuration", .icon = "settings",
                .sort_order = 0},
      .settings = kSettings,
      .source = __FILE__,
  };
  return module;
}

}  // namespace ds::settings::modules
