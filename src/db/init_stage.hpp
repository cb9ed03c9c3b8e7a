#pragma once
// One step of database initialization (migrate, settings, plugins ...), run in order at setup
// and at every start, so each must be idempotent. Declared here, below every layer that
// contributes a stage, so that none of them depends on the setup layer that runs them.
#include <functional>
#include <string>

#include "db/connection.hpp"

namespace ds::db {

struct InitStage {
  std::string name;
  std::function<void(Connection&)> run;
  // false: a failure leaves the database usable; setup answers restart_required:true.
  bool required = true;
};

}  // namespace ds::db
