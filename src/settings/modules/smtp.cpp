// The mail server the backend sends notifications through.
#include "settings/modules/modules.hpp"

namespace ds::settings::modules {
namespace {

using enum SettingType;

constexpr SettingDefinition kSettings[] = {
    {.key = "smtp.host", .name = "SMTP Host", .type = string, .default_value = "",
     .description = "Mail server host name, e.g. smtp.example.com", .required = true},
    {.key = "smtp.port", .name = "SMTP Port", .type = number, .default_value = "587",
     .description = "Mail server port: 587 (STARTTLS), 465 (TLS) or 25 (plain)", .required = true},
    {.key = "smtp.username", .name = "SMTP Username", .type = string, .default_value = "",
     .description = "User name for mail server authentication", .required = true},
    {.key = "smtp.password", .name = "SMTP Password", .type = string, .default_value = "",
     .description = "Password for mail server authentication", .encrypted = true,
     .required = true},
    {.key = "smtp.secure", .name = "Use TLS", .type = boolean, .default_value = "true",
     .description = "Connect with TLS from the start (port 465) instead of STARTTLS"},
    {.key = "smtp.from_name", .name = "From Name", .type = string, .default_value = "DeployStack",
     .description = "Sender name shown in sent mail"},
    {.key = "smtp.from_email", .name = "From Email", .type = string, .default_value = "",
     .description = "Sender address of sent mail"},
};

}  // namespace

const Module& smtp() {
  static const Module module{
      .group = {.id = "smtp", .name = "SMTP Mail Settings",
                .description = "Mail server configuration for notifications", .icon = "mail",
                .sort_order = 1},
      .settings = kSettings,
      .source = __FILE__,
  };
  return module;
}

}  // namespace ds::settings::modules
