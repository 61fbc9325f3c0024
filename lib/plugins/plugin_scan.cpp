// SPDX-License-Identifier: GPL-3.0-or-later
#include "plugins/plugin_scan.hpp"

#include <cctype>
#include <filesystem>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/hash.hpp"
#include "core/text.hpp"
#include "plugins/lv2_manifest.hpp"
#include "plugins/plugin_scan_ttl.hpp"
#include "plugins/provenance.hpp"
#include "plugins/windows_plugin.hpp"

namespace vr {

namespace {

namespace fs = std::filesystem;

// moduleinfo.json is small; a bigger file is not one.
constexpr std::size_t max_moduleinfo_bytes = 4u << 20;

// A record with every field a scan writes, in order, none known yet.
json blank_record(const std::string& path, plugin_format format, bool windows = false) {
    json r;
    r["plugin_path"] = path;
    r["plugin_format"] = to_string(format);
    r["plugin_platform"] = windows ? windows_platform : linux_platform;
    if (windows) r["wine_version"] = nullptr;
    for (const char* key : {"plugin_id", "plugin_name", "plugin_vendor", "plugin_version", "category",
                            "input_channels", "output_channels", "sidechain_channels", "midi_input", "param_count",
                            "plugin_program_count", "plugin_sha256", "plugin_load_s"})
        r[key] = nullptr;
    return r;
}

template <typename T>
json or_null(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

std::vector<json> lv2_records(const std::string& bundle) {
    std::vector<json> out;
    const auto plugins = read_lv2_bundle(bundle);
    for (const auto& d : plugins) {
        json r = blank_record(plugins.size() > 1 ? d.uri : bundle, plugin_format::lv2);
        // plugin_uri and plugin_bundle go right after plugin_path.
        json ordered;
        for (auto& [key, value] : r.items()) {
            ordered[key] = value;
            if (key == "plugin_path") {
                ordered["plugin_uri"] = d.uri;
                ordered["plugin_bundle"] = bundle;
            }
        }
        r = std::move(ordered);
        r["plugin_id"] = d.uri;
        r["plugin_name"] = or_null(d.name);
        r["plugin_vendor"] = or_null(d.vendor);
        r["plugin_version"] = or_null(d.version);
        // A plugin whose description file is missing says only lv2:Plugin.
        if (d.ports_known || d.classes.size() > 1) r["category"] = lv2_category(d);
        if (d.ports_known) {
            r["input_channels"] = d.audio_inputs;
            r["output_channels"] = d.audio_outputs;
            r["sidechain_channels"] = d.sidechain_inputs;
            r["midi_input"] = d.midi_input;
            r["param_count"] = d.parameters;
        }
        out.push_back(std::move(r));
    }
    return out;
}

// JSON5, which moduleinfo.json is written in, allows a comma before a
// closing bracket; nlohmann's parser (comments allowed) does not.
std::string without_trailing_commas(const std::string& text) {
    std::string out;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            out += c;
            if (c == '\\' && i + 1 < text.size()) out += text[++i];
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        if (c == ',') {
            std::size_t j = i + 1;
            while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
            if (j < text.size() && (text[j] == '}' || text[j] == ']')) continue;
        }
        out += c;
    }
    return out;
}

std::optional<std::string> string_at(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

std::vector<json> vst3_records(const std::string& bundle, bool windows) {
    const std::string info = bundle + "/Contents/Resources/moduleinfo.json";
    std::error_code ec;
    if (fs::is_regular_file(info, ec)) {
        auto bytes = read_file(info, max_moduleinfo_bytes);
        auto records = vst3_moduleinfo_records(bundle, std::string(bytes.begin(), bytes.end()), windows);
        if (!records.empty()) return records;
    }
    json r = blank_record(bundle, plugin_format::vst3, windows);
    r["plugin_name"] = fs::path(bundle).stem().string();
    return {r};
}

// The SHA-256 of the shared object the job's plugin is in (for LV2, the
// lv2:binary of its URI), or null.
json binary_sha256(const scan_job& job) {
    if (job.format != plugin_format::lv2)
        return or_null(plugin_binary_sha256({job.path, job.format, {}, job.windows}));
    try {
        for (const auto& e : read_lv2_manifest(job.path))
            if (e.uri == job.uri && !e.binary.empty()) return sha256_hex(read_file(e.binary, std::size_t{1} << 31));
    } catch (const record_error&) {
        // No binary to name.
    }
    return nullptr;
}

// Why the Windows plugin at path cannot load, as far as its files say:
// in the prefix it would load in when that is one (so that the DLLs it
// lacks there are named), else from the file alone. "" when nothing is
// found wrong.
std::string windows_file_reason(const std::string& path, const scan_settings& settings) {
    std::optional<std::string> prefix;
    try {
        prefix = choose_wine_prefix(path, settings.wine_prefix, settings.env);
    } catch (const record_error&) {
        // No prefix to look in: the file's own word is all there is.
    }
    return windows_plugin_reason(path, prefix);
}

}  // namespace

json to_json(const scan_job& job) {
    return {{"path", job.path},     {"format", to_string(job.format)}, {"uri", job.uri},
            {"params", job.params}, {"windows", job.windows},           {"wine_prefix", job.wine_prefix}};
}

scan_job scan_job_from_json(const json& j) {
    scan_job job;
    job.path = j.at("path").get<std::string>();
    const std::string f = j.at("format").get<std::string>();
    job.format = f == "vst2" ? plugin_format::vst2 : f == "vst3" ? plugin_format::vst3 : plugin_format::lv2;
    job.uri = j.at("uri").get<std::string>();
    job.params = j.at("params").get<bool>();
    job.windows = j.at("windows").get<bool>();
    job.wine_prefix = j.at("wine_prefix").get<std::string>();
    return job;
}

std::vector<json> vst3_moduleinfo_records(const std::string& bundle, const std::string& text, bool windows) {
    json info = json::parse(without_trailing_commas(text), nullptr, false, true);
    if (!info.is_object() || !info.contains("Classes") || !info["Classes"].is_array())
        throw record_error(bundle + "/Contents/Resources/moduleinfo.json: not a moduleinfo.json (no Classes list)");
    std::optional<std::string> factory_vendor;
    if (auto f = info.find("Factory Info"); f != info.end() && f->is_object()) factory_vendor = string_at(*f, "Vendor");
    std::vector<json> out;
    for (const auto& c : info["Classes"]) {
        if (!c.is_object() || string_at(c, "Category") != "Audio Module Class") continue;
        json r = blank_record(bundle, plugin_format::vst3, windows);
        r["plugin_id"] = or_null(string_at(c, "CID"));
        r["plugin_name"] = or_null(string_at(c, "Name"));
        auto vendor = string_at(c, "Vendor");
        r["plugin_vendor"] = or_null(vendor && !vendor->empty() ? vendor : factory_vendor);
        r["plugin_version"] = or_null(string_at(c, "Version"));
        if (auto subs = c.find("Sub Categories"); subs != c.end() && subs->is_array()) {
            bool instrument = false;
            for (const auto& s : *subs) instrument = instrument || (s.is_string() && s.get<std::string>() == "Instrument");
            r["category"] = instrument ? "instrument" : "effect";
        }
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<json> file_records(const found_path& found) {
    switch (*found.format) {
        case plugin_format::lv2: return lv2_records(found.path);
        case plugin_format::vst3: return vst3_records(found.path, found.windows);
        case plugin_format::vst2: {
            json r = blank_record(found.path, plugin_format::vst2, found.windows);
            r["plugin_name"] = fs::path(found.path).stem().string();
            return {r};
        }
        case plugin_format::faust: break;  // a program, not a plugin file: never found by a walk
    }
    return {};
}

std::vector<json> merge_loaded(json&& answer) {
    answer.erase("worker_rss_mb");
    answer.erase("attempts");
    if (is_error(answer) || !answer.contains("loaded") || !answer["loaded"].is_array()) {
        if (!is_error(answer)) set_error(answer, "internal: the worker described no plugin");
        answer.erase("loaded");
        return {std::move(answer)};
    }
    json loaded = std::move(answer["loaded"]);
    answer.erase("loaded");
    const bool lv2 = answer.value("plugin_format", "") == "lv2";
    std::vector<json> out;
    for (auto& fields : loaded) {
        json r = answer;
        for (auto& [key, value] : fields.items()) {
            if (lv2 && (key == "category" || key == "plugin_version") && !r[key].is_null()) continue;
            if (value.is_null() && r.contains(key)) continue;
            r[key] = std::move(value);
        }
        out.push_back(std::move(r));
    }
    return out;
}

int scan_plugins(const std::vector<scan_root>& roots, const plugin_loader* load, const scan_settings& settings,
                 record_writer& out) {
    auto between = [&] {
        if (settings.between) settings.between();
    };
    auto error = [&](const std::string& path, const std::string& message) {
        between();
        json r;
        if (valid_utf8(path)) r["plugin_path"] = path;
        set_error(r, printable_excerpt(path, 4096) + ": " + message);
        out.write(r);
    };
    for (const auto& root : roots) {
        walk_plugins(root, [&](const found_path& found) {
            if (!found.error.empty()) return error(found.path, found.error);
            if (!valid_utf8(found.path))
                return error(found.path, "the path is not valid UTF-8, so no record can hold it (rename the file)");
            std::vector<json> records;
            try {
                records = file_records(found);
            } catch (const record_error& e) {
                return error(found.path, e.what());
            }
            if (!load) {
                const std::string why = found.windows ? windows_file_reason(found.path, settings) : "";
                for (auto& r : records) {
                    if (!why.empty()) set_error(r, "cannot load plugin " + found.path + ": " + why);
                    between();
                    out.write(r);
                }
                return;
            }
            // A VST3 bundle is loaded once, for all its classes.
            if (found.format == plugin_format::vst3 && records.size() > 1) records.resize(1);
            for (auto& r : records) {
                scan_job job{found.path,      *found.format, r.value("plugin_uri", ""), settings.params,
                             found.windows, settings.wine_prefix};
                r["plugin_sha256"] = binary_sha256(job);
                for (const auto& each : (*load)(std::move(r), job)) {
                    between();
                    out.write(each);
                }
            }
        }, settings.between);
    }
    between();
    return out.exit_code();
}

}  // namespace vr
