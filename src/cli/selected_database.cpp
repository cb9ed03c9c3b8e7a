#include "cli/selected_database.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "db/open_database.hpp"
#include "setup/selection_file.hpp"

namespace ds::cli {

db::DatabaseTarget selected_target(const Config& config) {
  const auto read = setup::read_selection(config.selection_file());
  std::optional<DatabaseType> type = config.db_type;
  switch (read.state) {
    case setup::SelectionRead::State::invalid:
      throw Error(Errc::validation,
                  fmt::format("selection file {} is invalid: {}. Fix or remove it, then run again",
                              config.selection_file().string(), read.reason));
    case setup::SelectionRead::State::valid:
      type = read.selection.type;
      break;
    case setup::SelectionRead::State::absent:
      break;
  }
  if (!type) {
    throw Error(Errc::validation,
                "no database selected: run setup first (POST /api/db/setup) or set DB_TYPE "
                "(sqlite or turso)");
  }
  return db::target_from_config(*type, config);
}

std::shared_ptr<db::Connection> open_selected_database(const Config& config, db::OpenMode mode) {
  return db::open_database(selected_target(config), mode);
}

}  // namespace ds::cli
