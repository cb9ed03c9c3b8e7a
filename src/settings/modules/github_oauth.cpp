// Sign-in with GitHub.
#include "settings/modules/modules.hpp"

namespace ds::settings::modules {
namespace {

using enum SettingType;

constexpr SettingDefinition kSettings[] = {
    {.key = "github.oauth.client_id", .name = "Client ID", .type = string, .default_value = "",
     .description = "Client ID of the GitHub OAuth app", .required = true},
    {.key = "github.oauth.client_secret", .name = "Client Secret", .type = string,
     .default_value = "", .description = "Client secret of the GitHub OAuth app",
     .encrypted = true, .required = true},
    {.key = "github.oauth.enabled", .name = "Enable GitHub Login", .type = boolean,
     .default_value = "false", .description = "Whether users can sign in with GitHub"},
    {.key = "github.oauth.callback_url", .name = "Callback URL", .type = string,
     .default_value = "http://localhost:3000/api/auth/github/callback",
     .description = "URL GitHub redirects to after authorisation", .required = true},
    {.key = "github.oauth.scope", .name = "OAuth Scope", .type = string,
     .default_value = "user:email", .description = "Scopes requested from GitHub"},
};

}  // namespace

const Module& github_oauth() {
  static const Module module{
      .group = {.id = "github-oauth", .name = "GitHub OAuth Configuration",
                .description = "Sign-in with GitHub", .icon = "github", .sort_order = 2},
      .settings = kSettings,
      .source = __FILE__,
  };
  return module;
}

}  // namespace ds::settings::modules
