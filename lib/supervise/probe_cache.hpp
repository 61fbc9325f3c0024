// SPDX-License-Identifier: GPL-3.0-or-later
// What a worker's probe learnt of a plugin (isolation mode, whether its
// threads work for it, whether its first render needs a warm-up), and what
// a run learnt of its binary (its SHA-256, whether it needs a display),
// kept on disk so that the next process on this machine need not probe or
// learn it again.
// Only the supervising process reads and writes it (a worker, sandboxed or
// not, gets the verdicts with its jobs); render-one(1), "Probe cache".
#pragma once
#include <map>
#include <optional>
#include <string>

#include "core/records.hpp"
#include "plugins/plugin_ref.hpp"

namespace vr {

// The cache's format: a file of another version is ignored and rewritten.
// 2: a verdict keeps the probe's steps (each way tried and how it
// compared), so that a verdict of version 1, which has none, is probed anew.
inline constexpr int probe_cache_version = 2;

// $XDG_CACHE_HOME/vst-render, else $HOME/.cache/vst-render; "" when
// neither variable is set.
std::string probe_cache_dir();

// Everything a probe's verdict depends on: the plugin's binary (its bytes'
// SHA-256, itself kept in the cache under the binary's identity as stat
// sees it) and every file of its bundle (path, size, modification and
// change times, inode: a plugin updated in place gets a new key), the
// host's version and build, the randomness mode, sample rate, block size,
// output channels, the sidechain bus, and the plugin's HOME; for a Windows
// plugin, windows too (render_options::windows_verdict_identity: its prefix,
// wine and the Windows worker). None for a plugin that is not a file here
// (an LV2 URI not found, Faust code) and a Windows plugin without windows:
// their verdicts are not kept.
std::optional<json> probe_cache_key(const plugin_ref& plugin, int sample_rate, int block_size, int channels,
                                    bool sidechain, bool real_randomness,
                                    const std::optional<json>& windows = std::nullopt);

// The file a key's verdict is kept in, below dir: probe-<hash of the
// key>.json (binary-... for a plugin binary's SHA-256, kept the same way).
std::string probe_cache_file(const std::string& dir, const json& key, const char* kind = "probe");

// The verdict kept for key in file, or none: a missing, unreadable,
// corrupt, truncated or other-version file, one whose key is not exactly
// key, or anything but a regular file (a link is never followed). Never
// throws.
std::optional<json> read_probe_verdict(const std::string& file, const json& key);

// Writes key's verdict to file atomically (a temporary beside it, renamed
// over it: many processes may write at once, a reader sees one whole
// file), making its folder. False when it could not (never throws).
bool write_probe_verdict(const std::string& file, const json& key, const json& verdict);

// The supervising process's view of the cache: each key read once.
class probe_cache {
public:
    explicit probe_cache(bool enabled) : enabled_(enabled), dir_(enabled ? probe_cache_dir() : "") {}
    bool enabled() const { return enabled_ && !dir_.empty(); }
    // The verdict kept for key (none when disabled or not kept).
    std::optional<json> find(const json& key);
    // Keeps key's verdict (nothing when disabled, or it is kept already).
    void store(const json& key, const json& verdict);
    // Whether the entry of plugin's binary (binary-..., under the binary's
    // identity, beside its SHA-256) says it needs a display: it ended its
    // process as it loaded with none, and loaded with one
    // (supervise/display.hpp). False when disabled or not said.
    bool needs_display(const plugin_ref& plugin);
    // Says so in that entry (nothing when disabled or said already).
    void store_needs_display(const plugin_ref& plugin);

private:
    bool enabled_;
    std::string dir_;
    std::map<std::string, std::optional<json>> seen_;  // by file
};

}  // namespace vr
