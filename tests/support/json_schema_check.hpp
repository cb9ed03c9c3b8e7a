#pragma once
// A small JSON Schema (2020-12) check, for comparing live answers with the server's OpenAPI
// document: the keywords that document uses. A keyword it does not know is reported as a
// problem, never ignored, so a schema the check cannot judge fails instead of passing.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ds::test {

// The ways `value` breaks `schema`, each "<JSON pointer>: <why>"; empty when it conforms.
// "$ref" is resolved as a local JSON pointer ("#/components/...") into `document`.
std::vector<std::string> schema_problems(const nlohmann::json& value, const nlohmann::json& schema,
                                         const nlohmann::json& document);

}  // namespace ds::test
