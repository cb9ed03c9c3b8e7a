#include "support/database_backend.hpp"

#include <stdexcept>

#include "core/secret.hpp"
#include "db/sqlite/sqlite_database.hpp"
#include "db/turso/turso_database.hpp"
#include "support/hrana_test_server.hpp"
#include "support/turso_server.hpp"

namespace ds::test {
namespace {

class SqliteBackend final : public DatabaseBackend {
 public:
  std::string type() const override { return "sqlite"; }
  // The default path is used on purpose: it is what `make run` does.
  std::map<std::string, std::string> server_env(const std::filesystem::path& server_dir) override {
    if (file_.empty()) file_ = default_sqlite_file(server_dir);
    return {};
  }

  std::shared_ptr<db::Connection> connect(bool create) override {
    if (file_.empty()) throw std::logic_error("connect() before server_env()");
    if (!create && !std::filesystem::exists(file_)) return nullptr;
    return db::open_sqlite(file_, create ? db::OpenMode::create_if_missing : db::OpenMode::must_exist);
  }

  std::vector<std::filesystem::path> files() const override {
    return {file_, std::filesystem::path(file_.string() + "-wal")};
  }

 private:
  std::filesystem::path file_;
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
    return {{"TURSO_DATABASE_URL", server_->url()}, {"TURSO_AUTH_TOKEN", kTursoTestToken}};
  }

  std::shared_ptr<db::Connection> connect(bool) override {
    if (!server_) throw std::logic_error("connect() before server_env()");
    return db::open_turso({.url = server_->url(), .token = Secret(kTursoTestToken)});
  }

  std::vector<std::filesystem::path> files() const override {
    if (!server_) return {};
    const auto& f = server_->database_file();
    return {f, std::filesystem::path(f.string() + "-wal")};
  }

  TursoServer* turso_server() override { return server_.get(); }

 private:
  std::unique_ptr<TursoServer> server_;
};

class HranaBackend final : public DatabaseBackend {
 public:
  explicit HranaBackend(std::string versions) : versions_(std::move(versions)) {}
  std::string type() const override { return "turso"; }
  std::map<std::string, std::string> server_env(const std::filesystem::path& server_dir) override {
    if (!server_) {
      std::filesystem::create_directories(server_dir / "hrana");
      server_ = std::make_unique<HranaTestServer>(
          server_dir / "hrana",
          HranaTestServer::Options{.versions = versions_, .token = kTursoTestToken});
    }
    return {{"TURSO_DATABASE_URL", server_->url()}, {"TURSO_AUTH_TOKEN", kTursoTestToken}};
  }

  std::shared_ptr<db::Connection> connect(bool) override {
    if (!server_) throw std::logic_error("connect() before server_env()");
    return db::open_turso({.url = server_->url(), .token = Secret(kTursoTestToken)});
  }

  std::vector<std::filesystem::path> files() const override {
    if (!server_) return {};
    const auto& f = server_->database_file();
    return {f, std::filesystem::path(f.string() + "-wal")};
  }

  HranaTestServer* hrana_server() override { return server_.get(); }

 private:
  std::string versions_;
  std::unique_ptr<HranaTestServer> server_;
};

}  // namespace

std::shared_ptr<DatabaseBackend> hrana_v2_backend() {
  return std::make_shared<HranaBackend>("2");
}
std::shared_ptr<DatabaseBackend> hrana_v3_backend() {
  return std::make_shared<HranaBackend>("3");
}

std::shared_ptr<DatabaseBackend> turso_backend() { return std::make_shared<TursoBackend>(); }

std::shared_ptr<DatabaseBackend> sqlite_backend() { return std::make_shared<SqliteBackend>(); }

namespace {
std::string name_of(BackendFactory factory) {
  if (factory == &turso_backend) return "turso";
  if (factory == &hrana_v2_backend) return "hrana_v2";
  if (factory == &hrana_v3_backend) return "hrana_v3";
  return "sqlite";
}
}  // namespace

std::string backend_name(const ::testing::TestParamInfo<BackendFactory>& info) { return name_of(info.param); }

void PrintTo(BackendFactory factory, std::ostream* os) { *os << name_of(factory); }

std::filesystem::path default_sqlite_file(const std::filesystem::path& server_dir) {
  return server_dir / "persistent_data" / "database" / "deploystack.db";
}

}  // namespace ds::test
