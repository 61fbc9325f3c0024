// SPDX-License-Identifier: GPL-3.0-or-later
#include "plugins/plugin_scan_ttl.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>
#include <string_view>

#include "core/error.hpp"
#include "core/files.hpp"
#include "plugins/lv2_manifest.hpp"
#include "plugins/turtle.hpp"

namespace vr {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
constexpr std::string_view lv2 = "http://lv2plug.in/ns/lv2core#";
constexpr std::string_view doap = "http://usefulinc.com/ns/doap#";
constexpr const char* foaf_name = "http://xmlns.com/foaf/0.1/name";
constexpr const char* rdfs_see_also = "http://www.w3.org/2000/01/rdf-schema#seeAlso";
constexpr const char* atom_port = "http://lv2plug.in/ns/ext/atom#AtomPort";
constexpr const char* atom_supports = "http://lv2plug.in/ns/ext/atom#supports";
constexpr const char* event_port = "http://lv2plug.in/ns/ext/event#EventPort";
constexpr const char* event_supports = "http://lv2plug.in/ns/ext/event#supportsEvent";
constexpr const char* midi_event = "http://lv2plug.in/ns/ext/midi#MidiEvent";
constexpr const char* pg_group = "http://lv2plug.in/ns/ext/port-groups#group";
constexpr const char* pg_main_input = "http://lv2plug.in/ns/ext/port-groups#mainInput";
constexpr const char* patch_writable = "http://lv2plug.in/ns/ext/patch#writable";

// A bundle's Turtle files are small; a bigger one is not worth reading.
constexpr std::size_t max_ttl_bytes = 16u << 20;

std::string iri(std::string_view ns, const char* local) { return std::string(ns) + local; }

using kind = turtle_kind;
using token = turtle_token;

struct node {
    bool literal = false;
    std::string text;  // an IRI, a blank node's "_:" label, or a literal's value
};

// Every triple of the files read, by subject.
struct graph {
    std::map<std::string, std::vector<std::pair<std::string, node>>> by_subject;
    int blanks = 0;

    std::vector<node> objects(const std::string& s, const std::string& p) const {
        std::vector<node> out;
        if (auto it = by_subject.find(s); it != by_subject.end())
            for (const auto& [pred, o] : it->second)
                if (pred == p) out.push_back(o);
        return out;
    }
    bool has(const std::string& s, const std::string& p, const std::string& o) const {
        for (const auto& n : objects(s, p))
            if (!n.literal && n.text == o) return true;
        return false;
    }
    std::optional<std::string> literal(const std::string& s, const std::string& p) const {
        for (const auto& n : objects(s, p))
            if (n.literal) return n.text;
        return std::nullopt;
    }
};

class reader {
public:
    reader(const std::string& text, graph& g) : r_(text), g_(g) {}

    void run() {
        while (!r_.at_end()) statement();
    }

private:
    bool at(kind k, const char* text) const { return r_.at(k, text); }

    // A term; a [ ] blank node's properties become triples of a new label.
    node term() {
        if (at(kind::punct, "[")) {
            r_.advance();
            node b{false, "_:b" + std::to_string(++g_.blanks)};
            properties(b.text, "]");
            if (at(kind::punct, "]")) r_.advance();
            return b;
        }
        if (at(kind::punct, "(")) {  // a collection: read past it
            r_.skip_group();
            return {};
        }
        token t = r_.token();
        r_.advance();
        if (t.k == kind::iri) return {false, t.text};
        if (t.k == kind::literal) return {true, t.text};
        if (t.k == kind::name) {
            std::string e = r_.expand(t.text);
            return e.empty() ? node{true, t.text} : node{false, e};  // numbers and booleans are literals
        }
        return {};
    }

    // predicate object, object ; predicate object ... up to `until` or '.'.
    void properties(const std::string& s, const char* until) {
        while (!r_.at_end() && !at(kind::punct, ".") && !at(kind::punct, until)) {
            if (at(kind::punct, ";")) {
                r_.advance();
                continue;
            }
            node p = term();
            do {
                if (at(kind::punct, ",")) r_.advance();
                node o = term();
                if (!s.empty() && !p.literal && !p.text.empty() && !o.text.empty())
                    g_.by_subject[s].push_back({p.text, o});
            } while (at(kind::punct, ","));
            if (!at(kind::punct, ";") && !at(kind::punct, ".") && !at(kind::punct, until) && !r_.at_end())
                r_.advance();  // not the subset bundles use: read past it
        }
    }

    void statement() {
        if (r_.directive()) return;
        node s = term();
        properties(s.literal ? "" : s.text, ".");
        r_.advance();
    }

    turtle_reader r_;
    graph& g_;
};

// A seeAlso file inside the bundle, or "" for one elsewhere.
std::string file_in_bundle(const std::string& written, const std::string& bundle) {
    std::string path;
    if (written.starts_with("file://"))
        path = written.substr(7);
    else if (written.find(':') == std::string::npos && !written.empty() && written.front() != '/')
        path = (fs::path(bundle) / written).lexically_normal().string();
    else
        return "";
    std::string root = fs::path(bundle).lexically_normal().string();
    return path.starts_with(root) ? path : "";
}

std::optional<int> integer(const graph& g, const std::string& s, const std::string& p) {
    auto v = g.literal(s, p);
    if (!v || v->empty() || v->find_first_not_of("-0123456789") != std::string::npos) return std::nullopt;
    try {
        return std::stoi(*v);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

void read_ports(const graph& g, lv2_description& d) {
    const auto ports = g.objects(d.uri, iri(lv2, "port"));
    d.ports_known = !ports.empty();
    std::string main_group;
    for (const auto& n : g.objects(d.uri, pg_main_input))
        if (!n.literal) main_group = n.text;
    for (const auto& port : ports) {
        const std::string& p = port.text;
        auto is = [&](const std::string& type) { return g.has(p, iri(rdf, "type"), type); };
        const bool input = is(iri(lv2, "InputPort"));
        if (is(iri(lv2, "AudioPort"))) {
            if (!input) {
                ++d.audio_outputs;
                continue;
            }
            bool side = g.has(p, iri(lv2, "portProperty"), iri(lv2, "isSideChain"));
            if (!main_group.empty())
                for (const auto& group : g.objects(p, pg_group))
                    if (group.text != main_group) side = true;
            ++(side ? d.sidechain_inputs : d.audio_inputs);
        } else if (input && is(iri(lv2, "ControlPort"))) {
            ++d.parameters;
        } else if (input && ((is(atom_port) && g.has(p, atom_supports, midi_event)) ||
                             (is(event_port) && g.has(p, event_supports, midi_event)))) {
            d.midi_input = true;
        }
    }
    d.parameters += static_cast<int>(g.objects(d.uri, patch_writable).size());
}

lv2_description describe(const graph& g, const lv2_plugin_entry& e) {
    lv2_description d;
    d.uri = e.uri;
    d.binary = e.binary;
    for (const auto& n : g.objects(e.uri, iri(rdf, "type")))
        if (!n.literal) d.classes.push_back(n.text);
    d.name = g.literal(e.uri, iri(doap, "name"));
    // The plugin's maintainer, else its project's (as lilv looks for an author).
    std::vector<std::string> owners{e.uri};
    for (const auto& n : g.objects(e.uri, iri(lv2, "project")))
        if (!n.literal) owners.push_back(n.text);
    for (const auto& owner : owners)
        for (const char* who : {"maintainer", "developer"})
            for (const auto& n : g.objects(owner, iri(doap, who)))
                if (!d.vendor) d.vendor = n.literal ? n.text : g.literal(n.text, foaf_name);
    auto minor = integer(g, e.uri, iri(lv2, "minorVersion")), micro = integer(g, e.uri, iri(lv2, "microVersion"));
    if (minor && micro) d.version = std::to_string(*minor) + "." + std::to_string(*micro);
    read_ports(g, d);
    return d;
}

std::string read_text(const std::string& path) {
    auto bytes = read_file(path, max_ttl_bytes);
    return std::string(bytes.begin(), bytes.end());
}

}  // namespace

std::string lv2_category(const lv2_description& d) {
    auto has = [&](const char* c) { return std::find(d.classes.begin(), d.classes.end(), iri(lv2, c)) != d.classes.end(); };
    if (has("InstrumentPlugin")) return "instrument";
    if (has("MIDIPlugin")) return "midi_effect";
    return "effect";
}

std::vector<lv2_description> describe_lv2_texts(const std::vector<std::string>& texts, const std::string& bundle) {
    graph g;
    for (const auto& text : texts) reader(text, g).run();
    std::vector<lv2_description> out;
    if (texts.empty()) return out;
    for (const auto& e : parse_lv2_manifest(texts.front(), bundle)) out.push_back(describe(g, e));
    return out;
}

std::vector<lv2_description> read_lv2_bundle(const std::string& bundle) {
    std::vector<std::string> texts{read_text(bundle + "/manifest.ttl")};
    graph manifest;
    reader(texts.front(), manifest).run();
    std::set<std::string> read;
    for (const auto& e : parse_lv2_manifest(texts.front(), bundle)) {
        for (const auto& n : manifest.objects(e.uri, rdfs_see_also)) {
            std::string path = n.literal ? "" : file_in_bundle(n.text, bundle);
            if (path.empty() || !read.insert(path).second) continue;
            try {
                texts.push_back(read_text(path));
            } catch (const record_error&) {
                // What the other files say still holds.
            }
        }
    }
    return describe_lv2_texts(texts, bundle);
}

}  // namespace vr
