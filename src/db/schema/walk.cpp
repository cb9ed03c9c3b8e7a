#include "db/schema/walk.hpp"

namespace ds::db::dsl::detail {

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += '_';
    out += n;
  }
  return out;
}

std::string foreign_key_name(const ForeignKey& fk) {
  return fmt::format("{}_{}_{}_{}_fk", fk.table_from, join_names(fk.columns_from), fk.table_to,
                     join_names(fk.columns_to));
}

void add_constraint(Constraint c, schema::Table& out) {
  std::visit(
      [&](auto&& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, schema::Index>) {
          out.indexes.push_back(std::move(v));
        } else if constexpr (std::is_same_v<V, schema::CompositePrimaryKey>) {
          if (v.name.empty()) v.name = fmt::format("{}_{}_pk", out.name, join_names(v.columns));
          out.composite_primary_keys.push_back(std::move(v));
        } else if constexpr (std::is_same_v<V, schema::UniqueConstraint>) {
          if (v.name.empty()) v.name = fmt::format("{}_{}_unique", out.name, join_names(v.columns));
          out.unique_constraints.push_back(std::move(v));
        } else if constexpr (std::is_same_v<V, schema::ForeignKey>) {
          if (v.name.empty()) v.name = foreign_key_name(v);
          out.foreign_keys.push_back(std::move(v));
        } else {
          out.check_constraints.push_back(std::move(v));
        }
      },
      std::move(c));
}

}  // namespace ds::db::dsl::detail
