#include "settings/statement_recorder.hpp"

#include "core/error.hpp"

namespace ds::settings {

db::Result StatementRecorder::execute(std::string_view sql, std::span<const db::Value> params) {
  statements_.push_back({std::string(sql), {params.begin(), params.end()}});
  return {};
}

std::vector<db::Result> StatementRecorder::batch(std::span<const db::Statement> statements) {
  statements_.insert(statements_.end(), statements.begin(), statements.end());
  return std::vector<db::Result>(statements.size());
}

void StatementRecorder::transaction(const std::function<void(db::Connection&)>& body) {
  body(*this);  // the recorded statements are made atomic by the batch they are sent in
}

std::vector<db::Result> StatementRecorder::migration_batch(std::span<const db::Statement>) {
  throw Error(Errc::misuse, "a migration batch cannot be recorded into another batch");
}

}  // namespace ds::settings
