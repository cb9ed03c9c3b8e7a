#pragma once
#include <filesystem>
#include <string_view>
#include <sys/types.h>

namespace ds {

// Replaces `target` with `content` so that a crash at any moment leaves either the old file
// or the complete new one: write a temp file beside it, fsync, rename, fsync the folder.
// Creates missing parent folders. Throws ds::Error(io) naming the path.
void write_file_atomically(const std::filesystem::path& target, std::string_view content,
                           mode_t mode = 0644);

// The two halves of write_file_atomically, for a file another writer fills (a SQLite backup):
// create_temp_beside() makes a new empty file ".<name>.tmp-XXXXXX" (mode 0600) in the folder
// of `target` (created when missing), and commit_file() makes the complete `tmp` the new
// `target`: fsync it, rename it onto `target`, fsync the folder. A crash before the rename
// leaves `target` as it was. Both throw ds::Error(io or storage_full) naming the path;
// commit_file() leaves `tmp` for the caller to remove when it fails.
std::filesystem::path create_temp_beside(const std::filesystem::path& target);
void commit_file(const std::filesystem::path& tmp, const std::filesystem::path& target);

// fsync of a folder: makes the creations, renames and removals in it durable.
void sync_folder(const std::filesystem::path& dir);

// Reads a whole file. Throws ds::Error(io) naming the path when it cannot.
std::string read_file(const std::filesystem::path& path);

}  // namespace ds
