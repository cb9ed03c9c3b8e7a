# The plugin SDK's headers, relative to src/: all a plugin can include (docs/PLUGINS.md).
# Installed under include/deploystack/ and, in this build, linked into sdk-include/, the only
# include folder of deploystack_plugin_sdk. `scripts/check-sdk-headers.py` (the test
# sdk.headers_closed) keeps the list honest: every listed header exists, includes only
# listed headers and no driver or server library, and is reached from an entry header.

# What a plugin includes directly: the interface and ABI, then the parts a plugin uses.
set(DS_PLUGIN_SDK_ENTRY_HEADERS
  plugins/plugin.hpp          # Plugin, Metadata, the extensions, Routes, DatabaseAccess
  plugins/abi.hpp             # kAbiVersion, DEPLOYSTACK_PLUGIN
  db/schema/walk.hpp          # the table DSL and describe<T>()
  db/schema.sqlite.hpp        # the core tables, for foreign keys to them
  db/query.hpp                # typed queries over a Connection or a Transaction
  http/errors.hpp             # HttpError and the error bodies
  http/json_body.hpp          # the JSON request body reader
  core/time.hpp               # now_ms, for DefaultFn and timestamps
  core/uuid.hpp               # uuid_v4, for DefaultFn and ids
)

# The entry headers and everything they include, transitively: the whole SDK.
set(DS_PLUGIN_SDK_HEADERS
  core/error.hpp
  core/time.hpp
  core/uuid.hpp
  db/connection.hpp
  db/query.hpp
  db/query/codec.hpp
  db/query/database.hpp
  db/query/delete.hpp
  db/query/expr.hpp
  db/query/insert.hpp
  db/query/select.hpp
  db/query/shape_cache.hpp
  db/query/single_table_write.hpp
  db/query/sql_text.hpp
  db/query/update.hpp
  db/result.hpp
  db/row.hpp
  db/schema.sqlite.hpp
  db/schema/column.hpp
  db/schema/fixed_string.hpp
  db/schema/members.hpp
  db/schema/model.hpp
  db/schema/table.hpp
  db/schema/walk.hpp
  db/value.hpp
  http/errors.hpp
  http/json_body.hpp
  http/request.hpp
  http/route_doc.hpp
  http/router.hpp
  plugins/abi.hpp
  plugins/plugin.hpp
  settings/definition.hpp
)
