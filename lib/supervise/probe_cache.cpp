// SPDX-License-Identifier: GPL-3.0-or-later
#include "supervise/probe_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <system_error>
#include <vector>

#include "core/files.hpp"
#include "core/handles.hpp"
#include "core/hash.hpp"
#include "core/tool.hpp"
#include "plugins/provenance.hpp"

namespace vr {

namespace {

// A verdict file is a few hundred bytes: anything much larger is not ours.
constexpr std::size_t max_cache_file_bytes = 1u << 20;
// A bundle with more files than this is keyed by the first ones only (in
// name order): enough to see an update in place, which rewrites the binary.
constexpr std::size_t max_bundle_files = 4096;

std::uint8_t const* bytes_of(const std::string& s) { return reinterpret_cast<const std::uint8_t*>(s.data()); }

// What says a file changed: an update in place changes its size or its
// change time (which no copy preserves), or gives it a new inode.
json file_identity(const std::string& path, const struct stat& st) {
    return json::array({path, static_cast<std::int64_t>(st.st_size), static_cast<std::int64_t>(st.st_ino),
                        static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                        static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec});
}

// Every file of the bundle (a folder: a .vst3 or .lv2 bundle), by path
// relative to it, in name order; a single file is its own bundle.
json bundle_identity(const std::string& bundle) {
    json files = json::array();
    struct stat st {};
    if (::stat(bundle.c_str(), &st) != 0) return files;
    if (!S_ISDIR(st.st_mode)) {
        files.push_back(file_identity(bundle, st));
        return files;
    }
    std::vector<std::string> paths;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(bundle, ec);
         !ec && it != std::filesystem::recursive_directory_iterator() && paths.size() < max_bundle_files;
         it.increment(ec))
        paths.push_back(it->path().string());
    std::sort(paths.begin(), paths.end());
    for (const auto& p : paths)
        if (::lstat(p.c_str(), &st) == 0) files.push_back(file_identity(p.substr(bundle.size()), st));
    return files;
}

// This render-one: its version and its build (a rebuild may probe otherwise).
json host_identity() {
    json host{{"version", version()}};
    struct stat st {};
    if (::stat("/proc/self/exe", &st) == 0) host["build"] = file_identity("", st);
    return host;
}

// The cache's entry of a plugin's binary (binary-...), under the binary's
// identity (its device, path, size, inode, modification and change times:
// a file changed in place has a new one): its SHA-256 and whether the
// plugin needs a display (supervise/display.hpp). A process (a warm
// render-one's above all, asked job after job) reads each entry once.
struct binary_entries {
    std::mutex lock;
    std::map<std::string, json> read;  // by key
};
binary_entries& entries() {
    static binary_entries e;
    return e;
}

// The key of binary's entry, or none when it cannot be looked at.
std::optional<json> binary_entry_key(const std::string& binary) {
    struct stat st {};
    if (::stat(binary.c_str(), &st) != 0) return std::nullopt;
    return json{{"binary", file_identity(binary, st)}, {"device", static_cast<std::uint64_t>(st.st_dev)}};
}

// The entry kept under key in dir (read once a process); an empty object
// when there is none.
json binary_entry(const std::string& dir, const json& key) {
    const std::string text = key.dump();
    {
        std::lock_guard hold(entries().lock);
        if (auto r = entries().read.find(text); r != entries().read.end()) return r->second;
    }
    json entry = read_probe_verdict(probe_cache_file(dir, key, "binary"), key).value_or(json::object());
    std::lock_guard hold(entries().lock);
    return entries().read.emplace(text, std::move(entry)).first->second;
}

// Writes key's entry, and keeps it as read.
void keep_binary_entry(const std::string& dir, const json& key, const json& entry) {
    write_probe_verdict(probe_cache_file(dir, key, "binary"), key, entry);
    std::lock_guard hold(entries().lock);
    entries().read[key.dump()] = entry;
}

// The SHA-256 of the plugin's binary, kept in its entry: hashing a
// plugin's binary read the whole file in every process (about 5 ms of a
// one-off's CPU for the 7 MB test synth; a commercial plugin's 100 MB or
// more takes ten or twenty times that). Hashed as before when the binary
// cannot be looked at or the cache not written.
std::optional<std::string> kept_binary_sha256(const plugin_ref& plugin, const std::string& binary) {
    const std::string dir = probe_cache_dir();
    const auto key = dir.empty() ? std::nullopt : binary_entry_key(binary);
    if (!key) return plugin_binary_sha256(plugin);
    json entry = binary_entry(dir, *key);
    const auto s = entry.find("sha256");
    if (s != entry.end() && s->is_string() && s->get<std::string>().size() == 64) return s->get<std::string>();
    auto sha = plugin_binary_sha256(plugin);
    if (sha) keep_binary_entry(dir, *key, json{{"sha256", *sha}});
    return sha;
}

}  // namespace

std::string probe_cache_dir() {
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && x[0] == '/') return std::string(x) + "/vst-render";
    if (const char* h = std::getenv("HOME"); h && h[0] == '/') return std::string(h) + "/.cache/vst-render";
    return "";
}

std::optional<json> probe_cache_key(const plugin_ref& plugin, int sample_rate, int block_size, int channels,
                                    bool sidechain, bool real_randomness, const std::optional<json>& windows) {
    if ((plugin.windows && !windows) || plugin.format == plugin_format::faust) return std::nullopt;
    const std::string binary = plugin_binary_path(plugin);
    if (binary.empty()) return std::nullopt;
    auto sha = kept_binary_sha256(plugin, binary);
    if (!sha) return std::nullopt;
    // The bundle: a VST3's or LV2's folder (the binary's parent for an LV2
    // named by URI); a VST2 is its file.
    std::string bundle = plugin.location;
    if (plugin.format == plugin_format::lv2) bundle = std::filesystem::path(binary).parent_path().string();
    const char* home = std::getenv("HOME");
    json key{{"plugin", plugin.location},
                {"binary", binary},
                {"binary_sha256", *sha},
                {"bundle", bundle_identity(bundle)},
                {"host", host_identity()},
                {"randomness", real_randomness ? "real" : "pinned"},
                {"sample_rate", sample_rate},
                {"block_size", block_size},
                {"channels", channels},
                {"sidechain", sidechain},
                {"home", home ? home : ""}};
    if (plugin.windows) key["windows"] = *windows;
    return key;
}

std::string probe_cache_file(const std::string& dir, const json& key, const char* kind) {
    const std::string text = key.dump();
    return dir + "/" + kind + "-" + sha256_hex(std::span(bytes_of(text), text.size())).substr(0, 32) + ".json";
}

std::optional<json> read_probe_verdict(const std::string& file, const json& key) {
    // No link followed, no FIFO waited on: only a regular file of ours is read.
    unique_fd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd) return std::nullopt;
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        static_cast<std::size_t>(st.st_size) > max_cache_file_bytes)
        return std::nullopt;
    std::string text(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    while (got < text.size()) {
        ssize_t n = ::read(fd.get(), text.data() + got, text.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return std::nullopt;
        got += static_cast<std::size_t>(n);
    }
    json entry = json::parse(text, nullptr, false);
    if (!entry.is_object() || entry.value("version", 0) != probe_cache_version) return std::nullopt;
    auto k = entry.find("key");
    auto v = entry.find("verdict");
    if (k == entry.end() || *k != key || v == entry.end() || !v->is_object()) return std::nullopt;
    return *v;
}

bool write_probe_verdict(const std::string& file, const json& key, const json& verdict) {
    try {
        make_dirs(std::filesystem::path(file).parent_path().string());
        const std::string text =
            json{{"version", probe_cache_version}, {"key", key}, {"verdict", verdict}}.dump(-1, ' ', false,
                                                                                               json::error_handler_t::replace) +
            "\n";
        write_file_atomic(file, std::span(bytes_of(text), text.size()));
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

std::optional<json> probe_cache::find(const json& key) {
    if (!enabled()) return std::nullopt;
    const std::string file = probe_cache_file(dir_, key);
    auto it = seen_.find(file);
    if (it == seen_.end()) it = seen_.emplace(file, read_probe_verdict(file, key)).first;
    return it->second;
}

bool probe_cache::needs_display(const plugin_ref& plugin) {
    if (!enabled()) return false;
    const std::string binary = plugin_binary_path(plugin);
    const auto key = binary.empty() ? std::nullopt : binary_entry_key(binary);
    return key && binary_entry(dir_, *key).value("needs_display", false);
}

void probe_cache::store_needs_display(const plugin_ref& plugin) {
    if (!enabled()) return;
    const std::string binary = plugin_binary_path(plugin);
    const auto key = binary.empty() ? std::nullopt : binary_entry_key(binary);
    if (!key) return;
    json entry = binary_entry(dir_, *key);
    if (entry.value("needs_display", false)) return;
    // The SHA-256 stays beside it (an entry without one is hashed anew).
    if (!entry.contains("sha256"))
        if (auto sha = plugin_binary_sha256(plugin)) entry["sha256"] = *sha;
    entry["needs_display"] = true;
    keep_binary_entry(dir_, *key, entry);
}

void probe_cache::store(const json& key, const json& verdict) {
    if (!enabled()) return;
    const std::string file = probe_cache_file(dir_, key);
    auto it = seen_.find(file);
    if (it != seen_.end() && it->second == verdict) return;
    write_probe_verdict(file, key, verdict);
    seen_[file] = verdict;
}

}  // namespace vr
