// SPDX-License-Identifier: GPL-3.0-or-later
#include "plugins/lv2_manifest.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string_view>
#include <system_error>

#include "core/error.hpp"
#include "core/files.hpp"
#include "plugins/turtle.hpp"

namespace vr {

namespace {

namespace fs = std::filesystem;

constexpr const char* rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
constexpr const char* lv2_plugin = "http://lv2plug.in/ns/lv2core#Plugin";
constexpr const char* lv2_binary = "http://lv2plug.in/ns/lv2core#binary";

// A manifest names a few plugins; a bigger file is not a manifest.
constexpr std::size_t max_manifest_bytes = 4u << 20;

using kind = turtle_kind;
using token = turtle_token;

bool has_scheme(const std::string& iri) {
    auto colon = iri.find(':');
    return colon != std::string::npos && colon > 0 && iri.find('/') > colon;
}

std::string percent_decoded(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// The file a binary's IRI names: relative to the bundle, or a file: IRI
// of this machine; "" for anything else, or a name with a NUL byte in it.
std::string binary_path(const std::string& iri, const std::string& bundle) {
    std::string path;
    if (iri.starts_with("file:///"))
        path = percent_decoded(iri.substr(7));
    else if (iri.starts_with("file://localhost/"))
        path = percent_decoded(iri.substr(16));
    else if (has_scheme(iri) || iri.empty() || iri.front() == '/')
        return "";
    else
        path = (fs::path(bundle) / percent_decoded(iri)).lexically_normal().string();
    return path.find('\0') == std::string::npos ? path : "";
}

class reader {
public:
    reader(const std::string& text, const std::string& bundle) : r_(text), bundle_(bundle) {}

    std::vector<lv2_plugin_entry> run() {
        while (!r_.at_end()) statement();
        std::vector<lv2_plugin_entry> out;
        for (const auto& uri : order_)
            if (subjects_[uri].plugin) out.push_back({uri, subjects_[uri].binary});
        return out;
    }

private:
    struct subject {
        bool plugin = false;
        std::string binary;
    };

    // The full IRI a term stands for ("" for literals and blank nodes).
    std::string term() {
        if (r_.at(kind::punct, "[") || r_.at(kind::punct, "(")) {
            r_.skip_group();
            return "";
        }
        token t = r_.token();
        r_.advance();
        if (t.k == kind::iri) return t.text;
        if (t.k != kind::name || t.text.starts_with("_:")) return "";
        return r_.expand(t.text);
    }

    void statement() {
        if (r_.directive()) return;
        std::string s = term();
        while (!r_.at_end() && !r_.at(kind::punct, ".")) {
            std::string predicate = term();
            do {
                if (r_.at(kind::punct, ",")) r_.advance();
                bool iri = r_.token().k == kind::iri;
                std::string raw = iri ? r_.token().text : "";
                std::string object = term();
                if (!s.empty()) note(s, predicate, object, iri ? raw : object);
            } while (r_.at(kind::punct, ","));
            if (r_.at(kind::punct, ";")) {
                while (r_.at(kind::punct, ";")) r_.advance();
            } else if (!r_.at(kind::punct, ".")) {
                r_.advance();  // not the subset manifests use: read past it
            }
        }
        r_.advance();
    }

    void note(const std::string& s, const std::string& predicate, const std::string& object,
              const std::string& written) {
        if (predicate != rdf_type && predicate != lv2_binary) return;
        if (!subjects_.count(s)) order_.push_back(s);
        auto& entry = subjects_[s];
        if (predicate == rdf_type && object == lv2_plugin) entry.plugin = true;
        if (predicate == lv2_binary && entry.binary.empty()) entry.binary = binary_path(written, bundle_);
    }

    turtle_reader r_;
    std::string bundle_;
    std::map<std::string, subject> subjects_;
    std::vector<std::string> order_;
};

}  // namespace

std::vector<lv2_plugin_entry> parse_lv2_manifest(const std::string& text, const std::string& bundle) {
    return reader(text, bundle).run();
}

std::vector<lv2_plugin_entry> read_lv2_manifest(const std::string& bundle) {
    std::string manifest = bundle + "/manifest.ttl";
    auto bytes = read_file(manifest, max_manifest_bytes);
    auto entries = parse_lv2_manifest(std::string(bytes.begin(), bytes.end()), bundle);
    if (entries.empty()) throw record_error(manifest + ": declares no lv2:Plugin");
    return entries;
}

std::vector<std::string> lv2_search_folders() {
    std::vector<std::string> out;
    if (const char* home = std::getenv("HOME"); home && *home) out.push_back(std::string(home) + "/.lv2");
    std::error_code ec;
    if (fs::exists("/usr/lib64/lv2", ec) || fs::exists("/usr/local/lib64/lv2", ec)) {
        out.push_back("/usr/lib64/lv2");
        out.push_back("/usr/local/lib64/lv2");
    } else {
        out.push_back("/usr/lib/lv2");
        out.push_back("/usr/local/lib/lv2");
    }
    return out;
}

std::optional<std::string> find_lv2_bundle(const std::string& uri, const std::vector<std::string>& folders) {
    for (const auto& folder : folders) {
        std::error_code ec;
        std::vector<std::string> bundles;
        for (fs::directory_iterator d(folder, ec), end; !ec && d != end; d.increment(ec))
            if (d->path().extension() == ".lv2") bundles.push_back(d->path().string());
        // Sorted: the same answer whatever order the folder lists them in.
        std::sort(bundles.begin(), bundles.end());
        for (const auto& bundle : bundles) {
            try {
                for (const auto& e : read_lv2_manifest(bundle))
                    if (e.uri == uri) return bundle;
            } catch (const record_error&) {
                // Bundles of specifications and broken ones name no plugin: next.
            }
        }
    }
    return std::nullopt;
}

}  // namespace vr
