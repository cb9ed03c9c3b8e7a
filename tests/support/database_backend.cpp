#include "support/database_backend.hpp"

#include "support/turso_server.hpp"

namespace ds::test {
namespace {

class SqliteBackend final : public DatabaseBackend {
 public:
  std::string type() const override { return "sqlite"; }
  // The default path is used on purpose: it is what `make run` does.
  std::map<std::string, std::string> server_env(const std::filesystem::path&) override { return {}; }
};

class TursoBackend final : public DatabaseBackend {
 public:
  std::string type() const override { return "turso"; }
  std::map<std::string, std::string> server_env(const std::filesystem::path& server_dir) override {
    if (!server_) {
      std::filesystem::create_directories(server_dir / "turso");
      server_ = std::make_unique<TursoServer>(server_dir / "turso");
    }
    // The local server accepts any token; a real one proves the token is never logged.
    return {{"TURSO_DATABASE_URL", server_->url()}, {"TURSO_AUTH_TOKEN", "test-token-never-logged"}};
  }

 private:
  std::unique_ptr<TursoServer> server_;
};

}  // namespace

std::shared_ptr<DatabaseBackend> turso_backend() { return std::make_shared<TursoBackend>(); }

std::shared_ptr<DatabaseBackend> sqlite_backend() { return std::make_shared<SqliteBackend>(); }

std::filesystem::path default_sqlite_file(const std::filesystem::path& server_dir) {
  return server_dir / "persistent_data" / "database" / "deploystack.db";
}

}  // namespace ds::test
