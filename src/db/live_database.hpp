#pragma once
// Where the layers above the drivers find the database in use now: none before setup, then
// the one setup or start-up initialized. The setup layer's DatabaseManager implements it;
// lower layers (settings) hold this interface, so they never depend on setup.
#include <memory>

#include "db/connection.hpp"

namespace ds::db {

class LiveDatabase {
 public:
  virtual ~LiveDatabase() = default;
  // The live database, or null when none is initialized. Safe from any thread.
  virtual std::shared_ptr<Connection> database() const = 0;
};

}  // namespace ds::db
