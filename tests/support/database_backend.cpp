#include "support/database_backend.hpp"

namespace ds::test {
namespace {

class SqliteBackend final : public DatabaseBackend {
 public:
  std::string type() const override { return "sqlite"; }
  // The default path is used on purpose: it is what `make run` does.
  std::map<std::string, std::string> server_env(const std::filesystem::path&) override { return {}; }
};

}  // namespace

std::shared_ptr<DatabaseBackend> sqlite_backend() { return std::make_shared<SqliteBackend>(); }

std::filesystem::path default_sqlite_file(const std::filesystem::path& server_dir) {
  return server_dir / "persistent_data" / "database" / "deploystack.db";
}

}  // namespace ds::test
