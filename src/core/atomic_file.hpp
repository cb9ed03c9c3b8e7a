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

// Reads a whole file. Throws ds::Error(io) naming the path when it cannot.
std::string read_file(const std::filesystem::path& path);

}  // namespace ds
